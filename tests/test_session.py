"""The interview engine end to end: real personas, question bank, analysis and index.

Every test gets its own data folder holding a copy of the knowledge-pack index, so sessions never
see each other. Answers are scripted: realistic answers written for the question actually asked
(`session.current_question`), or built from its talking points where no answer was written.

To put a session on a particular question, `session_on` writes the transcript the engine itself
would have written (greeting, then that question) and resumes it: the engine's state lives only
in that file.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

import interviewer.session as session_module
from interviewer import runtime
from interviewer.analysis import target_for
from interviewer.brains.offline import sentences_of
from interviewer.config import Settings
from interviewer.schema import (
    Role,
    SessionConfig,
    Transcript,
    Turn,
    TurnKind,
)
from interviewer.session import InterviewSession, SessionFinishedError
from interviewer.store import SessionStore, new_session_id
from interviewer.transcripts import read_transcript

PERSONAS = ("ml_expert", "backend_engineer", "recruiter")

# --- scripted answers -----------------------------------------------------------------------

#: Complete answers, written for the first question each persona asks with the given seeds.
STRONG = {
    "ml-supervised-vs-unsupervised": (
        "Supervised learning trains on inputs paired with labels, the known answers, while "
        "unsupervised learning only has the inputs and has to find structure in them by itself. "
        "Typical supervised tasks are classification, which predicts a category such as spam or "
        "not spam, and regression, which predicts a number such as a delivery time. "
        "Unsupervised tasks are clustering with k-means, dimensionality reduction with PCA, and "
        "anomaly detection, for example an isolation forest that flags odd log lines. "
        "Evaluation differs too: a supervised model is scored against held-out labels, whereas "
        "for clustering there is no ground truth, so I rely on a silhouette score and human "
        "judgement. In practice the labeling cost decides a lot, because labels are expensive, "
        "noisy and often delayed, so with only 2,000 labelled tickets out of 200,000 I would try "
        "semi-supervised pseudo-labelling. Finally, self-supervised learning creates labels from "
        "the data itself, like next token prediction, which is how LLM pre-training works "
        "before fine-tuning."
    ),
    "comm-ml-analogies-backend": (
        "Training is like the build step of a service: it is slow, it runs offline, and it "
        "produces an artifact, the model file. Inference is the running service that loads that "
        "artifact and answers each request within a latency budget, say under 50 ms at p99. "
        "The weights are a versioned artifact, so you store them, release them and roll back to "
        "the previous version exactly like any other build output. "
        "Overfitting is like code that special-cases the exact inputs of the test suite: every "
        "test is green, but it fails on real traffic. "
        "Leakage in the train/test split is like tests that have already seen the expected "
        "answers, so green results prove nothing; that is why we keep a held-out set the model "
        "never sees. The analogy has limits, though: a build is deterministic, whereas training "
        "the same code twice gives slightly different models, so I always check where it breaks "
        "and ask whether it makes sense before moving on."
    ),
    "ops-explain-drift-to-engineer": (
        "I would compare drift to a regression that appears without any deploy: the code did not "
        "change, but the inputs changed, because the world the model sees has moved. "
        "The tricky part is that a model fails silently. It raises no exceptions and still "
        "returns 200, it just gives confident wrong answers, so the normal error monitoring "
        "misses it. There are two kinds of change. Data drift means new kinds of inputs, for "
        "example a new customer segment; concept drift means the right answer for the same input "
        "has changed, like what counts as spam. "
        "So I watch the input distribution and the prediction distribution against a reference "
        "period, for instance the share of positive predictions compared with last month, on the "
        "same dashboards as latency and errors. "
        "When the monitoring shows a problem I retrain on recent data or roll back, ideally "
        "through an automated pipeline, because a manual retrain every few weeks does not scale."
    ),
    "val-which-value-resonates": (
        "Of the six CREDIT values in the GitLab handbook, which are Collaboration, Results, "
        "Efficiency, Diversity, Iteration and Transparency, the one that resonates most with me "
        "is Transparency, because it matters to me personally that people can see why a decision "
        "was made. A story from my last job: our team was building a tool that sorted support "
        "emails, and I was responsible for telling the support team how well it worked. "
        "I decided to publish every weekly result in an open document, including the weeks when "
        "it got worse, and I wrote down every decision with the reason behind it. "
        "As a result the support leads trusted the numbers, and the share of emails sent to the "
        "wrong team dropped from 20% to 8% in three months. "
        "In an all-remote, async company that matters even more, because written notes are how "
        "people across time zones know what happened. "
        "There is a tension, though: transparency can clash with confidentiality, so I balance "
        "it by sharing the reasoning openly while keeping customer details private."
    ),
    "beh-mentoring-colleague": (
        "At my last job a colleague, Priya, had joined from the web team and wanted to help with "
        "our machine learning work, but she had never built a model. Her goal was to own one "
        "part of it, and my task was to help her get there. "
        "I mentored her for two months. I made a learning plan of real work items that got a "
        "little harder each week, we worked side by side at one screen twice a week, and when I "
        "read her changes I explained the why, not just the what. "
        "Because she lived six hours ahead of me, I adapted how I taught: I recorded short "
        "videos she could watch in her own time and wrote a plain word list of the terms we use. "
        "As a result she shipped her first change after 3 weeks, and by the end of the quarter "
        "she was checking other people's changes independently. "
        "I learned a lot too: teaching her made me better at explaining my own work, and the "
        "lesson was to start from what the other person already knows."
    ),
}

#: Short answers that cover one or two talking points well and miss others entirely.
THIN = {
    "beh-mentoring-colleague": (
        "At my last job a new colleague joined our team from the web side and wanted to learn "
        "how our models worked. My goal was to get her working on her own. "
        "I met with her every week and answered her questions. "
        "In the end she shipped her first change after 3 weeks."
    ),
    "ops-explain-drift-to-engineer": (
        "Drift is when the data coming into the model changes over time, so the model gets worse "
        "even though nobody touched the code. That is why you still need to monitor it after "
        "deployment."
    ),
    "comm-explain-ml-to-pm": (
        "I would start from the decision the product manager has to make, for example what we "
        "can promise users, rather than from the algorithm. Then I would use one concrete "
        "example from our own product, like the automatic issue labels."
    ),
}

JARGON = (
    "We fine-tuned a transformer with RLHF'd LoRA adapters, used SMOTE and stratified k-fold CV, "
    "optimised PR-AUC and calibrated the logits with Platt scaling."
)
JARGON_FOR_PM = "I would tell the product manager what we did: " + JARGON[0].lower() + JARGON[1:]
GIBBERISH = "asdkj qwpoe zmxnc vbnrt lkjhg"

STORY = {
    "situation": "At my last job our team of five was building a tool that sorted customer "
    "emails for the support team.",
    "task": "My goal was to make it reliable enough that the support leads would trust it.",
    "action": "I decided to review the worst mistakes every week, and I wrote a short guide for "
    "the team.",
    "result": "As a result, wrong routing dropped from 20% to 8% in three months.",
}


class Candidate:
    """Answers whatever the interviewer just asked, the way a prepared candidate would.

    `overrides` replaces the answer at a given step (0-based count of answers given).
    """

    def __init__(self, overrides: dict[int, str] | None = None, thin: bool = False) -> None:
        self.overrides = overrides or {}
        self.thin = thin
        self.step = 0

    def answer(self, session: InterviewSession) -> str:
        step, self.step = self.step, self.step + 1
        if step in self.overrides:
            return self.overrides[step]
        q = session.current_question
        prompt = session.last_prompt
        assert q is not None and prompt is not None
        kind, _, detail = (prompt.followup or "").partition(":")
        if prompt.kind is TurnKind.FOLLOWUP and self.thin:
            return "It depends on the situation, and I would look into it with the team first."
        if prompt.kind is TurnKind.FOLLOWUP and kind == "probe":
            tp = next(t for t in q.talking_points if t.id == detail)
            return (
                f"Right, I left that out. {tp.point} In practice that meant "
                f"{' and '.join(tp.key_terms[:2])}, and on my last project it saved us about "
                "two days a month."
            )
        if prompt.kind is TurnKind.FOLLOWUP and kind == "plain":
            return (
                f"Sorry, by '{detail}' I mean something simple: think of it like adjusting a "
                "recipe you already have instead of cooking a new dish from scratch."
            )
        if prompt.kind is TurnKind.FOLLOWUP and kind == "star":
            return STORY[detail]
        if prompt.kind is TurnKind.FOLLOWUP and kind == "example":
            return (
                "For example, at my last job we cut the error rate from 12% to 4% in six weeks, "
                "and the support team noticed the difference within days."
            )
        if self.thin:
            return q.talking_points[0].point
        if q.id in STRONG:
            return STRONG[q.id]
        text = "Here is how I would approach it. " + " ".join(
            tp.point for tp in q.talking_points[:3]
        )
        if q.is_story:
            text += " " + STORY["situation"] + " " + STORY["result"]
        return text


def play(session: InterviewSession, candidate: Candidate, limit: int = 60) -> None:
    """Answer until the interview is over (or fail if it never ends)."""
    for _ in range(limit):
        if session.finished:
            return
        session.submit(candidate.answer(session))
    pytest.fail(f"the interview did not end after {limit} answers")


# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture()
def data(pack_settings: Settings, tmp_path: Path) -> Settings:
    """A data folder of this test's own, holding a copy of the knowledge-pack index."""
    data_dir = tmp_path / "data"
    shutil.copytree(pack_settings.index_dir, data_dir / "index")
    return Settings(data_dir=data_dir)


