"""Technical depth: which talking points an answer covers, and how far it goes on each.

A point counts as covered when the answer uses one of its key terms (or synonyms) or says
something semantically close to it (cosine similarity of MiniLM sentence embeddings). How far the
answer goes on a covered point is a ladder read from the words around it:

    1 mentions -> 2 defines -> 3 explains the mechanism -> 4 weighs trade-offs
    -> 5 names failure modes or gives a concrete example with numbers

The same machinery runs against a free-text reference answer instead of curated talking points:
each reference sentence becomes a point whose key terms are its content words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from interviewer.analysis.lexicon import zipf
from interviewer.analysis.text import PhraseMatcher, Span, stem, words
from interviewer.schema import Evidence, PointCoverage, Question, TalkingPoint

Encoder = Callable[[Sequence[str]], "np.ndarray[Any, Any]"]

LEVEL_NAMES = [
    "missed",
    "mentions",
    "defines",
    "mechanism",
    "trade-offs",
    "example / failure modes",
]

# The constants below were set on nn-exam-graded-answers (663 graded answers, 17 questions, the
# talking points in evals/) with a small grid search; see evals/validate_analysis.py.
#: Similarity at which a sentence starts to count towards a point, and where it fully covers it.
SIM_FLOOR = 0.35
SIM_FULL = 0.6
#: Using a key term (or synonym) of a point covers it at least this much.
TERM_COVERAGE = 0.6
#: How much the ladder level scales a point's credit: credit = coverage * (1 - w + w * level/5).
LADDER_WEIGHT = 0.3
#: Mean credit at which the coverage part saturates (nobody needs every point perfectly).
SATURATION = 0.7
#: Elaboration: distinct content words in on-topic sentences, saturating at this many ...
ELABORATION_CAP = 50
#: ... and a sentence is on-topic from this similarity to the question or any point.
SIM_ON_TOPIC = 0.3
#: Weight of elaboration against talking-point coverage in the depth value.
ELABORATION_WEIGHT = 0.4
#: An answer that reaches no talking point at all is at most "weak", however long it is.
DEPTH_CAP_BY_LEVEL = {0: 1.8}
#: A sentence counts towards every point it matches within this margin of its best match.
OWN_MARGIN = 0.05
#: A sentence at least this similar to some point is about that point: another point's key term
#: in it lends that other point nothing.
TERM_SUPPORT = 0.6
#: Coverage below which a point is reported as missed, and at which it counts as covered.
MENTION_COVERAGE = 0.3
COVERED_COVERAGE = 0.5
#: An answer that touches no talking point (no key term, every sentence below SIM_FLOOR) and
#: whose best sentence is less similar than this to the question itself is off-topic.
SIM_OFF_TOPIC_QUESTION = 0.45

_DEFINES = re.compile(
    r"\b(is|are|means|meaning|refers? to|is called|stands for|i\.?e\.?|that is|in other words"
    r"|defined as|is when|is where|is basically|measures|tells you|represents)\b",
    re.IGNORECASE,
)
_MECHANISM = re.compile(
    r"\b(because|so that|which means|therefore|thus|as a result|leads? to|causes?|caused"
    r"|in order to|that way|this (makes|lets|means|way)|works by|by \w+ing|the reason"
    r"|since|hence|due to|results? in|so the|otherwise)\b"
    # A formula ("w = w + eta * e * x") states the mechanism too.
    r"|\w\s*(?:=|<-|:=|\+=)\s*[\w(]",
    re.IGNORECASE,
)
_TRADEOFF = re.compile(
    r"\b(but|however|trade-?offs?|downsides?|drawbacks?|costs?|at the expense|whereas"
    r"|on the other hand|versus|vs\.?|instead|although|unless|pros and cons|the price"
    r"|slower|faster|cheaper|more expensive|balance|compromise)\b",
    re.IGNORECASE,
)
_EXAMPLE = re.compile(
    r"\b(for example|for instance|e\.g\.|such as|in my (last|previous|current) (job|role|team"
    r"|project|company)|at my (last|previous|current) (job|role|team|company)"
    r"|(fails?|failed|breaks?|broke) (when|if|because|under)|failure modes?|pitfalls?"
    r"|watch out|gotchas?|edge cases?|went wrong)\b"
    # A figure: a standalone number (not part of a name like L1, F1 or k8s, nor a '5/5' rating).
    r"|(?<![\w/.])\d+(?:[.,]\d+)?\s*(?:%|percent\b|ms\b|seconds?\b|minutes?\b|hours?\b"
    r"|days?\b|weeks?\b|months?\b|x\b|times\b|k\b|gb\b|mb\b)"
    r"|(?<![\w/.])(?:\d{2,}|\d+[.,]\d+)(?:[.,]\d+)?(?![\w/])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Target:
    """What an answer is judged against: talking points, or alternative reference answers."""

    question_id: str | None
    question: str
    point_sets: tuple[tuple[TalkingPoint, ...], ...]
    story: bool = False
    derived: bool = False
    sections: tuple[str, ...] = ()

    @property
    def points(self) -> tuple[TalkingPoint, ...]:
        return self.point_sets[0] if self.point_sets else ()


def target_for(question: Question) -> Target:
    """The target for a question from the bank."""
    return Target(
        question_id=question.id,
        question=question.text,
        point_sets=(tuple(question.talking_points),),
        story=question.is_story,
        sections=tuple(question.sections),
    )


_STOP_STEMS = frozenset(
    stem(w)
    for w in [
        "the",
        "a",
        "an",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "of",
        "to",
        "in",
        "on",
        "at",
        "and",
        "or",
        "it",
        "its",
        "that",
        "this",
        "with",
        "for",
        "by",
        "as",
        "from",
        "if",
        "not",
        "no",
        "so",
        "then",
        "there",
        "their",
        "they",
        "them",
        "what",
        "which",
        "who",
        "when",
        "how",
        "why",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "also",
        "just",
        "very",
        "more",
        "most",
    ]
)


def _content_terms(sentence: str, limit: int = 8) -> list[str]:
    """The content words of a sentence, rarest first (they carry the meaning)."""
    seen: dict[str, float] = {}
    for w in words(sentence):
        key = w.lower
        if stem(key) in _STOP_STEMS or len(key) < 2:
            continue
        seen.setdefault(key, zipf(key))
    return sorted(seen, key=lambda k: seen[k])[:limit]


def points_from_texts(texts: Sequence[str], prefix: str = "p") -> tuple[TalkingPoint, ...]:
    """Talking points from free text: each sentence a point, its content words the key terms."""
    from interviewer.analysis.text import sentences

    points = []
    for t_i, text in enumerate(texts):
        for s_i, span in enumerate(sentences(text)):
            terms = _content_terms(span.text)
            if terms:
                points.append(
                    TalkingPoint(
                        id=f"{prefix}{t_i + 1}-{s_i + 1}", point=span.text, key_terms=terms
                    )
                )
    return tuple(points[:6])


def target_from_reference(
    question: str, references: Sequence[str], question_id: str | None = None, story: bool = False
) -> Target:
    """A target built from reference answers (alternatives: the best-matching one counts)."""
    point_sets = tuple(
        ps for i, r in enumerate(references) if (ps := points_from_texts([r], f"ref{i + 1}-"))
    )
    return Target(question_id, question, point_sets, story=story, derived=True)


def target_from_points(
    question: str, points: Sequence[str], question_id: str | None = None, story: bool = False
) -> Target:
    """A target from talking points written as plain strings (all of them count)."""
    ps = points_from_texts(points)
    return Target(question_id, question, (ps,) if ps else (), story=story, derived=True)


@dataclass(frozen=True)
class DepthResult:
    """Coverage of every point of the best-matching point set, and the 1-5 value it implies."""

    coverage: list[PointCoverage]
    value: float
    coverage_credit: float
    elaboration_words: int
    best_similarity: float
    terms_hit: int
    off_topic: bool


_GLUE = frozenset(
    "is are was were be been the a an of to in on for with by that this it its which because"
    " so when if then than and or but we i you they he she can will would should does do".split()
)


def _reads_as_prose(unit: Span) -> bool:
    """A sentence rather than a bare list of terms: keyword lists do not count as elaboration."""
    if len(unit.words) < 6:
        return True
    return sum(w.lower in _GLUE for w in unit.words) / len(unit.words) >= 0.12


def _ladder(text: str) -> int:
    if _EXAMPLE.search(text):
        return 5
    if _TRADEOFF.search(text):
        return 4
    if _MECHANISM.search(text):
        return 3
    if _DEFINES.search(text):
        return 2
    return 1


def _point_coverage(
    point: TalkingPoint,
    units: list[Span],
    sims: np.ndarray[Any, Any],
    derived: bool,
    story: bool = False,
    owned: np.ndarray[Any, Any] | None = None,
    shared: frozenset[str] = frozenset(),
    about: np.ndarray[Any, Any] | None = None,
) -> tuple[PointCoverage, float, int]:
    """One point: its coverage record, how well it is covered (0-1), and the sentence whose cue
    ("because", "instead of", a figure) set its ladder level (-1: none).

    `owned[j]` says whether sentence j is about this point at least as much as about any other
    point of the question: a sentence about a sibling point lends it no credit. A term the
    question's other points also use (`shared`) only counts in a sentence this point owns.
    """
    ws = [w for u in units for w in u.words]
    if owned is not None and len(sims):
        sims = np.where(owned, sims, -1.0)
    best = int(np.argmax(sims)) if len(sims) else -1
    sim = max(0.0, float(sims[best])) if best >= 0 else 0.0
    matches = PhraseMatcher([*point.key_terms, *point.synonyms]).find(ws)
    if owned is not None and about is not None:
        # A term counts where the sentence is about this point (or close to it), so a sibling
        # point's sentence that happens to use the word lends no credit.
        matches = [
            m for m in matches if _supported(units, owned, about, m.start, m.phrase in shared)
        ]
    matched = sorted({m.phrase for m in matches})
    coverage = min(1.0, max(0.0, (sim - SIM_FLOOR) / (SIM_FULL - SIM_FLOOR)))
    if derived:
        # A reference sentence's content words are all needed: credit the share that was said.
        named = len({m.phrase for m in matches} & set(point.key_terms)) / len(point.key_terms)
        coverage = max(coverage, named)
    elif matched:
        coverage = max(coverage, TERM_COVERAGE)
    level = 0
    cue = -1
    shown = best
    if coverage >= COVERED_COVERAGE:
        # Read the ladder from the closest sentence, the next one and those naming the point.
        idx = {best, best + 1}
        for m in matches:
            idx |= {j for j, u in enumerate(units) if u.start <= m.start < u.end + 1}
        if matches and sim < SIM_FULL:
            shown = min(j for j, u in enumerate(units) if u.start <= matches[0].start < u.end + 1)
        read = [j for j in sorted(idx) if 0 <= j < len(units)]
        level = _ladder(" ".join(units[j].text for j in read))
        cue = next((j for j in read if _ladder(units[j].text) == level), best)
        if story:
            # In a story, telling what happened is the substance: it counts as more than a
            # passing mention even without explanatory connectives.
            level = max(level, 2)
    elif coverage >= MENTION_COVERAGE:
        level = 1
    evidence = None
    if level and shown >= 0:
        u = units[shown]
        evidence = Evidence(
            quote=u.text, start=u.start, end=u.end, note=f"{LEVEL_NAMES[level]}: {point.id}"
        )
    return (
        PointCoverage(
            point_id=point.id,
            point=point.point,
            level=level,
            level_name=LEVEL_NAMES[level],
            covered=coverage >= COVERED_COVERAGE,
            similarity=round(sim, 3),
            matched_terms=matched,
            evidence=evidence,
        ),
        coverage,
        cue if level >= 3 else -1,
    )


def _supported(
    units: list[Span],
    owned: np.ndarray[Any, Any],
    about: np.ndarray[Any, Any],
    pos: int,
    shared: bool,
) -> bool:
    """Whether a key term at `pos` is evidence for its point: in a sentence about this point, or,
    for a term only this point lists, in a sentence not clearly about another point (a list of
    several points names each of them)."""
    for j, u in enumerate(units):
        if u.start <= pos < u.end + 1:
            return bool(owned[j]) or (not shared and float(about[j]) < TERM_SUPPORT)
    return False


def _names_any(units: list[Span], points: list[TalkingPoint]) -> bool:
    """Whether the answer uses any key term of the question at all (then it is on topic, even
    if no point is covered)."""
    ws = [w for u in units for w in u.words]
    return bool(PhraseMatcher([t for p in points for t in p.key_terms]).find(ws))


def _ownership(sims: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Which point(s) each sentence is about: its best match, and any within OWN_MARGIN of it."""
    if sims.size == 0:
        return np.zeros_like(sims, dtype=bool)
    best = sims.max(axis=1, keepdims=True)
    result: np.ndarray[Any, Any] = sims >= best - OWN_MARGIN
    return result


