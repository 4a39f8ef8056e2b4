"""Speech test helpers: real speech made with espeak-ng, and the real bundled Whisper tiny.en.

Nothing is mocked. Clips are synthesised into temporary files with `espeak-ng -w`; tests that need
them are skipped, with the reason, on a machine without espeak-ng. Other formats (WebM, Ogg, MP3,
M4A) are encoded with PyAV, so no ffmpeg program is needed either.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt
import pytest

from interviewer.config import Settings
from interviewer.speech.audio import SAMPLE_RATE, load_audio, speech_bounds, write_wav
from interviewer.speech.stt import SpeechToText, Transcription, get_stt

ESPEAK = shutil.which("espeak-ng")
NO_ESPEAK = "espeak-ng is not installed (sudo apt-get install espeak-ng); speech tests need it"

#: Eight sentences an ML candidate might say, with the terms a recogniser must get right.
ML_SENTENCES = [
    "Regularization adds a penalty to the loss so the model does not overfit the training data.",
    "Gradient boosting builds an ensemble of shallow trees, each one correcting the last.",
    "When the classes are imbalanced, I look at precision and recall instead of accuracy.",
    "We used five fold cross-validation to choose the learning rate and the tree depth.",
    "A confusion matrix shows where the classifier mixes up positive and negative cases.",
    "Data leakage happens when information from the test set sneaks into the features.",
    "I would start with a simple baseline, then measure whether a bigger model is worth it.",
    "In production we monitor the input distribution and retrain when the data drifts.",
]

Speak = Callable[..., Path]


def speak_to(text: str, path: Path, voice: str = "en-us", rate: int = 160) -> Path:
    """Synthesise `text` into a WAV with the espeak-ng program (22.05 kHz mono)."""
    if ESPEAK is None:
        pytest.skip(NO_ESPEAK)
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [ESPEAK, "-w", str(path), "-v", voice, "-s", str(rate)],
        input=text.encode("utf-8"),
        check=True,
        capture_output=True,
    )
    return path


def speech_samples(
    text: str, folder: Path, voice: str = "en-us", rate: int = 160
) -> npt.NDArray[np.float32]:
    """Spoken `text` as 16 kHz samples with espeak's leading and trailing silence trimmed."""
    name = re.sub(r"[^a-z0-9]+", "-", text.lower())[:40] + f"-{voice}-{rate}.wav"
    samples = load_audio(speak_to(text, folder / name, voice, rate))
    start, end = speech_bounds(samples)
    return samples[start:end]


def silence(seconds: float) -> npt.NDArray[np.float32]:
    return np.zeros(int(seconds * SAMPLE_RATE), np.float32)


def join_with_gaps(
    clips: list[npt.NDArray[np.float32]], gaps: list[float]
) -> npt.NDArray[np.float32]:
    """Clips separated by the given silences, with half a second of silence at each end."""
    parts = [silence(0.5)]
    for i, clip in enumerate(clips):
        parts.append(clip)
        if i < len(gaps):
            parts.append(silence(gaps[i]))
    parts.append(silence(0.5))
    return np.concatenate(parts)


def normalise(text: str) -> str:
    """Lower case, hyphens as spaces, punctuation dropped: what WER is computed on."""
    text = text.lower().replace("-", " ")
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text).split())


def encode(samples: npt.NDArray[np.float32], path: Path, codec: str, fmt: str) -> Path:
    """Encode 16 kHz samples with PyAV, e.g. ("libopus", "webm"), ("aac", "ipod")."""
    import av

    rate = 48_000 if codec == "libopus" else 44_100
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16).reshape(1, -1)
    with av.open(str(path), "w", format=fmt) as out:
        stream = cast("av.AudioStream", out.add_stream(codec, rate=rate))
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=rate)
        for resampled in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(resampled):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


@pytest.fixture(scope="session")
def clips_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for synthesised clips, shared by the whole run."""
    if ESPEAK is None:
        pytest.skip(NO_ESPEAK)
    return tmp_path_factory.mktemp("speech-clips")


@pytest.fixture(scope="session")
def stt() -> SpeechToText:
    """The real bundled tiny.en with the default settings (int8, greedy), loaded once."""
    return get_stt(Settings())


@pytest.fixture(scope="session")
def ml_answer(clips_dir: Path) -> Path:
    """About 20 seconds of an ML answer (four sentences) at 165 words per minute."""
    return speak_to(" ".join(ML_SENTENCES[:4]), clips_dir / "ml-answer.wav", rate=165)


@pytest.fixture(scope="session")
def ml_heard(ml_answer: Path, stt: SpeechToText) -> Transcription:
    """`ml_answer` transcribed once for the tests that only read the result."""
    return stt.transcribe(ml_answer)


@pytest.fixture(scope="session")
def silent_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_wav(tmp_path_factory.mktemp("silence") / "silence.wav", silence(4.0))
