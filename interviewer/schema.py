"""Typed records passed between modules.

Everything that crosses a module boundary is one of these records, so a reader of any module can
see exactly what it receives and returns. Records loaded from user-editable files (questions,
glossary, personas, guide sections) forbid unknown keys: a typo in a YAML file becomes an error
that names the field instead of a silently ignored setting.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    """Base for records read from files: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(StrEnum):
    """The areas of the interview the question bank covers."""

    CODE_REVIEW = "code_review"
    ML_FUNDAMENTALS = "ml_fundamentals"
    MLOPS = "mlops"
    COMMUNICATION = "communication"
    ASYNC_WORK = "async_work"
    BEHAVIOURAL = "behavioural"
    VALUES = "values"


class Topic(StrEnum):
    """What a guide section is about: a question category, or general background."""

    CODE_REVIEW = "code_review"
    ML_FUNDAMENTALS = "ml_fundamentals"
    MLOPS = "mlops"
    COMMUNICATION = "communication"
    ASYNC_WORK = "async_work"
    BEHAVIOURAL = "behavioural"
    VALUES = "values"
    GENERAL = "general"


#: Categories whose questions ask for a story, so STAR structure applies to the answer.
STORY_CATEGORIES = frozenset({Category.BEHAVIOURAL, Category.VALUES, Category.ASYNC_WORK})


class Domain(StrEnum):
    """Where a glossary term comes from; decides which audiences know it."""

    ML = "ml"
    SOFTWARE = "software"
    BUSINESS = "general-business"


# --- knowledge pack -------------------------------------------------------------------------


class TalkingPoint(Strict):
    """One thing a good answer says. Order in the question is importance (first = most)."""

    id: Slug
    point: NonEmpty = Field(description="The point in one short sentence.")
    key_terms: list[NonEmpty] = Field(min_length=1, description="Technical terms that signal it.")
    synonyms: list[NonEmpty] = Field(
        default_factory=list, description="Other phrasings, plain words included, that also count."
    )
    probe: str | None = Field(
        default=None,
        description="A short follow-up question an interviewer asks when it is missing.",
    )


class Question(Strict):
    """A question from the bank, with what a good answer covers and where the guide treats it."""

    id: Slug
    text: NonEmpty
    category: Category
    personas: list[Slug] = Field(min_length=1)
    difficulty: int = Field(ge=1, le=3, description="1 warm-up, 2 standard, 3 hard.")
    talking_points: list[TalkingPoint] = Field(min_length=3, max_length=6)
    sections: list[Slug] = Field(min_length=1, description="Guide section ids it draws on.")

    @property
    def is_story(self) -> bool:
        """Whether the answer should be a story (STAR) rather than an explanation."""
        return self.category in STORY_CATEGORIES

    @field_validator("talking_points")
    @classmethod
    def _unique_point_ids(cls, points: list[TalkingPoint]) -> list[TalkingPoint]:
        ids = [p.id for p in points]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate talking point ids: {ids}")
        return points


class GlossaryTerm(Strict):
    """A technical term with a plain-language explanation, for jargon feedback."""

    term: NonEmpty
    domain: Domain
    plain: NonEmpty = Field(description="One line a non-specialist understands.")
    aliases: list[NonEmpty] = Field(default_factory=list)

    def surface_forms(self) -> list[str]:
        """Every spelling that should be recognised as this term, lower-cased."""
        return [self.term.lower(), *(a.lower() for a in self.aliases)]


class SectionMeta(Strict):
    """Front matter of a knowledge-pack guide section."""

    id: Slug
    title: NonEmpty
    topic: Topic
    personas: list[Slug] = Field(min_length=1)


class Section(BaseModel):
    """A guide section: its metadata, its Markdown body and the file it came from."""

    model_config = ConfigDict(frozen=True)

    meta: SectionMeta
    body: str
    path: str


class KnowledgePack(BaseModel):
    """The loaded knowledge pack: guide sections, question bank and glossary."""

    model_config = ConfigDict(frozen=True)

    sections: dict[str, Section]
    questions: dict[str, Question]
    glossary: dict[str, GlossaryTerm]


# --- personas -------------------------------------------------------------------------------


class Audience(StrEnum):
    """Who the interviewer stands for; decides which terms need explaining."""

    ML_EXPERT = "ml_expert"
    SOFTWARE_ENGINEER = "software_engineer"
    NON_TECHNICAL = "non_technical"


class DimensionWeights(Strict):
    """How much each dimension counts in a persona's overall score (normalised when used)."""

    clarity: float = Field(ge=0)
    jargon: float = Field(ge=0)
    depth: float = Field(ge=0)
    structure: float = Field(ge=0)
    delivery: float = Field(default=0.0, ge=0)


