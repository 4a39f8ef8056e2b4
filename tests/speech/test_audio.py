"""Decoding recordings and refusing unusable ones, with messages that say what to do.

Fast: no speech model. Clips are espeak-ng speech or generated tones; other formats are encoded
with PyAV (the same FFmpeg libraries the decoder uses), so no ffmpeg program is needed.
"""

from __future__ import annotations

import struct
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from interviewer.speech import audio
from interviewer.speech.audio import (
    SAMPLE_RATE,
    AudioError,
    is_silent,
    load_audio,
    probe_duration,
    read_wav,
    read_wav_header,
    rms,
    rms_dbfs,
    verify_wav,
    write_wav,
)
from tests.speech.conftest import encode, silence, speak_to


def tone(seconds: float, amplitude: float = 0.5, hz: float = 440.0, rate: int = SAMPLE_RATE):  # type: ignore[no-untyped-def]
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def test_wav_from_espeak_is_resampled_to_16k_mono(clips_dir: Path) -> None:
    wav = speak_to("Precision and recall trade off against each other.", clips_dir / "pr.wav")
    with wave.open(str(wav)) as w:
        assert w.getframerate() == 22050
        seconds = w.getnframes() / w.getframerate()
    samples = load_audio(wav)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert abs(samples.size / SAMPLE_RATE - seconds) < 0.01
    assert samples.min() >= -1.0 and samples.max() <= 1.0
    assert not is_silent(samples)


@pytest.mark.parametrize(
    ("name", "codec", "fmt"),
    [
        ("answer.webm", "libopus", "webm"),  # Chrome / Firefox MediaRecorder
        ("answer.ogg", "libopus", "ogg"),  # Firefox, Android
        ("answer.mp3", "libmp3lame", "mp3"),
        ("answer.m4a", "aac", "ipod"),  # iPhone voice memos, Safari
    ],
)
def test_browser_and_phone_formats_decode(tmp_path: Path, name: str, codec: str, fmt: str) -> None:
    source = tone(3.0, 0.4)
    path = encode(source, tmp_path / name, codec, fmt)
    samples = load_audio(path)
    # Encoders add a little priming/padding; the length and level must survive.
    assert abs(samples.size / SAMPLE_RATE - 3.0) < 0.1
    assert abs(rms(samples) - rms(source)) < 0.05
    stated = probe_duration(path)
    assert stated is not None and abs(stated - 3.0) < 0.1


def test_stereo_44k_wav_is_mixed_down(tmp_path: Path) -> None:
    left = tone(1.0, 0.5, rate=44100)
    stereo = np.stack([left, left], axis=1)
    pcm = (stereo * 32767).astype("<i2")
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(pcm.tobytes())
    samples = load_audio(path)
    assert abs(samples.size - SAMPLE_RATE) < 50
    # FFmpeg's downmix keeps the power of the channels (L+R at -3 dB): about the input level.
    assert 0.5 / np.sqrt(2) - 0.02 < rms(samples) < 0.5 + 0.02


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no such file") as err:
        load_audio(tmp_path / "nope.wav")
    assert err.value.kind == "missing"


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.webm").write_bytes(b"")
    with pytest.raises(AudioError, match=r"empty \(0 bytes\).*Record it again") as err:
        load_audio(tmp_path / "empty.webm")
    assert err.value.kind == "empty"


def test_text_file_renamed_wav(tmp_path: Path) -> None:
    path = tmp_path / "answer.wav"
    path.write_text("My answer: I would use cross-validation.\n", encoding="utf-8")
    with pytest.raises(AudioError, match=r"text file, not audio.*WAV, WebM") as err:
        load_audio(path)
    assert err.value.kind == "not_audio"
    assert "answer.wav" in str(err.value)


def test_truncated_wav_header(tmp_path: Path) -> None:
    good = write_wav(tmp_path / "good.wav", tone(1.0))
    cut = tmp_path / "cut.wav"
    cut.write_bytes(good.read_bytes()[:30])  # stops inside the fmt chunk
    with pytest.raises(AudioError, match=r"damaged WAV header.*again") as err:
        load_audio(cut)
    assert err.value.kind == "corrupt"


