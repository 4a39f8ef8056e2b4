"""The evidence gate: answers too thin to judge are recognised, and real answers pass.

Anything the gate stops gets "not enough evidence" instead of a score, so it must stop empty,
declined, too short, gibberish and repeated answers, and must not stop a real answer that merely
starts with "I don't know the exact number, but...", is written as code, or as a bullet list.
"""

from __future__ import annotations

import random

import pytest

from interviewer.analysis.evidence import MIN_WORDS, check_evidence, content_words
from interviewer.analysis.text import words
from interviewer.schema import EvidenceStatus

GOOD = (
    "Accuracy is misleading when one class is rare, so I look at precision, recall and PR-AUC "
    "on the minority class. Then I tune the decision threshold on validation data instead of "
    "using 0.5, and I add class weights to the loss so that mistakes on the rare class cost more."
)


def status(text: str, previous: tuple[str, ...] = (), min_words: int = MIN_WORDS) -> EvidenceStatus:
    return check_evidence(text, previous, min_words=min_words).status


def test_a_real_answer_passes() -> None:
    gate = check_evidence(GOOD)
    assert gate.ok
    assert gate.status is EvidenceStatus.OK
    assert gate.reason == ""


@pytest.mark.parametrize("text", ["", " ", "   \n\t  ", "...", "?!", "— , ;"])
def test_empty_answers(text: str) -> None:
    assert status(text) is EvidenceStatus.EMPTY


@pytest.mark.parametrize(
    "text",
    [
        "I don't know",
        "I dont know.",
        "Honestly, I do not know, sorry.",
        "pass",
        "Pass.",
        "skip",
        "No idea, sorry.",
        "I have no clue about this one.",
        "Next question please.",
        "Can we move on?",
        "I'm not familiar with that.",
        "dunno",
    ],
)
def test_declined_answers(text: str) -> None:
    assert status(text) is EvidenceStatus.DECLINED


def test_an_answer_that_starts_unsure_but_goes_on_is_not_a_decline() -> None:
    text = (
        "I don't know the exact number, but I would start by checking precision and recall on "
        "the minority class and then tune the threshold on validation data."
    )
    assert status(text) is EvidenceStatus.OK


@pytest.mark.parametrize(
    "text",
    [
        "Residual skip connections let gradients flow through very deep networks.",
        "Each boosting round can pass its residuals on to the next shallow tree.",
    ],
)
def test_short_technical_answer_using_skip_or_pass_is_not_a_decline(text: str) -> None:
    assert status(text) is EvidenceStatus.OK


@pytest.mark.parametrize(
    "text",
    ["fine", "yes", "Yes, I have.", "It depends.", "Use class weights.", "um uh er like so well"],
)
def test_too_short_answers(text: str) -> None:
    assert status(text) is EvidenceStatus.TOO_SHORT


def test_one_word_repeated_is_too_little_to_judge() -> None:
    gate = check_evidence("model " * 9)
    assert gate.status is EvidenceStatus.TOO_SHORT
    assert "distinct" in gate.reason
    assert not check_evidence("model " * 300).ok


def test_fillers_do_not_count_as_content() -> None:
    ws = words("um so the model uh like overfits well")
    assert [w.text for w in content_words(ws)] == ["the", "model", "overfits"]


@pytest.mark.parametrize(
    "text",
    [
        "asdkj qwpeoi zmxnv lkjasd poiqwe mnbzx qwerty uiop asdf ghjkl",
        "blorf snarg wibble quonk fizzle drabnob kettlewump glorp spazzle mungo frobnicate",
        "xkcd " * 3 + "zzzzzzzzzzzz " * 10,
    ],
)
def test_keyboard_mash_is_gibberish(text: str) -> None:
    gate = check_evidence(text)
    assert gate.status is EvidenceStatus.GIBBERISH
    assert "English" in gate.reason


def test_a_word_salad_without_function_words_is_gibberish() -> None:
    text = (
        "precision recall threshold weights oversampling stratified folds calibration anomaly "
        "detection metrics curves"
    )
    assert status(text) is EvidenceStatus.GIBBERISH


def test_an_answer_in_another_language_is_not_judged_as_english() -> None:
    german = (
        "Wenn eine Klasse sehr selten ist, schaue ich nicht auf die Genauigkeit, sondern auf "
        "Präzision und Recall. Dann passe ich den Schwellenwert an und gewichte die seltene "
        "Klasse im Verlust stärker."
    )
    assert status(german) is EvidenceStatus.GIBBERISH


@pytest.mark.parametrize(
    "text",
    [
        "对于类别不平衡的问题，我会先看精确率和召回率，而不是准确率。然后我会调整决策阈值。",
        "عندما تكون إحدى الفئات نادرة، أستخدم الدقة والاستدعاء بدلاً من الدقة الإجمالية.",
    ],
)
def test_a_non_latin_answer_is_not_reported_as_empty(text: str) -> None:
    assert status(text) is not EvidenceStatus.EMPTY
    assert status(text) is not EvidenceStatus.OK


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_bytes_are_gibberish(seed: int) -> None:
    text = random.Random(seed).randbytes(400).decode("utf-8", errors="replace")
    assert status(text) is EvidenceStatus.GIBBERISH


def test_code_is_not_mistaken_for_gibberish() -> None:
    code = (
        "def fit(X_train, y_train):\n"
        "    scaler = StandardScaler().fit(X_train)\n"
        "    model = LogisticRegression(class_weight='balanced')\n"
        "    return model.fit(scaler.transform(X_train), y_train)\n"
    )
    assert status(code) is EvidenceStatus.OK


def test_a_bullet_list_is_not_mistaken_for_gibberish() -> None:
    bullets = (
        "- precision and recall on the minority class\n"
        "- tune the decision threshold\n"
        "- class weights in the loss\n"
        "- SMOTE on the training fold only\n"
        "- stratified cross-validation"
    )
    assert status(bullets) is EvidenceStatus.OK


def test_repeating_an_earlier_answer_is_caught() -> None:
    assert status(GOOD, previous=(GOOD,)) is EvidenceStatus.REPEATED


def test_repeating_with_small_changes_is_still_a_repeat() -> None:
    reworded = GOOD.replace("Then I tune", "Next I tune").replace("rare,", "rare;").lower()
    assert status(reworded, previous=("An unrelated earlier answer about drift.", GOOD)) is (
        EvidenceStatus.REPEATED
    )


def test_a_different_earlier_answer_is_not_a_repeat() -> None:
    earlier = (
        "I monitor drift by comparing feature distributions with a reference window and I "
        "retrain when the population stability index crosses a threshold."
    )
    assert status(GOOD, previous=(earlier, "", "   ")) is EvidenceStatus.OK


def test_short_reference_questions_accept_a_short_answer() -> None:
    text = "It sets the gradient descent step size."
    assert status(text) is EvidenceStatus.TOO_SHORT
    assert status(text, min_words=4) is EvidenceStatus.OK


@pytest.mark.parametrize(
    "text", ["", "pass", "fine", "asdkj qwpeoi zmxnv lkjasd poiqwe mnbzx qwerty uiop asdf"]
)
def test_every_refusal_comes_with_a_reason_a_candidate_can_read(text: str) -> None:
    gate = check_evidence(text)
    assert not gate.ok
    assert gate.reason.endswith(".")
    assert len(gate.reason.split()) >= 4
