"""The cohort dashboard of a batch run: one self-contained HTML page (inline CSS and SVG)."""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import TYPE_CHECKING

from interviewer.report.charts import BAND_COLOURS, DIMENSION_COLOURS, GREY
from interviewer.report.render import CSS
from interviewer.schema import Dimension

if TYPE_CHECKING:
    from interviewer.batch import Row

DIMENSIONS = ("clarity", "jargon", "depth", "structure", "delivery")
BINS = [(1.0, 1.8), (1.8, 2.6), (2.6, 3.4), (3.4, 4.2), (4.2, 5.01)]
BIN_NAMES = ["poor", "weak", "fair", "good", "strong"]


def histogram(values: list[float], colour: str, title: str) -> str:
    """Counts per band as small bars, with the numbers written under them."""
    counts = [sum(lo <= v < hi for v in values) for lo, hi in BINS]
    top = max(counts) or 1
    w, h = 260, 120
    bar_w = w / len(BINS) - 10
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {w} {h + 36}" width="100%" '
        f'aria-label="{escape(title)}: distribution over bands">'
    ]
    for i, (count, name) in enumerate(zip(counts, BIN_NAMES, strict=True)):
        x = 5 + i * (bar_w + 10)
        bh = (h - 16) * count / top
        parts.append(
            f'<rect x="{x:.1f}" y="{h - bh:.1f}" width="{bar_w:.1f}" height="{bh:.1f}" '
            f'fill="{BAND_COLOURS.get(name, colour)}" rx="3"><title>{name}: {count}</title></rect>'
            f'<text x="{x + bar_w / 2:.1f}" y="{h - bh - 4:.1f}" font-size="11" '
            f'text-anchor="middle" fill="#1f2933">{count}</text>'
            f'<text x="{x + bar_w / 2:.1f}" y="{h + 16}" font-size="11" text-anchor="middle" '
            f'fill="#52606d">{name}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def dashboard_html(rows: list[Row], interrupted: bool = False) -> str:
    ok = [r for r in rows if r.status == "ok"]
    failed = [r for r in rows if r.status == "failed"]
    cards = []
    for dim in DIMENSIONS:
        values = [v for r in ok if (v := getattr(r, dim)) is not None]
        if not values:
            continue
        mean = sum(values) / len(values)
        colour = DIMENSION_COLOURS[Dimension(dim)]
        cards.append(
            f'<div class="card"><h3>{dim.capitalize()} <span class="muted">mean {mean:.1f} · '
            f"{len(values)} transcript(s)</span></h3>{histogram(values, colour, dim)}</div>"
        )
    missed = Counter(p for r in ok for p in r.missed).most_common(12)
    terms = Counter(t for r in ok for t in r.terms).most_common(12)
    none = '<tr><td colspan="3" class="muted">{}</td></tr>'
    missed_rows = "".join(
        f"<tr><td>{n}</td><td>{escape(point)}</td><td><code>{escape(qid)}</code></td></tr>"
        for (qid, point), n in missed
    )
    missed_rows = missed_rows or none.format(
        "None to show: no question matched the question bank, so there are no talking points."
    )
    term_rows = "".join(
        f"<tr><td>{n}</td><td><strong>{escape(term)}</strong></td>"
        f"<td>{escape(plain) if plain else '<em>explain it in your own words</em>'}</td></tr>"
        for (term, plain), n in terms
    )

    term_rows = term_rows or none.format("No unexplained jargon for this interviewer's audience.")

    def cell(v: float | None) -> str:
        return "" if v is None else f"{v:.1f}"

    table = "".join(
        f'<tr><td><a href="{escape(r.name)}.html">{escape(_short(r.file))}</a></td>'
        f"<td>{cell(r.overall)}</td><td>{cell(r.clarity)}</td><td>{cell(r.jargon)}</td>"
        f"<td>{cell(r.depth)}</td><td>{cell(r.structure)}</td><td>{r.answers_judged} of "
        f'{r.questions}</td><td class="muted">{escape(r.flags)}</td></tr>'
        for r in ok
    )
    failures = "".join(
        f"<tr><td>{escape(_short(r.file))}</td><td>{escape(r.error)}</td></tr>" for r in failed
    )
    stopped = (
        '<p class="gap">The run was stopped before the end: this summary covers the files '
        "finished so far. Run the same command again to finish; done files are skipped.</p>"
        if interrupted
        else ""
    )
    failure_block = (
        f"<h2>Could not evaluate ({len(failed)})</h2><table><tr><th>file</th><th>reason</th></tr>"
        f"{failures}</table>"
        if failed
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Cohort dashboard</title><style>{CSS}</style></head>
<body><main>
<h1>Cohort dashboard</h1>
<p class="meta">{len(ok)} transcript(s) evaluated · {len(failed)} could not be read ·
scores on a 1-5 scale, higher is better, measured (not guessed by a language model)</p>
{stopped}
<h2>Distribution per dimension</h2>
<div class="grid">{"".join(cards) or '<p class="muted">No scores yet.</p>'}</div>
<h2>Weakest talking points across the cohort</h2>
<table><tr><th>missed by</th><th>talking point</th><th>question</th></tr>{missed_rows}</table>
<h2>Most common unexplained jargon</h2>
<table><tr><th>times</th><th>term</th><th>say instead</th></tr>{term_rows}</table>
<h2>Transcripts</h2>
<table><tr><th>file</th><th>overall</th><th>clarity</th><th>jargon</th><th>depth</th>
<th>structure</th><th>answers judged</th><th>flags</th></tr>{table}</table>
{failure_block}
</main></body></html>
"""


def _short(path: str) -> str:
    parts = path.replace("\\", "/").split("/")
    return "/".join(parts[-2:])


__all__ = ["GREY", "dashboard_html", "histogram"]
