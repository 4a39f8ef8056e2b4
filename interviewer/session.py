"""InterviewSession: the turn loop. No UI and no audio in here.

    session = InterviewSession.create(settings, "recruiter", SessionConfig(questions=5))
    for turn in session.start(): show(turn.text)
    while not session.finished:
        for turn in session.submit(read_answer()): show(turn.text)
    report = session.report()

Every turn is appended to the session's transcript (fsynced) before the next one is produced.
The engine's state is never stored separately: it is replayed from the transcript, so a session
resumes exactly where the file ends, whatever killed the process.
"""

from __future__ import annotations

import atexit
import contextlib
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from interviewer import runtime
from interviewer.analysis import Analyzer, Target, target_for
from interviewer.analysis.evidence import check_evidence
from interviewer.brains.base import Brain, PhraseRequest, TurnIntent
from interviewer.brains.offline import OfflineBrain, sentences_of
from interviewer.config import Settings
from interviewer.followup import Action, ActionKind, QuestionState, decide, is_decline
from interviewer.report import build_report, write_report
from interviewer.retrieval import Retriever
from interviewer.schema import (
    Analysis,
    Answer,
    Category,
    Dimension,
    KnowledgePack,
    Narrative,
    Passage,
    Persona,
    Question,
    Report,
    RewriteAdvice,
    Role,
    SessionConfig,
    Transcript,
    Turn,
    TurnKind,
)
from interviewer.store import SessionStore, new_session_id

_WARMING: list[threading.Thread] = []


@atexit.register
def _join_warm_ups() -> None:
    for thread in _WARMING:
        thread.join(timeout=60)


#: Depth at which the next question gets harder, and below which it gets easier.
HARDER_AT = 4.0
EASIER_AT = 2.5


class SessionFinishedError(RuntimeError):
    """The interview is over; no more answers are taken."""


class StreamSink(Protocol):
    """Receives an interviewer turn as it is generated (for interfaces that show it live)."""

    def token(self, text: str) -> None: ...

    def reset(self) -> None:
        """Discard what was streamed: the turn is being rephrased offline."""
        ...


def make_brain(settings: Settings, config: SessionConfig) -> Brain:
    """The brain a session asked for: the language model when chosen and configured."""
    if config.brain == "llm":
        from interviewer.brains.llm import LLMBrain

        return LLMBrain(settings)
    return OfflineBrain(config.seed)


@dataclass
class _Replay:
    """Engine state, rebuilt from the transcript."""

    questions: list[QuestionState] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    finished: bool = False
    last_interviewer: Turn | None = None
    last_followup: str | None = None
    pending: bool = False  # an answer was saved but the interviewer has not replied yet
    pending_skip: bool = False  # the saved turn was a skip: continue with the next question
    declined_previous: bool = False


