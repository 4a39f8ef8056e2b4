"""Readability of an interview answer, as predicted easiness on the CLEAR teachers' scale.

The classic formulas (Flesch, Dale-Chall, SMOG) only reach |r| ~0.55 against the teachers'
pairwise judgments of the CLEAR corpus. This module uses a small linear model instead: five
interpretable measurements of the text, weighted by coefficients fitted by ordinary least squares
on the development half of CLEAR (see ``evals/calibrate_readability.py``). Everything is offline
and deterministic: word frequencies come from ``wordfreq`` and the familiar-word list is the
Dale-Chall list bundled with ``textstat``.

Spoken answers often arrive without punctuation. A long stretch without any punctuation is
therefore split at discourse markers ("so", "and then", "because", ...) and, failing those, into
pieces of about ``_FALLBACK_PIECE_WORDS`` words, so that an unpunctuated answer is not read as
one enormous sentence.
"""

from __future__ import annotations

import importlib.resources
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

import textstat
import wordfreq

__all__ = [
    "FEATURE_NAMES",
    "Readability",
    "easiness_to_score",
    "model_inputs",
    "readability",
]

# --- Fitted model -----------------------------------------------------------------------------
# Obtained with `python evals/calibrate_readability.py --data /work/shared/data`: OLS of
# BT_easiness on the five inputs of `model_inputs`, fitted on all 2,372 excerpts of the
# development half of CLEAR (clear.csv). Pearson r with BT_easiness: 5-fold cross-validation of
# the fitting procedure 0.709 (pooled out-of-fold, mean of 5 shuffles; single folds 0.67-0.74);
# these shipped coefficients on the same data 0.711. Baselines on the same data: Flesch Reading Ease
# 0.525, SMOG -0.543, New Dale-Chall -0.540. The features were chosen on this same half; a nested
# check (feature selection repeated inside each fold) gave 0.705, so expect about 0.70 on unseen
# CLEAR text.
FEATURE_NAMES: tuple[str, ...] = (
    "log1p_unfamiliar_load",  # rare words outside the familiar list: the strongest signal
    "log_sentence_words",  # log of the word-weighted mean sentence length
    "of_share",  # "of" per word: nested noun phrases ("the size of the set of ...")
    "formal_connective_share",  # "which", "thus", "whereas", ... per word: written-style syntax
    "nominalisation_share",  # -tion/-ment/-ness/-ity/... nouns per word: abstract style
)
INTERCEPT = 2.0803
COEFFICIENTS: tuple[float, ...] = (-3.6884, -0.4996, -4.4529, -15.2081, -3.4712)

# Mapping to 1-5: BT_easiness runs from about -3.0 to +1.0 (2.5th and 97.5th percentiles) in
# the development half, so score = 1 + 4 * (easiness - (-3.0)) / 4.0, clipped to [1, 5].
SCORE_EASINESS_LOW = -3.0
SCORE_EASINESS_HIGH = 1.0
# Returned when there are no words to judge (score 3.0, the middle of the scale).
NEUTRAL_EASINESS = -1.0

# --- Measurement settings (fixed before fitting; changing them requires a refit) --------------
_FAMILIAR_ZIPF = 5.5  # unfamiliar words at or above this Zipf frequency carry no load
_NUMBER_LOAD = 1.0  # a number counts like an unfamiliar word of Zipf 4.5
_LOAD_CHUNK_WORDS = 250  # longer texts are measured in chunks so the load does not grow with length
_RARE_ZIPF = 4.0  # rare_word_share: fewer than 10 occurrences per million words
_MAX_WORD_CHARS = 40  # longer "words" (junk, unsegmented scripts) are not looked up
_RUN_ON_WORDS = 30  # a sentence longer than this ...
_RUN_ON_WORDS_PER_PAUSE = 30.0  # ... with fewer pauses than one per this many words is unpunctuated
_SPARSE_WORDS_PER_MARK = 20  # a text with fewer marks (. , ; newline ...) than one per 20 words
_RUN_ON_ALWAYS_WORDS = 60  # ... or a run-on of more than 60 words, is split
_FALLBACK_PIECE_WORDS = 18  # unpunctuated stretches without markers are cut into pieces this long
_MIN_PIECE_WORDS = 4  # a discourse marker does not start a piece shorter than this


def _word_set(words: str) -> frozenset[str]:
    """A frozen set of the space-separated words (keeps long word lists readable)."""
    return frozenset(words.split())