def new_session(
    settings: Settings, persona: str, questions: int = 3, seed: int = 0
) -> InterviewSession:
    session = InterviewSession.create(
        settings, persona, SessionConfig(questions=questions, seed=seed)
    )
    opening = session.start()
    assert [t.kind for t in opening] == [TurnKind.GREETING, TurnKind.QUESTION]
    return session


def session_on(
    settings: Settings, persona_id: str, question_id: str, questions: int = 3, seed: int = 0
) -> InterviewSession:
    """A session whose first question is `question_id` (see the module docstring)."""
    persona = runtime.persona(settings, persona_id)
    question = runtime.pack(settings).questions[question_id]
    assert question.category in persona.categories and persona_id in question.personas
    now = datetime.now(UTC)
    transcript = Transcript(
        session_id=new_session_id(persona_id),
        persona=persona_id,
        started_at=now,
        config=SessionConfig(questions=questions, seed=seed),
        turns=[
            Turn(index=0, role=Role.INTERVIEWER, kind=TurnKind.GREETING, text=persona.opening[0]),
            Turn(
                index=1,
                role=Role.INTERVIEWER,
                kind=TurnKind.QUESTION,
                text=question.text,
                question_id=question.id,
                at=now,
            ),
        ],
    )
    SessionStore(settings.data_dir / "sessions").create(transcript)
    session = InterviewSession.resume(settings, transcript.session_id)
    assert [t.question_id for t in session.start()] == [question_id]
    return session


