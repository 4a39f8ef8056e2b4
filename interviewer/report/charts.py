"""Charts for the report as inline SVG (no scripts, no external files) and as text bars.

Every chart also states its numbers in text, so it reads without colour and in a screen reader.
"""

from __future__ import annotations

from html import escape

from interviewer.schema import Dimension, DimensionSummary, QuestionReport, ScoreStatus

BAND_COLOURS = {
    "strong": "#1a7f4b",
    "good": "#4c9a2a",
    "fair": "#c99a06",
    "weak": "#d9661f",
    "poor": "#c0392b",
}
DIMENSION_COLOURS = {
    Dimension.CLARITY: "#2f6db5",
    Dimension.JARGON: "#8e44ad",
    Dimension.DEPTH: "#1a7f4b",
    Dimension.STRUCTURE: "#d9661f",
    Dimension.DELIVERY: "#7f8c8d",
}
GREY = "#9aa3ad"


def text_bar(value: float | None, width: int = 20) -> str:
    """A bar of block characters for a 1-5 value, for Markdown and terminals."""
    if value is None:
        return "·" * width
    filled = round((value - 1) / 4 * width)
    return "█" * filled + "░" * (width - filled)


def dimension_bars(summaries: list[DimensionSummary]) -> str:
    """Horizontal bars, one per dimension, on the 1-5 scale."""
    rows = [s for s in summaries if s.status is not ScoreStatus.NOT_APPLICABLE]
    label_w, bar_w, row_h = 92, 200, 34
    height = row_h * len(rows) + 30
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {label_w + bar_w + 110} {height}" '
        f'width="100%" aria-label="Scores per dimension on a 1 to 5 scale">'
    ]
    for tick in range(1, 6):
        x = label_w + (tick - 1) / 4 * bar_w
        parts.append(
            f'<line x1="{x:.0f}" y1="4" x2="{x:.0f}" y2="{height - 22}" stroke="#e3e6ea"/>'
            f'<text x="{x:.0f}" y="{height - 6}" font-size="11" text-anchor="middle" '
            f'fill="#66707a">{tick}</text>'
        )
    for i, s in enumerate(rows):
        y = 8 + i * row_h
        name = s.dimension.value.capitalize()
        parts.append(
            f'<text x="0" y="{y + 17}" font-size="14" fill="#1f2933">{escape(name)}</text>'
        )
        if s.value is None:
            parts.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="18" fill="none" '
                f'stroke="{GREY}" stroke-dasharray="4 3" rx="3"/>'
                f'<text x="{label_w + 8}" y="{y + 17}" font-size="12" fill="#66707a">'
                f"not enough evidence</text>"
            )
            continue
        w = max(4.0, (s.value - 1) / 4 * bar_w)
        colour = BAND_COLOURS.get(s.band, GREY)
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="18" fill="{colour}" rx="3">'
            f"<title>{escape(name)}: {s.value:.1f} ({escape(s.band)})</title></rect>"
            f'<text x="{label_w + bar_w + 10}" y="{y + 17}" font-size="13" fill="#1f2933">'
            f"{s.value:.1f} · {escape(s.band)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def answer_timeline(questions: list[QuestionReport]) -> str:
    """Each dimension's score per question, as lines over the interview."""
    dims = [Dimension.CLARITY, Dimension.JARGON, Dimension.DEPTH, Dimension.STRUCTURE]
    n = max(1, len(questions))
    left, top, w, h = 34, 12, 700, 170
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {left + w + 20} {top + h + 60}" width="100%" '
        f'aria-label="Scores per question">'
    ]
    for v in range(1, 6):
        y = top + h - (v - 1) / 4 * h
        parts.append(
            f'<line x1="{left}" y1="{y:.0f}" x2="{left + w}" y2="{y:.0f}" stroke="#e3e6ea"/>'
            f'<text x="{left - 8}" y="{y + 4:.0f}" font-size="11" text-anchor="end" '
            f'fill="#66707a">{v}</text>'
        )

    def x_of(i: int) -> float:
        return left + (i + 0.5) * w / n

    for i, q in enumerate(questions):
        parts.append(
            f'<text x="{x_of(i):.0f}" y="{top + h + 18}" font-size="11" text-anchor="middle" '
            f'fill="#66707a">Q{q.number}</text>'
        )
        if q.analysis.status.value != "ok":
            parts.append(
                f'<text x="{x_of(i):.0f}" y="{top + h - 6}" font-size="10" text-anchor="middle" '
                f'fill="{GREY}"><title>not enough evidence</title>n/e</text>'
            )
    shown = 0
    for dim in dims:
        colour = DIMENSION_COLOURS[dim]
        points = []
        for i, q in enumerate(questions):
            s = q.analysis.scores.get(dim)
            if s is not None and s.value is not None:
                y = top + h - (s.value - 1) / 4 * h
                points.append((x_of(i), y, s.value, q.number))
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for x, y, val, num in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                f"<title>Q{num} {dim.value}: {val:.1f}</title></circle>"
            )
        if not points:
            continue  # no legend entry for a dimension no answer was scored on
        lx = left + shown * 110.0
        shown += 1
        parts.append(
            f'<rect x="{lx}" y="{top + h + 34}" width="12" height="12" fill="{colour}" rx="2"/>'
            f'<text x="{lx + 17}" y="{top + h + 44}" font-size="12" fill="#1f2933">'
            f"{dim.value}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