_TOKEN = re.compile(
    r"(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)"
    r"|(?P<number>\d+(?:[.,:]\d+)*)"
    r"|(?P<end>[.!?…]+)"
    r"|(?P<newline>\n)"
    r"|(?P<pause>[,;:()\"“”—–]|--)"
)
# A full stop after these (or after a single letter other than "I", as in "J. Smith" or "e.g.")
# does not end a sentence.
_ABBREVIATIONS = _word_set("mr mrs ms dr st mt jr sr prof capt col gen rev vs fig approx")
_FORMAL_CONNECTIVES = _word_set(
    "which whom whose thus hence therefore moreover however whereas whereby wherein "
    "whilst upon furthermore nevertheless thereby whereupon wherefore"
)
_NOMINALISATION = re.compile(r".{3,}(?:tion|sion|ment|ness|ity|ance|ence|ism|ship)s?$")
# Words that often open a new clause in speech; used only inside unpunctuated stretches.
_MARKERS = _word_set(
    "so but then because also actually basically anyway okay ok well now first second "
    "third finally next however although"
)
_MARKER_PAIRS = frozenset(
    {
        ("and", "then"),
        ("and", "so"),
        ("and", "also"),
        ("after", "that"),
        ("i", "think"),
        ("i", "mean"),
        ("you", "know"),
    }
)
_NUMBER = "<number>"


@dataclass(frozen=True)
class Readability:
    """How easy an answer is to read, with the measurements behind the estimate.

    ``words == 0`` means there was nothing to judge; the caller should treat the record as
    "not enough evidence" rather than as a middling score.
    """

    easiness: float  # predicted BT_easiness (CLEAR scale, higher is easier)
    score: float  # easiness mapped linearly to 1-5 (5 = very easy), clipped
    flesch_reading_ease: float  # textstat's Flesch Reading Ease of the raw text, for display
    words: int  # word and number tokens
    sentences: int  # estimated: punctuation, line breaks, and splitting of unpunctuated runs
    mean_sentence_words: float  # words / sentences
    mean_zipf: float  # mean wordfreq Zipf frequency of the words (numbers excluded)
    rare_word_share: float  # share of words with Zipf below _RARE_ZIPF
    unfamiliar_load: float  # mean over distinct words of (not Dale-Chall familiar) * (5.5 - Zipf)+
    typical_sentence_words: float  # word-weighted mean sentence length (the sentence a word is in)
    of_share: float  # share of words that are "of": nested noun phrases
    formal_connective_share: float  # "which", "thus", "whereas", ...: written-style clause links
    nominalisation_share: float  # words ending in -tion, -ment, -ness, -ity, ...
    punctuation_estimated: bool  # some sentence boundaries were guessed (unpunctuated stretches)


def model_inputs(r: Readability) -> tuple[float, ...]:
    """The model's input vector for a record, in the order of FEATURE_NAMES."""
    return (
        math.log1p(r.unfamiliar_load),
        math.log(max(r.typical_sentence_words, 1.0)),
        r.of_share,
        r.formal_connective_share,
        r.nominalisation_share,
    )


def easiness_to_score(easiness: float) -> float:
    """Map predicted BT_easiness linearly onto 1-5 (documented above), clipped."""
    span = SCORE_EASINESS_HIGH - SCORE_EASINESS_LOW
    score = 1.0 + 4.0 * (easiness - SCORE_EASINESS_LOW) / span
    return min(5.0, max(1.0, score))


def readability(text: str) -> Readability:
    """Measure ``text`` and predict how easy it is to read. Never raises on any string."""
    if not isinstance(text, str):
        return _neutral()
    tokens = _tokens(text)
    words = [t.value for t in tokens if t.kind in ("word", "number")]
    if not words:
        return _neutral()

    sentence_lengths, estimated = _sentence_lengths(tokens, _capitalises_sentences(tokens))
    total = len(words)
    lexical = [w for w in words if w != _NUMBER]
    zipfs = [_zipf(w) for w in lexical]
    mean_zipf = sum(zipfs) / len(zipfs) if zipfs else 0.0
    rare = sum(1 for z in zipfs if z < _RARE_ZIPF) / total

    record = Readability(
        easiness=0.0,
        score=0.0,
        flesch_reading_ease=_flesch(text),
        words=total,
        sentences=len(sentence_lengths),
        mean_sentence_words=total / len(sentence_lengths),
        mean_zipf=mean_zipf,
        rare_word_share=rare,
        unfamiliar_load=_unfamiliar_load(words),
        typical_sentence_words=sum(n * n for n in sentence_lengths) / total,
        of_share=sum(1 for w in lexical if w == "of") / total,
        formal_connective_share=sum(1 for w in lexical if w in _FORMAL_CONNECTIVES) / total,
        nominalisation_share=sum(1 for w in lexical if _NOMINALISATION.match(w)) / total,
        punctuation_estimated=estimated,
    )
    easiness = INTERCEPT + sum(
        c * x for c, x in zip(COEFFICIENTS, model_inputs(record), strict=True)
    )
    if not math.isfinite(easiness):  # cannot happen with finite inputs; belt and braces
        easiness = NEUTRAL_EASINESS
    return _replace_easiness(record, easiness)


