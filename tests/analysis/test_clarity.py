"""Clarity: a direct answer beats the same content wrapped in hedges, fillers and repetition.

Each habit a listener notices (a "great question, let me think" preamble, "I guess maybe",
"um, you know", saying the same thing twice, going on for minutes) lowers the score on its own and
is quoted back. A speech-to-text transcript without punctuation must not be judged much harsher
than the same words typed with full stops.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from interviewer.analysis import Analyzer, Target
from interviewer.schema import Analysis, Dimension, Persona, Score, ScoreStatus

QUESTION = "ml-diagnose-fix-overfitting"

CLEAN = (
    "I diagnose overfitting with learning curves. If the training loss keeps falling while the "
    "validation loss goes up, the model is memorising the training data. Before I change the "
    "model, I check the split for leakage and duplicates, because a broken split can hide or fake "
    "the problem. Then I add regularization: L2 weight decay to shrink the weights, and dropout in "
    "a neural network. I use early stopping on the validation loss and keep the best checkpoint. "
    "If that is not enough, I get more data or use a simpler model with fewer features."
)

MESSY = (
    "That's a great question, let me think. Um, so, I guess overfitting is, like, kind of when the "
    "model sort of memorises stuff, you know? I think maybe I would probably look at learning "
    "curves, I guess. So if the training loss keeps falling and, um, the validation loss goes up, "
    "then, you know, the model is basically memorising the training data, it's memorising the "
    "training data. I would say maybe I'd check the split for leakage and duplicates and stuff, I "
    "mean, because a broken split can sort of hide the problem, I think. Then perhaps I'd add "
    "regularization, like L2 weight decay, um, and dropout and things like that, you know, dropout "
    "and things. I guess early stopping on the validation loss too, probably. And, uh, maybe more "
    "data or a simpler model or whatever, I suppose."
)

PREAMBLE = "That's a great question, let me think. "

HEDGED = (
    CLEAN.replace("I diagnose", "I think I would maybe diagnose")
    .replace("I check", "I guess I would probably check")
    .replace("I add", "I'd perhaps add, sort of,")
    .replace("I use", "I suppose I might use")
    .replace("I get", "maybe I'd kind of get")
)

WITH_FILLERS = (
    CLEAN.replace("I diagnose", "Um, so, I diagnose")
    .replace(". If the", ". Uh, you know, if the")
    .replace(". Before", ". Um, I mean, before")
    .replace(". Then", ". Uh, then")
    .replace(". I use", ". Um, you know, I use")
    .replace(". If that", ". Uh, if that")
)

REPEATING = CLEAN + (
    " So again, the training loss keeps falling while the validation loss goes up, and that means "
    "the model is memorising the training data. Again, I check the split for leakage and "
    "duplicates. And again, I add L2 weight decay and dropout, and I use early stopping on the "
    "validation loss."
)


def as_transcript(text: str) -> str:
    """The answer as a raw speech-to-text transcript: lower case, no punctuation."""
    return " ".join(re.sub(r"[^\w\s']", " ", text).split()).lower()


@pytest.fixture(scope="module")
def clarity(
    analyzer: Analyzer, target: Callable[[str], Target], ml_expert: Persona
) -> Callable[[str], Score]:
    def judge(text: str) -> Score:
        analysis: Analysis = analyzer.analyze(text, target(QUESTION), ml_expert)
        score = analysis.scores[Dimension.CLARITY]
        assert score.status is ScoreStatus.SCORED, score.explanation
        assert score.value is not None
        for ev in score.evidence:
            assert text[ev.start : ev.end] == ev.quote
        return score

    return judge


def value(score: Score) -> float:
    assert score.value is not None
    return score.value


def test_clean_direct_answer_beats_the_same_content_hedged_padded_and_repeated(
    clarity: Callable[[str], Score],
) -> None:
    clean, messy = clarity(CLEAN), clarity(MESSY)
    assert value(clean) >= 3.4
    assert value(clean) > value(messy) + 0.8
    assert messy.band in {"fair", "weak", "poor"}
    notes = " ".join(ev.note for ev in messy.evidence)
    assert "hedge" in notes
    assert "filler" in notes


def test_a_great_question_preamble_means_the_answer_does_not_lead_with_its_point(
    clarity: Callable[[str], Score],
) -> None:
    clean, preamble = clarity(CLEAN), clarity(PREAMBLE + CLEAN)
    assert clean.measurements["leads_with_point"] is True
    assert preamble.measurements["leads_with_point"] is False
    assert value(preamble) < value(clean) - 0.2
    assert any(ev.quote.startswith("That's a great question") for ev in preamble.evidence)


def test_the_explanation_matches_the_band(clarity: Callable[[str], Score]) -> None:
    """A good answer with one habit is 'mostly clear', never 'harder to follow'."""
    messy, preamble = clarity(MESSY), clarity(PREAMBLE + CLEAN)
    assert messy.explanation.startswith("Harder to follow")
    assert preamble.band == "good"
    assert preamble.explanation == "Mostly clear; to tighten it: does not open with the point."


def test_hedges_lower_clarity_and_are_quoted(clarity: Callable[[str], Score]) -> None:
    clean, hedged = clarity(CLEAN), clarity(HEDGED)
    assert clean.measurements["hedges_per_100_words"] == 0
    hedges = hedged.measurements["hedges_per_100_words"]
    assert isinstance(hedges, float)
    assert hedges >= 3
    assert value(hedged) < value(clean) - 0.2
    assert any(ev.note.startswith("hedge") for ev in hedged.evidence)


def test_fillers_lower_clarity_and_are_quoted(clarity: Callable[[str], Score]) -> None:
    clean, filled = clarity(CLEAN), clarity(WITH_FILLERS)
    fillers = filled.measurements["fillers_per_100_words"]
    assert isinstance(fillers, float)
    assert fillers >= 3
    assert value(filled) < value(clean) - 0.5
    assert any(ev.note.startswith("filler") for ev in filled.evidence)


def test_saying_the_same_thing_twice_lowers_clarity(clarity: Callable[[str], Score]) -> None:
    clean, repeating = clarity(CLEAN), clarity(REPEATING)
    share = repeating.measurements["repeated_trigram_share"]
    assert isinstance(share, float)
    assert share > 0.1
    assert clean.measurements["repeated_trigram_share"] == 0
    assert value(repeating) < value(clean) - 0.2


def test_a_very_long_answer_is_less_clear(clarity: Callable[[str], Score]) -> None:
    rambling = " ".join([CLEAN] * 8)
    long = clarity(rambling)
    words = long.measurements["words"]
    assert isinstance(words, int)
    assert words > 700
    assert value(long) < value(clarity(CLEAN)) - 0.5


def test_unpunctuated_transcript_is_not_judged_much_harsher(
    clarity: Callable[[str], Score],
) -> None:
    typed, spoken = clarity(CLEAN), clarity(as_transcript(CLEAN))
    assert spoken.measurements["punctuation_estimated"] is True
    assert typed.measurements["punctuation_estimated"] is False
    assert value(spoken) >= value(typed) - 0.3


def test_unpunctuated_transcript_still_shows_the_habits(clarity: Callable[[str], Score]) -> None:
    clean, messy = clarity(as_transcript(CLEAN)), clarity(as_transcript(MESSY))
    assert value(clean) > value(messy) + 0.8


def test_a_story_may_open_with_its_situation(
    analyzer: Analyzer, target: Callable[[str], Target], recruiter: Persona
) -> None:
    story = (
        "At my last job I owned the model that suggested labels for new issues. I changed the "
        "preprocessing in training but not in serving, so acceptance of the suggestions dropped "
        "by 30 percent. I rolled back within an hour and added a shared library and a test. I "
        "learned to test training and serving code together."
    )
    analysis = analyzer.analyze(story, target("beh-production-failure"), recruiter)
    score = analysis.scores[Dimension.CLARITY]
    assert score.measurements["leads_with_point"] is True
    assert not any("opening" in ev.note for ev in score.evidence)
