"""Readability: ordering of easy and hard texts, robustness to missing punctuation, edge inputs.

All texts are written for these tests; the CLEAR data is only needed by
evals/calibrate_readability.py.
"""

from __future__ import annotations

import math
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewer.analysis.readability import (
    COEFFICIENTS,
    FEATURE_NAMES,
    Readability,
    easiness_to_score,
    model_inputs,
    readability,
)

EASY = (
    "Sam has a little red dog. The dog is called Pip. Every morning Sam and Pip go to the park. "
    "Pip likes to run after the ball. Sam throws the ball far away. Pip runs fast and brings it "
    "back. Then they sit on the grass and look at the birds. When the sun gets hot, they walk "
    "home. Mom gives Sam a glass of milk. Pip drinks water from his bowl. Then Pip goes to sleep "
    "in his basket by the door. Sam thinks Pip is the best dog in the world."
)

ACADEMIC = (
    "The epistemological ramifications of hermeneutic phenomenology necessitate a "
    "reconceptualisation of intersubjectivity, whereby the constitution of meaning is "
    "understood as an emergent property of historically contingent discursive formations "
    "rather than as the intentional accomplishment of an autonomous consciousness. "
    "Consequently, the methodological presuppositions of positivist epistemology, which "
    "privilege the quantification of ostensibly observable phenomena, are rendered "
    "problematic insofar as the ontological status of the investigated entities is itself "
    "contingent upon the interpretative frameworks of the investigator. Moreover, the "
    "institutionalisation of disciplinary boundaries perpetuates a fragmentation of "
    "knowledge, thus obscuring the dialectical interdependence of theoretical abstraction "
    "and empirical particularity."
)

PLAIN_ANSWER = (
    "So in my last job I built a model to guess which customers would leave. First I looked at "
    "the data and cleaned it up. Then I tried a simple model, and it was good enough to start "
    "with. We checked it every week, and when it got worse we trained it again. The team used "
    "it to call people before they left, and we kept more of them that year."
)

JARGON_ANSWER = (
    "The implementation leveraged a heterogeneous ensemble of gradient-boosted decision trees, "
    "whose hyperparameters were optimised via Bayesian optimisation with a Gaussian process "
    "surrogate, thereby minimising the expected calibration error of the probabilistic churn "
    "estimates. Furthermore, the incorporation of temporal regularisation mitigated covariate "
    "shift, whereas conformal prediction facilitated the quantification of predictive "
    "uncertainty for downstream prioritisation."
)


def strip_punctuation(text: str) -> str:
    """The text as a raw speech-to-text transcript might give it: words and spaces only."""
    return " ".join(re.sub(r"[^\w\s']", " ", text).split())


def assert_sane(r: Readability) -> None:
    """Every record is finite, in range, and internally consistent."""
    assert 1.0 <= r.score <= 5.0
    for value in (
        r.easiness,
        r.score,
        r.flesch_reading_ease,
        r.mean_sentence_words,
        r.mean_zipf,
        r.rare_word_share,
        r.unfamiliar_load,
        r.typical_sentence_words,
        r.of_share,
        r.formal_connective_share,
        r.nominalisation_share,
    ):
        assert math.isfinite(value)
    assert r.words >= 0
    assert 0.0 <= r.rare_word_share <= 1.0
    if r.words == 0:
        assert r.sentences == 0
    else:
        assert 1 <= r.sentences <= r.words


def test_easy_story_is_easier_than_academic_prose() -> None:
    easy, hard = readability(EASY), readability(ACADEMIC)
    assert easy.easiness > hard.easiness + 2.0
    assert easy.score >= 4.0
    assert hard.score <= 2.0
    assert easy.unfamiliar_load < hard.unfamiliar_load
    assert easy.mean_zipf > hard.mean_zipf
    assert easy.rare_word_share < hard.rare_word_share


def test_plain_interview_answer_is_easier_than_jargon_answer() -> None:
    plain, jargon = readability(PLAIN_ANSWER), readability(JARGON_ANSWER)
    assert plain.score > jargon.score + 1.0


def test_unpunctuated_easy_text_stays_close_to_punctuated() -> None:
    punctuated = readability(EASY)
    bare = readability(strip_punctuation(EASY))
    assert bare.punctuation_estimated
    assert not punctuated.punctuation_estimated
    assert abs(bare.score - punctuated.score) <= 0.5
    assert bare.score >= 4.0
    assert bare.score > readability(strip_punctuation(ACADEMIC)).score + 1.0