# --- Helpers ----------------------------------------------------------------------------------


def _neutral() -> Readability:
    """The record for a text with no words: middle of the scale, flagged by ``words == 0``."""
    return Readability(
        easiness=NEUTRAL_EASINESS,
        score=easiness_to_score(NEUTRAL_EASINESS),
        flesch_reading_ease=0.0,
        words=0,
        sentences=0,
        mean_sentence_words=0.0,
        mean_zipf=0.0,
        rare_word_share=0.0,
        unfamiliar_load=0.0,
        typical_sentence_words=0.0,
        of_share=0.0,
        formal_connective_share=0.0,
        nominalisation_share=0.0,
        punctuation_estimated=False,
    )


def _replace_easiness(record: Readability, easiness: float) -> Readability:
    """A copy of ``record`` carrying the prediction and its 1-5 score."""
    return replace(record, easiness=easiness, score=easiness_to_score(easiness))


class _Token(NamedTuple):
    """A token of the text: kind is word, number, end, newline or pause."""

    kind: str
    value: str  # words lower-cased with a straight apostrophe; every number is _NUMBER
    lowercase_start: bool  # a word written with a lower-case first letter


def _tokens(text: str) -> list[_Token]:
    """The text's tokens in order."""
    out: list[_Token] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or ""
        value = m.group()
        if kind == "word":
            out.append(_Token(kind, value.lower().replace("’", "'"), value[0].islower()))
        elif kind == "number":
            out.append(_Token(kind, _NUMBER, False))
        else:
            out.append(_Token(kind, value, False))
    return out


def _capitalises_sentences(tokens: Sequence[_Token]) -> bool:
    """Whether most words after a full stop start with a capital (false for raw transcripts)."""
    starts = lowercase = 0
    for before, token in pairwise(tokens):
        if before.kind == "end" and token.kind == "word":
            starts += 1
            lowercase += token.lowercase_start
    return starts > 0 and lowercase * 2 < starts


def _sentence_lengths(tokens: Sequence[_Token], cased: bool) -> tuple[list[int], bool]:
    """Word counts of the sentences, and whether unpunctuated stretches had to be split.

    Sentences end at . ! ? and line breaks, except a full stop after an abbreviation or a single
    letter, or (in ``cased`` text, which capitalises its sentences) one followed by a lower-case
    word. A sentence
    longer than _RUN_ON_WORDS with at most one pause per _RUN_ON_WORDS_PER_PAUSE words is a
    run-on; it is split by `_split_run_on` when the whole text is sparsely punctuated (a
    transcript without punctuation) or when it is longer than _RUN_ON_ALWAYS_WORDS (a stretch
    where punctuation dropped out). Long written sentences in punctuated text are kept whole.
    """
    lengths: list[int] = []
    estimated = False
    current: list[str] = []
    pauses = 0
    marks = sum(1 for t in tokens if t.kind in ("end", "newline", "pause"))
    words = sum(1 for t in tokens if t.kind in ("word", "number"))
    sparse = marks * _SPARSE_WORDS_PER_MARK < words

    def close() -> None:
        nonlocal current, pauses, estimated
        if current:
            n = len(current)
            run_on = n > _RUN_ON_WORDS and pauses < n / _RUN_ON_WORDS_PER_PAUSE
            if run_on and (sparse or n > _RUN_ON_ALWAYS_WORDS):
                lengths.extend(_split_run_on(current))
                estimated = True
            else:
                lengths.append(n)
        current = []
        pauses = 0

    for i, token in enumerate(tokens):
        if token.kind in ("word", "number"):
            current.append(token.value)
        elif token.kind == "pause":
            pauses += 1
        elif token.kind == "newline":
            close()
        elif token.kind == "end":
            if token.value == ".":
                before = tokens[i - 1] if i > 0 else None
                after = tokens[i + 1] if i + 1 < len(tokens) else None
                if (
                    before is not None
                    and before.kind == "word"
                    and (
                        before.value in _ABBREVIATIONS
                        or (len(before.value) == 1 and before.value != "i")
                    )
                ):
                    continue
                if cased and after is not None and after.lowercase_start:
                    continue
            close()
    close()
    return lengths, estimated


