"""Ingest: a real Chroma store on disk, idempotent re-runs, replaced files, bad input refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from interviewer.config import Settings
from interviewer.indexing import IngestError, ingest
from interviewer.vectorstore import GUIDE, QUESTIONS, open_collection
from tests.paths import FIXTURES


def _chunks(settings: Settings, name: str = GUIDE) -> dict[str, dict[str, object]]:
    got = open_collection(settings, name).get(include=["metadatas"])
    return dict(zip(got["ids"], got["metadatas"], strict=True))


def _guide_dir(tmp_path: Path) -> Path:
    d = tmp_path / "guides"
    d.mkdir()
    shutil.copy(FIXTURES / "scraped_guide.txt", d / "platform.txt")
    (d / "extra.md").write_text(
        "# Extra\n\n## Backfills\n\nRun backfills idempotently, one partition at a time.\n",
        encoding="utf-8",
    )
    return d


def test_ingest_writes_a_persistent_store_and_rerun_is_a_no_op(
    settings: Settings, tmp_path: Path
) -> None:
    d = _guide_dir(tmp_path)
    first = ingest([d], settings)
    assert len(first.added) == 2 and first.chunks_written > 0
    assert (settings.index_dir / "chroma.sqlite3").is_file()
    before = _chunks(settings)
    assert {m["section_title"] for m in before.values()} >= {
        "Typical Interview Questions",
        "Backfills",
    }

    again = ingest([d], settings)
    assert not again.changed and len(again.unchanged) == 2
    assert _chunks(settings) == before


def test_changed_file_replaces_its_chunks_and_deleted_file_is_dropped(
    settings: Settings, tmp_path: Path
) -> None:
    d = _guide_dir(tmp_path)
    ingest([d], settings)
    (d / "extra.md").write_text(
        "# Extra\n\n## Streaming\n\nWatch consumer lag.\n", encoding="utf-8"
    )
    report = ingest([d], settings)
    assert [Path(p).name for p in report.updated] == ["extra.md"]
    titles = {m["section_title"] for m in _chunks(settings).values()}
    assert "Streaming" in titles and "Backfills" not in titles

    (d / "extra.md").unlink()
    report = ingest([d], settings)
    assert [Path(p).name for p in report.removed] == ["extra.md"]
    assert all(not str(m["source"]).endswith("extra.md") for m in _chunks(settings).values())


@pytest.mark.parametrize("bad", ["empty.md", "binary.txt", "missing.md"])
def test_bad_input_leaves_the_existing_index_untouched(
    settings: Settings, tmp_path: Path, bad: str
) -> None:
    d = _guide_dir(tmp_path)
    ingest([d], settings)
    before = _chunks(settings)
    target = tmp_path / bad
    if bad == "empty.md":
        target.write_bytes(b"")
    elif bad == "binary.txt":
        target.write_bytes(b"\x00\x01\x02" * 100)
    # A good file changed alongside the bad one must not be written either.
    (d / "extra.md").write_text("# Extra\n\n## Changed\n\nNew text.\n", encoding="utf-8")
    with pytest.raises(IngestError, match=bad):
        ingest([d, target], settings)
    assert _chunks(settings) == before


def test_pack_ingest_indexes_guide_sections_and_questions(pack_settings: Settings) -> None:
    from interviewer.knowledge import cached_pack

    pack = cached_pack(pack_settings.knowledge_dir)
    guide = _chunks(pack_settings)
    assert {m["section_id"] for m in guide.values()} == set(pack.sections)
    questions = _chunks(pack_settings, QUESTIONS)
    assert {m["question_id"] for m in questions.values()} == set(pack.questions)
    # Persona access travels with every chunk.
    for meta in guide.values():
        section = pack.sections[str(meta["section_id"])]
        for persona in section.meta.personas:
            assert meta[f"persona_{persona}"] is True
        assert meta["all_personas"] is False
    assert not ingest(None, pack_settings).changed
