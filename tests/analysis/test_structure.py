"""Structure of story answers: Situation, Task, Action, Result, in order, told as "I".

A complete story with a measurable result beats one that stops before the result, and the
measurements name the part that is missing. Telling the story as "we" costs points. Questions that
do not ask for a story (fundamentals, MLOps) get "not applicable" rather than a number.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from interviewer.analysis import Analyzer, Target
from interviewer.analysis.structure import analyze_structure
from interviewer.analysis.text import sentences
from interviewer.schema import Dimension, Persona, Score, ScoreStatus

STORY_QUESTION = "beh-production-failure"

SITUATION = "At my last job I owned the model that suggested labels for new issues. "
TASK = "My task was to speed up the text preprocessing before a release. "
ACTION = (
    "I rewrote the tokenizer step in the training code but forgot to change the same step in the "
    "serving code, so in production the model saw different inputs. A dashboard alert showed "
    "that acceptance of the suggestions had dropped. I rolled back to the previous model within "
    "an hour, and I posted updates in the incident issue. Then I ran a blameless post-mortem and "
    "moved the preprocessing into one shared library with a contract test. "
)
RESULT = (
    "As a result, acceptance recovered to its old level of 62% the same day, and we have had zero "
    "skew incidents in the 18 months since. I learned to test training and serving code together."
)
FULL_STORY = SITUATION + TASK + ACTION + RESULT
NO_RESULT = SITUATION + TASK + ACTION
RESULT_WITHOUT_NUMBER = (
    SITUATION
    + TASK
    + ACTION
    + ("In the end acceptance recovered and the team trusted the model again.")
)
WE_STORY = (
    "At my last job our team owned the model that suggested labels for new issues. We needed to "
    "speed up the text preprocessing before a release. We rewrote the tokenizer step in the "
    "training code, and we forgot the serving code, so our model saw different inputs. We rolled "
    "back to the previous model, and we ran a post-mortem. As a result, acceptance recovered to "
    "62% the same day."
)


@pytest.fixture(scope="module")
def structure(
    analyzer: Analyzer, target: Callable[[str], Target], recruiter: Persona
) -> Callable[[str], Score]:
    def judge(text: str) -> Score:
        score = analyzer.analyze(text, target(STORY_QUESTION), recruiter).scores[
            Dimension.STRUCTURE
        ]
        assert score.status is ScoreStatus.SCORED, score.explanation
        assert score.value is not None
        return score

    return judge


def value(score: Score) -> float:
    assert score.value is not None
    return score.value


def test_full_star_story_with_numbers_and_i_is_strong(structure: Callable[[str], Score]) -> None:
    score = structure(FULL_STORY)
    assert value(score) >= 4.6
    assert score.band == "strong"
    m = score.measurements
    assert (m["situation"], m["task"], m["action"], m["result"]) == (True, True, True, True)
    assert m["in_order"] is True
    assert m["measurable_result"] is True
    assert m["missing_parts"] == ""
    assert [ev.note for ev in score.evidence] == ["situation", "task", "action", "result"]
    for ev in score.evidence:
        assert FULL_STORY[ev.start : ev.end] == ev.quote


def test_a_story_that_stops_before_the_result_scores_lower_and_names_it(
    structure: Callable[[str], Score],
) -> None:
    full, cut = structure(FULL_STORY), structure(NO_RESULT)
    assert value(full) > value(cut) + 1.0
    assert cut.measurements["result"] is False
    assert cut.measurements["missing_parts"] == "result"
    assert "result" in cut.explanation


def test_a_result_without_a_number_is_worth_less_than_a_measured_one(
    structure: Callable[[str], Score],
) -> None:
    measured, vague = structure(FULL_STORY), structure(RESULT_WITHOUT_NUMBER)
    assert vague.measurements["result"] is True
    assert vague.measurements["measurable_result"] is False
    assert value(measured) > value(vague)


def test_a_story_told_as_we_scores_lower_than_told_as_i(
    structure: Callable[[str], Score],
) -> None:
    mine, ours = structure(FULL_STORY), structure(WE_STORY)
    i_share = ours.measurements["first_person_share"]
    assert isinstance(i_share, float)
    assert i_share < 0.4
    assert value(ours) < value(mine)


@pytest.mark.parametrize(
    "question_id",
    ["ml-severe-class-imbalance", "ops-monitor-drift", "cr-notebook-critical-issues"],
)
def test_non_story_questions_get_not_applicable(
    analyzer: Analyzer, target: Callable[[str], Target], recruiter: Persona, question_id: str
) -> None:
    answer = (
        "Accuracy is misleading when one class is rare, so I look at precision and recall. I "
        "monitor the input distributions for drift and retrain when quality drops. In a notebook "
        "review I check for leakage, hard-coded paths and missing tests."
    )
    score = analyzer.analyze(answer, target(question_id), recruiter).scores[Dimension.STRUCTURE]
    assert score.status is ScoreStatus.NOT_APPLICABLE
    assert score.value is None


@pytest.mark.parametrize(
    "question_id",
    ["beh-production-failure", "val-transparency-example", "async-complex-project"],
)
def test_behavioural_values_and_async_questions_ask_for_a_story(
    target: Callable[[str], Target], question_id: str
) -> None:
    assert target(question_id).story
    assert not target("ml-severe-class-imbalance").story


def test_parts_out_of_order_are_noticed() -> None:
    backwards = (
        "As a result, acceptance went up by 10 percent. I rewrote the tokenizer step and tested "
        "it. My task was to speed up preprocessing. At my last job I owned the labelling model."
    )
    score = analyze_structure(sentences(backwards))
    assert score.measurements["in_order"] is False
    assert value(score) < value(analyze_structure(sentences(FULL_STORY)))


def test_an_empty_story_is_the_lowest_score() -> None:
    score = analyze_structure(sentences("The weather was nice and the sky was blue all day long."))
    assert value(score) == 1.0
    assert score.measurements["missing_parts"] == "situation, task, action, result"
