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
    # The opening lines show a newcomer how to use every command that is not a helper.
    intro = out.split("Options:")[0]
    for cmd in ("serve", "chat", "voice", "sessions", "evaluate", "report", "analyze", "ingest"):
        assert f"interviewer {cmd}" in intro, cmd
    assert intro.index("interviewer serve") < intro.index("interviewer ingest")


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


def test_report_command_writes_the_three_formats(tmp_path: Path) -> None:
    code, out = run(
        "report",
        str(FIXTURES / "sample_transcript.json"),
        "-o",
        str(tmp_path / "r"),
        data_dir=tmp_path,
    )
    assert code == 0, out
    assert "Overall:" in out and "not enough evidence" in out
    names = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert names == [f"sample_transcript.report.{x}" for x in ("html", "json", "md")]


def test_report_command_refuses_a_malformed_transcript(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    code, out = run("report", str(bad), data_dir=tmp_path)
    assert code == 1 and "bad.json" in out and "not valid JSON" in out


def test_analyze_reads_json_lines_and_reports_bad_records(tmp_path: Path) -> None:
    import json

    src = tmp_path / "in.jsonl"
    records = [
        {
            "id": "a",
            "question": "What is overfitting?",
            "answer": "Overfitting is when the model memorises noise in the training data, so it "
            "does well there but badly on new data.",
            "reference_answer": "The model fits noise in the training data and fails on new data.",
        },
        {"id": "b", "answer": "no question here"},
        {"id": "c", "question_id": "ml-severe-class-imbalance", "answer": "fine"},
    ]
    src.write_text("\n".join(json.dumps(r) for r in records) + "\nnot json\n", encoding="utf-8")
    out_file = tmp_path / "out.jsonl"
    code, _ = run("analyze", str(src), "-o", str(out_file), data_dir=tmp_path)
    assert code == 1  # some records failed
    rows = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c", None]
    assert rows[0]["error"] is None and rows[0]["scores"]["depth"]["value"] >= 3
    assert "question" in rows[1]["error"]
    assert rows[2]["status"] == "too_short" and rows[2]["scores"]["depth"]["value"] is None
    assert "not valid JSON" in rows[3]["error"]
