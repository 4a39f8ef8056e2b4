"""The follow-up policy on real analyses: what the interviewer does after an answer.

Each test analyses a realistic answer with the application's own analyzer (real embedding model,
real glossary, real question bank) and asks `followup.decide` for the next action.
"""

from __future__ import annotations

import pytest

from interviewer import runtime
from interviewer.analysis import Analyzer, target_for
from interviewer.config import Settings
from interviewer.followup import Action, ActionKind, QuestionState, decide, is_decline
from interviewer.schema import Analysis, EvidenceStatus, KnowledgePack, Persona, TalkingPoint

JARGON = (
    "We fine-tuned a transformer with RLHF'd LoRA adapters, used SMOTE and stratified k-fold CV, "
    "optimised PR-AUC and calibrated the logits with Platt scaling."
)
#: The same jargon, as an (unhelpful) answer to "explain precision and recall to a PM".
JARGON_FOR_PM = "I would tell the product manager what we did: " + JARGON[0].lower() + JARGON[1:]

#: Covers the decision and a product example, misses the threshold trade-off and the rest.
PM_THIN = (
    "I would start from the decision the product manager has to make, for example what we can "
    "promise users, rather than from the algorithm. Then I would use one concrete example from "
    "our own product, like the automatic issue labels."
)
#: A short but complete story for the recruiter: situation, task, action, result with a number.
MENTOR_THIN = (
    "At my last job a new colleague joined our team from the web side and wanted to learn how "
    "our models worked. My goal was to get her working on her own. "
    "I met with her every week and answered her questions. "
    "In the end she shipped her first change after 3 weeks."
)
#: The same story with no action and no result.
MENTOR_NO_ACTION = (
    "At my last job a new colleague joined our team from the web side and wanted to learn how "
    "our models worked, because she had never trained a model before. My goal was to get her "
    "working on her own on the recommendation service, which was a big step for her."
)
SUPERVISED_STRONG = (
    "Supervised learning trains on inputs paired with labels, the known answers, while "
    "unsupervised learning only has the inputs and has to find structure in them by itself. "
    "Typical supervised tasks are classification, which predicts a category such as spam or not "
    "spam, and regression, which predicts a number such as a delivery time. "
    "Unsupervised tasks are clustering with k-means, dimensionality reduction with PCA, and "
    "anomaly detection, for example an isolation forest that flags odd log lines. "
    "Evaluation differs too: a supervised model is scored against held-out labels, whereas for "
    "clustering there is no ground truth, so I rely on a silhouette score and human judgement. "
    "In practice the labeling cost decides a lot, because labels are expensive, noisy and often "
    "delayed, so with only 2,000 labelled tickets out of 200,000 I would try semi-supervised "
    "pseudo-labelling. Finally, self-supervised learning creates labels from the data itself, "
    "like next token prediction, which is how LLM pre-training works before fine-tuning."
)


@pytest.fixture(scope="module")
def settings_() -> Settings:
    return Settings()


@pytest.fixture(scope="module")
def analyzer(settings_: Settings) -> Analyzer:
    return runtime.analyzer(settings_)


@pytest.fixture(scope="module")
def pack(settings_: Settings) -> KnowledgePack:
    return runtime.pack(settings_)


@pytest.fixture(scope="module")
def personas(settings_: Settings) -> dict[str, Persona]:
    return {
        p: runtime.persona(settings_, p) for p in ("ml_expert", "backend_engineer", "recruiter")
    }


def with_policy(persona: Persona, **policy: object) -> Persona:
    return persona.model_copy(update={"followups": persona.followups.model_copy(update=policy)})


