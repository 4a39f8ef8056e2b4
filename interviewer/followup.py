"""The follow-up policy: after an answer, what does the interviewer do next?

It decides *what* to ask; a brain decides *how* to say it. The policy reads the analysis of
everything the candidate has said on the current question, so a point covered after a follow-up
counts, and it never asks the same probe twice or returns to one the candidate declined.

Priority, for an answer that can be judged:
1. a technical term the audience would not follow (backend engineer, recruiter): plain words;
2. the question's most important talking point, when the answer missed it (even a good answer);
3. a missing STAR part in a story (the action and the result first);
4. the other missed talking points, in order of importance, unless the answer was strong;
5. a concrete example when the answer stayed abstract;
6. otherwise move on. Also move on after the persona's follow-up limit, after a good answer,
   and after a decline. An empty or unreadable answer is asked again once, then left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from interviewer.analysis.scoring import BANDS
from interviewer.schema import (
    Analysis,
    Dimension,
    EvidenceStatus,
    Persona,
    Question,
    ScoreStatus,
    TalkingPoint,
)

GOOD = BANDS[1][0]
STRONG = BANDS[0][0]
STAR_ORDER = ("action", "result", "situation", "task")


class ActionKind(StrEnum):
    PROBE = "probe"  # a missing talking point
    EXAMPLE = "example"  # ask for a concrete example with numbers
    PLAIN_WORDS = "plain"  # explain a term for this audience
    STAR = "star"  # a missing part of a story
    ELABORATE = "elaborate"  # the answer was too thin to judge
    RETRY = "retry"  # nothing usable came through: ask again once
    NEXT = "next"  # move on to the next question


@dataclass(frozen=True)
class Action:
    """What the interviewer does next. `key` identifies a follow-up so it is never repeated."""

    kind: ActionKind
    reason: str
    point: TalkingPoint | None = None
    term: str | None = None
    star_part: str | None = None

    @property
    def key(self) -> str:
        detail = self.point.id if self.point else self.term or self.star_part or ""
        return f"{self.kind.value}:{detail}" if detail else self.kind.value


@dataclass
class QuestionState:
    """What has happened so far on one question."""

    question_id: str
    followups: list[str] = field(default_factory=list)  # action keys, in order
    declined: set[str] = field(default_factory=set)
    retries: int = 0
    answers: list[str] = field(default_factory=list)
    skipped: bool = False

    @property
    def asked(self) -> set[str]:
        return set(self.followups)


_DECLINE_FOLLOWUP = re.compile(
    r"^\W*(?:(?:no|nope|nothing(?: more)?|not really)\b\W*)?(?:that'?s (?:it|all)\b\W*)?$",
    re.IGNORECASE,
)


def is_decline(analysis: Analysis, text: str) -> bool:
    """The candidate passed on this turn ("I don't know", "pass", "no, that's all")."""
    return analysis.status is EvidenceStatus.DECLINED or (
        bool(text.strip()) and bool(_DECLINE_FOLLOWUP.match(text.strip()))
    )


def decide(
    persona: Persona,
    question: Question | None,
    state: QuestionState,
    combined: Analysis,
    last: Analysis,
    last_text: str,
) -> Action:
    """The next action for the current question.

    `combined` is the analysis of all answers to this question so far; `last` of the latest.
    """
    policy = persona.followups
    if last.status in (EvidenceStatus.EMPTY, EvidenceStatus.GIBBERISH):
        if state.retries == 0:
            return Action(ActionKind.RETRY, f"nothing usable in the answer ({last.status.value})")
        return Action(ActionKind.NEXT, "still nothing usable after asking again")
    if is_decline(last, last_text):
        return Action(ActionKind.NEXT, "the candidate declined")
    if len(state.followups) >= policy.max_per_question:
        return Action(ActionKind.NEXT, f"follow-up limit ({policy.max_per_question}) reached")
    if combined.status is not EvidenceStatus.OK:
        if "elaborate" not in state.asked:
            return Action(ActionKind.ELABORATE, f"not enough to judge ({combined.status.value})")
        return Action(ActionKind.NEXT, "still too thin after asking for more")

    for action in _candidates(persona, question, combined, last, state):
        if action.key not in state.asked and action.key not in state.declined:
            return action
    return Action(ActionKind.NEXT, "the answer covered what this interviewer wanted")


def _value(analysis: Analysis, dim: Dimension) -> float | None:
    s = analysis.scores.get(dim)
    return s.value if s is not None and s.status is ScoreStatus.SCORED else None


def _candidates(
    persona: Persona,
    question: Question | None,
    combined: Analysis,
    last: Analysis,
    state: QuestionState,
) -> list[Action]:
    """Follow-ups worth asking, most important first."""
    policy = persona.followups
    out: list[Action] = []
    asked_plain = any(k.startswith(ActionKind.PLAIN_WORDS.value + ":") for k in state.followups)
    if policy.plain_words != "never" and not asked_plain:  # once per question is enough
        # A known technical term (glossary or acronym) this listener would not follow.
        for t in last.terms:
            if not t.familiar_to_audience and not t.explained and t.kind != "rare word":
                out.append(
                    Action(ActionKind.PLAIN_WORDS, f"'{t.term}' left unexplained", term=t.term)
                )
                break
    depth = _value(combined, Dimension.DEPTH)
    covered = {pc.point_id for pc in combined.points if pc.covered}
    missed = [tp for tp in question.talking_points if tp.id not in covered] if question else []
    # The most important point is worth a probe even in an otherwise good answer.
    top_missed = bool(missed) and question is not None and missed[0] is question.talking_points[0]
    if policy.probe_missing_points and top_missed and depth is not None:
        out.append(Action(ActionKind.PROBE, f"missed: {missed[0].point}", point=missed[0]))
    structure = combined.scores.get(Dimension.STRUCTURE)
    if policy.star and structure is not None and structure.status is ScoreStatus.SCORED:
        present = {p for p in STAR_ORDER if structure.measurements.get(p)}
        for part in STAR_ORDER:
            if part not in present:
                out.append(Action(ActionKind.STAR, f"the story has no {part}", star_part=part))
                break
        else:
            if not structure.measurements.get("measurable_result"):
                out.append(Action(ActionKind.STAR, "the result has no number", star_part="result"))
    if policy.probe_missing_points and depth is not None and depth < STRONG:
        for tp in missed:  # ordered most important first
            out.append(Action(ActionKind.PROBE, f"missed: {tp.point}", point=tp))
    deepest = max((pc.level for pc in combined.points), default=0)
    if policy.ask_for_examples and depth is not None and depth < STRONG and deepest < 5:
        out.append(Action(ActionKind.EXAMPLE, "no concrete example or numbers"))
    return out
