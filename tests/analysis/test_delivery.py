"""Delivery of spoken answers: pace, pauses and fillers from word timings; unsure transcripts.

Timings are built by hand with a known speaking rate and known silences, so the right numbers are
known: the measured pace must be within 5% of it, every pause of a second or more is counted and
long ones are reported. A transcript the recogniser was unsure of is flagged, and its wording is
not judged at all rather than judged harshly. Typed answers have no delivery.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewer.analysis import Analyzer, Target
from interviewer.analysis.delivery import analyze_delivery
from interviewer.analysis.scoring import BANDS
from interviewer.analysis.text import words
from interviewer.schema import Analysis, Answer, Dimension, Persona, Score, ScoreStatus, WordTiming

QUESTION = "ml-diagnose-fix-overfitting"
ANSWER = (
    "I diagnose overfitting with learning curves. If the training loss keeps falling while the "
    "validation loss goes up, the model is memorising the training data. Before I change the "
    "model, I check the split for leakage and duplicates, because a broken split can hide or fake "
    "the problem. Then I add regularization: L2 weight decay to shrink the weights, and dropout in "
    "a neural network. I use early stopping on the validation loss and keep the best checkpoint. "
    "If that is not enough, I get more data or use a simpler model with fewer features."
)


def timings(
    text: str, wpm: float, silences: dict[int, float] | None = None, probability: float = 1.0
) -> list[WordTiming]:
    """Word timings for `text` spoken at `wpm`, with `silences[i]` seconds before word i."""
    step = 60.0 / wpm
    t = 0.0
    out = []
    for i, w in enumerate(words(text)):
        t += (silences or {}).get(i, 0.0)
        out.append(WordTiming(word=w.text, start=t, end=t + step, probability=probability))
        t += step
    return out


def spoken(text: str, ws: list[WordTiming]) -> Answer:
    return Answer(text=text, words=ws, duration=ws[-1].end + 0.5)


@pytest.fixture(scope="module")
def analyse(
    analyzer: Analyzer, target: Callable[[str], Target], recruiter: Persona
) -> Callable[[Answer], Analysis]:
    def run(answer: Answer) -> Analysis:
        return analyzer.analyze(answer, target(QUESTION), recruiter)

    return run


def delivery(analysis: Analysis) -> Score:
    score = analysis.scores[Dimension.DELIVERY]
    assert score.status is ScoreStatus.SCORED, score.explanation
    return score


def number(score: Score, key: str) -> float:
    v = score.measurements[key]
    assert isinstance(v, int | float)
    return float(v)


@pytest.mark.parametrize("wpm", [60, 140, 230])
def test_speaking_rate_is_measured_within_five_percent(
    analyse: Callable[[Answer], Analysis], wpm: int
) -> None:
    score = delivery(analyse(spoken(ANSWER, timings(ANSWER, wpm))))
    assert number(score, "words_per_minute") == pytest.approx(wpm, rel=0.05)
    assert number(score, "words") == len(words(ANSWER))
    assert number(score, "pauses") == 0


def test_comfortable_pace_beats_too_slow_and_too_fast(
    analyse: Callable[[Answer], Analysis],
) -> None:
    comfortable = delivery(analyse(spoken(ANSWER, timings(ANSWER, 140))))
    slow = delivery(analyse(spoken(ANSWER, timings(ANSWER, 60))))
    fast = delivery(analyse(spoken(ANSWER, timings(ANSWER, 230))))
    assert comfortable.value == 5.0
    assert slow.value is not None
    assert fast.value is not None
    assert slow.value < 4.0
    assert fast.value < 4.0
    assert "slow" in slow.explanation
    assert "fast" in fast.explanation
    assert "slow" not in comfortable.explanation
    assert "fast" not in comfortable.explanation


def test_pauses_are_counted_and_long_ones_reported(analyse: Callable[[Answer], Analysis]) -> None:
    silences = {10: 1.5, 30: 4.0, 50: 2.0, 70: 5.0}
    ws = timings(ANSWER, 140, silences)
    score = delivery(analyse(spoken(ANSWER, ws)))
    assert number(score, "pauses") == 4
    assert number(score, "longest_pause_seconds") == pytest.approx(5.0, abs=0.01)
    # Only the two pauses of three seconds or more are reported, longest first, with the words
    # either side and when they happened.
    assert len(score.evidence) == 2
    first, second = score.evidence
    assert first.note.startswith("5.0 s pause")
    assert second.note.startswith("4.0 s pause")
    assert first.quote == f"{ws[69].word} ... {ws[70].word}"
    assert f"at {ws[69].end:.1f} s" in first.note
    assert "2 long pause" in score.explanation
    without = delivery(analyse(spoken(ANSWER, timings(ANSWER, 140))))
    assert score.value is not None
    assert without.value is not None
    assert score.value < without.value


def test_short_pauses_are_counted_but_not_reported(analyse: Callable[[Answer], Analysis]) -> None:
    score = delivery(analyse(spoken(ANSWER, timings(ANSWER, 140, {20: 1.2, 40: 1.5}))))
    assert number(score, "pauses") == 2
    assert score.evidence == []


def test_fillers_in_speech_lower_delivery(analyse: Callable[[Answer], Analysis]) -> None:
    with_fillers = (
        ANSWER.replace(". If the", ". Um, if the")
        .replace(". Before", ". Uh, before")
        .replace(". Then", ". Um, then")
        .replace(". I use", ". Uh, I use")
        .replace(". If that", ". Um, if that")
    )
    plain = delivery(analyse(spoken(ANSWER, timings(ANSWER, 140))))
    filled = delivery(analyse(spoken(with_fillers, timings(with_fillers, 140))))
    assert number(filled, "fillers_per_100_words_lower_bound") >= 4
    assert number(plain, "fillers_per_100_words_lower_bound") == 0
    assert filled.value is not None
    assert plain.value is not None
    assert filled.value < plain.value


def test_recording_length_is_reported(analyse: Callable[[Answer], Analysis]) -> None:
    ws = timings(ANSWER, 140)
    score = delivery(analyse(Answer(text=ANSWER, words=ws, duration=60.0)))
    assert number(score, "recording_seconds") == 60.0
    assert number(score, "speaking_seconds") == pytest.approx(ws[-1].end, abs=0.1)


def test_uncertain_transcript_withholds_wording_scores_instead_of_judging_them(
    analyse: Callable[[Answer], Analysis],
) -> None:
    unsure = analyse(spoken(ANSWER, timings(ANSWER, 140, probability=0.3)))
    assert any("low transcription confidence" in f for f in unsure.flags)
    for dim in (Dimension.CLARITY, Dimension.JARGON):
        assert unsure.scores[dim].status is ScoreStatus.INSUFFICIENT
        assert unsure.scores[dim].value is None
    assert delivery(unsure).measurements["low_confidence"] is True
    assert number(delivery(unsure), "transcription_confidence") == pytest.approx(0.3)
    # What the candidate said is still there to judge: depth is unaffected.
    sure = analyse(spoken(ANSWER, timings(ANSWER, 140, probability=0.95)))
    assert sure.flags == []
    assert sure.scores[Dimension.CLARITY].status is ScoreStatus.SCORED
    assert unsure.scores[Dimension.DEPTH] == sure.scores[Dimension.DEPTH]


def test_typed_answers_have_no_delivery(analyse: Callable[[Answer], Analysis]) -> None:
    typed = analyse(Answer(text=ANSWER))
    assert typed.scores[Dimension.DELIVERY].status is ScoreStatus.NOT_APPLICABLE
    assert typed.scores[Dimension.DELIVERY].value is None
    assert typed.flags == []


def test_too_few_spoken_words_to_judge_delivery() -> None:
    ws = timings("yes I think so", 140)
    score = analyze_delivery("yes I think so", ws)
    assert score.status is ScoreStatus.INSUFFICIENT
    assert score.value is None


_timing = st.builds(
    lambda start, length, p, w: (start, length, p, w),
    st.floats(0, 600, allow_nan=False),
    st.floats(0, 30, allow_nan=False),
    st.floats(0, 1),
    st.text(max_size=12),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_timing, max_size=40), st.text(max_size=200))
def test_any_timings_give_a_sane_delivery_score(
    raw: list[tuple[float, float, float, str]], text: str
) -> None:
    ws = [WordTiming(word=w, start=s, end=s + n, probability=p) for s, n, p, w in raw]
    score = analyze_delivery(text, ws)
    if score.status is ScoreStatus.SCORED:
        assert score.value is not None
        assert 1.0 <= score.value <= 5.0
        assert score.band in {name for _, name in BANDS}
        assert number(score, "words_per_minute") >= 0
    else:
        assert score.value is None