def test_riff_header_without_data_chunk(tmp_path: Path) -> None:
    path = tmp_path / "nodata.wav"
    fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, 16000, 32000, 2, 16)
    path.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(fmt)) + b"WAVE" + fmt)
    with pytest.raises(AudioError) as err:
        load_audio(path)
    assert err.value.kind == "corrupt"


def test_undecodable_bytes_are_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "answer.mp3"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(AudioError, match="could not be decoded as audio") as err:
        load_audio(path)
    assert err.value.kind == "unsupported"


def test_interrupted_recording_loads_what_is_there(tmp_path: Path) -> None:
    """A recorder killed mid-file leaves a header claiming 4 GB: use the bytes that exist."""
    path = write_wav(tmp_path / "interrupted.wav", tone(2.0))
    raw = bytearray(path.read_bytes())
    data_at = raw.find(b"data")
    raw[data_at + 4 : data_at + 8] = struct.pack("<I", 0xFFFFFFFF)
    path.write_bytes(bytes(raw))
    info = read_wav_header(path)
    assert not info.complete and abs(info.duration - 2.0) < 0.01
    samples = load_audio(path, max_seconds=300)
    assert abs(samples.size / SAMPLE_RATE - 2.0) < 0.01
    with pytest.raises(AudioError, match="incomplete"):
        verify_wav(path)


def test_ten_minute_file_is_refused_from_its_header_quickly(tmp_path: Path) -> None:
    path = tmp_path / "lecture.wav"
    # Ten minutes of 8 kHz silence (9.6 MB), written directly.
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 8000 * 600)
    start = time.perf_counter()
    with pytest.raises(AudioError, match=r"10 minutes long, longer than 5 minutes: split it") as e:
        load_audio(path, max_seconds=300)
    assert time.perf_counter() - start < 0.5  # the header is read; nothing is decoded
    assert e.value.kind == "too_long"


def test_long_webm_is_refused_before_decoding(tmp_path: Path) -> None:
    path = encode(tone(6.0, 0.2), tmp_path / "long.webm", "libopus", "webm")
    with pytest.raises(AudioError, match="longer than 5 seconds: split it"):
        load_audio(path, max_seconds=5)


def test_limit_also_holds_when_the_container_states_no_duration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Live browser recordings often have no duration in the header: decoding stops at the
    limit instead of reading the whole file."""
    path = encode(tone(6.0, 0.2), tmp_path / "live.webm", "libopus", "webm")
    monkeypatch.setattr(audio, "probe_duration", lambda p: None)
    with pytest.raises(AudioError, match="longer than 5 seconds") as err:
        load_audio(path, max_seconds=5)
    assert err.value.kind == "too_long"
    assert load_audio(path, max_seconds=10).size > 5 * SAMPLE_RATE


def test_write_wav_round_trip_is_atomic(tmp_path: Path) -> None:
    source = tone(0.5, 0.3)
    path = write_wav(tmp_path / "sub" / "t.wav", source)
    assert [p.name for p in path.parent.iterdir()] == ["t.wav"]  # no temporary left behind
    back, rate = read_wav(path)
    assert rate == SAMPLE_RATE and back.size == source.size
    assert np.max(np.abs(back - source)) < 1e-3
    assert verify_wav(path) == pytest.approx(0.5, abs=1e-3)


def test_levels() -> None:
    assert rms(np.zeros(0, np.float32)) == 0.0
    assert rms(tone(1.0, 0.5)) == pytest.approx(0.5 / np.sqrt(2), rel=1e-3)
    assert rms_dbfs(tone(1.0, 1.0)) == pytest.approx(-3.01, abs=0.05)
    assert rms_dbfs(silence(1.0)) == float("-inf")
    assert is_silent(silence(1.0)) and is_silent(np.zeros(0, np.float32))
    assert is_silent(tone(1.0, 0.0005))  # about -69 dBFS: a muted microphone
    assert not is_silent(tone(1.0, 0.01))  # about -43 dBFS: quiet speech is not silence