class Judge:
    """Analyse an answer to a bank question for a persona and decide, as the session does."""

    def __init__(self, analyzer: Analyzer, pack: KnowledgePack) -> None:
        self.analyzer = analyzer
        self.pack = pack

    def analyse(self, persona: Persona, question_id: str, text: str) -> Analysis:
        return self.analyzer.analyze(text, target_for(self.pack.questions[question_id]), persona)

    def decide(
        self,
        persona: Persona,
        question_id: str,
        answers: list[str],
        state: QuestionState | None = None,
    ) -> Action:
        question = self.pack.questions[question_id]
        state = state or QuestionState(question_id)
        state.answers = list(answers)
        combined = self.analyse(persona, question_id, "\n".join(a for a in answers if a.strip()))
        last = self.analyse(persona, question_id, answers[-1])
        return decide(persona, question, state, combined, last, answers[-1])


@pytest.fixture(scope="module")
def judge(analyzer: Analyzer, pack: KnowledgePack) -> Judge:
    return Judge(analyzer, pack)


# --- plain words ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pid", "question_id", "answer"),
    [
        ("recruiter", "comm-explain-ml-to-pm", JARGON_FOR_PM),
        ("backend_engineer", "comm-explain-ml-to-pm", JARGON_FOR_PM),
        ("backend_engineer", "ml-severe-class-imbalance", JARGON),
    ],
)
def test_jargon_gets_a_plain_words_follow_up_from_non_experts(
    judge: Judge, personas: dict[str, Persona], pid: str, question_id: str, answer: str
) -> None:
    persona = personas[pid]
    assert judge.pack.questions[question_id].category in persona.categories
    analysis = judge.analyse(persona, question_id, answer)
    assert analysis.status is EvidenceStatus.OK, analysis.status_reason
    action = judge.decide(persona, question_id, [answer])
    assert action.kind is ActionKind.PLAIN_WORDS, action
    assert action.key == f"plain:{action.term}"
    used = {t.term: t for t in analysis.terms}
    assert action.term in used
    assert not used[action.term].familiar_to_audience and not used[action.term].explained
    # It is the first unexplained term the candidate used, e.g. 'fine-tuning'.
    first = next(t for t in analysis.terms if not t.familiar_to_audience and not t.explained)
    assert action.term == first.term


@pytest.mark.parametrize(
    ("question_id", "answer"),
    [("comm-explain-ml-to-pm", JARGON_FOR_PM), ("ml-severe-class-imbalance", JARGON)],
)
def test_the_ml_expert_never_asks_for_plain_words(
    judge: Judge, personas: dict[str, Persona], question_id: str, answer: str
) -> None:
    persona = personas["ml_expert"]
    assert judge.pack.questions[question_id].category in persona.categories
    assert judge.analyse(persona, question_id, answer).status is EvidenceStatus.OK
    action = judge.decide(persona, question_id, [answer])
    assert action.kind is not ActionKind.PLAIN_WORDS
    # ... on any turn: each follow-up it would ask in turn is something else.
    state = QuestionState(question_id)
    for _ in range(persona.followups.max_per_question + 1):
        action = judge.decide(persona, question_id, [answer], state)
        assert action.kind is not ActionKind.PLAIN_WORDS
        if action.kind is ActionKind.NEXT:
            break
        state.followups.append(action.key)


def test_plain_words_is_the_policy_switch_not_the_audience(
    judge: Judge, personas: dict[str, Persona]
) -> None:
    never = with_policy(personas["backend_engineer"], plain_words="never")
    action = judge.decide(never, "ml-severe-class-imbalance", [JARGON])
    assert action.kind is not ActionKind.PLAIN_WORDS


def test_a_term_already_asked_about_is_not_asked_again(
    judge: Judge, personas: dict[str, Persona]
) -> None:
    persona = personas["recruiter"]
    first = judge.decide(persona, "comm-explain-ml-to-pm", [JARGON_FOR_PM])
    assert first.kind is ActionKind.PLAIN_WORDS
    state = QuestionState("comm-explain-ml-to-pm", followups=[first.key])
    second = judge.decide(persona, "comm-explain-ml-to-pm", [JARGON_FOR_PM], state)
    assert second.key != first.key


# --- talking points, examples, stories ------------------------------------------------------


