"""Delivery figures from real word timings: espeak-ng speech with silences of known length.

The clips are trimmed of espeak's own leading and trailing silence, so the gaps inserted between
them are the true pauses, and the true speaking rate is words / speech time. Tolerances are
what this machine measured, with a margin.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from interviewer.analysis.delivery import LONG_PAUSE_S, PAUSE_S, analyze_delivery
from interviewer.schema import ScoreStatus
from interviewer.speech.audio import SAMPLE_RATE, write_wav
from interviewer.speech.stt import SpeechToText, Transcription
from tests.speech.conftest import ML_SENTENCES, join_with_gaps, normalise, speech_samples

pytestmark = pytest.mark.slow

#: Inserted between five sentences: two short breaths, one pause, one long pause.
GAPS = [0.3, 1.5, 0.3, 3.2]
#: Measured: the 1.5 s gap came out as 1.3 s, the 3.2 s gap as 3.3 s (Whisper's word edges).
PAUSE_TOLERANCE_S = 0.5
#: Measured: 164.7 wpm against a true 163.1, and 203.6 against 203.3 (within 1%).
WPM_TOLERANCE = 0.08


def test_pauses_are_found_with_their_length(clips_dir: Path, stt: SpeechToText) -> None:
    clips = [speech_samples(s, clips_dir, rate=160) for s in ML_SENTENCES[:5]]
    samples = join_with_gaps(clips, GAPS)
    path = write_wav(clips_dir / "with-pauses.wav", samples)
    heard = stt.transcribe(path)
    score = analyze_delivery(heard.text, heard.words, heard.duration)
    m = score.measurements
    assert score.status is ScoreStatus.SCORED
    assert m["pauses"] == sum(g >= PAUSE_S for g in GAPS) == 2
    assert m["longest_pause_seconds"] == pytest.approx(max(GAPS), abs=PAUSE_TOLERANCE_S)
    assert m["recording_seconds"] == pytest.approx(samples.size / SAMPLE_RATE, abs=0.1)
    assert "1 long pause" in score.explanation  # only the 3.2 s gap is over LONG_PAUSE_S
    assert max(GAPS) >= LONG_PAUSE_S > sorted(GAPS)[-2]
    # The gaps themselves, between the words either side of each inserted silence.
    words = heard.words
    gaps = sorted(b.start - a.end for a, b in itertools.pairwise(words))
    assert gaps[-1] == pytest.approx(3.2, abs=PAUSE_TOLERANCE_S)
    assert gaps[-2] == pytest.approx(1.5, abs=PAUSE_TOLERANCE_S)
    assert gaps[-3] < PAUSE_S


@pytest.mark.parametrize("rate", [150, 190])
def test_speaking_rate_is_measured(clips_dir: Path, stt: SpeechToText, rate: int) -> None:
    sentences = ML_SENTENCES[:4]
    clips = [speech_samples(s, clips_dir, rate=rate) for s in sentences]
    samples = join_with_gaps(clips, [0.2] * 3)
    heard = stt.transcribe(samples)
    score = analyze_delivery(heard.text, heard.words, heard.duration)
    truth_words = len(normalise(" ".join(sentences)).split())
    truth_wpm = truth_words / (samples.size / SAMPLE_RATE - 1.0) * 60  # minus the 0.5 s ends
    measured = float(score.measurements["words_per_minute"])  # type: ignore[arg-type]
    assert measured == pytest.approx(truth_wpm, rel=WPM_TOLERANCE), (measured, truth_wpm)
    # espeak's -s is close to words per minute; our sentences are longer-worded than average.
    assert 0.9 * rate < truth_wpm < 1.25 * rate


def test_answer_carries_timings_into_the_analysis(ml_heard: Transcription) -> None:
    answer = ml_heard.answer()
    assert answer.words and answer.duration
    score = analyze_delivery(answer.text, answer.words, answer.duration)
    assert score.status is ScoreStatus.SCORED
    assert 130 < float(score.measurements["words_per_minute"]) < 220  # type: ignore[arg-type]
    assert score.measurements["transcription_confidence"] == pytest.approx(
        ml_heard.confidence, abs=1e-3
    )
