"""Text primitives: words with offsets, the light stemmer, sentence units and phrase matching.

Evidence in the feedback report quotes the candidate through these offsets, so every unit must
quote the original text exactly; spoken transcripts arrive without punctuation, so a run-on
transcript must still be cut into sentence-sized windows.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewer.analysis.text import (
    MAX_UNIT_WORDS,
    PhraseMatcher,
    phrase_key,
    sentences,
    stem,
    stems,
    words,
)

RUN_ON_TRANSCRIPT = (
    "so first I would look at the learning curves to see whether the training loss keeps going "
    "down while the validation loss goes up and then I would check the data split for leakage "
    "because duplicates between train and test can hide the problem but if the split is fine I "
    "would add dropout and weight decay and also use early stopping on the validation loss which "
    "usually closes most of the gap and then I would think about getting more data"
)


def found(matcher: PhraseMatcher, text: str) -> list[tuple[str, str]]:
    """(phrase, the text it matched) for every match in `text`."""
    return [(m.phrase, text[m.start : m.end]) for m in matcher.find(words(text))]


# --- words and stems --------------------------------------------------------------------------


def test_words_keep_their_offsets_and_split_hyphens() -> None:
    text = "We weighed the trade-off, didn't we?"
    ws = words(text)
    assert [w.text for w in ws] == ["We", "weighed", "the", "trade", "off", "didn't", "we"]
    for w in ws:
        assert text[w.start : w.end] == w.text


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("models", "model"),
        ("Models", "model"),
        ("queries", "query"),
        ("boxes", "box"),
        ("watches", "watch"),
        ("classes", "class"),
        ("losses", "loss"),
        ("biases", "bias"),
        ("cases", "case"),
        ("statuses", "status"),
        ("LoRA's", "lora"),
        ("RLHF\u2019s", "rlhf"),  # typographic apostrophe, as phones type it
        ("data", "data"),
    ],
)
def test_stem_removes_plural_and_possessive_endings(word: str, expected: str) -> None:
    assert stem(word) == expected


@pytest.mark.parametrize("word", ["class", "status", "analysis", "focus", "bus", "gas", "loss"])
def test_stem_leaves_words_that_merely_end_in_s_alone(word: str) -> None:
    assert stem(word) == word


@pytest.mark.parametrize("word", ["training", "trained", "overfitting", "embedding"])
def test_stem_does_not_strip_ing_or_ed(word: str) -> None:
    """Deliberately conservative, so that key terms such as 'overfitting' stay recognisable."""
    assert stem(word) == word


def test_stems_of_a_sentence() -> None:
    assert stems("The classes and their queries") == ["the", "class", "and", "their", "query"]


# --- sentences --------------------------------------------------------------------------------


def test_sentences_split_on_punctuation_and_quote_the_text_exactly() -> None:
    text = (
        "First I check the split. Then I look at the learning curves!  "
        "Finally, do I add dropout? Yes.\nA new line here\n- a bullet point\n2. a numbered point"
    )
    units = sentences(text)
    assert [u.text for u in units] == [
        "First I check the split",
        "Then I look at the learning curves",
        "Finally, do I add dropout",
        "Yes",
        "A new line here",
        "a bullet point",
        "a numbered point",
    ]
    for u in units:
        assert text[u.start : u.end] == u.text
        assert u.words[0].start == u.start
        assert u.words[-1].end == u.end


def test_run_on_transcript_is_cut_into_windows_before_discourse_markers() -> None:
    units = sentences(RUN_ON_TRANSCRIPT)
    n_words = len(words(RUN_ON_TRANSCRIPT))
    assert n_words > 3 * MAX_UNIT_WORDS
    assert len(units) >= n_words // MAX_UNIT_WORDS
    assert all(len(u.words) <= MAX_UNIT_WORDS for u in units)
    # Cuts fall before words like 'and', 'but', 'because', 'which', not mid-phrase.
    markers = {"so", "but", "because", "then", "also", "however", "and", "which"}
    assert all(u.words[0].lower in markers for u in units[1:])
    # Nothing is lost or duplicated: the windows cover the words in order.
    assert [w for u in units for w in u.words] == words(RUN_ON_TRANSCRIPT)
    for u in units:
        assert RUN_ON_TRANSCRIPT[u.start : u.end] == u.text


def test_run_on_text_without_any_discourse_marker_is_cut_hard_at_the_word_limit() -> None:
    text = " ".join(f"word{i}" for i in range(60))
    units = sentences(text)
    assert [len(u.words) for u in units] == [25, 25, 10]


def test_a_short_tail_is_joined_to_the_previous_window() -> None:
    text = " ".join(f"word{i}" for i in range(27))
    assert [len(u.words) for u in sentences(text)] == [27]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "... ?! ;", "\u4f60\u597d\u3002"])
def test_text_without_latin_words_has_no_sentences(text: str) -> None:
    assert sentences(text) == []


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_every_unit_quotes_the_text_exactly_for_any_input(text: str) -> None:
    units = sentences(text)
    for u in units:
        assert text[u.start : u.end] == u.text
        assert u.words
    assert [w for u in units for w in u.words] == words(text)


# --- phrase matching --------------------------------------------------------------------------


def test_phrase_matcher_finds_multiword_phrases_in_any_case_and_number() -> None:
    m = PhraseMatcher(["learning curve", "class weights", "early stopping"])
    text = "I plot Learning Curves, add a class weight and use early stopping."
    assert found(m, text) == [
        ("learning curve", "Learning Curves"),
        ("class weights", "class weight"),
        ("early stopping", "early stopping"),
    ]


@pytest.mark.parametrize(
    "text", ["a trade-off", "a tradeoff", "a trade off", "two trade-offs", "the tradeoffs"]
)
def test_hyphenated_phrase_matches_its_joined_and_spaced_spellings(text: str) -> None:
    hits = found(PhraseMatcher(["trade-off"]), text)
    assert [phrase for phrase, _ in hits] == ["trade-off"]


@pytest.mark.parametrize("text", ["PR-AUC", "pr auc", "PRAUC", "pr-auc"])
def test_acronym_with_hyphen_matches_its_variants(text: str) -> None:
    assert [p for p, _ in found(PhraseMatcher(["PR-AUC"]), text)] == ["PR-AUC"]


def test_longest_phrase_wins_and_matches_do_not_overlap() -> None:
    m = PhraseMatcher(["precision", "precision-recall curve", "recall"])
    text = "We read the precision-recall curve, then precision and recall."
    assert [p for p, _ in found(m, text)] == [
        "precision-recall curve",
        "precision",
        "recall",
    ]


def test_phrase_is_not_found_inside_another_word() -> None:
    m = PhraseMatcher(["lasso"])
    assert found(m, "A lassoed horse.") == []


def test_phrase_key_is_the_stem_sequence() -> None:
    assert phrase_key("Class Weights") == ("class", "weight")
    assert phrase_key("") == ()


def test_plural_of_a_word_ending_in_s_matches_its_singular() -> None:
    assert [p for p, _ in found(PhraseMatcher(["bias"]), "Both biases add error.")] == ["bias"]
    assert [p for p, _ in found(PhraseMatcher(["edge case"]), "Two edge cases.")] == ["edge case"]


def test_matches_report_word_indices_and_character_spans() -> None:
    text = "Use class weights."
    (m,) = PhraseMatcher(["class weights"]).find(words(text))
    assert (m.first, m.last) == (1, 3)
    assert text[m.start : m.end] == "class weights"
