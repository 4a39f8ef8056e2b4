"""Building the report from a realistic transcript: honest summaries tied to the answers."""

from __future__ import annotations

import pytest

from interviewer import runtime
from interviewer.config import Settings
from interviewer.report import build_report
from interviewer.schema import (
    Dimension,
    EvidenceStatus,
    Report,
    Role,
    ScoreStatus,
    Transcript,
    Turn,
    TurnKind,
)
from interviewer.transcripts import read_transcript
from tests.paths import FIXTURES


@pytest.fixture(scope="module")
def sample() -> Transcript:
    return read_transcript(FIXTURES / "sample_transcript.json")


def _report(t: Transcript, persona: str | None = None) -> Report:
    s = Settings()
    return build_report(
        t, runtime.pack(s), runtime.persona(s, persona or t.persona), runtime.analyzer(s)
    )


def test_sample_report_groups_answers_and_follow_ups_by_question(sample: Transcript) -> None:
    r = _report(sample)
    assert [q.question_id for q in r.questions] == [
        "comm-explain-drift-backend",
        "ml-severe-class-imbalance",
        "beh-deadline-compromise",
        "ops-latency-scalability",
        "ml-data-leakage-prevention",
    ]
    first = r.questions[0]
    assert len(first.answers) == 2 and first.followups == [
        "Since nothing crashes, how would you actually notice it happening?"
    ]


def test_declined_question_is_a_gap_not_a_score(sample: Transcript) -> None:
    r = _report(sample)
    declined = r.questions[3]
    assert declined.analysis.status is EvidenceStatus.DECLINED
    assert all(s.value is None for s in declined.analysis.scores.values())
    assert r.evidence_gaps == ["Question 4: the question was declined"]
    # Every talking point of a declined question is listed as missed, with where to study it.
    assert len(declined.missed) == 6 and declined.study
    depth = next(d for d in r.dimensions if d.dimension is Dimension.DEPTH)
    assert (depth.answers_scored, depth.answers_total) == (4, 5)


def test_improvements_name_the_unexplained_jargon_with_a_plain_alternative(
    sample: Transcript,
) -> None:
    r = _report(sample)
    jargon = next(h for h in r.improvements if h.dimension is Dimension.JARGON)
    assert jargon.question_number == 2 and "SMOTE" in jargon.detail
    terms = {t.term: t for t in r.jargon}
    assert "SMOTE" in terms and terms["SMOTE"].plain
    assert terms["SMOTE"].question_numbers == [2]


def test_strengths_are_good_scores_with_a_quote_from_that_answer(sample: Transcript) -> None:
    r = _report(sample)
    assert r.strengths
    for h in r.strengths:
        q = r.questions[h.question_number - 1]
        score = q.analysis.scores[h.dimension]
        assert score.value is not None and score.value >= 3.4
        if h.quote:
            assert h.quote in "\n".join(q.answers)


def test_a_strength_never_quotes_what_its_score_criticises(sample: Transcript) -> None:
    r = _report(sample)
    clarity = [h for h in r.strengths if h.dimension is Dimension.CLARITY]
    assert clarity
    for h in clarity:
        # Clarity's evidence is what it criticises (hedges, fillers, an opening that buries
        # the point): a strength must quote something else.
        score = r.questions[h.question_number - 1].analysis.scores[Dimension.CLARITY]
        assert h.quote and h.quote not in {e.quote for e in score.evidence}
        direct = "direct" in h.title
        assert direct == bool(score.measurements["leads_with_point"])


def _one_answer(
    question_id: str | None, answer: str, persona: str = "ml_expert", question: str = "?"
) -> Report:
    """The report on a one-question interview."""
    turns = [
        Turn(
            index=0,
            role=Role.INTERVIEWER,
            kind=TurnKind.QUESTION,
            text=question,
            question_id=question_id,
        ),
        Turn(
            index=1, role=Role.CANDIDATE, kind=TurnKind.ANSWER, text=answer, question_id=question_id
        ),
    ]
    return _report(Transcript(session_id="one", persona=persona, turns=turns))


def test_an_answer_with_nothing_to_criticise_is_praised_for_clarity() -> None:
    r = _one_answer(
        "ml-data-leakage-prevention",
        "I prevent data leakage by splitting the data before any preprocessing. Leakage is when "
        "the model sees facts at training time that it will not have when it predicts. I fit "
        "scalers and encoders on the training split only. For time series I split by date, so "
        "the model never trains on the future. I also look for features that are too good, like "
        "an ID that gives away the label.",
    )
    score = r.questions[0].analysis.scores[Dimension.CLARITY]
    assert score.explanation.startswith("Clear and direct") and not score.evidence
    [praise] = [h for h in r.strengths if h.dimension is Dimension.CLARITY]
    assert praise.title == "Clear, direct answer"
    assert praise.quote == "I prevent data leakage by splitting the data before any preprocessing"


def test_all_thin_answers_give_no_strengths_and_no_overall(sample: Transcript) -> None:
    turns = []
    for i, (qid, text) in enumerate(
        [("ml-severe-class-imbalance", "fine"), ("ml-data-leakage-prevention", "asdf qwer zxcv")]
    ):
        turns.append(
            Turn(
                index=2 * i,
                role=Role.INTERVIEWER,
                kind=TurnKind.QUESTION,
                text="?",
                question_id=qid,
            )
        )
        turns.append(
            Turn(
                index=2 * i + 1,
                role=Role.CANDIDATE,
                kind=TurnKind.ANSWER,
                text=text,
                question_id=qid,
            )
        )
    r = _report(Transcript(session_id="thin", persona="ml_expert", turns=turns))
    assert r.overall is None and r.overall_band == "not enough evidence"
    assert r.strengths == []
    assert all(d.status is not ScoreStatus.SCORED for d in r.dimensions)
    assert len(r.evidence_gaps) == 2


def test_persona_changes_the_jargon_verdict_not_the_depth(sample: Transcript) -> None:
    backend = _report(sample, "backend_engineer")
    expert = _report(sample, "ml_expert")
    b2, e2 = backend.questions[1].analysis, expert.questions[1].analysis
    assert b2.scores[Dimension.DEPTH].value == e2.scores[Dimension.DEPTH].value
    assert (e2.scores[Dimension.JARGON].value or 0) > (b2.scores[Dimension.JARGON].value or 0)


def test_question_outside_the_bank_is_judged_without_talking_points() -> None:
    r = _one_answer(
        None,
        "We rolled out a ranking model behind a feature flag to five percent of users first, "
        "watched the error rate and latency for a day, then went to everyone.",
        persona="recruiter",
        question="What is your favourite deployment story?",
    )
    q = r.questions[0]
    assert q.analysis.scores[Dimension.DEPTH].status is ScoreStatus.INSUFFICIENT
    assert q.analysis.scores[Dimension.CLARITY].status is ScoreStatus.SCORED
    assert any("not in the question bank" in n for n in r.notes)
