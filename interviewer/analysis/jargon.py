"""Jargon: which terms the audience may not know, and whether the candidate explained them.

Terms are glossary entries (any spelling), acronyms, and words that are rare in general English.
Each one is judged against the persona's audience: an ML expert knows ML and software terms, a
backend engineer knows software terms, a recruiter knows neither. A term counts as explained when
its first use comes with a definition, a paraphrase or an analogy; later uses are then free.

For the non-expert audiences the score is the density of unexplained unfamiliar words against the
audience's budget (about 2% of words is the comprehension limit for a lay reader). For the ML
expert, jargon is expected: the score is whether the candidate used the precise terms the
question calls for rather than vague paraphrases.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from interviewer.analysis.lexicon import (
    RARE_ZIPF,
    GlossaryMatcher,
    is_acronym,
    unfamiliarity,
    zipf,
)
from interviewer.analysis.scoring import band, insufficient, scored
from interviewer.analysis.text import Span, Word, stem, words
from interviewer.schema import (
    Audience,
    Dimension,
    Domain,
    Evidence,
    Persona,
    PointCoverage,
    Score,
    TalkingPoint,
    TermUse,
)

#: How far past a term's first use an explanation may start.
_LOOKAHEAD_CHARS = 140
_RIGHT_AFTER = re.compile(
    r"^\s*(?:[,(:\u2014\u2013-]\s*)?(?:which|that|this)?\s*"
    r"(?:is|are|basically means|just means|means|refers to|stands for|measures|is when|is where)\b"
    r"|^\s*\("
    r"|^\s*[,:\u2014\u2013-]\s*(?:i\.?e\.?|that is|in other words|meaning|basically|essentially"
    r"|or|a|an|the|which|where|like)\b",
    re.IGNORECASE,
)
_NEARBY = re.compile(
    r"\b(think of (it|them|this|that|[a-z]+) as|is like|are like|it'?s like|kind of like"
    r"|similar to|analog(y|ous)|imagine|in plain (terms|words|english)|in other words"
    r"|put simply|simply put|what that means|which means|basically means|just means|that is,"
    r"|the same way|the way a)\b",
    re.IGNORECASE,
)
_BEFORE = re.compile(
    r"(called|known as|so-called|what we call|the term for (this|that) is|named|a technique"
    r"|a method|an approach)\s*(an?\s+|the\s+)?$",
    re.IGNORECASE,
)


def is_explained(text: str, start: int, end: int) -> bool:
    """Whether the term at text[start:end] is defined, paraphrased or likened to something."""
    after = text[end : end + _LOOKAHEAD_CHARS]
    if _RIGHT_AFTER.search(after):
        return True
    # An analogy or paraphrase marker in the rest of the sentence (or the start of the next).
    sentence_end = re.search(r"[.!?]\s", after)
    window = after[: sentence_end.end() + 60] if sentence_end else after
    if _NEARBY.search(window):
        return True
    return bool(_BEFORE.search(text[max(0, start - 40) : start]))


@dataclass
class _Term:
    key: str
    label: str
    kind: str
    weight: float  # unfamiliarity to this audience, 0-1
    plain: str | None
    count: int
    first: tuple[int, int]


def _audience_weight(persona: Persona, kind: str, word: str | None) -> float:
    """How unfamiliar a term of this kind is to the persona's audience (0 = knows it)."""
    known = set(persona.known_domains)
    if kind in {d.value for d in Domain}:
        return 0.0 if Domain(kind) in known else 1.0
    if persona.audience is Audience.ML_EXPERT:
        return 0.0
    if kind == "acronym":
        return 1.0
    if word is None:
        return 0.0
    if persona.audience is Audience.SOFTWARE_ENGINEER:
        return 1.0 if zipf(word) < RARE_ZIPF else 0.0
    return unfamiliarity(word)


def find_terms(
    text: str,
    ws: list[Word],
    glossary: GlossaryMatcher,
    persona: Persona,
    question: str = "",
) -> list[_Term]:
    """Every technical or unfamiliar term in the answer, grouped, in order of first use."""
    echoed = {stem(w.text) for w in words(question)}
    terms: dict[str, _Term] = {}
    covered: set[int] = set()

    def add(
        key: str, label: str, kind: str, weight: float, plain: str | None, span: tuple[int, int]
    ) -> None:
        if key in terms:
            terms[key].count += 1
        else:
            terms[key] = _Term(key, label, kind, weight, plain, 1, span)

    for hit in glossary.find(ws, text):
        covered.update(range(hit.match.first, hit.match.last))
        t = hit.term
        add(
            t.term.lower(),
            t.term,
            t.domain.value,
            _audience_weight(persona, t.domain.value, None),
            t.plain,
            (hit.match.start, hit.match.end),
        )
    for i, w in enumerate(ws):
        if i in covered or stem(w.text) in echoed:
            continue
        if is_acronym(w.text):
            kind = "acronym"
        elif (
            w.text.isalpha()
            and len(w.text) >= 4
            and unfamiliarity(w.text) > 0
            and not (w.text[0].isupper() and i > 0 and not _sentence_start(text, w))
        ):
            kind = "rare word"
        else:
            continue
        add(
            w.lower if kind != "acronym" else w.text.rstrip("s"),
            w.text if kind == "acronym" else w.lower,
            kind,
            _audience_weight(persona, kind, w.text),
            None,
            (w.start, w.end),
        )
    return sorted(terms.values(), key=lambda t: t.first[0])