def on_disk(session: InterviewSession) -> list[Turn]:
    session.wait_for_notes()  # a language-model brain writes its private note in the background
    return read_transcript(session.store.path(session.session_id)).turns


def sig(turns: list[Turn]) -> list[tuple[str, str, str | None, str | None, str]]:
    return [(t.role.value, t.kind.value, t.question_id, t.followup, t.text) for t in turns]


def by_question(turns: list[Turn]) -> dict[str, list[Turn]]:
    """Interviewer and candidate turns grouped under the question they belong to."""
    groups: dict[str, list[Turn]] = {}
    current = None
    for t in turns:
        if t.kind is TurnKind.QUESTION:
            current = t.question_id
            assert current is not None
            groups[current] = []
        elif current is not None and t.kind is not TurnKind.CLOSING:
            groups[current].append(t)
    return groups


def check_interview(session: InterviewSession) -> None:
    """The invariants of every finished interview."""
    turns = session.transcript.turns
    assert session.finished
    assert turns[0].kind is TurnKind.GREETING and turns[-1].kind is TurnKind.CLOSING
    assert sum(t.kind is TurnKind.CLOSING for t in turns) == 1
    assert [t.index for t in turns] == list(range(len(turns)))

    asked = [t.question_id for t in turns if t.kind is TurnKind.QUESTION]
    assert len(asked) == len(set(asked)), f"a question was asked twice: {asked}"
    assert len(asked) <= session.total_questions

    said = [s for t in turns if t.role is Role.INTERVIEWER for s in sentences_of(t.text)]
    repeated = [s for s, n in Counter(said).items() if n > 1]
    assert not repeated, f"the interviewer repeated itself: {repeated}"

    limit = session.persona.followups.max_per_question
    for qid, group in by_question(turns).items():
        keys = [t.followup for t in group if t.kind is TurnKind.FOLLOWUP]
        assert len(keys) <= limit, (qid, keys)
        assert len(keys) == len(set(keys)), (qid, keys)
        assert sum(t.kind is TurnKind.RETRY for t in group) <= 1
        for t in group:
            assert t.question_id == qid
    assert sig(on_disk(session)) == sig(turns)


