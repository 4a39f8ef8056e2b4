"""Clarity: is the answer easy to follow?

Readability (a model fitted to teachers' judgments, see `readability.py`) carries most of the
weight; the rest are habits listeners notice: hedges and weak words, fillers, repeating yourself,
burying the point, and going on too long. Word-level signals are used throughout because spoken
transcripts have unreliable punctuation.
"""

from __future__ import annotations

import re
from collections import Counter

from interviewer.analysis.readability import readability
from interviewer.analysis.scoring import BANDS, scored
from interviewer.analysis.text import Span, stem
from interviewer.schema import Dimension, Evidence, Score

# Component weights (sum to 1). Readability is the validated part, so it leads.
WEIGHTS = {
    "readability": 0.45,
    "hedging": 0.1,
    "fillers": 0.1,
    "repetition": 0.1,
    "leads_with_point": 0.15,
    "length": 0.1,
}
#: Hedges and weak words per 100 words at which the hedging component bottoms out. Listeners
#: start to hear an answer as unsure at a few per hundred words.
HEDGES_WORST = 6.0
#: Fillers per 100 words at which the filler component bottoms out.
FILLERS_WORST = 8.0
#: Share of repeated content trigrams at which the repetition component bottoms out.
REPETITION_WORST = 0.3
#: An answer up to this many words is not "too long"; at LENGTH_WORST the component bottoms out.
#: (About two minutes of speech at 150 words per minute.)
LENGTH_OK = 300
LENGTH_WORST = 700

HEDGES = re.compile(
    r"\b(maybe|perhaps|i guess|sort of|kind of|probably|somewhat|possibly|i suppose"
    r"|more or less|to some extent|or something|i'?m not sure|not really sure|i would say"
    r"|i think|i believe|i feel like|hopefully|might)\b",
    re.IGNORECASE,
)
WEAK_WORDS = re.compile(
    r"\b(stuff|things?|etc|whatever|basically|really|very|just|actually|literally|obviously"
    r"|pretty much)\b",
    re.IGNORECASE,
)
FILLERS = re.compile(
    r"\b(um+|uh+|erm?|uhm+|hmm+|you know|i mean|you see|so yeah|like,)(?=\W|$)", re.IGNORECASE
)
_PREAMBLE = re.compile(
    r"^\s*(that'?s a (great|good|tough|interesting) question|good question|great question"
    r"|let me think|hmm+|um+|uh+|well,? let me|so,? (um|uh)|okay,? so)",
    re.IGNORECASE,
)
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "it",
        "is",
        "was",
        "i",
        "we",
        "that",
        "this",
        "for",
        "with",
        "as",
        "be",
    ]
)


def _component(per100: float, worst: float) -> float:
    return 5.0 - 4.0 * min(1.0, per100 / worst)


def _repetition(units: list[Span]) -> tuple[float, Span | None]:
    """Share of content trigrams that occur more than once, and a sentence that repeats."""
    grams: list[tuple[str, ...]] = []
    owners: list[int] = []
    for ui, u in enumerate(units):
        keys = [stem(w.text) for w in u.words if w.lower not in _STOP]
        for i in range(len(keys) - 2):
            grams.append(tuple(keys[i : i + 3]))
            owners.append(ui)
    if not grams:
        return 0.0, None
    counts = Counter(grams)
    repeated = [i for i, g in enumerate(grams) if counts[g] > 1]
    share = len(repeated) / len(grams)
    example = units[owners[repeated[-1]]] if repeated else None
    return share, example


