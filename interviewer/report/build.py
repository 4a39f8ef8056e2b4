"""Build a `Report` from a transcript: analyse each question's answers, then summarise honestly.

Each question is judged on everything the candidate said about it (the first answer and the
answers to follow-ups together), so a point covered after a follow-up counts. Strengths are only
named where a measured score is good and an answer shows it; when nothing can be judged, the
report says so instead of finding something nice to say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from interviewer.analysis import Analyzer, Target, target_for
from interviewer.analysis.delivery import analyze_delivery
from interviewer.analysis.scoring import BANDS, NOT_ENOUGH_EVIDENCE, band, insufficient, scored
from interviewer.analysis.text import sentences
from interviewer.schema import (
    Analysis,
    Answer,
    Dimension,
    DimensionSummary,
    EvidenceStatus,
    Highlight,
    KnowledgePack,
    MissedPoint,
    Persona,
    QuestionReport,
    Report,
    Role,
    Score,
    ScoreStatus,
    SectionRef,
    TermAdvice,
    Transcript,
    TurnKind,
)

GOOD = BANDS[1][0]  # "good" and above can be named a strength
ADVICE = {
    EvidenceStatus.EMPTY: "Say something, even a first step: an empty answer cannot be credited.",
    EvidenceStatus.DECLINED: "Rather than passing, reason out loud: say what you do know and how "
    "you would find out the rest. Interviewers credit the approach.",
    EvidenceStatus.TOO_SHORT: "Expand: give the main point, why it matters, and an example.",
    EvidenceStatus.GIBBERISH: "The answer could not be read; answer in full English sentences.",
    EvidenceStatus.REPEATED: "Answer this question on its own terms instead of repeating an "
    "earlier answer.",
    EvidenceStatus.OFF_TOPIC: "Answer the question that was asked: restate it in your first "
    "sentence, then address it.",
}
STATUS_WORDS = {
    EvidenceStatus.EMPTY: "no answer was given",
    EvidenceStatus.DECLINED: "the question was declined",
    EvidenceStatus.TOO_SHORT: "the answer was too short to judge",
    EvidenceStatus.GIBBERISH: "the answer could not be read as English",
    EvidenceStatus.REPEATED: "the answer repeated an earlier one",
    EvidenceStatus.OFF_TOPIC: "the answer did not address the question",
}


def _sections(pack: KnowledgePack, ids: Sequence[str]) -> list[SectionRef]:
    return [SectionRef(id=s, title=pack.sections[s].meta.title) for s in ids if s in pack.sections]


def _target(pack: KnowledgePack, question_id: str | None, asked: str) -> Target:
    if question_id and question_id in pack.questions:
        return target_for(pack.questions[question_id])
    return Target(question_id, asked, ())


def _delivery_summary(scores: list[Score]) -> Score | None:
    values = [s.value for s in scores if s.value is not None]
    if not values:
        return None
    mean = sum(values) / len(values)
    return scored(
        Dimension.DELIVERY,
        mean,
        f"Mean over {len(values)} spoken answer(s). " + scores[0].explanation,
        scores[0].measurements,
        scores[0].evidence,
    )


def analyze_transcript(
    transcript: Transcript, pack: KnowledgePack, persona: Persona, analyzer: Analyzer
) -> list[QuestionReport]:
    """Analyse every question of a transcript (all its answers together)."""
    reports: list[QuestionReport] = []
    earlier: list[str] = []
    for number, (qid, asked_turns, answer_turns) in enumerate(transcript.exchanges(), 1):
        question_turn = next((t for t in asked_turns if t.kind is TurnKind.QUESTION), None)
        asked = (
            question_turn.text if question_turn else (asked_turns[0].text if asked_turns else "")
        )
        bank = pack.questions.get(qid) if qid else None
        target = _target(pack, qid, bank.text if bank else asked)
        answers = [
            t for t in answer_turns if t.role is Role.CANDIDATE and t.kind is TurnKind.ANSWER
        ]
        skipped = any(t.kind is TurnKind.SKIP for t in answer_turns) and not any(
            a.text.strip() for a in answers
        )
        texts = [a.text for a in answers if a.text.strip()]
        combined = "\n".join(texts)
        analysis = analyzer.analyze(Answer(text=combined), target, persona, earlier)
        delivery = [analyze_delivery(a.text, a.words, a.duration) for a in answers if a.words]
        summary = _delivery_summary(delivery)
        if summary is not None and analysis.status is EvidenceStatus.OK:
            analysis = analysis.model_copy(
                update={"scores": {**analysis.scores, Dimension.DELIVERY: summary}}
            )
        if combined.strip():
            earlier.append(combined)
        missed: list[MissedPoint] = []
        if bank:
            covered = {pc.point_id for pc in analysis.points if pc.covered}
            for tp in bank.talking_points:
                if tp.id not in covered:
                    missed.append(
                        MissedPoint(point=tp.point, sections=_sections(pack, bank.sections))
                    )
        reports.append(
            QuestionReport(
                number=number,
                question_id=qid,
                question=bank.text if bank else asked,
                category=bank.category.value if bank else None,
                followups=[t.text for t in asked_turns if t.kind is TurnKind.FOLLOWUP],
                answers=texts,
                skipped=skipped,
                analysis=analysis,
                delivery=delivery,
                missed=missed,
                study=_sections(pack, bank.sections) if bank else [],
            )
        )
    return reports


def _summaries(questions: list[QuestionReport], persona: Persona) -> list[DimensionSummary]:
    weights = persona.weights.model_dump()
    out = []
    for dim in Dimension:
        scores = [q.analysis.scores[dim] for q in questions if dim in q.analysis.scores]
        values = [s.value for s in scores if s.status is ScoreStatus.SCORED and s.value is not None]
        applicable = [s for s in scores if s.status is not ScoreStatus.NOT_APPLICABLE]
        if values:
            mean = round(sum(values) / len(values), 2)
            status, value, label = ScoreStatus.SCORED, mean, band(mean)
        elif applicable:
            status, value, label = ScoreStatus.INSUFFICIENT, None, NOT_ENOUGH_EVIDENCE
        else:
            status, value, label = ScoreStatus.NOT_APPLICABLE, None, "not applicable"
        out.append(
            DimensionSummary(
                dimension=dim,
                status=status,
                value=value,
                band=label,
                answers_scored=len(values),
                answers_total=len(applicable),
                weight=float(weights.get(dim.value, 0.0)),
            )
        )
    return out


def _overall(summaries: list[DimensionSummary]) -> float | None:
    parts = [(s.weight, s.value) for s in summaries if s.value is not None and s.weight > 0]
    total = sum(w for w, _ in parts)
    return round(sum(w * v for w, v in parts) / total, 2) if total else None


def _quote(score: Score) -> str | None:
    return score.evidence[0].quote if score.evidence else None


def _positive_quote(dim: Dimension, s: Score, analysis: Analysis) -> str | None:
    """A quote that shows the strength (never one of the score's criticisms)."""
    if dim is Dimension.DEPTH:
        best = max(analysis.points, key=lambda pc: pc.level, default=None)
        return best.evidence.quote if best and best.evidence else None
    if dim is Dimension.CLARITY:
        # The opening when it states the point, else the first sentence nothing criticised.
        criticised = {e.quote for e in s.evidence}
        units = [u for u in sentences(analysis.answer) if u.text not in criticised]
        return units[0].text if units else None
    if dim is Dimension.JARGON:
        explained = [t for t in analysis.terms if t.explained]
        return explained[0].first_use.quote if explained else None
    if dim is Dimension.STRUCTURE:
        results = [e for e in s.evidence if e.note == "result"]
        return results[0].quote if results else None
    return None


def _praise(dim: Dimension, s: Score, analysis: Analysis) -> str:
    """What went well, in words a candidate can repeat, from the measurements behind the score."""
    m = s.measurements
    if dim is Dimension.DEPTH:
        deep = [pc for pc in analysis.points if pc.level >= 2]
        best = max(analysis.points, key=lambda pc: pc.level, default=None)
        text = (
            f"Went beyond a passing mention on {len(deep)} of {len(analysis.points)} talking points"
        )
        if best is not None and best.level >= 3:
            text += f", reaching '{best.level_name}' on: {best.point.rstrip('.')}"
        return text + "."
    if dim is Dimension.CLARITY:
        bits = []
        if float(m.get("readability") or 0) >= GOOD:
            bits.append(f"easy to read ({m.get('readability')}/5)")
        if m.get("leads_with_point"):
            bits.append("states the point up front")
        if float(m.get("hedges_per_100_words") or 0) < 2:
            bits.append("few hedges")
        if float(m.get("fillers_per_100_words") or 0) < 2:
            bits.append("few fillers")
        return "Clear answer: " + ", ".join(bits) + "."
    if dim is Dimension.JARGON:
        if "points_named_precisely" in m:
            return f"Used the precise terms for {m['points_named_precisely']} talking points."
        explained = m.get("explained") or 0
        left = m.get("unexplained") or 0
        return (
            f"Pitched the vocabulary for this listener: {explained} unfamiliar term(s) explained, "
            f"{left} left unexplained ({m.get('unexplained_density', 0):.1%} of words, within "
            f"the {persona_budget(m)} this listener follows comfortably)."
        )
    if dim is Dimension.STRUCTURE:
        parts = [p for p in ("situation", "task", "action", "result") if m.get(p)]
        text = "Told a structured story (" + ", ".join(parts) + ")"
        if m.get("measurable_result"):
            text += " with a measurable result"
        return text + "."
    return f"Comfortable delivery at {m.get('words_per_minute')} words per minute."


def persona_budget(m: Mapping[str, object]) -> str:
    budget = m.get("audience_budget")
    return f"{budget:.0%}" if isinstance(budget, float) else "budget"


def _strengths(questions: list[QuestionReport], persona: Persona) -> list[Highlight]:
    weights = persona.weights.model_dump()
    candidates: list[tuple[float, Highlight]] = []
    for q in questions:
        for dim, s in q.analysis.scores.items():
            if s.status is not ScoreStatus.SCORED or s.value is None or s.value < GOOD:
                continue
            quote = _positive_quote(dim, s, q.analysis)
            if quote is None and dim not in (Dimension.JARGON, Dimension.DELIVERY):
                continue  # a strength must be shown by the candidate's own words
            title = {
                Dimension.DEPTH: "Technical depth",
                Dimension.CLARITY: (
                    "Clear, direct answer"
                    if s.measurements.get("leads_with_point")
                    else "Clear answer"
                ),
                Dimension.JARGON: "Vocabulary suited to the listener",
                Dimension.STRUCTURE: "Well-structured story",
                Dimension.DELIVERY: "Steady delivery",
            }[dim]
            if dim is Dimension.JARGON and s.measurements.get("technical_terms", 0) == 0:
                continue  # using no terms at all is not a strength worth naming
            rank = s.value * (0.5 + weights.get(dim.value, 0.0))
            candidates.append(
                (
                    rank,
                    Highlight(
                        dimension=dim,
                        question_number=q.number,
                        title=title,
                        detail=_praise(dim, s, q.analysis),
                        quote=quote,
                    ),
                )
            )
    return _top(candidates)


def _improvements(questions: list[QuestionReport], persona: Persona) -> list[Highlight]:
    weights = persona.weights.model_dump()
    candidates: list[tuple[float, Highlight]] = []
    for q in questions:
        a = q.analysis
        if a.status is not EvidenceStatus.OK:
            if not q.skipped:
                candidates.append(
                    (
                        3.0,
                        Highlight(
                            dimension=Dimension.DEPTH,
                            question_number=q.number,
                            title="Give a full answer",
                            detail=f"{STATUS_WORDS[a.status].capitalize()}. {ADVICE[a.status]}",
                        ),
                    )
                )
            continue
        for dim, s in a.scores.items():
            if s.status is not ScoreStatus.SCORED or s.value is None or s.value >= GOOD:
                continue
            rank = (5 - s.value) * (0.5 + weights.get(dim.value, 0.0))
            detail = s.explanation
            title = {
                Dimension.DEPTH: "Cover the missing talking points",
                Dimension.CLARITY: "Make the answer easier to follow",
                Dimension.JARGON: "Explain or replace jargon",
                Dimension.STRUCTURE: "Complete the STAR story",
                Dimension.DELIVERY: "Work on delivery",
            }[dim]
            if dim is Dimension.DEPTH and q.missed:
                study = ", ".join(sec.title for sec in q.study[:2])
                detail = f"Missing: {q.missed[0].point}" + (f" Study: {study}." if study else "")
            if dim is Dimension.JARGON:
                unexplained = [t for t in a.terms if not t.familiar_to_audience and not t.explained]
                if unexplained and unexplained[0].plain:
                    t = unexplained[0]
                    detail = f"{s.explanation} For example, say what '{t.term}' means: {t.plain}"
            candidates.append(
                (
                    rank,
                    Highlight(
                        dimension=dim,
                        question_number=q.number,
                        title=title,
                        detail=detail,
                        quote=_quote(s),
                    ),
                )
            )
    return _top(candidates)


def _top(candidates: list[tuple[float, Highlight]], n: int = 3) -> list[Highlight]:
    """The n best, at most one per dimension so the advice is varied."""
    chosen: list[Highlight] = []
    seen: set[Dimension] = set()
    for _, h in sorted(candidates, key=lambda c: -c[0]):
        if h.dimension in seen:
            continue
        chosen.append(h)
        seen.add(h.dimension)
        if len(chosen) == n:
            break
    return chosen


def _jargon(questions: list[QuestionReport]) -> list[TermAdvice]:
    terms: dict[str, TermAdvice] = {}
    for q in questions:
        for t in q.analysis.terms:
            if t.familiar_to_audience or t.explained:
                continue
            key = t.term.lower()
            if key in terms:
                old = terms[key]
                terms[key] = old.model_copy(
                    update={
                        "count": old.count + t.count,
                        "question_numbers": sorted({*old.question_numbers, q.number}),
                    }
                )
            else:
                terms[key] = TermAdvice(
                    term=t.term,
                    kind=t.kind,
                    plain=t.plain,
                    count=t.count,
                    question_numbers=[q.number],
                )
    return sorted(terms.values(), key=lambda t: (t.plain is None, -t.count, t.term.lower()))


def build_report(
    transcript: Transcript,
    pack: KnowledgePack,
    persona: Persona,
    analyzer: Analyzer,
    questions: list[QuestionReport] | None = None,
) -> Report:
    """The report for a transcript (pass `questions` when they were analysed already)."""
    questions = (
        questions
        if questions is not None
        else analyze_transcript(transcript, pack, persona, analyzer)
    )
    summaries = _summaries(questions, persona)
    overall = _overall(summaries)
    gaps = [
        f"Question {q.number}: {STATUS_WORDS[q.analysis.status]}"
        + (" (skipped)" if q.skipped else "")
        for q in questions
        if q.analysis.status is not EvidenceStatus.OK
    ]
    notes = []
    if not questions:
        notes.append("The transcript has no questions and answers to analyse.")
    if any(q.question_id is None or q.question_id not in pack.questions for q in questions):
        notes.append(
            "Some questions are not in the question bank: their depth is judged without "
            "talking points."
        )
    for q in questions:
        for flag in q.analysis.flags:
            notes.append(f"Question {q.number}: {flag}.")
    return Report(
        session_id=transcript.session_id,
        persona=persona.id,
        persona_name=f"{persona.name}, {persona.role}",
        candidate=transcript.candidate,
        created_at=datetime.now(UTC),
        overall=overall,
        overall_band=band(overall) if overall is not None else NOT_ENOUGH_EVIDENCE,
        dimensions=summaries,
        strengths=_strengths(questions, persona),
        improvements=_improvements(questions, persona),
        jargon=_jargon(questions),
        questions=questions,
        evidence_gaps=gaps,
        notes=notes,
    )


def question_analyses(report: Report) -> list[Analysis]:
    return [q.analysis for q in report.questions]


__all__ = ["analyze_transcript", "build_report", "insufficient", "question_analyses"]


def digest(report: Report, notes: Sequence[str] = ()) -> str:
    """The measured findings as compact text, for a language model to write the summary from.

    The candidate's answers appear only as delimited data, so nothing in them reads as an
    instruction."""
    lines = [f"Interviewer persona: {report.persona_name}"]
    overall = "not enough evidence" if report.overall is None else f"{report.overall:.1f}/5"
    lines.append(f"Overall (measured): {overall}")
    for d in report.dimensions:
        if d.value is not None:
            lines.append(f"- {d.dimension.value}: {d.value:.1f}/5 ({d.band})")
    for q in report.questions:
        a = q.analysis
        lines.append(f"\nQuestion {q.number}: {q.question}")
        if a.status is not EvidenceStatus.OK:
            lines.append(f"  not enough evidence: {STATUS_WORDS[a.status]}")
            continue
        for dim, s in a.scores.items():
            if s.value is not None:
                lines.append(f"  {dim.value} {s.value:.1f}: {s.explanation}")
        if q.missed:
            lines.append("  missed talking points: " + " | ".join(m.point for m in q.missed[:4]))
        unexplained = [t.term for t in a.terms if not t.familiar_to_audience and not t.explained]
        if unexplained:
            lines.append("  unexplained terms: " + ", ".join(unexplained[:6]))
        if q.study:
            lines.append("  guide sections: " + ", ".join(s.id for s in q.study))
        answer = "\n".join(q.answers)[:1500].replace("<", "\u2039").replace(">", "\u203a")
        lines.append(f"  <candidate_answer>\n{answer}\n  </candidate_answer>")
    if notes:
        lines.append("\nInterviewer's private notes:")
        lines += [f"- {n}" for n in notes]
    return "\n".join(lines)


def second_opinions(report: Report, pack: KnowledgePack, brain: object) -> list[QuestionReport]:
    """Each question with the model's own depth grade beside the measured one (when it works)."""
    from interviewer.schema import SecondOpinion

    grade = getattr(brain, "grade_depth", None)
    out = []
    for q in report.questions:
        bank = pack.questions.get(q.question_id or "")
        opinion = None
        if grade is not None and bank is not None and q.answers:
            try:
                reply = grade(
                    bank.text, [tp.point for tp in bank.talking_points], "\n".join(q.answers)
                )
                opinion = SecondOpinion(score=reply.score, rationale=reply.rationale)
            except Exception:
                opinion = None
        out.append(q.model_copy(update={"second_opinion": opinion}))
    return out
