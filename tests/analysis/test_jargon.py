"""Jargon: terms are judged against the listener, and explaining a term makes it free.

The same sentence full of ML terms is fine for the ML expert and costly for the recruiter; the
same terms explained in everyday words (a definition, a paraphrase, an analogy) stop costing the
recruiter. The term list tells the candidate which terms were explained and offers the glossary's
plain alternative. For the ML expert the score asks the opposite question: did the answer use the
precise terms the question calls for?
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from interviewer.analysis import Analyzer, Target
from interviewer.analysis.jargon import is_explained
from interviewer.schema import Analysis, Dimension, GlossaryTerm, Persona, ScoreStatus, TermUse

FINE_TUNING = "ml-fine-tuning-llms"

OPENING = "For our support assistant we did not train a model from scratch. "
UNEXPLAINED = OPENING + (
    "We used a transformer with RLHF'd LoRA adapters, and we checked it on a set of real "
    "support tickets before we shipped it."
)
EXPLAINED = OPENING + (
    "We used a transformer, which is the kind of model behind chat assistants. "
    "We adapted it with LoRA, which means we only train a small add-on instead of changing the "
    "whole model, a bit like installing a plug-in rather than rewriting the app. "
    "Then we used RLHF, which means people ranked its answers and we trained it towards the "
    "ones they preferred. We checked it on a set of real support tickets before we shipped it."
)

OVERFITTING = "ml-diagnose-fix-overfitting"
PRECISE = (
    "I diagnose it with learning curves: the training loss keeps falling while the validation "
    "loss rises, so the gap grows. First I rule out leakage and duplicates in the split. Then I "
    "add L2 weight decay and dropout, use early stopping with a patience of five epochs, and if "
    "needed get more data or a simpler model."
)
VAGUE = (
    "I would look at how the model does on the data it learned from compared with new data, and "
    "if those drift apart it is learning the examples by heart. I would make sure the examples "
    "in both sets are really separate. Then I would make the model pay a price for big numbers "
    "inside it, switch off random parts of it while it learns, stop the learning at the right "
    "moment, and give it more examples or make it smaller."
)
PLAIN_STORY = (
    "At my last job I owned a project from start to finish: a tool that sent each customer email "
    "to the right team. I cleaned up two years of old emails, taught the computer to tell them "
    "apart, and put it live for the support team. I also wrote a short guide so others could run "
    "it. In the end the team answered emails a day faster."
)


def jargon(analysis: Analysis) -> float:
    score = analysis.scores[Dimension.JARGON]
    assert score.status is ScoreStatus.SCORED, score.explanation
    assert score.value is not None
    return score.value


def term(analysis: Analysis, name: str) -> TermUse:
    matches = [t for t in analysis.terms if t.term == name]
    assert matches, f"{name!r} not in {[t.term for t in analysis.terms]}"
    return matches[0]


@pytest.fixture(scope="module")
def fine_tuning(target: Callable[[str], Target]) -> Target:
    return target(FINE_TUNING)


def test_unexplained_terms_cost_the_recruiter_and_not_the_ml_expert(
    analyzer: Analyzer, fine_tuning: Target, recruiter: Persona, ml_expert: Persona
) -> None:
    for_recruiter = analyzer.analyze(UNEXPLAINED, fine_tuning, recruiter)
    for_expert = analyzer.analyze(UNEXPLAINED, fine_tuning, ml_expert)
    assert jargon(for_recruiter) < jargon(for_expert)
    assert for_recruiter.scores[Dimension.JARGON].band in {"poor", "weak"}
    unexplained = for_recruiter.scores[Dimension.JARGON].measurements["unexplained"]
    assert isinstance(unexplained, int)
    assert unexplained >= 2
    assert for_expert.scores[Dimension.JARGON].measurements["unexplained"] == 0
    # What leaving the terms unexplained costs: the gain from explaining them.
    explained_recruiter = analyzer.analyze(EXPLAINED, fine_tuning, recruiter)
    explained_expert = analyzer.analyze(EXPLAINED, fine_tuning, ml_expert)
    cost_recruiter = jargon(explained_recruiter) - jargon(for_recruiter)
    cost_expert = jargon(explained_expert) - jargon(for_expert)
    assert cost_recruiter >= 2.0
    assert cost_expert == pytest.approx(0.0, abs=0.25)


def test_backend_engineer_is_also_charged_for_unexplained_ml_terms(
    analyzer: Analyzer, fine_tuning: Target, backend_engineer: Persona
) -> None:
    unexplained = analyzer.analyze(UNEXPLAINED, fine_tuning, backend_engineer)
    explained = analyzer.analyze(EXPLAINED, fine_tuning, backend_engineer)
    assert jargon(explained) > jargon(unexplained) + 1.0
    assert not term(unexplained, "LoRA").familiar_to_audience


def test_explaining_the_terms_scores_better_with_the_recruiter(
    analyzer: Analyzer, fine_tuning: Target, recruiter: Persona
) -> None:
    unexplained = analyzer.analyze(UNEXPLAINED, fine_tuning, recruiter)
    explained = analyzer.analyze(EXPLAINED, fine_tuning, recruiter)
    assert jargon(explained) > jargon(unexplained) + 2.0
    assert jargon(explained) >= 4.2
    assert explained.scores[Dimension.JARGON].measurements["unexplained"] == 0


def test_term_list_says_explained_or_not_and_offers_the_plain_alternative(
    analyzer: Analyzer,
    fine_tuning: Target,
    recruiter: Persona,
    glossary: dict[str, GlossaryTerm],
) -> None:
    unexplained = analyzer.analyze(UNEXPLAINED, fine_tuning, recruiter)
    explained = analyzer.analyze(EXPLAINED, fine_tuning, recruiter)
    for name in ("transformer", "LoRA"):
        before, after = term(unexplained, name), term(explained, name)
        assert not before.explained
        assert after.explained
        assert before.kind == "ml"
        assert not before.familiar_to_audience
        assert before.plain == glossary[name.lower()].plain
        # The first use is quoted from the answer, exactly.
        quote = before.first_use
        assert UNEXPLAINED[quote.start : quote.end] == quote.quote
        assert name in quote.quote
        assert "not explained" in quote.note
    assert term(explained, "RLHF").explained


def test_unexplained_terms_are_quoted_as_evidence(
    analyzer: Analyzer, fine_tuning: Target, recruiter: Persona
) -> None:
    score = analyzer.analyze(UNEXPLAINED, fine_tuning, recruiter).scores[Dimension.JARGON]
    assert score.evidence
    for ev in score.evidence:
        assert UNEXPLAINED[ev.start : ev.end] == ev.quote
    assert "transformer" in score.explanation


def test_for_the_expert_terms_are_familiar(
    analyzer: Analyzer, fine_tuning: Target, ml_expert: Persona
) -> None:
    analysis = analyzer.analyze(UNEXPLAINED, fine_tuning, ml_expert)
    assert analysis.terms
    assert all(t.familiar_to_audience for t in analysis.terms)


def test_rlhf_used_as_a_verb_is_listed_as_unexplained_jargon(
    analyzer: Analyzer, fine_tuning: Target, recruiter: Persona, glossary: dict[str, GlossaryTerm]
) -> None:
    rlhf = term(analyzer.analyze(UNEXPLAINED, fine_tuning, recruiter), "RLHF")
    assert not rlhf.explained
    assert rlhf.plain == glossary["rlhf"].plain


def test_expert_rewards_precise_terms_over_vague_paraphrase(
    analyzer: Analyzer, target: Callable[[str], Target], ml_expert: Persona
) -> None:
    precise = analyzer.analyze(PRECISE, target(OVERFITTING), ml_expert)
    vague = analyzer.analyze(VAGUE, target(OVERFITTING), ml_expert)
    assert jargon(precise) >= 4.2
    assert jargon(vague) <= 2.0
    missing = vague.scores[Dimension.JARGON].measurements["expected_terms_missing"]
    assert isinstance(missing, str)
    assert "dropout" in missing
    assert "early stopping" in missing


def test_a_plain_answer_costs_the_recruiter_nothing(
    analyzer: Analyzer, target: Callable[[str], Target], recruiter: Persona
) -> None:
    analysis = analyzer.analyze(PLAIN_STORY, target("beh-end-to-end-ownership"), recruiter)
    assert jargon(analysis) == 5.0
    assert analysis.terms == []


def test_everyday_words_are_not_jargon_for_the_recruiter(
    analyzer: Analyzer, target: Callable[[str], Target], recruiter: Persona
) -> None:
    everyday = PLAIN_STORY.replace(
        "I cleaned up",
        "I asked a colleague in support what mattered most to them, thanked her, and cleaned up",
    )
    analysis = analyzer.analyze(everyday, target("beh-end-to-end-ownership"), recruiter)
    assert [t.term for t in analysis.terms] == []
    assert jargon(analysis) == 5.0


# --- is_explained -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "We used LoRA, which means we only train a small add-on.",
        "We used LoRA (a small add-on we train) here.",
        "We used LoRA: a small add-on trained on top.",
        "LoRA is a cheap way to customise a model.",
        "We used LoRA. Think of it as a plug-in for the model.",
        "We used LoRA, it is like a plug-in for an app.",
        "We used a technique called LoRA to save memory.",
        "We used LoRA, in other words a small add-on.",
    ],
)
def test_definitions_paraphrases_and_analogies_count_as_explanations(sentence: str) -> None:
    start = sentence.index("LoRA")
    assert is_explained(sentence, start, start + 4)


@pytest.mark.parametrize(
    "sentence",
    [
        "We used LoRA adapters and shipped it.",
        "We used LoRA to cut cost.",
        "LoRA worked well for us on the support assistant.",
    ],
)
def test_a_bare_term_is_not_explained(sentence: str) -> None:
    start = sentence.index("LoRA")
    assert not is_explained(sentence, start, start + 4)


def test_a_consequence_after_a_comma_is_not_an_explanation() -> None:
    sentence = "We tuned the assistant with RLHF, so the answers got better."
    start = sentence.index("RLHF")
    assert not is_explained(sentence, start, start + 4)