def analyze_clarity(
    text: str, units: list[Span], lead_relevance: float | None, story: bool = False
) -> Score:
    """Clarity on 1-5 with its components; `lead_relevance` is how close the first sentence is to
    the question relative to the answer's best sentence (1.0 = the first sentence is the best).
    A story answer rightly opens with its situation, so 'leads with the point' does not apply."""
    ws = [w for u in units for w in u.words]
    n = max(1, len(ws))
    r = readability(text)
    hedges = list(HEDGES.finditer(text))
    weak = list(WEAK_WORDS.finditer(text))
    fillers = list(FILLERS.finditer(text))
    hedge_rate = 100 * (len(hedges) + 0.5 * len(weak)) / n
    filler_rate = 100 * len(fillers) / n
    repetition, repeated_unit = _repetition(units)
    first = units[0] if units else None
    leads = (
        bool(first)
        and not _PREAMBLE.search(text)
        and (lead_relevance is None or lead_relevance >= 0.8)
    )

    parts = {
        "readability": r.score,
        "hedging": _component(hedge_rate, HEDGES_WORST),
        "fillers": _component(filler_rate, FILLERS_WORST),
        "repetition": 5.0 - 4.0 * min(1.0, repetition / REPETITION_WORST),
        "leads_with_point": 5.0 if leads else 2.0,
        "length": 5.0 - 4.0 * min(1.0, max(0, len(ws) - LENGTH_OK) / (LENGTH_WORST - LENGTH_OK)),
    }
    if story:
        del parts["leads_with_point"]
        leads = True
    value = sum(WEIGHTS[k] * v for k, v in parts.items()) / sum(WEIGHTS[k] for k in parts)

    evidence: list[Evidence] = []
    for m in hedges[:2]:
        evidence.append(_around(text, units, m.start(), f"hedge: '{m.group(0)}'"))
    for m in fillers[:2]:
        evidence.append(_around(text, units, m.start(), f"filler: '{m.group(0)}'"))
    if repeated_unit and repetition > 0.1:
        evidence.append(
            Evidence(
                quote=repeated_unit.text,
                start=repeated_unit.start,
                end=repeated_unit.end,
                note="repeats an earlier point",
            )
        )
    if first and not leads:
        evidence.append(
            Evidence(
                quote=first.text,
                start=first.start,
                end=first.end,
                note="opening does not state the point",
            )
        )

    notes = []
    if r.score < 3:
        notes.append(
            f"hard to read (about {r.mean_sentence_words:.0f} words per sentence, many rare words)"
        )
    if hedge_rate >= 3:
        notes.append(f"{len(hedges) + len(weak)} hedges or weak words")
    if filler_rate >= 3:
        notes.append(f"{len(fillers)} fillers")
    if repetition > 0.1:
        notes.append("repeats itself")
    if not leads:
        notes.append("does not open with the point")
    if len(ws) > LENGTH_OK:
        notes.append(f"long ({len(ws)} words)")
    if not notes:
        explanation = "Clear and direct: easy to read, states its point up front."
    elif value >= BANDS[1][0]:  # good overall: the notes are what would tighten it
        explanation = "Mostly clear; to tighten it: " + "; ".join(notes) + "."
    else:
        explanation = "Harder to follow: " + "; ".join(notes) + "."
    measurements: dict[str, float | int | str | bool | None] = {
        "readability": round(r.score, 2),
        "flesch_reading_ease": round(r.flesch_reading_ease, 1),
        "words": len(ws),
        "mean_sentence_words": round(r.mean_sentence_words, 1),
        "rare_word_share": round(r.rare_word_share, 3),
        "hedges_per_100_words": round(hedge_rate, 2),
        "fillers_per_100_words": round(filler_rate, 2),
        "repeated_trigram_share": round(repetition, 3),
        "leads_with_point": leads,
        "punctuation_estimated": r.punctuation_estimated,
    }
    return scored(Dimension.CLARITY, value, explanation, measurements, evidence)


def _around(text: str, units: list[Span], pos: int, note: str) -> Evidence:
    for u in units:
        if u.start <= pos < u.end + 1:
            return Evidence(quote=u.text, start=u.start, end=u.end, note=note)
    end = min(len(text), pos + 60)
    return Evidence(quote=text[pos:end], start=pos, end=end, note=note)