# --- whole interviews -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 5])
@pytest.mark.parametrize("persona", PERSONAS)
def test_a_whole_interview_plays_to_the_end(data: Settings, persona: str, seed: int) -> None:
    session = new_session(data, persona, questions=4, seed=seed)
    # A prepared candidate who passes once and garbles one answer on the way.
    play(session, Candidate(overrides={2: "I don't know.", 4: GIBBERISH}))
    check_interview(session)
    assert session.question_number == 4
    assert session.transcript.turns[-1].text.endswith(tuple(session.persona.closing))
    answers = [t for t in session.transcript.turns if t.kind is TurnKind.ANSWER]
    assert len(answers) >= 4


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_interview_longer_than_the_question_bank_still_ends(
    data: Settings, persona: str
) -> None:
    session = new_session(data, persona, questions=30, seed=3)
    play(session, Candidate(thin=True), limit=200)
    check_interview(session)
    pool = [
        q
        for q in runtime.pack(data).questions.values()
        if persona in q.personas and q.category in session.persona.categories
    ]
    assert session.question_number == min(30, len(pool))


# --- strong answers, missed points, jargon --------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "seed"),
    [
        ("ml_expert", 0),
        ("backend_engineer", 0),
        ("backend_engineer", 1),
        ("recruiter", 1),
        ("recruiter", 2),
    ],
)
def test_a_strong_answer_moves_on_to_a_new_question(
    data: Settings, persona: str, seed: int
) -> None:
    session = new_session(data, persona, questions=3, seed=seed)
    q = session.current_question
    assert q is not None and q.id in STRONG, f"no strong answer written for {q and q.id}"
    turns = session.submit(STRONG[q.id])
    assert [t.kind for t in turns] == [TurnKind.QUESTION], [(t.kind, t.followup) for t in turns]
    assert turns[0].question_id != q.id


def test_a_strong_answer_to_the_last_question_closes_the_interview(data: Settings) -> None:
    session = new_session(data, "ml_expert", questions=1, seed=0)
    q = session.current_question
    assert q is not None
    turns = session.submit(STRONG[q.id])
    assert [t.kind for t in turns] == [TurnKind.CLOSING] and session.finished


def _probe_cases() -> list[tuple[str, Callable[[Settings], InterviewSession]]]:
    return [
        ("recruiter", lambda s: new_session(s, "recruiter", seed=2)),
        ("backend_engineer", lambda s: new_session(s, "backend_engineer", seed=0)),
        ("ml_expert", lambda s: session_on(s, "ml_expert", "comm-explain-ml-to-pm")),
    ]


@pytest.mark.parametrize(("persona", "make"), _probe_cases(), ids=[c[0] for c in _probe_cases()])
def test_an_answer_missing_a_talking_point_gets_a_follow_up_about_it(
    data: Settings, persona: str, make: Callable[[Settings], InterviewSession]
) -> None:
    session = make(data)
    q = session.current_question
    assert q is not None and q.id in THIN, q and q.id
    answer = THIN[q.id]
    analysis = runtime.analyzer(data).analyze(answer, target_for(q), session.persona)
    missed = {pc.point_id for pc in analysis.points if pc.level == 0}
    assert missed, "the scripted answer should miss at least one talking point"

    turns = session.submit(answer)
    assert [t.kind for t in turns] == [TurnKind.FOLLOWUP]
    followup = turns[0]
    assert followup.question_id == q.id
    assert followup.followup is not None and followup.followup.startswith("probe:")
    point_id = followup.followup.removeprefix("probe:")
    assert point_id in missed
    point = next(tp for tp in q.talking_points if tp.id == point_id)
    assert (point.probe and point.probe in followup.text) or any(
        term.lower() in followup.text.lower() for term in point.key_terms
    ), followup.text