def _sentence_start(text: str, w: Word) -> bool:
    before = text[: w.start].rstrip()
    return not before or before[-1] in ".!?:\n"


def general_jargon_density(ws: list[Word], glossary: GlossaryMatcher, text: str) -> float:
    """Unfamiliar words per word for a general reader: rare words, acronyms and glossary terms.

    This is the audience-free measurement validated on Cochrane abstracts vs lay summaries.
    Numbers are not words here: a figure is not jargon, and counting it would dilute the rate.
    """
    weights = [unfamiliarity(w.text) for w in ws]
    for hit in glossary.find(ws, text):
        for i in range(hit.match.first, hit.match.last):
            weights[i] = max(weights[i], 0.5)
    kept = [wt for w, wt in zip(ws, weights, strict=True) if not w.text[0].isdigit()]
    return sum(kept) / len(kept) if kept else 0.0


def _quote(units: list[Span], start: int) -> tuple[str, int, int]:
    for u in units:
        if u.start <= start < u.end + 1:
            return u.text, u.start, u.end
    return "", start, start


def analyze_jargon(
    text: str,
    units: list[Span],
    glossary: GlossaryMatcher,
    persona: Persona,
    question: str,
    points: tuple[TalkingPoint, ...],
    coverage: list[PointCoverage],
) -> tuple[Score, list[TermUse]]:
    """The jargon score for this persona and the list of terms with how each landed."""
    ws = [w for u in units for w in u.words]
    found = find_terms(text, ws, glossary, persona, question)
    uses: list[TermUse] = []
    cost = 0.0
    evidence: list[Evidence] = []
    for t in found:
        explained = is_explained(text, *t.first)
        quote, qs, qe = _quote(units, t.first[0])
        first = Evidence(
            quote=quote,
            start=qs,
            end=qe,
            note=f"'{t.label}' {'explained' if explained else 'not explained'} on first use",
        )
        familiar = t.weight == 0
        if not familiar and not explained:
            cost += t.weight * t.count
            if len(evidence) < 5:
                evidence.append(first)
        uses.append(
            TermUse(
                term=t.label,
                kind=t.kind,
                count=t.count,
                explained=explained,
                familiar_to_audience=familiar,
                plain=t.plain,
                first_use=first,
            )
        )
    n_words = max(1, sum(not w.text[0].isdigit() for w in ws))
    unfamiliar = [u for u in uses if not u.familiar_to_audience]
    unexplained = [u for u in unfamiliar if not u.explained]
    density = cost / n_words
    measurements: dict[str, float | int | str | bool | None] = {
        "words": len(ws),
        "technical_terms": len(uses),
        "unfamiliar_to_audience": len(unfamiliar),
        "explained": sum(u.explained for u in unfamiliar),
        "unexplained": len(unexplained),
        "unexplained_density": round(density, 4),
        "audience_budget": persona.unfamiliar_budget,
        "general_jargon_density": round(general_jargon_density(ws, glossary, text), 4),
    }
    if persona.audience is Audience.ML_EXPERT:
        return _expert_score(ws, points, coverage, measurements, uses), uses

    ratio = density / persona.unfamiliar_budget
    value = 5.0 - 4.0 * min(1.0, math.log2(1 + ratio) / math.log2(5))
    names = ", ".join(f"'{u.term}'" for u in unexplained[:4])
    if unexplained:
        explanation = (
            f"{len(unexplained)} term(s) your audience may not know were left unexplained "
            f"({names}); that is {density:.1%} of your words against a comfortable "
            f"{persona.unfamiliar_budget:.0%}."
        )
    elif unfamiliar:
        explanation = f"You explained every unfamiliar term you used ({len(unfamiliar)})."
    else:
        explanation = "You used no terms this audience would need explained."
    return scored(Dimension.JARGON, value, explanation, measurements, evidence), uses


def _expert_score(
    ws: list[Word],
    points: tuple[TalkingPoint, ...],
    coverage: list[PointCoverage],
    measurements: dict[str, float | int | str | bool | None],
    uses: list[TermUse],
) -> Score:
    """For an expert audience: did the answer use the precise terms the question calls for?"""
    if not points:
        return insufficient(Dimension.JARGON, "No expected terms are known for this question.")
    with_terms = [pc for pc in coverage if pc.matched_terms]
    vague = [pc for pc in coverage if pc.level >= 2 and not pc.matched_terms]
    missing = [p for p, pc in zip(points, coverage, strict=True) if not pc.matched_terms]
    needed = max(2.0, 0.6 * len(points))
    value = 1.0 + 4.0 * min(1.0, len(with_terms) / needed)
    measurements.update(
        {
            "points_named_precisely": len(with_terms),
            "points_described_without_the_term": len(vague),
            "expected_terms_missing": ", ".join(p.key_terms[0] for p in missing[:6]),
        }
    )
    if with_terms and not missing:
        explanation = "You used the precise term for every talking point."
    else:
        examples = ", ".join(f"'{p.key_terms[0]}'" for p in missing[:3])
        explanation = (
            f"You named {len(with_terms)} of {len(points)} talking points with their precise "
            f"terms; an expert listener would expect terms such as {examples}."
        )
    evidence = [pc.evidence for pc in with_terms if pc.evidence][:3]
    return scored(Dimension.JARGON, value, explanation, measurements, evidence)


__all__ = ["analyze_jargon", "band", "find_terms", "general_jargon_density", "is_explained"]
