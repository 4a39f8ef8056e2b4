"""Answer analysis: measured, evidence-backed scores on clarity, jargon, depth, structure, delivery.

    analyzer = Analyzer(glossary, encoder)
    analysis = analyzer.analyze(Answer(text=...), target_for(question), persona)

Everything here is deterministic and offline. The only model is the sentence-embedding model,
passed in as an `encode` function so that callers decide when it loads. An answer too thin to
judge (empty, declined, gibberish, too short, repeated, off-topic) gets "not enough evidence" on
every dimension instead of a number.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from interviewer.analysis.clarity import analyze_clarity
from interviewer.analysis.delivery import LOW_CONFIDENCE, analyze_delivery, transcript_confidence
from interviewer.analysis.depth import (
    LEVEL_NAMES,
    Encoder,
    Target,
    analyze_depth,
    target_for,
    target_from_points,
    target_from_reference,
)
from interviewer.analysis.evidence import MIN_WORDS, check_evidence, strip_instructions
from interviewer.analysis.jargon import analyze_jargon
from interviewer.analysis.lexicon import GlossaryMatcher
from interviewer.analysis.readability import readability
from interviewer.analysis.scoring import insufficient, not_applicable, scored
from interviewer.analysis.structure import analyze_structure
from interviewer.analysis.text import sentences
from interviewer.schema import (
    Analysis,
    Answer,
    Dimension,
    EvidenceStatus,
    GlossaryTerm,
    Persona,
    Score,
)

__all__ = [
    "LEVEL_NAMES",
    "Analyzer",
    "CachedEncoder",
    "Target",
    "target_for",
    "target_from_points",
    "target_from_reference",
]


class CachedEncoder:
    """Wraps an encode function with a bounded cache: talking points are embedded once."""

    def __init__(self, encode: Encoder, size: int = 8192) -> None:
        self._encode = encode
        self._cache: OrderedDict[str, np.ndarray[Any, Any]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()  # web sessions analyse answers from several threads

    def __call__(self, texts: Sequence[str]) -> np.ndarray[Any, Any]:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if missing:
                for t, v in zip(missing, self._encode(missing), strict=True):
                    self._cache[t] = v
            found = [self._cache[t] for t in texts]
            for t in texts:
                self._cache.move_to_end(t)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return np.stack(found)


class Analyzer:
    """Analyses answers against their questions for a persona. Holds only caches."""

    def __init__(self, glossary: dict[str, GlossaryTerm], encode: Encoder) -> None:
        self.glossary = GlossaryMatcher(glossary)
        self.encode = encode if isinstance(encode, CachedEncoder) else CachedEncoder(encode)

    def warm(self, targets: Sequence[Target]) -> None:
        """Embed the targets' questions and talking points in one batch, ahead of the answers."""
        # textstat reads its word lists on first use (about 0.7 s): not on the first answer.
        readability("Warm up the readability measures before the first answer arrives.")
        texts = [t.question for t in targets]
        texts += [p.point for t in targets for ps in t.point_sets for p in ps]
        self.encode(texts)

    def analyze(
        self,
        answer: Answer | str,
        target: Target,
        persona: Persona,
        previous_answers: Sequence[str] = (),
    ) -> Analysis:
        """Measure one answer. Never raises on odd input; thin answers get 'not enough evidence'."""
        if isinstance(answer, str):
            answer = Answer(text=answer)
        # A pasted essay is judged on its first 20,000 characters; lone surrogates are dropped.
        text = answer.text[:20000].encode("utf-8", "replace").decode("utf-8")
        text, injected = strip_instructions(text)
        if injected and not text.strip():
            reason = "The answer only addressed the grader, not the question."
            return self._no_evidence(answer, target, persona, EvidenceStatus.OFF_TOPIC, reason)
        min_words = MIN_WORDS
        if target.derived and target.point_sets:
            shortest = min(sum(len(p.key_terms) for p in ps) for ps in target.point_sets)
            min_words = max(2, min(MIN_WORDS, shortest // 2))
        gate = check_evidence(text, previous_answers, min_words=min_words)
        units = sentences(text) if gate.ok else []
        flags: list[str] = []
        if injected:
            flags.append("an instruction to the grader in the answer was ignored")

        depth = analyze_depth(units, target, self.encode) if gate.ok and target.point_sets else None
        status, reason = gate.status, gate.reason
        if depth is not None and depth.off_topic:
            status = EvidenceStatus.OFF_TOPIC
            reason = (
                "The answer does not address the question (no talking point or key term in it)."
            )
        if status is not EvidenceStatus.OK:
            return self._no_evidence(answer, target, persona, status, reason)

        low_confidence = (
            bool(answer.words) and transcript_confidence(answer.words or []) < LOW_CONFIDENCE
        )
        if low_confidence:
            flags.append("low transcription confidence: wording scores withheld")
        scores: dict[Dimension, Score] = {}
        lead = self._lead_relevance(units, target)
        if low_confidence:
            scores[Dimension.CLARITY] = insufficient(
                Dimension.CLARITY, "The transcript is too uncertain to judge wording."
            )
        else:
            scores[Dimension.CLARITY] = analyze_clarity(text, units, lead, target.story)

        points = target.points
        coverage = depth.coverage if depth else []
        jargon, terms = analyze_jargon(
            text, units, self.glossary, persona, target.question, points, coverage
        )
        scores[Dimension.JARGON] = (
            jargon
            if not low_confidence
            else insufficient(Dimension.JARGON, "The transcript is too uncertain to judge wording.")
        )
        if depth is not None:
            covered = [pc for pc in depth.coverage if pc.covered]
            explained = [pc for pc in covered if pc.level >= 3]
            missed = [pc for pc in depth.coverage if not pc.covered]
            explanation = (
                f"Covered {len(covered)} of {len(depth.coverage)} talking points, "
                f"{len(explained)} with their mechanism, trade-offs or an example"
            )
            if missed:
                explanation += f"; missed or only hinted at {len(missed)}"
            scores[Dimension.DEPTH] = scored(
                Dimension.DEPTH,
                depth.value,
                explanation + ".",
                {
                    "points": len(depth.coverage),
                    "points_covered": len(covered),
                    "points_explained": len(explained),
                    "points_missed": len(missed),
                    "deepest_level": max((pc.level for pc in depth.coverage), default=0),
                    "coverage_credit": depth.coverage_credit,
                    "elaboration_words": depth.elaboration_words,
                    "best_similarity": depth.best_similarity,
                },
                [pc.evidence for pc in depth.coverage if pc.evidence][:4],
            )
        else:
            scores[Dimension.DEPTH] = insufficient(
                Dimension.DEPTH, "No talking points or reference answer to judge depth against."
            )
        scores[Dimension.STRUCTURE] = (
            analyze_structure(units)
            if target.story
            else not_applicable(Dimension.STRUCTURE, "Not a story question.")
        )
        scores[Dimension.DELIVERY] = (
            analyze_delivery(text, answer.words, answer.duration)
            if answer.words
            else not_applicable(Dimension.DELIVERY, "Typed answer: no delivery to judge.")
        )
        return Analysis(
            question_id=target.question_id,
            question=target.question,
            persona=persona.id,
            answer=answer.text,
            status=EvidenceStatus.OK,
            status_reason="",
            scores=scores,
            terms=terms,
            points=coverage,
            flags=flags,
        )

    def _lead_relevance(self, units: list[Any], target: Target) -> float | None:
        """How close the first sentence is to the question, relative to the best sentence."""
        if len(units) < 2:
            return None
        vecs = self.encode([u.text for u in units] + [target.question])
        sims = vecs[:-1] @ vecs[-1]
        best = float(sims.max())
        return float(sims[0]) / best if best > 0 else None

    def _no_evidence(
        self,
        answer: Answer,
        target: Target,
        persona: Persona,
        status: EvidenceStatus,
        reason: str,
    ) -> Analysis:
        scores = {d: insufficient(d, reason) for d in Dimension}
        if not target.story:
            scores[Dimension.STRUCTURE] = not_applicable(
                Dimension.STRUCTURE, "Not a story question."
            )
        if not answer.words:
            scores[Dimension.DELIVERY] = not_applicable(
                Dimension.DELIVERY, "Typed answer: no delivery to judge."
            )
        return Analysis(
            question_id=target.question_id,
            question=target.question,
            persona=persona.id,
            answer=answer.text,
            status=status,
            status_reason=reason,
            scores=scores,
            points=[],
        )
