"""Text to speech: every persona's voice, no lost files, the cache, threads, and recovery.

Real pyttsx3 (espeak driver) in its worker process and the real espeak-ng program.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from interviewer.config import Settings
from interviewer.personas import cached_personas
from interviewer.schema import Persona, Voice
from interviewer.speech.audio import verify_wav
from interviewer.speech.tts import TextToSpeech, TTSError, cache_key, espeak_program

pytestmark = pytest.mark.skipif(
    espeak_program() is None, reason="espeak-ng is not installed (sudo apt-get install espeak-ng)"
)

LINE = "Tell me how you would handle class imbalance in a fraud model."


@pytest.fixture()
def tts(tmp_path: Path) -> Iterator[TextToSpeech]:
    engine = TextToSpeech(Settings(data_dir=tmp_path / "data"))
    yield engine
    engine.close()


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("persona_id", ["ml_expert", "backend_engineer", "recruiter"])
def test_each_persona_voice_makes_a_plausible_wav(tts: TextToSpeech, persona_id: str) -> None:
    persona: Persona = cached_personas(Settings().personas_dir)[persona_id]
    text = persona.opening[0]
    path = tts.synthesize(text, persona.voice)
    seconds = verify_wav(path)  # complete header, non-empty
    expected = len(text.split()) / persona.voice.rate * 60
    # espeak's rate is close to words per minute; punctuation adds pauses.
    assert 0.6 * expected < seconds < 1.8 * expected, (seconds, expected)
    assert tts.stats["fallbacks"] == 0, tts.last_error


def test_personas_sound_different(tts: TextToSpeech) -> None:
    personas = cached_personas(Settings().personas_dir)
    voices = {p.voice for p in personas.values()}
    assert len(voices) == len(personas)  # each persona has its own voice id / rate
    files = {tts.synthesize(LINE, v).read_bytes() for v in voices}
    assert len(files) == len(voices)


def test_fifty_back_to_back_lines_lose_no_file(tts: TextToSpeech) -> None:
    voice = Voice(voice_id="en-us+f3", rate=175)
    paths = [
        tts.synthesize(f"Question {i}: what would you monitor first?", voice) for i in range(50)
    ]
    assert len(set(paths)) == 50
    durations = [verify_wav(p) for p in paths]
    assert min(durations) > 1.0
    assert tts.stats["synthesized"] == 50 and tts.stats["fallbacks"] == 0, tts.last_error
    assert leftovers(tts.cache_dir) == []
    assert tts.worker_pid is not None  # one long-lived worker did them all


def test_repeated_line_comes_from_the_cache(tts: TextToSpeech) -> None:
    voice = Voice(voice_id="en-us+m3", rate=170)
    first = tts.synthesize(LINE, voice)
    stamp = first.stat().st_mtime_ns
    again = tts.synthesize("  " + LINE.replace(" ", "  ") + " ", voice)  # same words
    assert again == first and first.stat().st_mtime_ns == stamp
    assert tts.stats["synthesized"] == 1 and tts.stats["cache_hits"] == 1
    other_rate = tts.synthesize(LINE, Voice(voice_id="en-us+m3", rate=200))
    assert other_rate != first
    # A second instance (another process, say) finds the same file.
    fresh = TextToSpeech(tts.settings)
    assert fresh.synthesize(LINE, voice) == first and fresh.stats["synthesized"] == 0


def test_cache_key_covers_text_voice_rate_and_engine() -> None:
    v = Voice(voice_id="en-us", rate=165)
    keys = {
        cache_key(LINE, v, "pyttsx3"),
        cache_key(LINE + "?", v, "pyttsx3"),
        cache_key(LINE, Voice(voice_id="en-us+f2", rate=165), "pyttsx3"),
        cache_key(LINE, Voice(voice_id="en-us", rate=166), "pyttsx3"),
        cache_key(LINE, v, "espeak"),
    }
    assert len(keys) == 5


def test_threads_share_one_worker_safely(tts: TextToSpeech) -> None:
    voice = Voice(voice_id="en-us+f2", rate=160)
    lines = [f"Shared line number {i}." for i in range(8)]  # every thread asks for all of them
    results: list[Path] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.extend(tts.synthesize(line, voice) for line in lines)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 32 and len(set(results)) == 8
    assert tts.stats["synthesized"] == 8  # each line made once, whoever asked first
    assert all(verify_wav(p) > 0.5 for p in set(results))
    assert leftovers(tts.cache_dir) == []


def test_espeak_engine_writes_the_same_kind_of_file(tmp_path: Path) -> None:
    direct = TextToSpeech(Settings(data_dir=tmp_path, tts_engine="espeak"))
    path = direct.synthesize(LINE, Voice())
    assert verify_wav(path) > 1.0 and direct.worker_pid is None  # no worker process started


def test_a_killed_worker_is_replaced(tts: TextToSpeech) -> None:
    voice = Voice()
    tts.synthesize("Warm up the worker.", voice)
    pid = tts.worker_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)  # the worker this test's engine started
    path = tts.synthesize("After the crash.", voice)
    assert verify_wav(path) > 0.3  # this call fell back to espeak-ng, or a new worker made it
    tts.synthesize("And the next one.", voice)
    assert tts.worker_pid not in (None, pid)


def test_bad_requests_say_what_to_do(tts: TextToSpeech, tmp_path: Path) -> None:
    with pytest.raises(TTSError, match="empty"):
        tts.synthesize("   ", Voice())
    with pytest.raises(TTSError, match="voices"):
        tts.synthesize("hello", Voice(voice_id="xx-nonexistent"))
    with pytest.raises(TTSError, match="use pyttsx3 or espeak"):
        TextToSpeech(Settings(data_dir=tmp_path, tts_engine="festival")).synthesize("hi", Voice())
    assert leftovers(tts.cache_dir) == []


def test_constructor_starts_nothing(tmp_path: Path) -> None:
    engine = TextToSpeech(Settings(data_dir=tmp_path))
    assert engine.worker_pid is None and not engine.cache_dir.exists()