class FollowupPolicy(Strict):
    """How a persona follows up on answers."""

    max_per_question: int = Field(default=2, ge=0, le=5)
    probe_missing_points: bool = True
    ask_for_examples: bool = True
    plain_words: Literal["never", "software_analogy", "everyday_words"] = Field(
        description="Whether to ask for unexplained jargon in plain words, and how."
    )
    star: bool = Field(default=True, description="Ask for missing STAR parts in stories.")


class Voice(Strict):
    """The persona's text-to-speech voice (espeak-ng voice name and words per minute)."""

    voice_id: str = "en-us"
    rate: int = Field(default=165, ge=80, le=320)


class Phrases(Strict):
    """Persona-specific wording for the offline interviewer; each list holds variants.

    Placeholders: {topic} (a talking point's key term), {term} (a jargon term), {section}
    (a guide section title), {name} (the candidate, when known).
    """

    acknowledge: list[NonEmpty] = Field(default_factory=list)
    transition: list[NonEmpty] = Field(default_factory=list)
    context: list[NonEmpty] = Field(default_factory=list)
    probe: list[NonEmpty] = Field(default_factory=list)
    example: list[NonEmpty] = Field(default_factory=list)
    plain_words: list[NonEmpty] = Field(default_factory=list)
    star_situation: list[NonEmpty] = Field(default_factory=list)
    star_task: list[NonEmpty] = Field(default_factory=list)
    star_action: list[NonEmpty] = Field(default_factory=list)
    star_result: list[NonEmpty] = Field(default_factory=list)
    elaborate: list[NonEmpty] = Field(default_factory=list)
    retry: list[NonEmpty] = Field(default_factory=list)
    decline: list[NonEmpty] = Field(default_factory=list)


class Persona(Strict):
    """An interviewer persona, loaded from `personas/<id>.yaml`."""

    id: Slug
    name: NonEmpty
    role: NonEmpty
    description: NonEmpty = Field(description="One line shown when choosing a persona.")
    audience: Audience
    known_domains: list[Domain] = Field(
        description="Glossary domains this audience understands without an explanation."
    )
    unfamiliar_budget: float = Field(
        gt=0,
        le=0.5,
        description="Share of unexplained unfamiliar words this audience tolerates (0.02 = 2%).",
    )
    weights: DimensionWeights
    categories: dict[Category, float] = Field(
        min_length=1, description="Question categories this persona draws from, with weights."
    )
    followups: FollowupPolicy
    opening: list[NonEmpty] = Field(min_length=1)
    closing: list[NonEmpty] = Field(min_length=1)
    phrases: Phrases = Field(default_factory=Phrases)
    voice: Voice = Field(default_factory=Voice)

    @field_validator("categories")
    @classmethod
    def _positive_weights(cls, weights: dict[Category, float]) -> dict[Category, float]:
        if any(w < 0 for w in weights.values()) or not any(w > 0 for w in weights.values()):
            raise ValueError("category weights must be >= 0 with at least one above 0")
        return weights


# --- answers and their analysis -------------------------------------------------------------


class WordTiming(BaseModel):
    """One transcribed word with its timing (seconds) and the recogniser's confidence."""

    model_config = ConfigDict(frozen=True)

    word: str
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    probability: float = Field(default=1.0, ge=0, le=1)


class Answer(BaseModel):
    """What the candidate said: text, plus word timings when it was spoken."""

    model_config = ConfigDict(frozen=True)

    text: str
    words: list[WordTiming] | None = None
    duration: float | None = Field(default=None, ge=0, description="Recording length, seconds.")


class Dimension(StrEnum):
    """What the report scores."""

    CLARITY = "clarity"
    JARGON = "jargon"
    DEPTH = "depth"
    STRUCTURE = "structure"
    DELIVERY = "delivery"


class ScoreStatus(StrEnum):
    """Whether a dimension could be judged."""

    SCORED = "scored"
    INSUFFICIENT = "insufficient"  # not enough evidence in the answer: never a number
    NOT_APPLICABLE = "not_applicable"  # e.g. delivery for a typed answer


class EvidenceStatus(StrEnum):
    """Whether an answer holds enough to judge at all, and if not, why."""

    OK = "ok"
    EMPTY = "empty"
    DECLINED = "declined"
    TOO_SHORT = "too_short"
    GIBBERISH = "gibberish"
    REPEATED = "repeated"
    OFF_TOPIC = "off_topic"


