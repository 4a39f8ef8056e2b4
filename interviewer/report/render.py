"""Render a `Report` as Markdown, self-contained HTML (inline CSS and SVG) and JSON.

All three are written from the same record, so they never disagree. Everything the candidate
said is escaped in HTML: an answer is data, never markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path

from interviewer.report.charts import BAND_COLOURS, GREY, answer_timeline, dimension_bars, text_bar
from interviewer.schema import (
    Dimension,
    Highlight,
    MeasurementValue,
    QuestionReport,
    Report,
    ScoreStatus,
)

FORMATS = ("md", "html", "json")
NO_STRENGTHS = (
    "No strengths can be named yet: no answer scored well enough with evidence to show it."
)


def _delivery_line(m: Mapping[str, MeasurementValue]) -> str:
    return (
        f"{m.get('words_per_minute')} words/min, {m.get('pauses')} pause(s) "
        f"(longest {m.get('longest_pause_seconds')} s), at least "
        f"{m.get('fillers_per_100_words_lower_bound')} fillers per 100 words, "
        f"transcription confidence {m.get('transcription_confidence')}"
    )


def _value(v: float | None, band: str) -> str:
    return f"{v:.1f} ({band})" if v is not None else band


# --- Markdown ------------------------------------------------------------------------------------


def _md_highlights(items: list[Highlight], empty: str) -> list[str]:
    if not items:
        return [f"_{empty}_", ""]
    out = []
    for h in items:
        out.append(f"- **{h.title}** (question {h.question_number}): {h.detail}")
        if h.quote:
            out.append(f"  > {h.quote}")
    out.append("")
    return out


def _md_question(q: QuestionReport) -> list[str]:
    a = q.analysis
    out = [f"### Question {q.number}: {q.question}", ""]
    if q.category:
        out += [f"_{q.category.replace('_', ' ')}_", ""]
    for i, text in enumerate(q.answers):
        label = "Answer" if i == 0 else f"After follow-up {i}"
        if i > 0 and i - 1 < len(q.followups):
            out.append(f"> _Interviewer:_ {q.followups[i - 1]}")
        out.append(f"> **{label}:** {text}")
        out.append("")
    if not q.answers:
        out += ["_No answer._" if not q.skipped else "_Skipped._", ""]
    if a.status.value != "ok":
        out += [f"**Not enough evidence:** {a.status_reason}", ""]
    else:
        out += ["| dimension | score | why |", "|---|---|---|"]
        for dim, s in a.scores.items():
            if s.status is ScoreStatus.NOT_APPLICABLE:
                continue
            out.append(f"| {dim.value} | {_value(s.value, s.band)} | {s.explanation} |")
        out.append("")
        covered = [p for p in a.points if p.covered]
        if covered:
            out.append("Talking points covered:")
            for p in covered:
                out.append(f"- {p.level_name}: {p.point}")
            out.append("")
    if q.second_opinion:
        op = q.second_opinion
        out += [
            f"_Second opinion (language model, not a score): depth {op.score:.1f} — "
            f"{op.rationale}_",
            "",
        ]
    if q.missed:
        out.append("Talking points missed or only hinted at:")
        for m in q.missed:
            out.append(f"- {m.point}")
        if q.study:
            out.append(f"- _Study:_ {', '.join(f'{s.title} (`{s.id}`)' for s in q.study)}")
        out.append("")
    for i, d in enumerate(q.delivery, 1):
        out.append(f"Delivery, spoken answer {i}: {_delivery_line(d.measurements)}.")
    if q.delivery:
        out.append("")
    return out


def to_markdown(report: Report) -> str:
    """The report as Markdown, readable top to bottom."""
    lines = [
        "# Interview feedback",
        "",
        f"Interviewer: **{report.persona_name}** · session `{report.session_id}` · "
        f"{report.created_at:%Y-%m-%d %H:%M} UTC",
        "",
        f"**Overall: {_value(report.overall, report.overall_band)}** on a 1-5 scale "
        "(higher is better), weighted for this interviewer.",
        "",
        "## Scores",
        "",
        "| dimension | score | answers judged |  |",
        "|---|---|---|---|",
    ]
    for s in report.dimensions:
        if s.status is ScoreStatus.NOT_APPLICABLE:
            continue
        lines.append(
            f"| {s.dimension.value} | {_value(s.value, s.band)} | "
            f"{s.answers_scored} of {s.answers_total} | `{text_bar(s.value)}` |"
        )
    lines.append("")
    if report.narrative:
        lines += [
            "## Coach's summary",
            "",
            report.narrative.summary,
            "",
            "_Written by a language model from the measurements above; it sets no score._",
            "",
        ]
    if report.evidence_gaps:
        lines += ["**Not enough evidence** for part of this interview:", ""]
        lines += [f"- {g}" for g in report.evidence_gaps]
        lines.append("")
    lines += ["## Strengths", ""]
    lines += _md_highlights(report.strengths, NO_STRENGTHS)
    lines += ["## What to improve", ""]
    lines += _md_highlights(report.improvements, "Nothing stood out to improve.")
    if report.jargon:
        lines += [
            "## Terms to explain or replace",
            "",
            "| term | say instead | used |",
            "|---|---|---|",
        ]
        for t in report.jargon:
            where = ", ".join(f"Q{n}" for n in t.question_numbers)
            lines.append(f"| {t.term} | {t.plain or '_explain it in your own words_'} | {where} |")
        lines.append("")
    lines += ["## Question by question", ""]
    for q in report.questions:
        lines += _md_question(q)
    if report.narrative and report.narrative.rewrites:
        lines += ["## How to say it better", ""]
        for rw in report.narrative.rewrites:
            study = f" (study: {', '.join(rw.sections)})" if rw.sections else ""
            lines += [f"**Question {rw.question_number}**{study}", "", f"> {rw.better_answer}", ""]
    if report.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in report.notes] + [""]
    if report.appendix:
        lines += ["## Appendix", ""] + [f"- {k}: {v}" for k, v in report.appendix.items()] + [""]
    lines += [
        "---",
        "_Scores are measured from your words (readability, terms and their explanations, "
        "coverage of the question's talking points), not guessed by a language model._",
        "",
    ]
    return "\n".join(lines)


# --- HTML ----------------------------------------------------------------------------------------

CSS = """
body{font:16px/1.55 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2933;
 margin:0;background:#f6f7f9}
main{max-width:920px;margin:0 auto;padding:28px 22px 60px}
h1{font-size:28px;margin:0 0 4px}
h2{font-size:21px;margin:34px 0 12px;border-bottom:1px solid #dde1e6;
 padding-bottom:6px}h3{font-size:17px;margin:0 0 8px}
.meta{color:#52606d;font-size:14px}
.overall{display:flex;gap:18px;align-items:center;background:#fff;border:1px solid #dde1e6;
 border-radius:10px;padding:16px 20px;margin:18px 0}
.big{font-size:40px;font-weight:700}.pill{display:inline-block;padding:2px 10px;border-radius:999px;
 color:#fff;font-size:13px;font-weight:600;text-transform:capitalize}
.card{background:#fff;border:1px solid #dde1e6;border-radius:10px;padding:16px 20px;margin:12px 0}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:14px}
@media(max-width:720px){.grid{grid-template-columns:1fr}}
blockquote{margin:8px 0;padding:6px 12px;border-left:4px solid #c9d2dc;background:#f3f5f8;
 color:#3e4c59}
table{border-collapse:collapse;width:100%;font-size:14px}td,th{border-bottom:1px solid #e6e9ed;
 padding:6px 8px;text-align:left;vertical-align:top}th{color:#52606d;font-weight:600}
.gap{background:#fff8e6;border:1px solid #f0d58c;border-radius:8px;padding:10px 14px}
.muted{color:#66707a}.q{margin:18px 0}.answer{white-space:pre-wrap}
.lvl{font-size:12px;color:#52606d;text-transform:uppercase;letter-spacing:.03em}
footer{margin-top:40px;font-size:13px;color:#66707a}
"""


def _pill(band: str) -> str:
    colour = BAND_COLOURS.get(band, GREY)
    return f'<span class="pill" style="background:{colour}">{escape(band)}</span>'


def _html_highlights(items: list[Highlight], empty: str) -> str:
    if not items:
        return f'<p class="muted">{escape(empty)}</p>'
    out = []
    for h in items:
        quote = f"<blockquote>{escape(h.quote)}</blockquote>" if h.quote else ""
        out.append(
            f'<div class="card"><h3>{escape(h.title)} '
            f'<span class="muted">· question {h.question_number}</span></h3>'
            f"<p>{escape(h.detail)}</p>{quote}</div>"
        )
    return "".join(out)


def _html_question(q: QuestionReport) -> str:
    a = q.analysis
    parts = [
        f'<div class="card q" id="q{q.number}"><h3>Question {q.number}: {escape(q.question)}</h3>'
    ]
    if q.category:
        parts.append(f'<p class="lvl">{escape(q.category.replace("_", " "))}</p>')
    for i, text in enumerate(q.answers):
        if i > 0 and i - 1 < len(q.followups):
            parts.append(f'<p class="muted"><em>Follow-up:</em> {escape(q.followups[i - 1])}</p>')
        parts.append(f'<blockquote class="answer">{escape(text)}</blockquote>')
    if not q.answers:
        parts.append(f'<p class="muted">{"Skipped." if q.skipped else "No answer."}</p>')
    if a.status.value != "ok":
        parts.append(
            f'<p class="gap"><strong>Not enough evidence:</strong> {escape(a.status_reason)}</p>'
        )
    else:
        rows = "".join(
            f"<tr><td>{escape(d.value)}</td><td>{_pill(s.band)} "
            f"{'' if s.value is None else f'{s.value:.1f}'}</td>"
            f"<td>{escape(s.explanation)}</td></tr>"
            for d, s in a.scores.items()
            if s.status is not ScoreStatus.NOT_APPLICABLE
        )
        parts.append(f"<table><tr><th>dimension</th><th>score</th><th>why</th></tr>{rows}</table>")
        covered = [p for p in a.points if p.covered]
        if covered:
            items = "".join(
                f'<li><span class="lvl">{escape(p.level_name)}</span> {escape(p.point)}</li>'
                for p in covered
            )
            parts.append(f"<p><strong>Covered</strong></p><ul>{items}</ul>")
    if q.second_opinion:
        op = q.second_opinion
        parts.append(
            f'<p class="muted">Second opinion (language model, not a score): depth '
            f"{op.score:.1f}: {escape(op.rationale)}</p>"
        )
    if q.missed:
        items = "".join(f"<li>{escape(m.point)}</li>" for m in q.missed)
        parts.append(f"<p><strong>Missed or only hinted at</strong></p><ul>{items}</ul>")
        if q.study:
            study = ", ".join(f"{escape(s.title)} <code>{escape(s.id)}</code>" for s in q.study)
            parts.append(f"<p><strong>Study:</strong> {study}</p>")
    for i, d in enumerate(q.delivery, 1):
        line = escape(_delivery_line(d.measurements))
        parts.append(f'<p class="muted">Delivery, spoken answer {i}: {line}</p>')
    parts.append("</div>")
    return "".join(parts)


def to_html(report: Report) -> str:
    """The report as one self-contained HTML page (no scripts, no external resources)."""
    scored_rows = "".join(
        f"<tr><td>{escape(s.dimension.value)}</td><td>{_pill(s.band)} "
        f"{'' if s.value is None else f'{s.value:.1f}'}</td>"
        f"<td>{s.answers_scored} of {s.answers_total}</td></tr>"
        for s in report.dimensions
        if s.status is not ScoreStatus.NOT_APPLICABLE
    )
    gaps = ""
    if report.evidence_gaps:
        items = "".join(f"<li>{escape(g)}</li>" for g in report.evidence_gaps)
        gaps = (
            '<div class="gap"><strong>Not enough evidence</strong> for part of this interview:'
            f"<ul>{items}</ul></div>"
        )
    jargon = ""
    if report.jargon:
        rows = "".join(
            f"<tr><td><strong>{escape(t.term)}</strong></td>"
            f"<td>{escape(t.plain) if t.plain else '<em>explain it in your own words</em>'}</td>"
            f"<td>{', '.join(f'Q{n}' for n in t.question_numbers)}</td></tr>"
            for t in report.jargon
        )
        jargon = (
            "<h2>Terms to explain or replace</h2><table><tr><th>term</th><th>say instead</th>"
            f"<th>used in</th></tr>{rows}</table>"
        )
    overall = "—" if report.overall is None else f"{report.overall:.1f}"
    narrative = rewrites = ""
    if report.narrative:
        narrative = (
            f'<h2>Coach\'s summary</h2><div class="card"><p>{escape(report.narrative.summary)}</p>'
            '<p class="muted">Written by a language model from the measurements; it sets no '
            "score.</p></div>"
        )
        if report.narrative.rewrites:
            rewrites = "<h2>How to say it better</h2>" + "".join(
                f'<div class="card"><h3>Question {rw.question_number}</h3>'
                f"<blockquote>{escape(rw.better_answer)}</blockquote>"
                + (
                    f'<p class="muted">Study: {escape(", ".join(rw.sections))}</p>'
                    if rw.sections
                    else ""
                )
                + "</div>"
                for rw in report.narrative.rewrites
            )
    notes = ""
    if report.notes:
        notes = (
            "<h2>Notes</h2><ul>" + "".join(f"<li>{escape(n)}</li>" for n in report.notes) + "</ul>"
        )
    appendix = ""
    if report.appendix:
        appendix = (
            "<h2>Appendix</h2><table>"
            + "".join(
                f"<tr><td>{escape(k)}</td><td>{escape(str(v))}</td></tr>"
                for k, v in report.appendix.items()
            )
            + "</table>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Interview feedback · {escape(report.persona_name)}</title>
<style>{CSS}</style></head>
<body><main>
<h1>Interview feedback</h1>
<p class="meta">Interviewer: {escape(report.persona_name)} · session {escape(report.session_id)} ·
{report.created_at:%Y-%m-%d %H:%M} UTC</p>
<div class="overall"><div class="big">{overall}</div><div>{_pill(report.overall_band)}
<div class="muted">overall on a 1-5 scale, higher is better, weighted for this interviewer</div>
</div></div>
{narrative}
{gaps}
<h2>Scores</h2>
<div class="grid"><div class="card">{dimension_bars(report.dimensions)}</div>
<div class="card"><table><tr><th>dimension</th><th>score</th><th>answers judged</th></tr>
{scored_rows}</table></div></div>
<h2>Score per question</h2>
<div class="card">{answer_timeline(report.questions)}</div>
<h2>Strengths</h2>
{_html_highlights(report.strengths, NO_STRENGTHS)}
<h2>What to improve</h2>
{_html_highlights(report.improvements, "Nothing stood out to improve.")}
{jargon}
<h2>Question by question</h2>
{"".join(_html_question(q) for q in report.questions)}
{rewrites}{notes}{appendix}
<footer>Scores are measured from your words (readability, terms and their explanations, coverage
of the question's talking points), not guessed by a language model.</footer>
</main></body></html>
"""


def to_json(report: Report) -> str:
    """The report as JSON (schema: `interviewer.schema.Report`, versioned by `version`)."""
    return report.model_dump_json(indent=2)


def write_report(
    report: Report, out_dir: Path, formats: tuple[str, ...] = FORMATS, stem: str = "report"
) -> dict[str, Path]:
    """Write the chosen formats atomically into out_dir; returns format -> path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    renderers = {"md": to_markdown, "html": to_html, "json": to_json}
    written: dict[str, Path] = {}
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(renderers[fmt](report), encoding="utf-8")
        tmp.replace(path)
        written[fmt] = path
    return written


__all__ = ["FORMATS", "Dimension", "to_html", "to_json", "to_markdown", "write_report"]