@pytest.mark.parametrize("persona", ["recruiter", "backend_engineer"])
def test_jargon_gets_the_plain_words_follow_up(data: Settings, persona: str) -> None:
    session = session_on(data, persona, "comm-explain-ml-to-pm")
    turns = session.submit(JARGON_FOR_PM)
    assert [t.kind for t in turns] == [TurnKind.FOLLOWUP]
    key = turns[0].followup
    assert key is not None and key.startswith("plain:")
    term = key.removeprefix("plain:")
    assert term.lower() in JARGON_FOR_PM.lower() or term == "fine-tuning"
    assert f"'{term}'" in turns[0].text
    assert any(
        turns[0].text.endswith(p.format(term=term)) for p in session.persona.phrases.plain_words
    )


def test_the_backend_engineer_asks_for_plain_words_on_an_ml_question(data: Settings) -> None:
    session = session_on(data, "backend_engineer", "ml-severe-class-imbalance")
    turns = session.submit(JARGON)
    assert turns[0].kind is TurnKind.FOLLOWUP
    assert turns[0].followup is not None and turns[0].followup.startswith("plain:")


@pytest.mark.parametrize("question_id", ["comm-explain-ml-to-pm", "ml-severe-class-imbalance"])
def test_the_ml_expert_never_asks_for_plain_words(data: Settings, question_id: str) -> None:
    session = session_on(data, "ml_expert", question_id, questions=2)
    answer = JARGON_FOR_PM if question_id.startswith("comm") else JARGON
    # The candidate keeps answering in jargon, on this question and the next.
    play(session, Candidate(overrides={i: answer for i in range(12)}))
    check_interview(session)
    keys = [t.followup or "" for t in session.transcript.turns if t.kind is TurnKind.FOLLOWUP]
    assert not [k for k in keys if k.startswith("plain:")]
    assert keys, "the ML expert should still follow up on the thin answer, just not on jargon"


# --- declines, empty answers, limits --------------------------------------------------------


@pytest.mark.parametrize("decline", ["I don't know.", "Pass.", "Sorry, no idea."])
def test_a_decline_after_a_follow_up_moves_on_and_the_probe_never_returns(
    data: Settings, decline: str
) -> None:
    session = new_session(data, "backend_engineer", questions=3, seed=0)
    q = session.current_question
    assert q is not None
    probe = session.submit(THIN[q.id])[0]
    assert probe.kind is TurnKind.FOLLOWUP and probe.followup

    turns = session.submit(decline)
    assert [t.kind for t in turns] == [TurnKind.QUESTION]
    assert turns[0].question_id != q.id
    assert turns[0].text.startswith(tuple(session.persona.phrases.decline)), turns[0].text

    play(session, Candidate())
    check_interview(session)
    keys = [t.followup for t in session.transcript.turns if t.kind is TurnKind.FOLLOWUP]
    assert keys.count(probe.followup) == 1
    assert [t.question_id for t in session.transcript.turns if t.kind is TurnKind.QUESTION].count(
        q.id
    ) == 1


def test_a_decline_of_the_main_question_moves_on_at_once(data: Settings) -> None:
    session = new_session(data, "recruiter", questions=3, seed=1)
    q = session.current_question
    turns = session.submit("Honestly, I don't know.")
    assert [t.kind for t in turns] == [TurnKind.QUESTION]
    assert q is not None and turns[0].question_id != q.id