class Evidence(BaseModel):
    """A quoted span of the candidate's answer and why it is quoted."""

    model_config = ConfigDict(frozen=True)

    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    note: str


MeasurementValue = float | int | str | bool | None


class Score(BaseModel):
    """One dimension's judgement: a 1-5 value (higher is better), or a reason there is none."""

    model_config = ConfigDict(frozen=True)

    dimension: Dimension
    status: ScoreStatus
    value: float | None = Field(default=None, ge=1, le=5)
    band: str
    explanation: str
    measurements: dict[str, MeasurementValue] = Field(default_factory=dict)
    evidence: list[Evidence] = Field(default_factory=list)


class TermUse(BaseModel):
    """A technical or unfamiliar term the candidate used, and how it landed with the audience."""

    model_config = ConfigDict(frozen=True)

    term: str
    kind: str = Field(description="Glossary domain, 'acronym' or 'rare word'.")
    count: int
    explained: bool
    familiar_to_audience: bool
    plain: str | None = Field(description="A plain-language alternative from the glossary.")
    first_use: Evidence


class PointCoverage(BaseModel):
    """How far an answer went on one talking point (ladder level 0-5)."""

    model_config = ConfigDict(frozen=True)

    point_id: str
    point: str
    level: int = Field(ge=0, le=5)
    level_name: str
    covered: bool = Field(
        default=False, description="Said clearly enough to count; otherwise missed or only hinted."
    )
    similarity: float
    matched_terms: list[str]
    evidence: Evidence | None


class Analysis(BaseModel):
    """Everything measured about one answer."""

    model_config = ConfigDict(frozen=True)

    question_id: str | None
    question: str
    persona: str
    answer: str
    status: EvidenceStatus
    status_reason: str
    scores: dict[Dimension, Score]
    terms: list[TermUse] = Field(default_factory=list)
    points: list[PointCoverage] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)

    @property
    def missed_points(self) -> list[PointCoverage]:
        return [p for p in self.points if not p.covered]


# --- transcripts ------------------------------------------------------------------------------

#: Version of the transcript format. Readers accept this version and refuse newer ones.
TRANSCRIPT_VERSION = 1
TRANSCRIPT_FORMAT = "interviewer-transcript"


class Role(StrEnum):
    INTERVIEWER = "interviewer"
    CANDIDATE = "candidate"


class TurnKind(StrEnum):
    """What a turn is in the conversation."""

    GREETING = "greeting"
    QUESTION = "question"
    FOLLOWUP = "followup"
    RETRY = "retry"  # the interviewer asks again after an empty or unreadable answer
    ANSWER = "answer"
    SKIP = "skip"  # the candidate skipped the question
    CLOSING = "closing"
    NOTICE = "notice"  # a system message shown to the candidate (not part of the interview)
    NOTE = "note"  # the interviewer's private note on an answer: never shown during the interview


class Turn(BaseModel):
    """One turn of an interview. Candidate answers carry the question they answer."""

    model_config = ConfigDict(extra="ignore")

    index: int = Field(ge=0)
    role: Role
    kind: TurnKind
    text: str
    question_id: str | None = None
    followup: str | None = Field(
        default=None, description="For follow-ups: what the policy asked, e.g. 'probe:point-id'."
    )
    at: datetime | None = None
    words: list[WordTiming] | None = None
    audio_path: str | None = None
    duration: float | None = None

    def answer(self) -> Answer:
        return Answer(text=self.text, words=self.words, duration=self.duration)


class SessionConfig(BaseModel):
    """How a live session was set up; stored in the transcript header so it can be resumed."""

    model_config = ConfigDict(extra="ignore")

    questions: int = Field(default=5, ge=1, le=30)
    seed: int = 0
    minutes: float | None = Field(default=None, gt=0)
    mode: Literal["typed", "spoken"] = "typed"
    brain: str = "offline"
    hints: bool = False


