"""Reading guide files: scraped pages cleaned, headings found, unusable files refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.guide_text import (
    GuideFileError,
    clean_scraped_text,
    collect_guide_files,
    parse_guide,
)
from tests.paths import FIXTURES


def test_scraped_page_loses_junk_and_teasers_but_keeps_content() -> None:
    guide = parse_guide(FIXTURES / "scraped_guide.txt")
    text = "\n".join(s.body for s in guide.sections)
    assert "Unknown module" not in text
    assert "Northwind" not in text and "Contoso" not in text
    assert "chart above" not in text
    # The rest of the paragraph with the missing chart survives.
    assert "Each stage has a written exercise" in text
    assert "idempotent backfill" in text
    kinds = sorted(d.split(":")[0] for d in guide.dropped)
    assert kinds == [
        "junk line",
        "refers to a missing visual",
        "truncated teaser",
        "truncated teaser",
    ]


def test_plain_text_headings_become_sections_and_subsections() -> None:
    guide = parse_guide(FIXTURES / "scraped_guide.txt")
    titles = [s.title for s in guide.sections]
    assert titles == [
        "What does a Data Platform Engineer do here?",
        "Typical Interview Questions",
        "How the Process Works",
        "Tips",
    ]
    questions = guide.sections[1]
    assert "## Pipeline Design" in questions.body
    assert all(s.personas is None for s in guide.sections)  # a user's guide serves everyone
    assert len({s.id for s in guide.sections}) == len(guide.sections)


def test_markdown_with_front_matter_is_one_section_with_its_metadata(tmp_path: Path) -> None:
    f = tmp_path / "leak.md"
    f.write_text(
        "---\nid: leak\ntitle: Leakage\ntopic: ml_fundamentals\npersonas: [ml_expert]\n---\n"
        "# Leakage\n\nFit the scaler on the training fold only.\n",
        encoding="utf-8",
    )
    (section,) = parse_guide(f).sections
    assert (section.id, section.topic, section.personas) == (
        "leak",
        "ml_fundamentals",
        ("ml_expert",),
    )
    assert section.body == "Fit the scaler on the training fold only."


def test_markdown_without_front_matter_splits_at_its_second_level(tmp_path: Path) -> None:
    f = tmp_path / "data-eng.md"
    f.write_text(
        "# Data engineer guide\n\nIntro text.\n\n## Batch jobs\n\nRetries.\n\n"
        "## Streaming\n\nLag.\n",
        encoding="utf-8",
    )
    titles = [s.title for s in parse_guide(f).sections]
    assert titles == ["Data engineer guide", "Batch jobs", "Streaming"]


def test_clean_text_keeps_ordinary_prose_untouched() -> None:
    text = "Start simple.\n\nThen iterate on the model and measure each change."
    assert clean_scraped_text(text) == (text, [])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.md", b"", "empty"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("latin1.txt", "caf\xe9 cr\xe8me".encode("latin-1"), "not UTF-8"),
        ("junk.txt", b"Unknown module: widget\n", "no usable text"),
    ],
)
def test_unusable_files_are_refused_with_the_file_named(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(GuideFileError) as info:
        parse_guide(f)
    assert message in str(info.value)
    assert name in str(info.value)


def test_missing_paths_and_empty_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(GuideFileError, match="no such file"):
        collect_guide_files([tmp_path / "nope.md"])
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a.png").write_bytes(b"\x89PNG")
    with pytest.raises(GuideFileError, match="no guide files"):
        collect_guide_files([tmp_path / "pics"])
    with pytest.raises(GuideFileError, match="unsupported file type"):
        collect_guide_files([tmp_path / "pics" / "a.png"])
