"""The `interviewer` command as a user runs it, against a temporary data folder."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from interviewer.cli import main
from tests.paths import FIXTURES


def run(*args: str, data_dir: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.output


def test_help_lists_the_commands(tmp_path: Path) -> None:
    code, out = run("--help", data_dir=tmp_path)
    assert code == 0
    for cmd in ("ingest", "search", "check"):
        assert cmd in out


def test_ingest_then_search_shows_sections_and_scores(tmp_path: Path) -> None:
    code, out = run("ingest", str(FIXTURES / "scraped_guide.txt"), data_dir=tmp_path)
    assert code == 0, out
    assert "Skipped 4 unusable line(s)" in out and "truncated teaser" in out
    code, out = run("ingest", str(FIXTURES / "scraped_guide.txt"), data_dir=tmp_path)
    assert code == 0 and "up to date" in out
    code, out = run("search", "idempotent backfill", "-k", "1", data_dir=tmp_path)
    assert code == 0, out
    assert "Typical Interview Questions" in out and "score" in out


def test_bad_file_fails_with_its_name_and_a_non_zero_exit(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_bytes(b"\xff\xfe\x00\x00garbage")
    code, out = run("ingest", str(bad), data_dir=tmp_path / "d")
    assert code == 1
    assert "notes.txt" in out and "Nothing was changed" in out


def test_search_builds_the_pack_index_on_first_use(tmp_path: Path) -> None:
    code, out = run("search", "class imbalance", "--persona", "ml_expert", data_dir=tmp_path)
    assert code == 0, out
    assert "building it from the knowledge pack" in out
    code, out = run("search", "transparency", "--questions", data_dir=tmp_path)
    assert code == 0 and "transparen" in out.lower()


def test_unknown_persona_is_a_usage_error(tmp_path: Path) -> None:
    code, out = run("search", "x", "--persona", "pirate", data_dir=tmp_path)
    assert code == 2 and "ml_expert" in out


def test_check_validates_the_shipped_pack(tmp_path: Path) -> None:
    code, out = run("check", data_dir=tmp_path)
    assert code == 0, out
    assert "valid" in out