class Transcript(BaseModel):
    """A whole interview: who interviewed, and every turn in order.

    Stored as JSON (this record) or as JSONL (a header line, then one line per turn); see
    docs in `interviewer/store.py` and the README.
    """

    model_config = ConfigDict(extra="ignore")

    format: Literal["interviewer-transcript"] = "interviewer-transcript"
    version: int = TRANSCRIPT_VERSION
    session_id: str
    persona: str
    started_at: datetime | None = None
    candidate: str | None = None
    source: str | None = Field(default=None, description="Where it was read from, if imported.")
    config: SessionConfig | None = None
    turns: list[Turn] = Field(default_factory=list)

    @field_validator("version")
    @classmethod
    def _known_version(cls, v: int) -> int:
        if v > TRANSCRIPT_VERSION:
            raise ValueError(
                f"transcript version {v} is newer than this program understands "
                f"({TRANSCRIPT_VERSION}); upgrade interviewer"
            )
        return v

    def exchanges(self) -> list[tuple[str | None, list[Turn], list[Turn]]]:
        """Group turns by question: (question_id, interviewer turns, candidate answers)."""
        groups: list[tuple[str | None, list[Turn], list[Turn]]] = []
        for turn in self.turns:
            if turn.kind in (TurnKind.GREETING, TurnKind.CLOSING, TurnKind.NOTICE, TurnKind.NOTE):
                continue
            if turn.role is Role.INTERVIEWER and turn.kind is TurnKind.QUESTION:
                groups.append((turn.question_id, [turn], []))
            elif not groups:
                continue  # small talk before the first question is not an answer to anything
            elif turn.role is Role.INTERVIEWER:
                groups[-1][1].append(turn)
            else:
                groups[-1][2].append(turn)
        return groups


# --- reports ----------------------------------------------------------------------------------

REPORT_VERSION = 1


class SectionRef(BaseModel):
    """A guide section to study."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str


class MissedPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    point: str
    sections: list[SectionRef]


class SecondOpinion(BaseModel):
    """A language model's own depth grade, shown beside the measured score, never instead."""

    model_config = ConfigDict(frozen=True)

    score: float = Field(ge=1, le=5)
    rationale: str


class RewriteAdvice(BaseModel):
    """'How to say it better' for one answer, written by a language model from the analysis."""

    model_config = ConfigDict(frozen=True)

    question_number: int
    better_answer: str
    sections: list[str] = Field(default_factory=list)


class Narrative(BaseModel):
    """The report's written summary (by a language model, grounded in the measurements)."""

    model_config = ConfigDict(frozen=True)

    summary: str
    rewrites: list[RewriteAdvice] = Field(default_factory=list)


class QuestionReport(BaseModel):
    """One question of the interview: what was asked and answered, and what the analysis found."""

    model_config = ConfigDict(frozen=True)

    number: int
    question_id: str | None
    question: str
    category: str | None
    followups: list[str]
    answers: list[str]
    skipped: bool
    analysis: Analysis
    delivery: list[Score] = Field(description="One delivery score per spoken answer.")
    missed: list[MissedPoint]
    study: list[SectionRef]
    second_opinion: SecondOpinion | None = None


class DimensionSummary(BaseModel):
    """A dimension across the interview: the mean of the answers that could be judged."""

    model_config = ConfigDict(frozen=True)

    dimension: Dimension
    status: ScoreStatus
    value: float | None
    band: str
    answers_scored: int
    answers_total: int
    weight: float


class Highlight(BaseModel):
    """A strength or an improvement, tied to one answer and quoting it."""

    model_config = ConfigDict(frozen=True)

    dimension: Dimension
    question_number: int
    title: str
    detail: str
    quote: str | None = None


class TermAdvice(BaseModel):
    """A term to explain or replace, with the glossary's plain alternative."""

    model_config = ConfigDict(frozen=True)

    term: str
    kind: str
    plain: str | None
    count: int
    question_numbers: list[int]


class Report(BaseModel):
    """The feedback report for one interview. Its JSON form is stable and versioned."""

    format: Literal["interviewer-report"] = "interviewer-report"
    version: int = REPORT_VERSION
    session_id: str
    persona: str
    persona_name: str
    candidate: str | None
    created_at: datetime
    overall: float | None
    overall_band: str
    dimensions: list[DimensionSummary]
    strengths: list[Highlight]
    improvements: list[Highlight]
    jargon: list[TermAdvice]
    questions: list[QuestionReport]
    evidence_gaps: list[str]
    notes: list[str] = Field(default_factory=list)
    narrative: Narrative | None = None
    appendix: dict[str, MeasurementValue] = Field(default_factory=dict)


# --- retrieval ------------------------------------------------------------------------------


class Passage(BaseModel):
    """A chunk of a guide returned by a search, with where it came from and how close it was."""

    model_config = ConfigDict(frozen=True)

    text: str
    section_id: str
    section_title: str
    topic: str
    source: str
    score: float = Field(description="Relevance in [0, 1], higher is closer.")


class QuestionHit(BaseModel):
    """A question from the bank found by a search."""

    model_config = ConfigDict(frozen=True)

    question_id: str
    score: float


def slugify(text: str, max_length: int = 60) -> str:
    """Make a stable, filesystem- and id-safe slug from free text."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:max_length]
    return slug.strip("-") or "section"