@pytest.mark.parametrize(
    ("pid", "question_id", "answer"),
    [
        ("ml_expert", "comm-explain-ml-to-pm", PM_THIN),
        ("backend_engineer", "comm-explain-ml-to-pm", PM_THIN),
        ("recruiter", "beh-mentoring-colleague", MENTOR_THIN),
    ],
)
def test_a_missed_talking_point_is_probed_most_important_first(
    judge: Judge, personas: dict[str, Persona], pid: str, question_id: str, answer: str
) -> None:
    persona = personas[pid]
    question = judge.pack.questions[question_id]
    analysis = judge.analyse(persona, question_id, answer)
    missed = [pc.point_id for pc in analysis.points if pc.level == 0]
    assert missed and len(missed) < len(question.talking_points)
    action = judge.decide(persona, question_id, [answer])
    assert action.kind is ActionKind.PROBE, action
    assert action.point is not None and action.key == f"probe:{action.point.id}"
    order = [tp.id for tp in question.talking_points]
    assert action.point.id == min(missed, key=order.index)


def test_a_point_covered_in_a_later_answer_is_not_probed_again(
    judge: Judge, personas: dict[str, Persona]
) -> None:
    persona = personas["ml_expert"]
    first = judge.decide(persona, "comm-explain-ml-to-pm", [PM_THIN])
    assert first.kind is ActionKind.PROBE and first.point is not None
    covered = (
        "They cannot have both high at once. I'd explain the threshold as a dial the product "
        "side helps choose: a stricter cut-off means fewer wrong labels but more issues left "
        "unlabelled, so the trade-off is a product decision."
    )
    state = QuestionState("comm-explain-ml-to-pm", followups=[first.key])
    after = judge.decide(persona, "comm-explain-ml-to-pm", [PM_THIN, covered], state)
    combined = judge.analyse(persona, "comm-explain-ml-to-pm", PM_THIN + "\n" + covered)
    levels = {pc.point_id: pc.level for pc in combined.points}
    assert levels[first.point.id] > 0
    assert after.key != first.key
    assert not (after.kind is ActionKind.PROBE and after.point and levels[after.point.id] > 0)


def test_probing_can_be_switched_off(judge: Judge, personas: dict[str, Persona]) -> None:
    quiet = with_policy(personas["ml_expert"], probe_missing_points=False)
    action = judge.decide(quiet, "comm-explain-ml-to-pm", [PM_THIN])
    assert action.kind is not ActionKind.PROBE


def test_a_story_without_action_or_result_asks_for_the_action(
    judge: Judge, personas: dict[str, Persona]
) -> None:
    action = judge.decide(personas["recruiter"], "beh-mentoring-colleague", [MENTOR_NO_ACTION])
    assert action.kind is ActionKind.STAR and action.star_part == "action"
    assert action.key == "star:action"


def test_a_strong_complete_answer_moves_on(judge: Judge, personas: dict[str, Persona]) -> None:
    action = judge.decide(
        personas["ml_expert"], "ml-supervised-vs-unsupervised", [SUPERVISED_STRONG]
    )
    assert action.kind is ActionKind.NEXT, action


# --- declines, empty answers, limits --------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["I don't know.", "Pass.", "Sorry, no idea.", "No.", "That's all.", "nope"]
)
def test_a_decline_moves_on(judge: Judge, personas: dict[str, Persona], text: str) -> None:
    persona = personas["backend_engineer"]
    state = QuestionState("comm-explain-ml-to-pm", followups=["probe:threshold-trade-off"])
    action = judge.decide(persona, "comm-explain-ml-to-pm", [PM_THIN, text], state)
    assert action.kind is ActionKind.NEXT and "declined" in action.reason
    assert is_decline(judge.analyse(persona, "comm-explain-ml-to-pm", text), text)


