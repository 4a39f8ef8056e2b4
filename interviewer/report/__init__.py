"""The feedback report: build it from a transcript, render it as Markdown, HTML and JSON."""

from interviewer.report.build import analyze_transcript, build_report
from interviewer.report.render import FORMATS, to_html, to_json, to_markdown, write_report

__all__ = [
    "FORMATS",
    "analyze_transcript",
    "build_report",
    "to_html",
    "to_json",
    "to_markdown",
    "write_report",
]
