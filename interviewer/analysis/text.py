"""Text primitives the analysers share: words with offsets, sentences, stems and phrase matching.

Spoken answers arrive as transcripts with unreliable punctuation, so "sentences" here are
punctuation-delimited spans further cut into windows at discourse markers or a word limit. Every
unit keeps its character offsets so evidence can quote the candidate's exact words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from wordfreq import zipf_frequency

_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?;])[\"')\]]*\s+|\n\s*(?:[-*\u2022]\s+|\d+[.)]\s+)?|\n")
# Where a run-on spoken sentence can be cut: before a discourse marker.
_BREAK_BEFORE = {"so", "but", "because", "then", "also", "however", "and", "which"}
MAX_UNIT_WORDS = 25


@dataclass(frozen=True)
class Word:
    """A word of the answer with its character span."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass(frozen=True)
class Span:
    """A stretch of the answer (a sentence or a window of a run-on sentence)."""

    text: str
    start: int
    end: int
    words: tuple[Word, ...]


def words(text: str) -> list[Word]:
    """The words of a text with their offsets (hyphenated words are split: 'trade-off')."""
    return [Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, predictable stem: lower case, possessive and plural endings removed.

    Deliberately conservative (no '-ing'/'-ed' stripping) so that key terms stay recognisable.
    """
    word = re.sub(r"['\u2019](s|d|ll|ve|re|m)$", "", word, flags=re.IGNORECASE)  # "RLHF'd"
    if len(word) > 2 and word[:-1].isupper() and word[-1] == "s":
        word = word[:-1]  # 'MRs' -> 'MR'
    w = word.lower().replace("\u2019", "'")
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("sses", "xes", "ches", "shes", "zes")):
        return w[:-2]
    if len(w) > 4 and w.endswith("ses"):
        # 'biases' -> 'bias' but 'cases' -> 'case': keep the more common English word.
        return max((w[:-1], w[:-2]), key=lambda c: zipf_frequency(c, "en"))
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "as")):
        return w[:-1]
    return w


def stems(text: str) -> list[str]:
    return [stem(w.text) for w in words(text)]


def _split_long(ws: list[Word]) -> list[list[Word]]:
    """Cut a run of words longer than MAX_UNIT_WORDS before discourse markers (or hard)."""
    out: list[list[Word]] = []
    current: list[Word] = []
    for w in ws:
        if len(current) >= 8 and w.lower in _BREAK_BEFORE and len(current) >= MAX_UNIT_WORDS // 2:
            out.append(current)
            current = []
        current.append(w)
        if len(current) >= MAX_UNIT_WORDS:
            out.append(current)
            current = []
    if current:
        if out and len(current) < 4:
            out[-1].extend(current)
        else:
            out.append(current)
    return out


def sentences(text: str) -> list[Span]:
    """Sentence-like units with offsets, robust to missing punctuation."""
    units: list[Span] = []
    pos = 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        end = m.start() if m else len(text)
        chunk_words = [Word(w.text, w.start + pos, w.end + pos) for w in words(text[pos:end])]
        for group in _split_long(chunk_words) if chunk_words else []:
            s, e = group[0].start, group[-1].end
            units.append(Span(text[s:e], s, e, tuple(group)))
        pos = m.end() if m else len(text)
    return units


def sentence_count(text: str) -> int:
    """How many sentences by punctuation alone (for punctuation-quality checks)."""
    return len([s for s in re.split(r"[.!?]+(?:\s|$)", text) if s.strip()])


# --- phrase matching --------------------------------------------------------------------------


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The stem sequence a phrase is matched by."""
    return tuple(stem(w.text) for w in words(phrase))


@dataclass(frozen=True)
class Match:
    """Where a phrase occurred: word indices [first, last) and character span."""

    phrase: str
    first: int
    last: int
    start: int
    end: int


class PhraseMatcher:
    """Finds any of many phrases (compared as stem sequences) in a text, longest match first."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrase in phrases:
            for key in _variants(phrase):
                if key:
                    self._by_first.setdefault(key[0], []).append((key, phrase))
        for options in self._by_first.values():
            options.sort(key=lambda kp: -len(kp[0]))

    def find(self, ws: Sequence[Word]) -> list[Match]:
        """Non-overlapping matches, scanning left to right."""
        keys = [stem(w.text) for w in ws]
        found: list[Match] = []
        i = 0
        while i < len(keys):
            hit = None
            for key, phrase in self._by_first.get(keys[i], ()):
                if tuple(keys[i : i + len(key)]) == key:
                    hit = Match(phrase, i, i + len(key), ws[i].start, ws[i + len(key) - 1].end)
                    break
            if hit:
                found.append(hit)
                i = hit.last
            else:
                i += 1
        return found


def _variants(phrase: str) -> set[tuple[str, ...]]:
    """'trade-off' also matches 'tradeoff'; 'pr-auc' also 'prauc'."""
    key = phrase_key(phrase)
    out = {key}
    if "-" in phrase or " " in phrase.strip():
        joined = phrase_key(re.sub(r"[-\s]+", "", phrase))
        if joined:
            out.add(joined)
    return out
