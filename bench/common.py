"""Small helpers shared by the benchmarks: timing, percentiles and a results file."""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from interviewer.session import InterviewSession

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Run fn once; return (seconds, result)."""
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def summary_ms(samples: list[float]) -> dict[str, float]:
    """p50/p95/max/mean of durations given in seconds, in milliseconds."""
    ms = [s * 1000 for s in samples]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "max_ms": round(max(ms), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def save(name: str, data: dict[str, Any]) -> Path:
    """Write one benchmark's numbers to bench/results/<name>.json (git-ignored)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    record = {"machine": platform.machine(), "python": platform.python_version(), **data}
    path.write_text(json.dumps(record, indent=2), encoding="utf-8")
    return path


def answer_for(session: InterviewSession, n: int) -> str:
    """A plausible answer built from the current question's talking points, varied by turn."""
    q = session.current_question
    if q is None:
        return "I would start with a simple baseline and measure it."
    points = q.talking_points[: 1 + n % 3]
    return " ".join(f"{p.point} For example, {p.key_terms[0]} mattered here." for p in points)
