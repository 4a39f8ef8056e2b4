"""The offline brain: phrases interviewer turns from templates, in the persona's tone.

Variety comes from combining a persona's variants (acknowledgements, transitions, grounding
sentences naming the guide section, follow-up wordings); a sentence already said in this session
is never said again. Choices are seeded by the session, so a replayed session says the same.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

from interviewer.brains.base import PhraseRequest, TurnIntent
from interviewer.followup import ActionKind
from interviewer.schema import Phrases

# Used when a persona file leaves a list empty: neutral wording that suits any interviewer.
DEFAULTS = Phrases(
    acknowledge=["Thanks.", "Okay.", "Got it.", "I see.", "Understood."],
    transition=["Next question.", "Let's move on.", "Different topic now.", "Here's another one."],
    context=["This one is about {section}.", "Now, {section}."],
    probe=[
        "How does {topic} fit into your answer?",
        "What role does {topic} play here?",
        "Could you say something about {topic}?",
    ],
    example=[
        "Can you give a concrete example, ideally with numbers?",
        "What did that look like in a real project?",
    ],
    plain_words=[
        "What does '{term}' mean, in plain words?",
        "Could you explain '{term}' without the jargon?",
    ],
    star_situation=["What was the situation?"],
    star_task=["What was your goal or responsibility?"],
    star_action=["What did you do yourself?"],
    star_result=["What was the result?"],
    elaborate=["Could you say more?", "Can you expand on that?"],
    retry=["I didn't catch an answer. Could you try again?"],
    decline=["No problem, let's move on.", "Okay, next one."],
)
_SENTENCES = re.compile(r"(?<=[.!?])\s+")


def sentences_of(text: str) -> list[str]:
    """The sentences of an interviewer turn (for the never-repeat rule)."""
    return [s.strip() for s in _SENTENCES.split(text) if s.strip()]


#: Title tails that say what kind of page a section is, not what it is about.
_GENERIC_TAILS = (" - overview", " - introduction", " - basics", " - summary")


def _spoken_title(title: str) -> str:
    """A section title as said aloud: 'The CREDIT values - overview' -> 'the CREDIT values'."""
    for tail in _GENERIC_TAILS:
        if title.lower().endswith(tail):
            title = title[: -len(tail)]
    return _lower_first(title)


def _lower_first(title: str) -> str:
    """'Handling drift' -> 'handling drift', but 'ML-specific bugs' and 'CREDIT values' stay."""
    if len(title) > 1 and title[:2].isupper():
        return title
    return title[:1].lower() + title[1:]


class OfflineBrain:
    """Template phrasing; needs no model and never fails."""

    name = "offline"

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def _list(self, request: PhraseRequest, field: str) -> list[str]:
        own: list[str] = getattr(request.persona.phrases, field)
        return own or getattr(DEFAULTS, field)

    def _rng(self, request: PhraseRequest) -> random.Random:
        key = f"{self.seed}|{request.intent}|{request.number}|{len(request.used)}"
        return random.Random(key)

    def _pick(
        self, request: PhraseRequest, options: list[str], rng: random.Random, **values: str
    ) -> str | None:
        """A variant none of whose sentences was said before, or None when all were."""
        shuffled = options[:]
        rng.shuffle(shuffled)
        for option in shuffled:
            text = option.format(**values) if values else option
            if not any(s in request.used for s in sentences_of(text)):
                return text
        return None

    def _compose(self, request: PhraseRequest, parts: list[str | None], core: str) -> str:
        """Optional lead-in parts plus the core; the core may repeat only if nothing else can."""
        text = " ".join(p for p in [*parts, core] if p)
        return text

    def phrase(self, request: PhraseRequest) -> str:
        rng = self._rng(request)
        intent = request.intent
        persona = request.persona
        if intent is TurnIntent.GREETING:
            return self._pick(request, persona.opening, rng) or persona.opening[0]
        if intent is TurnIntent.CLOSING:
            lead = self._pick(request, self._list(request, "acknowledge"), rng)
            core = self._pick(request, persona.closing, rng) or persona.closing[0]
            return self._compose(request, [lead], core)
        if intent is TurnIntent.RETRY:
            return self._pick(request, self._list(request, "retry"), rng) or "Please try again."
        if intent is TurnIntent.QUESTION:
            return self._question(request, rng)
        return self._followup(request, rng)

    def _question(self, request: PhraseRequest, rng: random.Random) -> str:
        assert request.question is not None
        parts: list[str | None] = []
        if request.number > 1:
            field = "decline" if request.previous_declined else "acknowledge"
            parts.append(self._pick(request, self._list(request, field), rng))
            parts.append(self._pick(request, self._list(request, "transition"), rng))
        if request.passages and rng.random() < 0.6:
            section = _spoken_title(request.passages[0].section_title)
            parts.append(self._pick(request, self._list(request, "context"), rng, section=section))
        return self._compose(request, parts, request.question.text)

    def _followup(self, request: PhraseRequest, rng: random.Random) -> str:
        action = request.action
        assert action is not None
        lead = self._pick(request, self._list(request, "acknowledge"), rng)
        core: str | None = None
        if action.kind is ActionKind.PROBE and action.point is not None:
            point = action.point
            if point.probe and point.probe not in request.used:
                core = point.probe
            else:
                topic = point.key_terms[0]
                core = self._pick(request, self._list(request, "probe"), rng, topic=topic)
        elif action.kind is ActionKind.PLAIN_WORDS and action.term:
            core = self._pick(request, self._list(request, "plain_words"), rng, term=action.term)
        elif action.kind is ActionKind.STAR and action.star_part:
            core = self._pick(request, self._list(request, f"star_{action.star_part}"), rng)
        elif action.kind is ActionKind.EXAMPLE:
            core = self._pick(request, self._list(request, "example"), rng)
        elif action.kind is ActionKind.ELABORATE:
            core = self._pick(request, self._list(request, "elaborate"), rng)
        if core is None:
            # Every wording of this follow-up was used already: fall back to the neutral set.
            field = {
                ActionKind.PROBE: "probe",
                ActionKind.PLAIN_WORDS: "plain_words",
                ActionKind.EXAMPLE: "example",
                ActionKind.STAR: f"star_{action.star_part}",
                ActionKind.ELABORATE: "elaborate",
            }.get(action.kind, "elaborate")
            values = {
                "topic": action.point.key_terms[0] if action.point else "that",
                "term": action.term or "that",
            }
            core = self._pick(request, getattr(DEFAULTS, field), rng, **values)
        if core is None:
            core = f"Could you expand on that, for question {request.number}?"
        return self._compose(request, [lead], core)

    def stream(self, request: PhraseRequest) -> Iterator[str]:
        text = self.phrase(request)
        for word in text.split(" "):
            yield word + " "