@pytest.mark.parametrize("bad", ["", "   ", GIBBERISH])
def test_an_empty_or_gibberish_answer_gets_one_retry_then_moves_on(
    data: Settings, bad: str
) -> None:
    session = new_session(data, "recruiter", questions=3, seed=1)
    q = session.current_question
    assert q is not None
    retry = session.submit(bad)
    assert [t.kind for t in retry] == [TurnKind.RETRY]
    assert retry[0].question_id == q.id and retry[0].text in session.persona.phrases.retry
    assert session.current_question == q

    turns = session.submit(bad)
    assert [t.kind for t in turns] == [TurnKind.QUESTION]
    assert turns[0].question_id != q.id


def test_after_a_retry_a_real_answer_is_judged_normally(data: Settings) -> None:
    session = new_session(data, "recruiter", questions=3, seed=1)
    q = session.current_question
    assert q is not None
    assert session.submit(GIBBERISH)[0].kind is TurnKind.RETRY
    turns = session.submit(STRONG[q.id])
    assert [t.kind for t in turns] == [TurnKind.QUESTION]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_follow_up_limit_binds_on_answers_that_stay_thin(data: Settings, persona: str) -> None:
    session = new_session(data, persona, questions=3, seed=4)
    play(session, Candidate(thin=True))
    check_interview(session)
    limit = session.persona.followups.max_per_question
    counts = [
        sum(t.kind is TurnKind.FOLLOWUP for t in group)
        for group in by_question(session.transcript.turns).values()
    ]
    assert max(counts) == limit, counts


@pytest.mark.parametrize("limit", [0, 1])
def test_a_persona_file_with_a_lower_follow_up_limit_is_respected(
    data: Settings, tmp_path: Path, limit: int
) -> None:
    personas_dir = tmp_path / "personas"
    shutil.copytree(data.personas_dir, personas_dir)
    path = personas_dir / "recruiter.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["followups"]["max_per_question"] = limit
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    settings = data.model_copy(update={"personas_dir": personas_dir})

    session = new_session(settings, "recruiter", questions=3, seed=2)
    assert session.persona.followups.max_per_question == limit
    play(session, Candidate(thin=True))
    check_interview(session)
    counts = [
        sum(t.kind is TurnKind.FOLLOWUP for t in group)
        for group in by_question(session.transcript.turns).values()
    ]
    assert max(counts) == limit, counts


# --- skip, end, time limit ------------------------------------------------------------------


def test_skip_records_the_skip_and_asks_a_new_question(data: Settings) -> None:
    session = new_session(data, "backend_engineer", questions=2, seed=1)
    first = session.current_question
    assert first is not None
    turns = session.skip()
    assert [t.kind for t in turns] == [TurnKind.QUESTION]
    assert turns[0].question_id != first.id
    assert turns[0].text.startswith(tuple(session.persona.phrases.decline))
    skip = session.transcript.turns[-2]
    assert (skip.role, skip.kind, skip.question_id) == (Role.CANDIDATE, TurnKind.SKIP, first.id)
    assert sig(on_disk(session)) == sig(session.transcript.turns)

    closing = session.skip()  # the last question: skipping it ends the interview
    assert [t.kind for t in closing] == [TurnKind.CLOSING] and session.finished
    assert session.skip() == []
    check_interview(session)


def test_skip_after_a_follow_up_leaves_the_question(data: Settings) -> None:
    session = new_session(data, "backend_engineer", questions=3, seed=0)
    q = session.current_question
    assert q is not None
    assert session.submit(THIN[q.id])[0].kind is TurnKind.FOLLOWUP
    turns = session.skip()
    assert [t.kind for t in turns] == [TurnKind.QUESTION] and turns[0].question_id != q.id


def test_end_closes_the_interview_and_no_more_answers_are_taken(data: Settings) -> None:
    session = new_session(data, "recruiter", questions=5, seed=1)
    session.submit(Candidate().answer(session))
    turns = session.end()
    assert [t.kind for t in turns] == [TurnKind.CLOSING]
    assert session.finished and session.last_prompt == turns[0]
    with pytest.raises(SessionFinishedError):
        session.submit("One more thing I wanted to add about the project.")
    assert session.end() == [] and session.skip() == []
    assert session.start() == [turns[0]]  # re-shows the closing, adds nothing
    check_interview(session)

    resumed = InterviewSession.resume(data, session.session_id)
    assert resumed.finished
    assert resumed.start() == [session.transcript.turns[-1]]
    with pytest.raises(SessionFinishedError):
        resumed.submit("Hello again?")
    assert len(on_disk(resumed)) == len(session.transcript.turns)


