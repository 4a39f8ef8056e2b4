"""The pyttsx3 worker process: synthesises WAV files on request, one at a time.

Run by `interviewer.speech.tts` as `python _tts_worker.py` (by file path, so it needs nothing but
pyttsx3 and the standard library). pyttsx3's espeak driver synthesises asynchronously on
espeak's own thread and its run loop can return before the file is written, so every request
waits for the finished-utterance event and then checks the WAV is complete before replying.
A process of its own keeps that run loop out of the web app's threads.

Protocol, one JSON object per line. The worker first writes {"ready": true} (or {"ready": false,
"error": ...}). Then for each request on stdin, {"id", "text", "voice", "rate", "path"}, it
writes {"id", "ok", "error", "seconds", "attempts"} on stdout. End of stdin ends the worker.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import wave
from pathlib import Path
from typing import Any, TextIO

#: Longest wait for espeak to finish one utterance.
UTTERANCE_TIMEOUT_S = 60.0
#: Longest wait for espeak to report idle before the next utterance is started.
IDLE_TIMEOUT_S = 2.0
#: Attempts per request: a cancelled utterance (see `Synthesiser.synthesise`) is made again.
ATTEMPTS = 3


def _complete_wav_seconds(path: Path) -> float:
    """Duration of a complete 16-bit WAV; raises ValueError if it is missing, cut or empty."""
    try:
        with wave.open(str(path), "rb") as wav:
            frames = wav.getnframes()
            expected = frames * wav.getnchannels() * wav.getsampwidth()
            rate = wav.getframerate()
    except (OSError, EOFError, wave.Error) as exc:
        raise ValueError(f"the synthesised file is unreadable: {exc}") from exc
    if frames <= 0 or rate <= 0:
        raise ValueError("the synthesised file holds no audio")
    if path.stat().st_size < 44 + expected:
        raise ValueError("the synthesised file is shorter than its header says")
    return frames / rate


class Synthesiser:
    """One pyttsx3 engine (espeak driver) and the events that say an utterance is done."""

    def __init__(self) -> None:
        import pyttsx3

        self.engine: Any = pyttsx3.init("espeak")
        # pyttsx3 2.99's run loop calls driver.stop() on every runAndWait; when espeak is busy
        # for a moment (a rate change goes through its queue) that cancels the utterance
        # about to start, which then "finishes" as a 44-byte WAV. Nothing here ever needs to
        # cut speech short, so stop() is disabled. (Measured without this: 4-13 empty files
        # per 500 lines on a busy 2-core machine; with it: none.)
        self.engine.proxy._driver.stop = lambda: None
        self.finished = threading.Event()
        self.errors: list[str] = []
        self.voice: tuple[str, int] | None = None
        self.engine.connect("finished-utterance", self._on_finished)
        self.engine.connect("error", self._on_error)

    def _on_finished(self, name: object = None, completed: bool = True, **_: object) -> None:
        if completed:
            self.finished.set()

    def _on_error(self, name: object = None, exception: object = None, **_: object) -> None:
        self.errors.append(str(exception))

    def _wait_idle(self) -> None:
        """Wait until espeak has finished the previous utterance's tail (its own thread)."""
        from pyttsx3.drivers import _espeak

        deadline = time.monotonic() + IDLE_TIMEOUT_S
        while _espeak.IsPlaying() and time.monotonic() < deadline:
            time.sleep(0.002)

    def synthesise(self, text: str, voice: str, rate: int, path: Path) -> tuple[float, int]:
        """Write `text` spoken by `voice` at `rate` words per minute to `path`.

        Returns the file's seconds and the attempts it took; the file is checked complete.
        """
        error: Exception | None = None
        for attempt in range(1, ATTEMPTS + 1):
            self._wait_idle()
            try:
                return self._once(text, voice, rate, path), attempt
            except ValueError as exc:  # an empty or cut file: make it again
                error = exc
        assert error is not None
        raise error

    def _once(self, text: str, voice: str, rate: int, path: Path) -> float:
        self.finished.clear()
        self.errors.clear()
        if self.voice != (voice, rate):
            self.engine.setProperty("voice", voice)
            self.engine.setProperty("rate", rate)
            self._wait_idle()
        if self.errors:  # pyttsx3 reports a bad voice through the error event, not an exception
            self.voice = None
            raise LookupError(f"voice {voice!r}: {self.errors[0]}")
        self.engine.save_to_file(text, str(path))
        self.engine.runAndWait()
        if not self.finished.wait(UTTERANCE_TIMEOUT_S):
            raise TimeoutError("espeak did not finish the utterance")
        if self.errors:
            self.voice = None
            raise LookupError(self.errors[0])
        self.voice = (voice, rate)
        return _complete_wav_seconds(path)


def _send(out: TextIO, record: dict[str, Any]) -> None:
    out.write(json.dumps(record) + "\n")
    out.flush()


def main() -> int:
    # Replies go to the real stdout; anything a library prints goes to stderr instead
    # (pyttsx3's espeak driver prints "Audio saved to ..." for every file).
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        synth = Synthesiser()
    except Exception as exc:
        _send(out, {"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return 1
    _send(out, {"ready": True})
    for line in sys.stdin:
        if not line.strip():
            continue
        request: dict[str, Any] = {}
        reply: dict[str, Any]
        try:
            request = json.loads(line)
            seconds, attempts = synth.synthesise(
                str(request["text"]),
                str(request["voice"]),
                int(request["rate"]),
                Path(request["path"]),
            )
            reply = {"ok": True, "error": None, "seconds": seconds, "attempts": attempts}
        except Exception as exc:
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "seconds": 0.0}
        _send(out, {"id": request.get("id"), **reply})
    return 0


if __name__ == "__main__":
    sys.exit(main())
