"""Rendering: Markdown, self-contained HTML (viewed in real Chromium) and versioned JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from interviewer import runtime
from interviewer.config import Settings
from interviewer.report import build_report, to_html, to_json, to_markdown, write_report
from interviewer.schema import Report, Role, Transcript, Turn, TurnKind
from interviewer.transcripts import read_transcript
from tests.paths import FIXTURES, TESTS

ARTIFACTS = TESTS / "artifacts"


@pytest.fixture(scope="module")
def report() -> Report:
    s = Settings()
    t = read_transcript(FIXTURES / "sample_transcript.json")
    return build_report(t, runtime.pack(s), runtime.persona(s, t.persona), runtime.analyzer(s))


def test_markdown_reads_top_to_bottom(report: Report) -> None:
    md = to_markdown(report)
    order = [
        "# Interview feedback",
        "## Scores",
        "## Strengths",
        "## What to improve",
        "## Terms to explain or replace",
        "## Question by question",
    ]
    positions = [md.index(h) for h in order]
    assert positions == sorted(positions)
    assert "Not enough evidence" in md and "Question 4" in md
    assert "Study:" in md and "ops-serving-latency" in md


def test_html_is_self_contained_and_escapes_answers(report: Report) -> None:
    hostile = report.model_copy(deep=True)
    q = hostile.questions[0]
    hostile.questions[0] = q.model_copy(update={"answers": ["<script>alert('x')</script>"]})
    page = to_html(hostile)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "http://" not in page and "https://" not in page  # nothing fetched from anywhere
    assert page.count("<svg") == 2


def test_timeline_legend_names_only_dimensions_that_were_scored(report: Report) -> None:
    from interviewer.report.charts import answer_timeline
    from interviewer.schema import Dimension

    technical = [
        q
        for q in report.questions
        if getattr(q.analysis.scores.get(Dimension.STRUCTURE), "value", None) is None
    ]
    assert technical
    svg = answer_timeline(technical)
    assert ">depth</text>" in svg and ">structure</text>" not in svg


def test_json_round_trips_with_its_version(report: Report) -> None:
    data = json.loads(to_json(report))
    assert data["format"] == "interviewer-report" and data["version"] == 1
    assert Report.model_validate(data) == report


def test_write_report_writes_each_chosen_format(report: Report, tmp_path: Path) -> None:
    written = write_report(report, tmp_path, ("md", "json"), stem="x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json", "x.md"]
    assert set(written) == {"md", "json"}


def test_empty_transcript_still_renders(tmp_path: Path) -> None:
    s = Settings()
    t = Transcript(
        session_id="empty",
        persona="recruiter",
        turns=[Turn(index=0, role=Role.INTERVIEWER, kind=TurnKind.GREETING, text="Hello!")],
    )
    r = build_report(t, runtime.pack(s), runtime.persona(s, "recruiter"), runtime.analyzer(s))
    assert "no questions" in to_markdown(r) and "<svg" in to_html(r)


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium not installed")
def test_html_report_renders_in_chromium(report: Report, tmp_path: Path) -> None:
    """A real browser draws the page; the screenshot is kept as a test artifact to look at."""
    page = tmp_path / "report.html"
    page.write_text(to_html(report), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1000,2600",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert shot.stat().st_size > 50_000  # a blank page is a few KB
