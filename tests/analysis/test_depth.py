"""Technical depth: how many talking points an answer covers, and how far it goes on each.

A thorough answer that works through every talking point must beat a one-point answer on every
kind of question (fundamentals, MLOps, behavioural, communication). On one point, an answer that
defines the idea, explains why it works, weighs its cost and gives an example with numbers climbs
higher on the ladder (mentions, defines, mechanism, trade-offs, example) than one that names it.
Points the answer never reaches are listed as missed.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from interviewer.analysis import LEVEL_NAMES, Analyzer, Target, target_from_reference
from interviewer.analysis.depth import _ladder, target_from_points
from interviewer.schema import Analysis, Dimension, Persona, PointCoverage, ScoreStatus

IMBALANCE_STRONG = """\
Accuracy is misleading when one class is rare: a model that always predicts the majority class \
gets 99% accuracy and catches nothing. So I judge the model on the minority class with precision, \
recall, F1 and PR-AUC, and I look at the confusion matrix.
Next I tune the decision threshold instead of using 0.5. I pick the operating point on the \
precision-recall curve from validation data, based on what a false negative costs compared to a \
false alarm.
I also reweight the loss with class weights, for example class_weight balanced or \
scale_pos_weight in XGBoost, so mistakes on the rare class cost more; focal loss is another option.
Resampling can help too: undersampling the majority class or oversampling the minority with SMOTE.
The important detail is that I use a stratified split and resample only the training fold inside \
cross-validation, otherwise synthetic duplicates leak into the test set and the scores look too \
good.
Finally, if positives are extremely rare, I collect more minority examples with active learning, \
recalibrate the probabilities, or treat it as anomaly detection."""
IMBALANCE_ONE_POINT = (
    "I would use class weights so that the model pays more attention to the rare class during "
    "training, and then I would train the model again and see whether it looks better."
)

DRIFT_STRONG = """\
First I separate three kinds of drift. Data drift is when the inputs change, concept drift is \
when the relationship between inputs and labels changes, and prediction drift is when the \
distribution of outputs shifts.
To detect it I compare each feature and the prediction distribution against a reference window \
from training, using the population stability index, a Kolmogorov-Smirnov test or a chi-squared \
test for categorical features.
Drift in the inputs is only a warning, so I also track model quality once labels arrive, for \
example precision on a weekly labelled sample, and an online proxy metric such as the suggestion \
acceptance rate until then.
Like any service I monitor health and data quality too: latency, error rate, schema changes and \
missing values.
Alerts fire on effect size and business impact per segment, not on p-values alone, because with \
millions of rows tiny shifts are significant; every alert has an owner and a runbook.
If quality drops because the world changed, I retrain on recent data; if a new release caused it, \
I roll back to the previous version; and if the shift is harmless, I accept it and update the \
reference window."""
DRIFT_ONE_POINT = (
    "I would set up a dashboard that tracks the accuracy of the model every week, and when the "
    "accuracy goes down I would retrain the model on newer data."
)

FAILURE_STRONG = """\
At my last job I owned the model that suggested labels for new issues. I changed the text \
preprocessing in the training code but forgot to change the same step in the serving code, so the \
model saw different inputs in production. That mistake had a real impact: acceptance of the \
suggestions dropped by about 30% for two days.
It was detected by a dashboard alert, and honestly our monitoring should have caught it sooner.
I rolled back to the previous model within an hour, informed the affected teams in the incident \
issue and kept posting status updates.
Then I found the root cause and ran a blameless post-mortem. I moved the preprocessing into one \
shared library and added a contract test and an input alert.
I took accountability for it: it was my fault, not the data team's.
The lesson I learned is to test training and serving code together, and since then two other \
teams have adopted the same contract test."""
FAILURE_ONE_POINT = (
    "I once broke something in production because I made a mistake in the code. It got fixed "
    "fairly quickly after someone noticed it and things went back to normal."
)

DRIFT_TO_BACKEND_STRONG = """\
I would compare drift to a software regression caused by an upstream change: the model's code and \
weights did not change, but the incoming data did, so quality silently degrades.
There are two kinds. Data drift is when the inputs change shape or distribution, like an API \
client that starts sending different payloads. Concept drift is when the right answer itself \
changes, like a business rule changing.
We detect it the same way you would use error-rate or latency alerts: we monitor input \
distributions and live quality metrics against a baseline on dashboards.
The fix is like a patch release. We retrain on fresh data, compare against the current model and \
roll out gradually with a rollback plan.
The analogy breaks in one place: there is no stack trace and no failing test, because degradation \
is statistical, so you have to measure it deliberately.
For example, our code suggestions got worse when many developers adopted a new framework that the \
model had never seen."""
DRIFT_TO_BACKEND_ONE_POINT = (
    "Drift is when the model gets worse over time because the data it sees in production is "
    "different from the data it was trained on."
)

STRONG_AND_WEAK = [
    pytest.param("ml-severe-class-imbalance", IMBALANCE_STRONG, IMBALANCE_ONE_POINT, id="ml"),
    pytest.param("ops-monitor-drift", DRIFT_STRONG, DRIFT_ONE_POINT, id="mlops"),
    pytest.param("beh-production-failure", FAILURE_STRONG, FAILURE_ONE_POINT, id="behavioural"),
    pytest.param(
        "comm-explain-drift-backend",
        DRIFT_TO_BACKEND_STRONG,
        DRIFT_TO_BACKEND_ONE_POINT,
        id="communication",
    ),
]

OVERFITTING = "ml-diagnose-fix-overfitting"
NAMES_DROPOUT = (
    "My fixes for overfitting would include dropout, early stopping, weight decay and getting "
    "more training data."
)
EXPLAINS_DROPOUT = (
    "To fix overfitting in a neural network I would add dropout. Dropout means that during "
    "training each unit is switched off at random with some probability, say 0.3. This works "
    "because the network cannot rely on any single unit, so it has to learn redundant features "
    "that generalise better. The downside is that training takes longer to converge, and at "
    "inference time dropout is turned off. For example, on a text classifier I worked on, adding "
    "dropout of 0.3 cut the gap between training and validation accuracy from 15 points to 4."
)


def depth(analysis: Analysis) -> float:
    score = analysis.scores[Dimension.DEPTH]
    assert score.status is ScoreStatus.SCORED, score.explanation
    assert score.value is not None
    return score.value


def point(analysis: Analysis, point_id: str) -> PointCoverage:
    (pc,) = [p for p in analysis.points if p.point_id == point_id]
    return pc


@pytest.mark.parametrize(("question_id", "strong", "weak"), STRONG_AND_WEAK)
def test_answer_covering_every_point_outscores_one_covering_one_point(
    analyzer: Analyzer,
    target: Callable[[str], Target],
    ml_expert: Persona,
    question_id: str,
    strong: str,
    weak: str,
) -> None:
    t = target(question_id)
    full = analyzer.analyze(strong, t, ml_expert)
    thin = analyzer.analyze(weak, t, ml_expert)
    assert depth(full) >= 4.2
    assert depth(full) > depth(thin) + 1.0
    covered_full = full.scores[Dimension.DEPTH].measurements["points_covered"]
    covered_thin = thin.scores[Dimension.DEPTH].measurements["points_covered"]
    assert isinstance(covered_full, int)
    assert isinstance(covered_thin, int)
    assert covered_full >= len(t.points) - 1
    assert covered_thin <= 2
    assert all(p.level >= 1 for p in full.points)
    assert sum(p.level for p in full.points) > sum(p.level for p in thin.points) + 6


@pytest.mark.parametrize(("question_id", "strong", "weak"), STRONG_AND_WEAK)
def test_depth_does_not_depend_on_the_listener(
    analyzer: Analyzer,
    target: Callable[[str], Target],
    personas: dict[str, Persona],
    question_id: str,
    strong: str,
    weak: str,
) -> None:
    for answer in (strong, weak):
        values = {
            depth(analyzer.analyze(answer, target(question_id), p)) for p in personas.values()
        }
        assert len(values) == 1


def test_explaining_a_point_fully_climbs_higher_on_the_ladder_than_naming_it(
    analyzer: Analyzer, target: Callable[[str], Target], ml_expert: Persona
) -> None:
    named = point(analyzer.analyze(NAMES_DROPOUT, target(OVERFITTING), ml_expert), "dropout")
    explained = point(analyzer.analyze(EXPLAINS_DROPOUT, target(OVERFITTING), ml_expert), "dropout")
    assert named.level == 1
    assert named.level_name == "mentions"
    assert "dropout" in named.matched_terms
    assert explained.level == 5
    assert explained.level_name == LEVEL_NAMES[5]
    assert explained.evidence is not None
    assert EXPLAINS_DROPOUT[explained.evidence.start : explained.evidence.end] == (
        explained.evidence.quote
    )


IMBALANCE_LIST = (
    "I'd use SMOTE with stratified k-fold CV, optimise PR-AUC instead of ROC-AUC, add focal loss "
    "or class weights, and calibrate the logits with Platt scaling before picking the threshold on "
    "the validation fold."
)


def test_one_connective_does_not_lift_a_whole_list_of_techniques(
    analyzer: Analyzer, target: Callable[[str], Target], ml_expert: Persona
) -> None:
    """A single 'instead of' in a list of five techniques explains at most two of them."""
    a = analyzer.analyze(IMBALANCE_LIST, target("ml-severe-class-imbalance"), ml_expert)
    covered = [p for p in a.points if p.covered]
    assert len(covered) >= 4
    assert sum(p.level >= 3 for p in a.points) <= 2
    strong = analyzer.analyze(IMBALANCE_STRONG, target("ml-severe-class-imbalance"), ml_expert)
    assert sum(p.level >= 3 for p in strong.points) >= 4


@pytest.mark.parametrize(
    ("sentence", "level"),
    [
        ("We use dropout on the hidden layers.", 1),
        ("Dropout is a way to switch off units at random.", 2),
        ("It helps because no unit can be relied on alone.", 3),
        ("The downside is that training gets slower.", 4),
        ("For example, on our classifier it closed the gap.", 5),
        ("It cut the validation gap from 15 points to 4.", 5),
    ],
)
def test_ladder_rungs(sentence: str, level: int) -> None:
    assert _ladder(sentence) == level


def test_naming_l1_and_l2_is_a_mention_not_an_example(
    analyzer: Analyzer, target: Callable[[str], Target], ml_expert: Persona
) -> None:
    answer = (
        "You can add L1 or L2 to a model, and I have used both of them in my own projects many "
        "times."
    )
    analysis = analyzer.analyze(answer, target("ml-l1-vs-l2-regularization"), ml_expert)
    assert point(analysis, "l1-sparsity").level <= 2
    assert point(analysis, "l2-shrinkage").level <= 2


def test_missed_points_are_listed_with_level_zero(
    analyzer: Analyzer, target: Callable[[str], Target], ml_expert: Persona
) -> None:
    analysis = analyzer.analyze(IMBALANCE_ONE_POINT, target("ml-severe-class-imbalance"), ml_expert)
    missed = {p.point_id for p in analysis.missed_points}
    assert {"threshold-tuning", "resample-training-fold-only"} <= missed
    assert "class-weights" not in missed
    for p in analysis.missed_points:
        assert p.level == 0
        assert p.level_name == "missed"
        assert p.evidence is None
        assert p.matched_terms == []
    measurements = analysis.scores[Dimension.DEPTH].measurements
    assert measurements["points_missed"] == len(missed)
    assert measurements["points"] == len(analysis.points) == 6


def test_every_point_is_reported_in_question_order_with_quoted_evidence(
    analyzer: Analyzer, target: Callable[[str], Target], ml_expert: Persona
) -> None:
    t = target("ml-severe-class-imbalance")
    analysis = analyzer.analyze(IMBALANCE_STRONG, t, ml_expert)
    assert [p.point_id for p in analysis.points] == [p.id for p in t.points]
    for p in analysis.points:
        assert p.evidence is not None
        assert IMBALANCE_STRONG[p.evidence.start : p.evidence.end] == p.evidence.quote
    for ev in analysis.scores[Dimension.DEPTH].evidence:
        assert IMBALANCE_STRONG[ev.start : ev.end] == ev.quote


def test_synonyms_in_plain_words_count_as_covering_a_point(
    analyzer: Analyzer, target: Callable[[str], Target], ml_expert: Persona
) -> None:
    plain = (
        "I would first make sure the split is right, because if the same rows are in train and "
        "test the score is too good to be true. Then I would compare with a model that always "
        "predicts negative, since accuracy is misleading when positives are rare."
    )
    analysis = analyzer.analyze(plain, target("ml-suspiciously-high-accuracy"), ml_expert)
    assert point(analysis, "majority-baseline").level >= 2
    assert point(analysis, "split-contamination").level >= 2


# --- reference answers and plain-string points ------------------------------------------------

LEARNING_RATE = "What does the learning rate control in gradient descent?"
LEARNING_RATE_REFERENCE = (
    "The learning rate sets the size of each step that gradient descent takes when it updates "
    "the weights."
)


def test_reference_answer_target_rewards_saying_what_the_reference_says(
    analyzer: Analyzer, ml_expert: Persona
) -> None:
    t = target_from_reference(LEARNING_RATE, [LEARNING_RATE_REFERENCE])
    full = analyzer.analyze(
        "The learning rate is the step size of each gradient descent update of the weights.",
        t,
        ml_expert,
    )
    partial = analyzer.analyze("It sets how big each weight update step is.", t, ml_expert)
    assert depth(full) > depth(partial)
    assert depth(full) >= 4.2


def test_reference_answer_target_accepts_a_short_answer_but_not_an_unrelated_one(
    analyzer: Analyzer, ml_expert: Persona
) -> None:
    t = target_from_reference(LEARNING_RATE, [LEARNING_RATE_REFERENCE])
    short = analyzer.analyze("It sets the gradient descent step size.", t, ml_expert)
    assert short.scores[Dimension.DEPTH].status is ScoreStatus.SCORED
    unrelated = analyzer.analyze(
        "I like pizza with lots of cheese and fresh basil on top of it.", t, ml_expert
    )
    assert unrelated.scores[Dimension.DEPTH].status is not ScoreStatus.SCORED


def test_the_best_matching_reference_answer_is_used(analyzer: Analyzer, ml_expert: Persona) -> None:
    question = "How can you reduce overfitting in a neural network?"
    t = target_from_reference(
        question,
        [
            "Add dropout, which switches off random units during training.",
            "Stop training early when the validation loss stops improving.",
        ],
    )
    answer = "I would stop training early, as soon as the validation loss stops improving."
    analysis = analyzer.analyze(answer, t, ml_expert)
    assert depth(analysis) >= 4.2
    assert all(p.point_id.startswith("ref2-") for p in analysis.points)


def test_points_written_as_plain_strings_work_as_a_target(
    analyzer: Analyzer, ml_expert: Persona
) -> None:
    t = target_from_points(
        "How do you handle class imbalance?",
        [
            "Use precision and recall instead of accuracy.",
            "Tune the decision threshold.",
            "Use class weights in the loss.",
        ],
    )
    all_three = analyzer.analyze(
        "I look at precision and recall instead of accuracy, tune the decision threshold on "
        "validation data and put class weights in the loss.",
        t,
        ml_expert,
    )
    one = analyzer.analyze(
        "I look at precision and recall instead of accuracy because accuracy hides the rare class.",
        t,
        ml_expert,
    )
    assert len(all_three.points) == 3
    assert depth(all_three) > depth(one)
    assert sum(p.level >= 1 for p in all_three.points) == 3