def _split_run_on(words: Sequence[str]) -> list[int]:
    """Estimated sentence lengths of an unpunctuated stretch of speech.

    Cut before discourse markers (keeping pieces of at least _MIN_PIECE_WORDS), then cut any
    piece still longer than _FALLBACK_PIECE_WORDS into equal parts of at most that length.
    """
    pieces: list[int] = []
    start = 0
    for i in range(1, len(words)):
        marker = words[i] in _MARKERS or (
            i + 1 < len(words) and (words[i], words[i + 1]) in _MARKER_PAIRS
        )
        if marker and i - start >= _MIN_PIECE_WORDS and len(words) - i >= _MIN_PIECE_WORDS:
            pieces.append(i - start)
            start = i
    pieces.append(len(words) - start)

    lengths: list[int] = []
    for n in pieces:
        parts = max(1, math.ceil(n / _FALLBACK_PIECE_WORDS))
        base, extra = divmod(n, parts)
        lengths.extend(base + (1 if k < extra else 0) for k in range(parts))
    return lengths


def _unfamiliar_load(words: Sequence[str]) -> float:
    """Mean load of the distinct words, averaged over chunks of at most _LOAD_CHUNK_WORDS.

    A word's load is 0 if it is familiar (Dale-Chall list or a regular inflection of it), else
    max(0, _FAMILIAR_ZIPF - Zipf). Each number counts as a new item of load _NUMBER_LOAD. Counting
    distinct words means a repeated topic word weighs once. Chunking keeps long transcripts
    comparable with answers of typical length, since the share of new words rises with length.
    """
    n = len(words)
    chunks = max(1, math.ceil(n / _LOAD_CHUNK_WORDS))
    total = 0.0
    for k in range(chunks):
        chunk = words[k * n // chunks : (k + 1) * n // chunks]
        numbers = sum(1 for w in chunk if w == _NUMBER)
        distinct = {w for w in chunk if w != _NUMBER}
        load = _NUMBER_LOAD * numbers + sum(_word_load(w) for w in distinct)
        total += load / (len(distinct) + numbers) * len(chunk)
    return total / n


@lru_cache(maxsize=65536)
def _word_load(word: str) -> float:
    """Unfamiliarity of one lower-cased word: 0 if familiar, else how far below Zipf 5.5."""
    if _is_familiar(word):
        return 0.0
    return max(0.0, _FAMILIAR_ZIPF - _zipf(word))


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    """wordfreq's English Zipf frequency (0 for unknown, junk or over-long strings)."""
    if len(word) > _MAX_WORD_CHARS:
        return 0.0
    try:
        return float(wordfreq.zipf_frequency(word, "en"))
    except Exception:  # wordfreq is not expected to fail; a score must never crash the caller
        return 0.0


_INFLECTIONS: tuple[tuple[str, str], ...] = (
    ("s", ""),
    ("es", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("ies", "y"),
    ("ied", "y"),
    ("er", ""),
    ("est", ""),
    ("ly", ""),
    ("'s", ""),
)


def _is_familiar(word: str) -> bool:
    """In the Dale-Chall list of ~3,000 familiar words, directly or as a regular inflection."""
    familiar = _dale_chall_words()
    if word in familiar:
        return True
    return any(
        word.endswith(suffix) and word[: -len(suffix)] + stem_end in familiar
        for suffix, stem_end in _INFLECTIONS
    )


@lru_cache(maxsize=1)
def _dale_chall_words() -> frozenset[str]:
    """The Dale-Chall familiar-word list shipped with textstat (read once, on first use)."""
    resource = importlib.resources.files("textstat").joinpath("resources/en/easy_words.txt")
    return frozenset(line.strip().lower() for line in resource.read_text("utf-8").splitlines())


def _flesch(text: str) -> float:
    """textstat's Flesch Reading Ease, or 0.0 if it cannot be computed."""
    try:
        value = float(textstat.flesch_reading_ease(text))
    except Exception:  # display only: never let it take the analysis down
        return 0.0
    return value if math.isfinite(value) else 0.0