def _shared_terms(points: tuple[TalkingPoint, ...], question: str) -> list[frozenset[str]]:
    """For each point, the phrases that do not single it out: those another point of the same
    question also lists, and those the question itself uses (any answer echoes them)."""
    phrase_sets = [{*p.key_terms, *p.synonyms} for p in points]
    asked = PhraseMatcher([t for s in phrase_sets for t in s]).find(words(question))
    echoed = {m.phrase for m in asked}
    out = []
    for i, mine in enumerate(phrase_sets):
        others = set().union(*(s for j, s in enumerate(phrase_sets) if j != i))
        out.append(frozenset(mine & (others | echoed)))
    return out


#: How many points one sentence's explanatory cue ("because", "instead of", a figure) can lift
#: above "defines"; a list of techniques joined by one "instead of" explains none of the others.
CUE_SHARE = 2


def _credit(coverage: float, level: int) -> float:
    """A point's credit: its coverage, scaled by how far up the ladder the answer went."""
    return coverage * (1 - LADDER_WEIGHT + LADDER_WEIGHT * level / 5)


def _share_ladder_cues(
    judged: list[tuple[PointCoverage, float, int]],
) -> list[tuple[PointCoverage, float]]:
    """Each point with its credit. Points whose mechanism / trade-off / example level comes from
    the same sentence: the CUE_SHARE closest keep it, the others count as 'defines'."""
    by_cue: dict[int, list[int]] = {}
    for i, (_, _, cue) in enumerate(judged):
        if cue >= 0:
            by_cue.setdefault(cue, []).append(i)
    capped = {
        i
        for members in by_cue.values()
        for i in sorted(members, key=lambda i: judged[i][0].similarity, reverse=True)[CUE_SHARE:]
    }
    out = []
    for i, (point, coverage, _) in enumerate(judged):
        pc = point
        if i in capped:
            level = 2
            evidence = pc.evidence
            if evidence is not None:
                note = evidence.note.replace(LEVEL_NAMES[pc.level], LEVEL_NAMES[level])
                evidence = evidence.model_copy(update={"note": note})
            pc = pc.model_copy(
                update={"level": level, "level_name": LEVEL_NAMES[level], "evidence": evidence}
            )
        out.append((pc, _credit(coverage, pc.level)))
    return out


