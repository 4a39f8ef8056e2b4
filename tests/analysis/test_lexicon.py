"""Word knowledge: Zipf-based unfamiliarity, acronyms, and finding glossary terms in an answer.

These decide what the jargon feedback calls a term the listener may not know, so a common word
must never be flagged, a rare one always, and a glossary acronym only when written as one.
"""

from __future__ import annotations

import pytest

from interviewer.analysis.lexicon import (
    RARE_ZIPF,
    UNCOMMON_ZIPF,
    GlossaryMatcher,
    is_acronym,
    jargon_density,
    unfamiliarity,
    zipf,
)
from interviewer.analysis.text import words
from interviewer.schema import Domain, GlossaryTerm


def terms_in(matcher: GlossaryMatcher, text: str) -> list[tuple[str, str]]:
    """(glossary term, the text that matched it) for every glossary hit in `text`."""
    return [
        (h.term.term, text[h.match.start : h.match.end]) for h in matcher.find(words(text), text)
    ]


@pytest.fixture(scope="module")
def real(glossary: dict[str, GlossaryTerm]) -> GlossaryMatcher:
    return GlossaryMatcher(glossary)


@pytest.fixture(scope="module")
def small() -> GlossaryMatcher:
    """A hand-made glossary with an acronym written in capitals, as the code expects."""
    entries = [
        GlossaryTerm(term="MR", domain=Domain.SOFTWARE, plain="A proposed code change."),
        GlossaryTerm(
            term="LoRA",
            domain=Domain.ML,
            plain="Training a small add-on instead of the whole model.",
            aliases=["low-rank adaptation"],
        ),
        GlossaryTerm(term="trade-off", domain=Domain.BUSINESS, plain="Giving up one thing."),
    ]
    return GlossaryMatcher({t.term.lower(): t for t in entries})


# --- zipf and unfamiliarity -------------------------------------------------------------------


@pytest.mark.parametrize("word", ["the", "model", "data", "team", "threshold", "customer"])
def test_everyday_words_are_familiar(word: str) -> None:
    assert zipf(word) >= UNCOMMON_ZIPF
    assert unfamiliarity(word) == 0.0


@pytest.mark.parametrize("word", ["heteroscedasticity", "overfitting", "regularization"])
def test_rare_technical_words_are_unfamiliar(word: str) -> None:
    assert zipf(word) < RARE_ZIPF
    assert unfamiliarity(word) == 1.0


@pytest.mark.parametrize("word", ["latency", "gradient", "dashboard"])
def test_uncommon_words_count_half(word: str) -> None:
    assert RARE_ZIPF <= zipf(word) < UNCOMMON_ZIPF
    assert unfamiliarity(word) == 0.5


def test_zipf_is_case_insensitive_and_orders_words_by_frequency() -> None:
    assert zipf("Model") == zipf("model")
    assert zipf("the") > zipf("model") > zipf("latency") > zipf("overfitting")
    assert zipf("qwzxv") == 0.0


def test_british_spelling_is_as_familiar_as_american() -> None:
    assert zipf("regularisation") == pytest.approx(zipf("regularization"))
    assert unfamiliarity("optimise") == unfamiliarity("optimize")


def test_short_words_and_numbers_are_never_jargon() -> None:
    assert unfamiliarity("ab") == 0.0
    assert unfamiliarity("2024") == 0.0
    assert unfamiliarity("p95") == 0.0


def test_jargon_density_is_share_of_unfamiliar_words() -> None:
    plain = words("We kept the model simple so the team could fix it fast.")
    dense = words("Heteroscedasticity and overfitting complicate regularization.")
    assert jargon_density(plain) == 0.0
    assert jargon_density(dense) > 0.5
    assert jargon_density([]) == 0.0


# --- acronyms ---------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["RLHF", "GPU", "APIs", "MR", "K8S"])
def test_all_capital_tokens_are_acronyms(word: str) -> None:
    assert is_acronym(word)
    assert unfamiliarity(word) == 1.0


@pytest.mark.parametrize("word", ["I", "OK", "IT", "US", "Mr", "LoRA", "model", "A"])
def test_ordinary_capitalised_words_are_not_acronyms(word: str) -> None:
    assert not is_acronym(word)


# --- glossary matching ------------------------------------------------------------------------


def test_glossary_acronym_matches_only_when_written_in_capitals(small: GlossaryMatcher) -> None:
    assert terms_in(small, "I opened an MR for it.") == [("MR", "MR")]
    assert terms_in(small, "Mr Smith reviewed it.") == []
    assert terms_in(small, "I asked Mr. Jones.") == []


def test_glossary_matches_aliases_plurals_and_hyphen_variants(small: GlossaryMatcher) -> None:
    text = "Low-rank adaptation is cheap; the tradeoffs of LoRA's adapters are small."
    assert terms_in(small, text) == [
        ("LoRA", "Low-rank adaptation"),
        ("trade-off", "tradeoffs"),
        ("LoRA", "LoRA's"),
    ]


def test_real_glossary_finds_terms_in_an_answer(real: GlossaryMatcher) -> None:
    text = "We fine-tuned a transformer with LoRA and checked PR-AUC and the trade-off."
    found = [term for term, _ in terms_in(real, text)]
    assert found == ["fine-tuning", "transformer", "LoRA", "PR-AUC", "trade-off"]


def test_real_glossary_merge_request_acronym_is_found(real: GlossaryMatcher) -> None:
    assert terms_in(real, "I opened an MR yesterday.") == [("merge request", "MR")]


def test_real_glossary_does_not_read_mr_smith_as_merge_request(real: GlossaryMatcher) -> None:
    assert terms_in(real, "Mr Smith, my manager, reviewed it.") == []


def test_plural_acronym_is_found(small: GlossaryMatcher) -> None:
    assert terms_in(small, "I opened three MRs.") == [("MR", "MRs")]


def test_acronym_used_as_a_verb_is_found(real: GlossaryMatcher) -> None:
    assert [t for t, _ in terms_in(real, "We RLHF'd the model.")] == ["RLHF"]