def test_submit_before_start_is_refused(data: Settings) -> None:
    session = InterviewSession.create(data, "recruiter", SessionConfig(questions=2, seed=1))
    with pytest.raises(RuntimeError, match="start"):
        session.submit("An answer before any question.")


def test_the_time_limit_closes_after_the_current_question(
    data: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(session_module, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    session = InterviewSession.create(
        data, "ml_expert", SessionConfig(questions=5, seed=0, minutes=10)
    )
    session.start()
    q = session.current_question
    assert q is not None
    clock[0] += 11 * 60
    turns = session.submit(STRONG[q.id])
    assert [t.kind for t in turns] == [TurnKind.CLOSING] and session.finished


# --- persistence and resuming ---------------------------------------------------------------


def test_each_answer_and_reply_is_on_disk_when_submit_returns(data: Settings) -> None:
    session = new_session(data, "backend_engineer", questions=3, seed=5)
    candidate = Candidate(overrides={3: GIBBERISH})
    while not session.finished:
        answer = candidate.answer(session)
        turns = session.submit(answer)
        disk = on_disk(session)
        tail = disk[-(len(turns) + 1) :]
        assert (tail[0].role, tail[0].kind, tail[0].text) == (
            Role.CANDIDATE,
            TurnKind.ANSWER,
            answer,
        )
        assert sig(tail[1:]) == sig(turns)
        assert sig(disk) == sig(session.transcript.turns)
    check_interview(session)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_session_resumed_after_every_answer_says_exactly_what_the_original_says(
    data: Settings, persona: str
) -> None:
    original = new_session(data, persona, questions=3, seed=2)
    copy = new_session(data, persona, questions=3, seed=2)
    candidate = Candidate(overrides={1: "I don't know.", 3: GIBBERISH})
    while not original.finished:
        answer = candidate.answer(original)
        said = original.submit(answer)
        copy = InterviewSession.resume(data, copy.session_id)  # a fresh process, every time
        assert sig(copy.submit(answer)) == sig(said)
        assert copy.current_question == original.current_question
    copy = InterviewSession.resume(data, copy.session_id)
    assert copy.finished
    assert sig(copy.transcript.turns) == sig(original.transcript.turns)
    check_interview(copy)


def test_resume_continues_with_the_question_the_original_would_ask(data: Settings) -> None:
    original = new_session(data, "recruiter", questions=3, seed=1)
    q = original.current_question
    assert q is not None
    original.submit(STRONG[q.id])  # moves on to question 2
    resumed = InterviewSession.resume(data, original.session_id)
    assert resumed.question_number == 2
    assert resumed.current_question == original.current_question
    assert resumed.start() == [original.transcript.turns[-1]]  # re-shown, not asked again
    assert len(on_disk(resumed)) == len(original.transcript.turns)

    # The next question after resuming is the one the uninterrupted session asks.
    answer = "I don't know."
    original_next = original.submit(answer)
    resumed_next = resumed.submit(answer)
    assert sig(resumed_next) == sig(original_next)


def test_resuming_after_a_saved_answer_replies_without_repeating_the_answer(
    data: Settings,
) -> None:
    original = new_session(data, "backend_engineer", questions=3, seed=5)
    play(original, Candidate(overrides={2: "Pass."}))
    turns = original.transcript.turns
    answered = [i for i, t in enumerate(turns) if t.kind is TurnKind.ANSWER]
    assert len(answered) >= 3
    store = SessionStore(data.data_dir / "sessions")
    header = original.transcript.model_copy(update={"turns": []})
    for i in answered:
        # The process died right after the answer at turn i was saved.
        sid = new_session_id("backend_engineer")
        store.create(header.model_copy(update={"session_id": sid, "turns": turns[:i]}))
        store.append(sid, turns[i])
        resumed = InterviewSession.resume(data, sid)
        assert not resumed.finished
        reply = resumed.start()
        assert reply, f"no reply after the saved answer at turn {i}"
        assert sig(reply) == sig(turns[i + 1 : i + 1 + len(reply)])
        disk = read_transcript(store.path(sid)).turns
        assert [t.text for t in disk if t.kind is TurnKind.ANSWER] == [
            t.text for t in turns[: i + 1] if t.kind is TurnKind.ANSWER
        ]
        assert sig(disk) == sig(turns[: i + 1 + len(reply)])


def test_a_torn_last_line_is_tolerated_on_resume(data: Settings) -> None:
    session = new_session(data, "backend_engineer", questions=3, seed=5)
    session.submit(Candidate().answer(session))
    before = session.transcript.turns
    path = session.store.path(session.session_id)
    with path.open("a", encoding="utf-8") as f:
        f.write('{"type": "turn", "index": 4, "role": "candidate", "kind": "answer", "te')
    resumed = InterviewSession.resume(data, session.session_id)
    assert sig(resumed.transcript.turns) == sig(before)
    assert resumed.start() == [before[-1]]
    assert resumed.question_number == session.question_number
    assert resumed.current_question == session.current_question


def test_answers_given_after_resuming_a_torn_transcript_stay_readable(data: Settings) -> None:
    session = new_session(data, "backend_engineer", questions=3, seed=5)
    session.submit(Candidate().answer(session))
    path = session.store.path(session.session_id)
    with path.open("a", encoding="utf-8") as f:
        f.write('{"type": "turn", "index": 4, "role": "candidate", "kind": "answer", "te')
    resumed = InterviewSession.resume(data, session.session_id)
    resumed.start()
    answer = "The weights are a versioned artifact, like a build output you can roll back."
    resumed.submit(answer)
    resumed.submit("I don't know.")
    again = InterviewSession.resume(data, session.session_id)
    assert answer in [t.text for t in again.transcript.turns]


def test_resuming_after_a_saved_skip_moves_on(data: Settings) -> None:
    original = new_session(data, "recruiter", questions=3, seed=2)
    q = original.current_question
    assert q is not None
    expected = original.skip()  # what an uninterrupted session says after the skip
    turns = original.transcript.turns
    skip_at = next(i for i, t in enumerate(turns) if t.kind is TurnKind.SKIP)
    store = SessionStore(data.data_dir / "sessions")
    sid = new_session_id("recruiter")
    header = original.transcript.model_copy(update={"session_id": sid, "turns": turns[:skip_at]})
    store.create(header)
    store.append(sid, turns[skip_at])
    reply = InterviewSession.resume(data, sid).start()
    assert [t.kind for t in reply] == [TurnKind.QUESTION]
    assert sig(reply) == sig(expected)


# --- the report -----------------------------------------------------------------------------


def test_the_report_is_written_next_to_the_transcript_and_covers_every_answer(
    data: Settings,
) -> None:
    session = new_session(data, "recruiter", questions=3, seed=1)
    session.submit(Candidate().answer(session))
    session.skip()
    play(session, Candidate())
    check_interview(session)

    report, written = session.report()
    folder = session.store.folder(session.session_id)
    assert set(written) == {"md", "html", "json"}
    for fmt, path in written.items():
        assert path == folder / f"report.{fmt}" and path.stat().st_size > 0

    answered: dict[str, list[str]] = {}
    for t in session.transcript.turns:
        if t.kind is TurnKind.ANSWER and t.question_id:
            answered.setdefault(t.question_id, []).append(t.text)
    asked = [t.question_id for t in session.transcript.turns if t.kind is TurnKind.QUESTION]
    assert [q.question_id for q in report.questions] == asked
    for q in report.questions:
        assert q.answers == answered.get(q.question_id or "", [])
    assert [q.skipped for q in report.questions] == [False, True, False]
    assert report.session_id == session.session_id and report.persona == "recruiter"

    stored = json.loads(written["json"].read_text(encoding="utf-8"))
    assert [q["question_id"] for q in stored["questions"]] == asked
    markdown = written["md"].read_text(encoding="utf-8")
    pack = runtime.pack(data)
    for qid in asked:
        assert qid is not None and pack.questions[qid].text in markdown