def test_no_thats_all_after_a_follow_up_is_a_decline(
    judge: Judge, personas: dict[str, Persona]
) -> None:
    text = "No, that's all."
    persona = personas["recruiter"]
    first = judge.decide(persona, "comm-explain-ml-to-pm", [JARGON_FOR_PM])
    assert first.kind is ActionKind.PLAIN_WORDS
    state = QuestionState("comm-explain-ml-to-pm", followups=[first.key])
    action = judge.decide(persona, "comm-explain-ml-to-pm", [JARGON_FOR_PM, text], state)
    assert action.kind is ActionKind.NEXT, action  # today: another follow-up (a probe)
    assert is_decline(judge.analyse(persona, "comm-explain-ml-to-pm", text), text)


def test_a_long_answer_that_starts_with_i_dont_know_is_not_a_decline(
    judge: Judge, personas: dict[str, Persona]
) -> None:
    text = (
        "I don't know the exact number, but I would start from the decision the product manager "
        "has to make and show them how often the labels are wrong out of 100 issues."
    )
    persona = personas["recruiter"]
    assert not is_decline(judge.analyse(persona, "comm-explain-ml-to-pm", text), text)
    assert judge.decide(persona, "comm-explain-ml-to-pm", [text]).kind is not ActionKind.NEXT


@pytest.mark.parametrize("text", ["", "   \n ", "asdkj qwpoe zmxnc vbnrt lkjhg"])
def test_an_empty_or_unreadable_answer_is_asked_again_once(
    judge: Judge, personas: dict[str, Persona], text: str
) -> None:
    persona = personas["recruiter"]
    state = QuestionState("beh-mentoring-colleague")
    assert judge.decide(persona, "beh-mentoring-colleague", [text], state).kind is ActionKind.RETRY
    state.retries = 1
    assert judge.decide(persona, "beh-mentoring-colleague", [text], state).kind is ActionKind.NEXT


def test_a_thin_answer_gets_one_request_to_elaborate(
    judge: Judge, personas: dict[str, Persona]
) -> None:
    persona = personas["ml_expert"]
    state = QuestionState("ml-supervised-vs-unsupervised")
    action = judge.decide(persona, "ml-supervised-vs-unsupervised", ["Labels, mostly."], state)
    assert action.kind is ActionKind.ELABORATE
    state.followups.append(action.key)
    again = judge.decide(
        persona, "ml-supervised-vs-unsupervised", ["Labels, mostly.", "Yes."], state
    )
    assert again.kind is ActionKind.NEXT


@pytest.mark.parametrize("limit", [0, 1, 2])
def test_the_follow_up_limit_per_question_is_respected(
    judge: Judge, personas: dict[str, Persona], limit: int
) -> None:
    persona = with_policy(personas["recruiter"], max_per_question=limit)
    state = QuestionState("comm-explain-ml-to-pm")
    asked: list[str] = []
    for _ in range(6):
        action = judge.decide(persona, "comm-explain-ml-to-pm", [JARGON_FOR_PM], state)
        if action.kind is ActionKind.NEXT:
            break
        asked.append(action.key)
        state.followups.append(action.key)
    assert len(asked) == limit  # the weak answer would justify more; the limit stops it
    assert action.kind is ActionKind.NEXT and "limit" in action.reason
    assert len(set(asked)) == len(asked)


def test_declined_follow_ups_are_never_chosen(judge: Judge, personas: dict[str, Persona]) -> None:
    persona = with_policy(personas["ml_expert"], max_per_question=5)
    first = judge.decide(persona, "comm-explain-ml-to-pm", [PM_THIN])
    state = QuestionState("comm-explain-ml-to-pm", declined={first.key})
    assert judge.decide(persona, "comm-explain-ml-to-pm", [PM_THIN], state).key != first.key


def test_action_keys_name_what_was_asked() -> None:
    point = TalkingPoint(id="threshold", point="A threshold.", key_terms=["threshold"])
    assert Action(ActionKind.PROBE, "r", point=point).key == "probe:threshold"
    assert Action(ActionKind.PLAIN_WORDS, "r", term="LoRA").key == "plain:LoRA"
    assert Action(ActionKind.STAR, "r", star_part="result").key == "star:result"
    assert Action(ActionKind.EXAMPLE, "r").key == "example"
    assert Action(ActionKind.NEXT, "r").key == "next"
