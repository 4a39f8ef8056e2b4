"""The brain interface: who phrases the interviewer's turns.

The session engine decides *what* happens (which question, which follow-up); a brain turns that
decision into words. The offline brain uses templates; a language-model brain can be swapped in
without touching the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from interviewer.followup import Action
from interviewer.schema import Passage, Persona, Question


class TurnIntent(StrEnum):
    GREETING = "greeting"
    QUESTION = "question"
    FOLLOWUP = "followup"
    RETRY = "retry"
    CLOSING = "closing"


@dataclass(frozen=True)
class PhraseRequest:
    """Everything a brain may use to phrase one interviewer turn."""

    intent: TurnIntent
    persona: Persona
    question: Question | None = None
    action: Action | None = None
    passages: tuple[Passage, ...] = ()
    last_answer: str | None = None
    previous_declined: bool = False
    number: int = 0  # question number, 1-based
    total: int = 0
    candidate: str | None = None
    used: frozenset[str] = field(default_factory=frozenset)  # sentences already said


class Brain(Protocol):
    """Phrases interviewer turns. `phrase` must always return usable text."""

    name: str

    def phrase(self, request: PhraseRequest) -> str: ...

    def stream(self, request: PhraseRequest) -> Iterator[str]:
        """The same text in pieces, for interfaces that show words as they arrive."""
        ...