def test_unpunctuated_answer_is_not_one_long_sentence() -> None:
    transcript = strip_punctuation(" ".join([PLAIN_ANSWER] * 2)).lower()
    r = readability(transcript)
    assert r.words > 120
    assert r.sentences >= r.words // 20
    assert r.typical_sentence_words <= 20
    assert abs(r.score - readability(PLAIN_ANSWER * 2).score) <= 0.5


def test_long_punctuated_sentence_with_commas_is_kept_whole() -> None:
    sentence = ", ".join(["the dog ran to the park"] * 8) + "."
    r = readability(sentence)
    assert r.sentences == 1
    assert not r.punctuation_estimated


def test_abbreviations_do_not_end_sentences() -> None:
    r = readability("Mr. Smith met Dr. J. Brown at the shop. They talked for an hour.")
    assert r.sentences == 2


def test_lowercase_transcript_with_full_stops_keeps_its_sentences() -> None:
    r = readability("we trained the model in PyTorch. then we tested it. it worked well.")
    assert r.sentences == 3


def test_full_stop_before_lower_case_word_in_cased_text_does_not_end_sentence() -> None:
    r = readability("The parts cost approx. ten dollars each. We bought three of them.")
    assert r.sentences == 2


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\t  \n",
        "...!!!???",
        "— , ; : ( ) \" '",
        "\x00\x01\x02\x7f",
    ],
)
def test_texts_without_words_get_the_neutral_record(text: str) -> None:
    r = readability(text)
    assert r.words == 0
    assert r.score == 3.0
    assert_sane(r)


@pytest.mark.parametrize(
    "text",
    [
        "Hello",
        "hello.",
        "42",
        "3.14159 2.71828 1.41421",
        "a",
        "I",
        "Supercalifragilisticexpialidocious",
        "x" * 5000,
        "这是一个关于机器学习的回答，我们使用了很多数据。",
        "Это ответ на вопрос о машинном обучении. Мы использовали много данных.",
        "Nous avons entraîné le modèle sur les données de l'année dernière.",
        "😀 🚀 model go brrr 🤖🤖🤖",
        "ÿ\x8f\x90ÃÂ\x00\x1b[31mQ\ufffd\ufffd\u200b\u202eabc\u0301\u0301",
        bytes(range(256)).decode("latin-1") * 20,
        "word " * 20_000,
        ("The model works. " * 6_000),
    ],
)
def test_edge_inputs_do_not_crash(text: str) -> None:
    r = readability(text)
    assert r.words > 0
    assert_sane(r)


def test_hundred_thousand_characters_are_handled_quickly() -> None:
    text = (EASY + " " + ACADEMIC + " ") * (100_000 // (len(EASY) + len(ACADEMIC)) + 1)
    text = text[:100_000]
    start = time.perf_counter()
    r = readability(text)
    assert time.perf_counter() - start < 2.0
    assert_sane(r)
    easy_score, hard_score = readability(EASY).score, readability(ACADEMIC).score
    assert min(easy_score, hard_score) <= r.score <= max(easy_score, hard_score)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_sane_record(text: str) -> None:
    assert_sane(readability(text))


def test_result_is_deterministic() -> None:
    assert readability(PLAIN_ANSWER) == readability(PLAIN_ANSWER)


def test_score_mapping_is_linear_and_clipped() -> None:
    assert easiness_to_score(-3.0) == 1.0
    assert easiness_to_score(1.0) == 5.0
    assert easiness_to_score(-1.0) == 3.0
    assert easiness_to_score(-10.0) == 1.0
    assert easiness_to_score(10.0) == 5.0


def test_model_inputs_match_coefficients() -> None:
    r = readability(PLAIN_ANSWER)
    assert len(model_inputs(r)) == len(FEATURE_NAMES) == len(COEFFICIENTS)


def test_two_hundred_word_answer_is_fast() -> None:
    answer = " ".join((PLAIN_ANSWER + " " + JARGON_ANSWER).split()[:200])
    readability(answer)  # first call loads the word lists
    runs = 50
    start = time.perf_counter()
    for i in range(runs):
        readability(answer + f" {i}")  # defeat any whole-text caching
    per_answer = (time.perf_counter() - start) / runs
    assert per_answer < 0.010  # ~1 ms on a laptop; generous for slow CI machines