def analyze_depth(units: list[Span], target: Target, encode: Encoder) -> DepthResult:
    """Coverage of the target's points by the answer (the best alternative point set wins)."""
    all_points = [p for ps in target.point_sets for p in ps]
    vecs = encode([u.text for u in units] + [p.point for p in all_points] + [target.question])
    unit_vecs = vecs[: len(units)]
    targets = vecs[len(units) :]  # every point, then the question
    sims = unit_vecs @ targets.T if len(units) else np.zeros((0, len(targets)))
    best_set: tuple[list[PointCoverage], float] = ([], -1.0)
    offset = 0
    for ps in target.point_sets:
        block = sims[:, offset : offset + len(ps)]
        owned = _ownership(block) if len(ps) > 1 else None
        about = block.max(axis=1) if len(ps) > 1 and block.size else None
        shared = _shared_terms(ps, target.question)
        judged = [
            _point_coverage(
                p,
                units,
                block[:, i],
                target.derived,
                target.story,
                owned[:, i] if owned is not None else None,
                shared[i],
                about,
            )
            for i, p in enumerate(ps)
        ]
        offset += len(ps)
        results = _share_ladder_cues(judged)
        mean_credit = sum(c for _, c in results) / len(results)
        if mean_credit > best_set[1]:
            best_set = ([pc for pc, _ in results], mean_credit)
    coverage, credit = best_set[0], max(0.0, best_set[1])

    on_topic = [
        u
        for u, row in zip(units, sims, strict=True)
        if len(row) and row.max() >= SIM_ON_TOPIC and _reads_as_prose(u)
    ]
    distinct = {stem(w.text) for u in on_topic for w in u.words} - _STOP_STEMS
    cap = ELABORATION_CAP
    if target.derived and target.point_sets:
        # A short reference answer needs a short answer: scale the cap to the reference.
        cap = max(8, 3 * min(sum(len(p.key_terms) for p in ps) for ps in target.point_sets))
    elaboration = min(1.0, float(np.log1p(len(distinct)) / np.log1p(cap)))
    value = 1.0 + 4.0 * (
        (1 - ELABORATION_WEIGHT) * min(1.0, credit / SATURATION) + ELABORATION_WEIGHT * elaboration
    )
    deepest = max((pc.level for pc in coverage), default=0)
    value = min(value, DEPTH_CAP_BY_LEVEL.get(deepest, 5.0))
    best_sim = float(sims.max()) if sims.size else 0.0
    terms_hit = sum(bool(pc.matched_terms) for pc in coverage)
    return DepthResult(
        coverage=coverage,
        value=round(value, 2),
        coverage_credit=round(credit, 3),
        elaboration_words=len(distinct),
        best_similarity=round(best_sim, 3),
        terms_hit=terms_hit,
        off_topic=(
            all(pc.level == 0 for pc in coverage)
            and best_sim < SIM_OFF_TOPIC_QUESTION
            and not _names_any(units, all_points)
        ),
    )
