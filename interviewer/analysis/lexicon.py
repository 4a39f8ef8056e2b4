"""Word knowledge: how common a word is in general English, acronyms, and the glossary.

Word familiarity follows De-Jargonizer's idea: a word a general reader rarely meets is likely
jargon to them. wordfreq's Zipf scale (log10 of occurrences per billion words) is the measure.
The thresholds were set from human judgments: in CompLex (SemEval-2021), words rated at least
"neutral" in difficulty have a median Zipf of about 3, and words rated "easy" about 3.7-4.4;
Cochrane technical abstracts differ most from their lay summaries in words below Zipf 3.7-4.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from wordfreq import zipf_frequency

from interviewer.analysis.text import Match, PhraseMatcher, Word
from interviewer.schema import GlossaryTerm

#: Below this a word is rare for a general reader (full weight as jargon).
RARE_ZIPF = 3.0
#: Below this (and at least RARE_ZIPF) a word is uncommon (half weight as jargon). CompLex's
#: "easy" words start around here; Cochrane pairs are ranked best with it (0.905 vs 0.895 at 4.0).
UNCOMMON_ZIPF = 3.7

_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,6}s?$")
# Capitalised words that are ordinary in speech and not jargon.
_NOT_ACRONYMS = frozenset({"I", "OK", "TV", "US", "UK", "AM", "PM", "ID", "IT"})


_BRITISH = ((r"is(e|ed|es|ing|ation|ations|er|ers)$", r"iz\1"), (r"our$", "or"), (r"tre$", "ter"))


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """General-English frequency of a word on the Zipf scale (0 = unseen, 7+ = 'the').

    British spellings ('optimise') and 're-' verbs of common words ('retrain') are as familiar
    as the forms the frequency lists count more often.
    """
    w = word.lower()
    best = float(zipf_frequency(w, "en"))
    if best >= UNCOMMON_ZIPF:
        return best
    for pattern, repl in _BRITISH:
        variant = re.sub(pattern, repl, w)
        if variant != w:
            best = max(best, float(zipf_frequency(variant, "en")))
    # An inflection of a common word is as familiar as the word ('mattered', 'thanked').
    for lemma in _lemmas(w):
        best = max(best, min(float(zipf_frequency(lemma, "en")), UNCOMMON_ZIPF))
    if w.startswith("re") and len(w) >= 6:
        best = max(best, min(float(zipf_frequency(w[2:], "en")), UNCOMMON_ZIPF))
    return best


def _lemmas(w: str) -> list[str]:
    """Candidate base forms of an inflected word (overgenerates; only common ones matter)."""
    out = []
    for suffix, repl in (
        ("ied", "y"),
        ("ies", "y"),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
        ("es", ""),
        ("s", ""),
        ("ly", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            base = w[: -len(suffix)] + repl
            out.append(base)
            if len(base) > 3 and base[-1] == base[-2] and suffix in ("ed", "ing"):
                out.append(base[:-1])  # 'stopped' -> 'stop'
    return out


def is_acronym(word: str) -> bool:
    """An all-capitals token such as 'RLHF' or 'APIs' (not 'I' or 'OK')."""
    return bool(_ACRONYM.match(word)) and word.rstrip("s") not in _NOT_ACRONYMS


def unfamiliarity(word: str) -> float:
    """How likely a word is unfamiliar to a general reader: 1 rare, 0.5 uncommon, 0 common."""
    if is_acronym(word):
        return 1.0
    if not word.isalpha() or len(word) < 3:
        return 0.0
    z = zipf(word)
    if z < RARE_ZIPF:
        return 1.0
    if z < UNCOMMON_ZIPF:
        return 0.5
    return 0.0


def jargon_density(ws: list[Word]) -> float:
    """Unfamiliar words per word, for a general reader (the audience-free jargon measurement)."""
    if not ws:
        return 0.0
    return sum(unfamiliarity(w.text) for w in ws) / len(ws)


@dataclass(frozen=True)
class GlossaryHit:
    """A glossary term found in a text."""

    term: GlossaryTerm
    match: Match


class GlossaryMatcher:
    """Finds glossary terms (any spelling, plural or not) in a list of words."""

    def __init__(self, glossary: dict[str, GlossaryTerm]) -> None:
        self._by_form: dict[str, GlossaryTerm] = {}
        for term in glossary.values():
            for form in term.surface_forms():
                self._by_form.setdefault(form, term)
        self._matcher = PhraseMatcher(self._by_form)

    def find(self, ws: list[Word], text: str) -> list[GlossaryHit]:
        hits: list[GlossaryHit] = []
        for m in self._matcher.find(ws):
            term = self._by_form[m.phrase]
            surface = text[m.start : m.end]
            # An acronym ('MAP', 'MR') only counts when written in capitals: not 'map' or 'Mr'.
            if _is_acronym_form(term, m.phrase) and not _upper(surface):
                continue
            hits.append(GlossaryHit(term, m))
        return hits


def _upper(surface: str) -> bool:
    """Written in capitals, allowing a plural 's' ('MRs')."""
    surface = re.sub(r"['\u2019][a-z]+$", "", surface)  # "RLHF'd", "MR's"
    letters = "".join(c for c in surface if c.isalpha())
    if len(letters) > 2 and letters.endswith("s"):
        letters = letters[:-1]
    return len(letters) >= 2 and letters.isupper()


def _is_acronym_form(term: GlossaryTerm, form: str) -> bool:
    """Acronym spellings must be written in capitals to count; so must any form of three
    letters or fewer ('mr', 'ci', 'pr'), which otherwise match everyday words like 'Mr'."""
    if len(form) <= 3 and form.isalpha():
        return True
    originals = [term.term, *term.aliases]
    return any(o.lower() == form and is_acronym(o.replace("-", "")) for o in originals)