class InterviewSession:
    """One interview with one persona; state lives in the transcript file."""

    def __init__(
        self,
        settings: Settings,
        transcript: Transcript,
        persona: Persona,
        store: SessionStore,
        brain: Brain | None = None,
        analyzer: Analyzer | None = None,
        retriever: Retriever | None = None,
    ) -> None:
        self.settings = settings
        self.transcript = transcript
        self.persona = persona
        self.store = store
        self.config = transcript.config or SessionConfig()
        self.brain: Brain = brain or make_brain(settings, self.config)
        self.fallback = OfflineBrain(self.config.seed)
        self.sink: StreamSink | None = None
        self.pack: KnowledgePack = runtime.pack(settings)
        self._analyzer = analyzer
        self.retriever = retriever
        self._state = self._replay()
        self._started = time.monotonic()
        self.notices: list[str] = []  # short messages for the interface (e.g. a brain fallback)
        self._note_thread: threading.Thread | None = None

    # --- construction ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        settings: Settings,
        persona_id: str,
        config: SessionConfig | None = None,
        candidate: str | None = None,
        brain: Brain | None = None,
        session_id: str | None = None,
    ) -> InterviewSession:
        """A new session, with its transcript file created on disk."""
        persona = runtime.persona(settings, persona_id)
        config = config or SessionConfig()
        transcript = Transcript(
            session_id=session_id or new_session_id(persona.id),
            persona=persona.id,
            started_at=datetime.now(UTC),
            candidate=candidate,
            config=config,
        )
        store = SessionStore(settings.data_dir / "sessions")
        store.create(transcript)
        return cls(settings, transcript, persona, store, brain, retriever=_retriever(settings))

    @classmethod
    def resume(
        cls, settings: Settings, session_id: str, brain: Brain | None = None
    ) -> InterviewSession:
        """Reopen a session from its transcript file."""
        store = SessionStore(settings.data_dir / "sessions")
        transcript = store.load(session_id)
        persona = runtime.persona(settings, transcript.persona)
        return cls(settings, transcript, persona, store, brain, retriever=_retriever(settings))

    @property
    def session_id(self) -> str:
        return self.transcript.session_id

    @property
    def analyzer(self) -> Analyzer:
        if self._analyzer is None:
            self._analyzer = runtime.analyzer(self.settings)
        return self._analyzer

    # --- state ----------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self._state.finished

    @property
    def question_number(self) -> int:
        return len(self._state.questions)

    @property
    def total_questions(self) -> int:
        return self.config.questions

    @property
    def current_question(self) -> Question | None:
        if not self._state.questions:
            return None
        return self.pack.questions.get(self._state.questions[-1].question_id)

    @property
    def last_prompt(self) -> Turn | None:
        """The interviewer's latest turn (what the candidate is answering)."""
        return self._state.last_interviewer

    def _replay(self) -> _Replay:
        st = _Replay()
        for turn in self.transcript.turns:
            if turn.kind is TurnKind.NOTE:
                continue
            if turn.role is Role.INTERVIEWER:
                st.used.update(sentences_of(turn.text))
                if turn.kind is TurnKind.QUESTION and turn.question_id:
                    st.questions.append(QuestionState(turn.question_id))
                    st.declined_previous = False
                elif turn.kind is TurnKind.FOLLOWUP and st.questions and turn.followup:
                    st.questions[-1].followups.append(turn.followup)
                elif turn.kind is TurnKind.RETRY and st.questions:
                    st.questions[-1].retries += 1
                elif turn.kind is TurnKind.CLOSING:
                    st.finished = True
                if turn.kind is not TurnKind.NOTICE:
                    st.last_interviewer = turn
                    st.last_followup = turn.followup if turn.kind is TurnKind.FOLLOWUP else None
                    st.pending = False
            elif st.questions:
                q = st.questions[-1]
                st.pending_skip = turn.kind is TurnKind.SKIP
                if turn.kind is TurnKind.SKIP:
                    q.skipped = True
                    st.declined_previous = True
                elif turn.kind is TurnKind.ANSWER:
                    q.answers.append(turn.text)
                    gate = check_evidence(turn.text)
                    declined = gate.status.value == "declined"
                    if declined and st.last_followup:
                        q.declined.add(st.last_followup)
                    st.declined_previous = declined
                st.pending = True
        return st

    def _append(self, turn: Turn) -> Turn:
        self.store.append(self.session_id, turn)  # on disk before anything else happens
        self.transcript.turns.append(turn)
        if turn.role is Role.INTERVIEWER and turn.kind is not TurnKind.NOTE:
            self._state.used.update(sentences_of(turn.text))
        return turn

    def _new_turn(self, role: Role, kind: TurnKind, text: str, **extra: object) -> Turn:
        return Turn(
            index=len(self.transcript.turns),
            role=role,
            kind=kind,
            text=text,
            at=datetime.now(UTC),
            **extra,
        )

    def warm_up(self) -> None:
        """Load the models and embed this persona's questions now, so answers are quick later."""
        pool = [q for q in self.pack.questions.values() if self.persona.id in q.personas]
        self.analyzer.warm([target_for(q) for q in pool])
        if self.retriever is not None:
            try:
                self.retriever.passages("warm up", k=1)
            except Exception:
                self.retriever = None

    def warm_up_in_background(self) -> threading.Thread:
        """Warm up in a thread (the candidate reads meanwhile); joined at exit, because a
        thread still inside the model when the interpreter stops aborts the process."""
        thread = threading.Thread(target=self._safe_warm_up, daemon=True)
        _WARMING.append(thread)
        thread.start()
        return thread

    def _safe_warm_up(self) -> None:
        with contextlib.suppress(Exception):  # the first answer will load the models instead
            self.warm_up()

    # --- the loop -------------------------------------------------------------------------------

    def start(self) -> list[Turn]:
        """Open the interview (greeting, first question), or on resume re-show where it stands."""
        self.wait_for_notes()
        if self.finished:
            return [t for t in self.transcript.turns if t.kind is TurnKind.CLOSING][-1:]
        if not self.transcript.turns:
            greeting = self._say(TurnIntent.GREETING)
            turns = [self._append(self._new_turn(Role.INTERVIEWER, TurnKind.GREETING, greeting))]
            return turns + self._ask_next()
        if self._state.pending:
            self._state.pending = False
            if self._state.pending_skip:
                return self._close_question_and_continue()
            return self._advance()
        return [self._state.last_interviewer] if self._state.last_interviewer else self._ask_next()

    def submit(self, answer: str | Answer) -> list[Turn]:
        """Record the candidate's answer, then produce the interviewer's next turn(s)."""
        if self.finished:
            raise SessionFinishedError("the interview has finished; see the report")
        if not self._state.questions:
            raise RuntimeError("call start() before submitting answers")
        self.wait_for_notes()
        answer = answer if isinstance(answer, Answer) else Answer(text=answer)
        q = self._state.questions[-1]
        turn = self._new_turn(
            Role.CANDIDATE,
            TurnKind.ANSWER,
            answer.text,
            question_id=q.question_id,
            words=answer.words,
            duration=answer.duration,
        )
        self._append(turn)
        q.answers.append(answer.text)
        self._state.pending = True
        turns = self._advance(answer)
        self._note_later(q.question_id, answer.text)
        return turns

    def _note_later(self, question_id: str, text: str) -> None:
        """A language-model brain keeps a private note per answer, for the report only.

        The note is written in the background once the next interviewer turn is out, so the
        candidate reads the question while the model writes it (a second model round trip would
        otherwise double the wait); every entry point waits for it before changing the session."""
        note = getattr(self.brain, "note", None)
        if note is None or not text.strip():
            return
        self._note_thread = threading.Thread(
            target=self._take_note, args=(note, question_id, text), name="note", daemon=True
        )
        self._note_thread.start()

    def wait_for_notes(self) -> None:
        """Wait until the private note on the latest answer is on disk (or has failed)."""
        thread, self._note_thread = self._note_thread, None
        if thread is not None:
            thread.join()

    def _take_note(self, note: Any, question_id: str, text: str) -> None:
        question = self.pack.questions.get(question_id)
        try:
            written = note(self.persona, question.text if question else "", text)
        except Exception:
            return  # a note is a nicety: the interview goes on without it
        self._append(
            self._new_turn(Role.INTERVIEWER, TurnKind.NOTE, str(written), question_id=question_id)
        )

    def skip(self) -> list[Turn]:
        """Skip the current question."""
        self.wait_for_notes()
        if self.finished or not self._state.questions:
            return []
        q = self._state.questions[-1]
        self._append(self._new_turn(Role.CANDIDATE, TurnKind.SKIP, "", question_id=q.question_id))
        q.skipped = True
        self._state.declined_previous = True
        return self._close_question_and_continue()

    def end(self) -> list[Turn]:
        """Finish now (the candidate asked to stop)."""
        self.wait_for_notes()
        if self.finished:
            return []
        return [self._closing()]

    def _advance(self, answer: Answer | None = None) -> list[Turn]:
        """Decide and phrase the next interviewer turn after the latest answer."""
        q = self._state.questions[-1]
        question = self.pack.questions.get(q.question_id)
        text = answer.text if answer is not None else (q.answers[-1] if q.answers else "")
        target = target_for(question) if question else Target(q.question_id, "", ())
        earlier = ["\n".join(s.answers) for s in self._state.questions[:-1] if s.answers]
        last = self.analyzer.analyze(answer or Answer(text=text), target, self.persona, earlier)
        combined = self._combined(q, target, earlier)
        if is_decline(last, text) and self._state.last_followup:
            q.declined.add(self._state.last_followup)
        self._state.declined_previous = is_decline(last, text)
        action = decide(self.persona, question, q, combined, last, text)
        self._state.pending = False
        if action.kind is ActionKind.RETRY:
            q.retries += 1
            say = self._say(TurnIntent.RETRY, question=question)
            return [
                self._append(
                    self._new_turn(Role.INTERVIEWER, TurnKind.RETRY, say, question_id=q.question_id)
                )
            ]
        if action.kind is ActionKind.NEXT:
            return self._close_question_and_continue()
        return [self._follow_up(q, question, action)]

    def _combined(self, q: QuestionState, target: Target, earlier: list[str]) -> Analysis:
        text = "\n".join(a for a in q.answers if a.strip())
        return self.analyzer.analyze(Answer(text=text), target, self.persona, earlier)

    def _follow_up(self, q: QuestionState, question: Question | None, action: Action) -> Turn:
        q.followups.append(action.key)
        say = self._say(TurnIntent.FOLLOWUP, question=question, action=action)
        turn = self._new_turn(
            Role.INTERVIEWER, TurnKind.FOLLOWUP, say, question_id=q.question_id, followup=action.key
        )
        self._state.last_followup = action.key
        self._state.last_interviewer = turn
        return self._append(turn)

    def _close_question_and_continue(self) -> list[Turn]:
        out_of_time = (
            self.config.minutes is not None
            and time.monotonic() - self._started > self.config.minutes * 60
        )
        if len(self._state.questions) >= self.config.questions or out_of_time:
            return [self._closing()]
        return self._ask_next()

    def _ask_next(self) -> list[Turn]:
        question = self._choose_question()
        if question is None:
            return [self._closing()]
        passages = self._passages(question)
        self._state.questions.append(QuestionState(question.id))
        say = self._say(TurnIntent.QUESTION, question=question, passages=passages)
        turn = self._new_turn(Role.INTERVIEWER, TurnKind.QUESTION, say, question_id=question.id)
        self._state.last_interviewer = turn
        self._state.last_followup = None
        return [self._append(turn)]

    def _closing(self) -> Turn:
        say = self._say(TurnIntent.CLOSING)
        turn = self._append(self._new_turn(Role.INTERVIEWER, TurnKind.CLOSING, say))
        self._state.finished = True
        self._state.last_interviewer = turn
        return turn

    def _say(
        self,
        intent: TurnIntent,
        question: Question | None = None,
        action: Action | None = None,
        passages: tuple[Passage, ...] = (),
    ) -> str:
        request = PhraseRequest(
            intent=intent,
            persona=self.persona,
            question=question,
            action=action,
            passages=passages,
            last_answer=self._last_answer(),
            previous_declined=self._state.declined_previous,
            number=len(self._state.questions),
            total=self.config.questions,
            candidate=self.transcript.candidate,
            used=frozenset(self._state.used),
        )
        text = ""
        begin = getattr(self.sink, "begin", None)
        if begin is not None:
            begin(intent, len(self._state.questions), self.config.questions)
        try:
            if self.sink is not None:
                pieces = []
                for piece in self.brain.stream(request):
                    pieces.append(piece)
                    self.sink.token(piece)
                text = "".join(pieces).strip()
            else:
                text = self.brain.phrase(request).strip()
        except Exception as exc:  # a brain must never stop the interview
            reason = str(exc).split("\n")[0][:160] or type(exc).__name__
            usage = getattr(self.brain, "usage", None)
            if usage is not None:
                usage.offline_turns += 1
            later = (
                "it will be tried again after a pause"
                if "paused" in reason
                else "the next one tries the model again"
            )
            self.notices.append(
                f"The language model did not answer ({reason}); this turn uses the built-in "
                f"interviewer, and {later}."
            )
            if self.sink is not None:
                self.sink.reset()
            text = ""
        if not text:
            text = self.fallback.phrase(request)
            if self.sink is not None:
                self.sink.token(text)
        return text

    def _last_answer(self) -> str | None:
        for turn in reversed(self.transcript.turns):
            if turn.role is Role.CANDIDATE and turn.kind is TurnKind.ANSWER:
                return turn.text
        return None

    # --- choosing questions ---------------------------------------------------------------------

    def _category_plan(self) -> list[Category]:
        """A spread of categories in proportion to the persona's weights (smooth round-robin)."""
        weights = {c: w for c, w in self.persona.categories.items() if w > 0}
        order = sorted(weights, key=lambda c: c.value)
        random.Random(self.config.seed).shuffle(order)
        current = dict.fromkeys(order, 0.0)
        total = sum(weights.values())
        plan: list[Category] = []
        for _ in range(self.config.questions + 10):
            for c in order:
                current[c] += weights[c]
            best = max(order, key=lambda c: current[c])
            current[best] -= total
            plan.append(best)
        return plan

    def _target_difficulty(self) -> int:
        difficulty = 1
        for q in self._state.questions:
            if not q.answers:
                continue
            question = self.pack.questions.get(q.question_id)
            if question is None:
                continue
            analysis = self.analyzer.analyze(
                Answer(text="\n".join(q.answers)), target_for(question), self.persona
            )
            depth = analysis.scores[Dimension.DEPTH].value
            if depth is None or depth <= EASIER_AT:
                difficulty = max(1, difficulty - 1)
            elif depth >= HARDER_AT:
                difficulty = min(3, difficulty + 1)
            else:
                difficulty = max(difficulty, 2)
        return difficulty

    def _choose_question(self) -> Question | None:
        asked = {q.question_id for q in self._state.questions}
        asked_sections = {
            self.pack.questions[q].sections[0] for q in asked if q in self.pack.questions
        }
        pool = [
            q
            for q in self.pack.questions.values()
            if self.persona.id in q.personas
            and q.id not in asked
            and q.category in self.persona.categories
        ]
        fresh = [q for q in pool if q.sections[0] not in asked_sections] or pool
        if not fresh:
            return None
        n = len(self._state.questions)
        category = self._category_plan()[n]
        in_category = [q for q in fresh if q.category == category] or fresh
        difficulty = self._target_difficulty() if n else 1
        rng = random.Random(f"{self.config.seed}|{n}")
        rank = {q.id: rng.random() for q in in_category}  # seeded tie-break
        query = self._last_answer()
        if self.retriever is not None and query:
            try:
                hits = self.retriever.nearest_questions(
                    query,
                    k=len(in_category),
                    persona=self.persona.id,
                    category=category.value,
                    exclude=asked,
                )
                for i, hit in enumerate(hits):
                    if hit.question_id in rank:
                        rank[hit.question_id] = i / max(1, len(hits))  # related to what was said
            except Exception:  # retrieval is an aid to choosing, never a reason to stop
                pass
        return min(in_category, key=lambda q: (abs(q.difficulty - difficulty), rank[q.id]))

    def _passages(self, question: Question) -> tuple[Passage, ...]:
        """Guide passages to ground the question: searched when the brain can use the text,
        otherwise the question's own guide section (no model needed, so the first question
        appears before any model has loaded)."""
        if self.retriever is None or not getattr(self.brain, "wants_passages", False):
            section = self.pack.sections.get(question.sections[0])
            if section is None:
                return ()
            return (
                Passage(
                    text=section.body[:800],
                    section_id=section.meta.id,
                    section_title=section.meta.title,
                    topic=section.meta.topic.value,
                    source=section.path,
                    score=1.0,
                ),
            )
        try:
            hits = self.retriever.passages(question.text, k=2, persona=self.persona.id)
        except Exception:
            return ()
        preferred = [p for p in hits if p.section_id in question.sections]
        return tuple(preferred or hits)[:1]

    # --- the end --------------------------------------------------------------------------------

    def report(self, write: bool = True) -> tuple[Report, dict[str, Path]]:
        """The feedback report, written into the session folder (md, html, json)."""
        self.wait_for_notes()
        report = build_report(self.transcript, self.pack, self.persona, self.analyzer)
        report = self._enrich(report)
        written: dict[str, Path] = {}
        if write:
            written = write_report(report, self.store.folder(self.session_id))
        return report, written

    def _enrich(self, report: Report) -> Report:
        """With a language-model brain: its narrative, optional second opinions, and usage.

        The model writes words around the measurements; it never changes a score."""
        from interviewer.report.build import digest, second_opinions

        if getattr(self.brain, "narrative", None) is None:
            return report
        brain: Any = self.brain
        notes = [t.text for t in self.transcript.turns if t.kind is TurnKind.NOTE]
        update: dict[str, Any] = {}
        try:
            reply = brain.narrative(digest(report, notes))
            update["narrative"] = Narrative(
                summary=reply.summary,
                rewrites=[RewriteAdvice(**r.model_dump()) for r in reply.rewrites],
            )
        except Exception as exc:
            failed = f"No written summary: the language model failed ({exc})."
            update["notes"] = [*report.notes, failed]
        if self.settings.llm_second_opinion:
            update["questions"] = second_opinions(report, self.pack, brain)
        usage = getattr(brain, "usage", None)
        if usage is not None:
            update["appendix"] = {**report.appendix, **usage.appendix()}
        return report.model_copy(update=update)


def _retriever(settings: Settings) -> Retriever | None:
    from interviewer.vectorstore import index_exists

    return Retriever(settings) if index_exists(settings) else None
