"""Text to speech: each persona's voice as a WAV file, cached by line.

Two engines, both espeak-ng underneath (offline, small, fast):

* "pyttsx3" (default): pyttsx3's espeak driver in a long-lived worker process of its own
  (`_tts_worker.py`). pyttsx3's run loop is unreliable in threads and can return before the file
  is written, so it never runs in the caller's process; the worker waits for the
  finished-utterance event and checks the file. Requests from several threads are serialised
  through one pipe (about 15 ms a line; starting a process per call costs about 50-80 ms, see
  bench/bench_voice_turn.py). A worker that fails or hangs is killed and restarted on the next
  call, and that call falls back to the espeak-ng program.
* "espeak": `espeak-ng -w FILE -v VOICE -s RATE` called directly.

Files live in `settings.audio_cache_dir`, named by a hash of (text, voice, rate, engine), and are
published by an atomic rename only after they are verified complete, so a repeated line costs
nothing and a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import selectors
import shutil
import subprocess
import sys
import threading
import uuid
import weakref
from collections import Counter
from pathlib import Path
from typing import Any

from interviewer.config import Settings
from interviewer.schema import Voice
from interviewer.speech.audio import AudioError, verify_wav

ENGINES = ("pyttsx3", "espeak")
#: Bump when the synthesis changes in a way that should not reuse old cached files.
CACHE_VERSION = 1
#: Longest wait for one line from the worker or the espeak-ng program.
TIMEOUT_S = 30.0
WORKER = Path(__file__).with_name("_tts_worker.py")


class TTSError(RuntimeError):
    """Speech could not be synthesised; the message says what to install or change."""


def normalise_text(text: str) -> str:
    """The text as it is spoken and cached: whitespace collapsed."""
    return " ".join(text.split())


def cache_key(text: str, voice: Voice, engine: str) -> str:
    """Stable file name stem for one line in one voice from one engine."""
    payload = json.dumps(
        [CACHE_VERSION, normalise_text(text), voice.voice_id, voice.rate, engine],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def espeak_program() -> str | None:
    """Path of the espeak-ng (or older espeak) program, if installed."""
    return shutil.which("espeak-ng") or shutil.which("espeak")


def espeak_to_file(text: str, voice: Voice, path: Path, timeout: float = TIMEOUT_S) -> None:
    """Synthesise with the espeak-ng program (text on stdin, so no argument parsing surprises)."""
    program = espeak_program()
    if program is None:
        raise TTSError(
            "espeak-ng is not installed: install it (e.g. sudo apt-get install espeak-ng) "
            "to hear the interviewer."
        )
    try:
        done = subprocess.run(
            [program, "-w", str(path), "-v", voice.voice_id, "-s", str(voice.rate)],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise TTSError(f"espeak-ng took longer than {timeout:.0f} s") from exc
    message = done.stderr.decode("utf-8", "replace").strip().rstrip(".")
    if done.returncode != 0 or "not found" in message.lower():
        raise TTSError(
            f"espeak-ng failed for voice {voice.voice_id!r}: {message or done.returncode}. "
            "List the voices with: espeak-ng --voices=en"
        )


class _Worker:
    """The pyttsx3 worker process and the pipe to it. Not thread-safe: the caller locks."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self._next_id = 0
        self.starts = 0

    def _start(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-I", str(WORKER)],  # -I: ignore the user's site and environment
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )
        self.starts += 1
        try:
            hello = self._read(proc, TIMEOUT_S)
        except TTSError:
            _stop(proc)
            raise
        if not hello.get("ready"):
            _stop(proc)
            raise TTSError(f"pyttsx3 could not start: {hello.get('error')}")
        return proc

    def _read(self, proc: subprocess.Popen[bytes], timeout: float) -> dict[str, Any]:
        stdout = proc.stdout
        assert stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                raise TTSError(f"the pyttsx3 worker did not answer within {timeout:.0f} s")
        line = stdout.readline()
        if not line:
            raise TTSError(f"the pyttsx3 worker exited (code {proc.poll()})")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def synthesise(self, text: str, voice: Voice, path: Path) -> int:
        """Have the worker write `path`; returns the attempts it needed (1 normally)."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        proc = self.proc
        assert proc.stdin is not None
        self._next_id += 1
        request = {
            "id": self._next_id,
            "text": text,
            "voice": voice.voice_id,
            "rate": voice.rate,
            "path": str(path),
        }
        try:
            proc.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
            proc.stdin.flush()
            reply = self._read(proc, TIMEOUT_S)
        except (OSError, TTSError, ValueError) as exc:
            self.close()  # a dead or stuck worker is replaced on the next call
            raise TTSError(f"pyttsx3 worker failed: {exc}") from exc
        if reply.get("id") != self._next_id:
            self.close()
            raise TTSError("pyttsx3 worker replied out of turn")
        if not reply.get("ok"):
            raise TTSError(f"pyttsx3 could not synthesise: {reply.get('error')}")
        return int(reply.get("attempts") or 1)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def close(self) -> None:
        if self.proc is not None:
            _stop(self.proc)
            self.proc = None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End a worker: close its stdin (it exits), then kill it if it does not."""
    for stream in (proc.stdin, proc.stdout):
        with contextlib.suppress(OSError):
            if stream is not None:
                stream.close()
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class TextToSpeech:
    """Speaks interviewer lines into cached WAV files; safe to call from several threads.

    Nothing starts in the constructor: the worker process starts on the first synthesis.
    `stats` counts syntheses, cache hits and fallbacks to the espeak-ng program.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = settings.tts_engine.strip().lower()
        self.cache_dir = settings.audio_cache_dir
        self.stats: Counter[str] = Counter()
        self.last_error: str | None = None
        self._worker = _Worker()
        self._worker_lock = threading.Lock()
        self._keys_lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._finalizer = weakref.finalize(self, _Worker.close, self._worker)

    def path_for(self, text: str, voice: Voice) -> Path:
        """Where the audio for this line in this voice is (or will be) cached."""
        return self.cache_dir / f"{cache_key(text, voice, self.engine)}.wav"

    def synthesize(self, text: str, voice: Voice) -> Path:
        """A complete WAV of `text` in `voice`: from the cache, or synthesised and cached."""
        if self.engine not in ENGINES:
            chosen = self.settings.tts_engine
            raise TTSError(f"unknown INTERVIEWER_TTS_ENGINE {chosen!r}: use pyttsx3 or espeak")
        spoken = normalise_text(text)
        if not spoken:
            raise TTSError("nothing to say: the text is empty")
        path = self.path_for(spoken, voice)
        if _cached(path):
            self._count("cache_hits")
            return path
        with self._lock_for(path.stem):
            if _cached(path):  # another thread made it while this one waited
                self._count("cache_hits")
                return path
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.tmp.wav")
            try:
                self._synthesise(spoken, voice, tmp)
                try:
                    verify_wav(tmp)
                except AudioError as exc:
                    raise TTSError(f"the synthesised audio is unusable: {exc}") from exc
                os.replace(tmp, path)
            finally:
                with contextlib.suppress(OSError):
                    tmp.unlink()
        self._count("synthesized")
        return path

    def _synthesise(self, text: str, voice: Voice, path: Path) -> None:
        if self.engine == "pyttsx3":
            try:
                with self._worker_lock:
                    attempts = self._worker.synthesise(text, voice, path)
                if attempts > 1:
                    self._count("worker_retries")
                return
            except TTSError as exc:
                self.last_error = str(exc)
                self._count("fallbacks")
                with contextlib.suppress(OSError):
                    path.unlink()
        espeak_to_file(text, voice, path)

    def _lock_for(self, key: str) -> threading.Lock:
        with self._keys_lock:
            lock = self._key_locks.get(key)
            if lock is None:
                if len(self._key_locks) > 4096:
                    self._key_locks.clear()  # only ever a cache of locks, never state
                lock = self._key_locks[key] = threading.Lock()
            return lock

    def _count(self, what: str) -> None:
        with self._keys_lock:
            self.stats[what] += 1

    @property
    def worker_pid(self) -> int | None:
        """The worker process id while it runs (for diagnostics and tests)."""
        return self._worker.pid

    def close(self) -> None:
        """Stop the worker process (it also stops when this object is collected or at exit)."""
        with self._worker_lock:
            self._worker.close()

    def __enter__(self) -> TextToSpeech:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _cached(path: Path) -> bool:
    try:
        return path.stat().st_size > 44
    except OSError:
        return False


_shared: dict[tuple[str, str], TextToSpeech] = {}
_shared_lock = threading.Lock()


def get_tts(settings: Settings) -> TextToSpeech:
    """The process-wide TextToSpeech for this cache folder and engine (one worker process)."""
    key = (str(settings.audio_cache_dir), settings.tts_engine)
    with _shared_lock:
        tts = _shared.get(key)
        if tts is None:
            tts = _shared[key] = TextToSpeech(settings)
        return tts
