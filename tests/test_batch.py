"""Batch evaluation in-process: finding inputs, safe output names, resume, bad files, summary.

The command-line runs (real subprocesses, kills, Ctrl-C, engines) are in test_evaluate_cli.py.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewer.batch import (
    META,
    BatchOptions,
    BatchResult,
    Row,
    clean_leftovers,
    cohort,
    content_hash,
    evaluate_one,
    find_inputs,
    output_name,
    run_local,
    write_summary,
)
from interviewer.config import Settings
from tests.paths import FIXTURES

TRANSCRIPTS = FIXTURES / "transcripts"
SAFE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{8}$")
OLD = 946_684_800  # 2000-01-01: outputs set to this time must keep it when a run skips them


def outputs_of(out: Path, name: str) -> list[Path]:
    return sorted(out.glob(f"{name}.*"))


def age(paths: list[Path]) -> None:
    for p in paths:
        os.utime(p, (OLD, OLD))


def untouched(paths: list[Path]) -> bool:
    return all(p.stat().st_mtime == OLD for p in paths)


# --- finding inputs ---------------------------------------------------------------------------


def test_find_inputs_skips_readmes_hidden_files_and_the_output_folder(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "team-a").mkdir(parents=True)
    for name in ("one.txt", "team-a/two.vtt", "README.md", "LICENSE", ".hidden.txt"):
        (src / name).write_text("Interviewer: Hi?\nCandidate: Hello.\n", encoding="utf-8")
    out = src / "evaluation"  # the output folder inside the input folder
    out.mkdir()
    (out / "old-report.md").write_text("x", encoding="utf-8")
    (src / f"one{META}").write_text("{}", encoding="utf-8")
    jobs = find_inputs([src], out)
    assert [(p.relative_to(src).as_posix(), root) for p, root in jobs] == [
        ("one.txt", src.resolve()),
        ("team-a/two.vtt", src.resolve()),
    ]


def test_find_inputs_takes_an_audio_folder_as_one_input(tmp_path: Path) -> None:
    answers = tmp_path / "in" / "answers"
    answers.mkdir(parents=True)
    (answers / "questions.txt").write_text("What is overfitting?\n", encoding="utf-8")
    (answers / "01.wav").write_bytes(b"RIFF")
    (tmp_path / "in" / "notes.txt").write_text("Interviewer: Hi?\n", encoding="utf-8")
    jobs = find_inputs([tmp_path / "in"], tmp_path / "out")
    assert [p.name for p, _ in jobs] == ["answers", "notes.txt"]
    assert find_inputs([answers], tmp_path / "out") == [(answers.resolve(), answers.parent)]


def test_a_file_given_twice_is_evaluated_once(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("Interviewer: Hi?\n", encoding="utf-8")
    assert len(find_inputs([f, tmp_path, tmp_path / "." / "a.txt"], tmp_path / "out")) == 1


# --- output names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel",
    [
        "../../etc/passwd",
        "..",
        "....txt",
        "-.txt",
        "a/../../b.txt",
        "面接の記録.txt",
        "x" * 300 + ".txt",
        "with space/and\nnewline.vtt",
        "CON.txt",
        "C:\\Users\\me\\t.txt",
    ],
)
def test_output_names_are_safe_slugs(rel: str, tmp_path: Path) -> None:
    root = tmp_path / "in"
    name = output_name(root / rel, root)
    assert SAFE_NAME.match(name) or re.fullmatch(r"transcript-[0-9a-f]{8}", name), name
    assert len(name) <= 79
    out = tmp_path / "out"
    assert (out / f"{name}.html").resolve().parent == out.resolve()


# A file or folder name: anything but "/" and NUL, and not "." (which names the folder itself).
# Lone surrogates (names that are not UTF-8) have their own test below.
PART = st.text(
    st.characters(exclude_characters="/\x00", exclude_categories=["Cs"]), min_size=1, max_size=30
)


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(PART.filter(lambda s: s != "."), min_size=1, max_size=4))
def test_any_relative_path_gives_a_safe_name(parts: list[str]) -> None:
    root = Path("/data/in")
    name = output_name(root.joinpath(*parts), root)
    assert re.fullmatch(r"[a-z0-9-]+", name) and ".." not in name and "/" not in name
    assert name.rsplit("-", 1)[1].isalnum() and len(name) <= 79


def test_same_named_files_in_different_folders_do_not_collide(tmp_path: Path) -> None:
    root = tmp_path
    names = {
        output_name(root / rel, root)
        for rel in [
            "team-a/interview.txt",
            "team-b/interview.txt",
            "team_a/interview.txt",  # same slug as team-a: told apart by the hash
            "Team-A/Interview.txt",
            "team-a/interview.md",
            "team-a-interview.txt",
        ]
    }
    assert len(names) == 6


def test_a_file_name_that_is_not_utf8_does_not_stop_the_batch(
    tmp_path: Path, settings: Settings
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(TRANSCRIPTS / "otter_interview.txt", src / os.fsdecode(b"entrevista-caf\xe9.txt"))
    out = tmp_path / "out"
    out.mkdir()
    rows = list(run_local(find_inputs([src], out), out, BatchOptions(), settings, 1, False))
    assert [r.status for r in rows] == ["ok"] and SAFE_NAME.match(rows[0].name)
    write_summary(BatchResult(rows=rows, out_dir=out))
    assert len((out / "summary.csv").read_bytes().splitlines()) == 2


def test_output_name_is_stable_between_runs(tmp_path: Path) -> None:
    p = tmp_path / "x" / "Mock Interview (final).txt"
    assert output_name(p, tmp_path) == output_name(p, tmp_path)
    assert output_name(p, tmp_path).startswith("x-mock-interview-final-")


def test_content_hash_follows_content_and_options(tmp_path: Path) -> None:
    f = tmp_path / "t.txt"
    f.write_text("Interviewer: Hi?\n", encoding="utf-8")
    base = content_hash(f, BatchOptions())
    assert content_hash(f, BatchOptions()) == base
    assert content_hash(f, BatchOptions(candidate="Ann")) != base
    assert content_hash(f, BatchOptions(formats=("md",))) != base
    f.write_text("Interviewer: Hello?\n", encoding="utf-8")
    assert content_hash(f, BatchOptions()) != base


# --- evaluating one transcript and resuming ----------------------------------------------------


@pytest.fixture()
def one(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "in"
    src.mkdir()
    f = src / "otter.txt"
    shutil.copy(TRANSCRIPTS / "otter_interview.txt", f)
    out = tmp_path / "out"
    out.mkdir()
    return f, out


def test_evaluate_one_writes_the_reports_and_a_meta_file(
    one: tuple[Path, Path], settings: Settings
) -> None:
    f, out = one
    row = evaluate_one(f, f.parent, out, BatchOptions(), settings, force=False)
    assert row.status == "ok", row.error
    assert row.format == "labelled" and row.candidate == "Tom Becker"
    assert row.matched_questions >= 1 and row.overall is not None
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"{row.name}{x}" for x in (".html", ".json", ".md", META)]
    report = json.loads((out / f"{row.name}.json").read_text(encoding="utf-8"))
    assert report["format"] == "interviewer-report"
    assert any("Speakers: Priya Natarajan asks the most questions" in n for n in report["notes"])
    meta = json.loads((out / f"{row.name}{META}").read_text(encoding="utf-8"))
    assert meta["hash"] == content_hash(f, BatchOptions()) and meta["row"]["status"] == "ok"


def test_a_finished_file_is_skipped_and_force_redoes_it(
    one: tuple[Path, Path], settings: Settings
) -> None:
    f, out = one
    options = BatchOptions()
    first = evaluate_one(f, f.parent, out, options, settings, force=False)
    files = outputs_of(out, first.name)
    age(files)
    again = evaluate_one(f, f.parent, out, options, settings, force=False)
    assert asdict(again) == asdict(first)  # the row comes back from the meta file
    assert untouched(files)
    forced = evaluate_one(f, f.parent, out, options, settings, force=True)
    assert not any(p.stat().st_mtime == OLD for p in files)
    assert asdict(forced) == asdict(first)


def test_a_changed_file_or_changed_options_redo_it(
    one: tuple[Path, Path], settings: Settings
) -> None:
    f, out = one
    first = evaluate_one(f, f.parent, out, BatchOptions(), settings, force=False)
    meta = out / f"{first.name}{META}"
    age([meta])
    evaluate_one(f, f.parent, out, BatchOptions(candidate="Priya"), settings, force=False)
    assert meta.stat().st_mtime != OLD
    age([meta])
    f.write_text(f.read_text(encoding="utf-8") + "\nTom Becker  1:45\nThank you!\n", "utf-8")
    evaluate_one(f, f.parent, out, BatchOptions(candidate="Priya"), settings, force=False)
    assert meta.stat().st_mtime != OLD


@pytest.mark.parametrize("damage", ["", "{", '{"hash": 1}', '{"hash": "x", "row": {}}', "\x00"])
def test_a_damaged_meta_file_redoes_the_transcript(
    damage: str, one: tuple[Path, Path], settings: Settings
) -> None:
    f, out = one
    first = evaluate_one(f, f.parent, out, BatchOptions(), settings, force=False)
    meta = out / f"{first.name}{META}"
    meta.write_text(damage, encoding="utf-8")
    row = evaluate_one(f, f.parent, out, BatchOptions(), settings, force=False)
    assert asdict(row) == asdict(first)
    assert json.loads(meta.read_text(encoding="utf-8"))["hash"] == content_hash(f, BatchOptions())


def test_meta_with_the_right_hash_but_a_broken_row_redoes_the_transcript(
    one: tuple[Path, Path], settings: Settings
) -> None:
    f, out = one
    first = evaluate_one(f, f.parent, out, BatchOptions(), settings, force=False)
    meta = out / f"{first.name}{META}"
    meta.write_text(json.dumps({"hash": content_hash(f, BatchOptions()), "row": {"x": 1}}))
    assert asdict(evaluate_one(f, f.parent, out, BatchOptions(), settings, False)) == asdict(first)


@pytest.mark.parametrize("damage", ["[]", "null"])
def test_a_meta_file_that_is_not_an_object_redoes_the_transcript(
    damage: str, one: tuple[Path, Path], settings: Settings
) -> None:
    f, out = one
    first = evaluate_one(f, f.parent, out, BatchOptions(), settings, force=False)
    (out / f"{first.name}{META}").write_text(damage, encoding="utf-8")
    assert asdict(evaluate_one(f, f.parent, out, BatchOptions(), settings, False)) == asdict(first)


def test_a_missing_report_is_written_again(one: tuple[Path, Path], settings: Settings) -> None:
    f, out = one
    first = evaluate_one(f, f.parent, out, BatchOptions(), settings, force=False)
    (out / f"{first.name}.html").unlink()
    evaluate_one(f, f.parent, out, BatchOptions(), settings, force=False)
    assert (out / f"{first.name}.html").is_file()


def test_clean_leftovers_removes_only_temporary_files(tmp_path: Path) -> None:
    (tmp_path / "a.md.tmp").write_text("half", encoding="utf-8")
    (tmp_path / "a.meta.json.tmp").write_text("{", encoding="utf-8")
    (tmp_path / "a.md").write_text("whole", encoding="utf-8")
    assert clean_leftovers(tmp_path) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


# --- bad files mixed with good ones -------------------------------------------------------------


def make_bad_files(folder: Path) -> dict[str, str]:
    """Files that are not transcripts -> the words their failure reason must hold."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("  \n\n\t\n", encoding="utf-8")
    (folder / "binary.dat").write_bytes(bytes(range(256)) * 8)
    (folder / "latin1.txt").write_bytes(
        "Interviewer: Qu'est-ce qu'un modèle naïf?\nCandidate: Très simple.\n".encode("latin-1")
    )
    (folder / "picture.png").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00"
        b"\x00:~\x9bU\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00"
        b"IEND\xaeB`\x82"
    )
    (folder / "broken.json").write_text('{"format": "interviewer-transcript", "turns": [', "utf-8")
    with (folder / "huge.txt").open("wb") as fh:  # sparse: 50 MB without writing them
        fh.truncate(50 * 2**20)
    return {
        "empty.txt": "empty",
        "blank.md": "only whitespace",
        "binary.dat": "binary",
        "latin1.txt": "not UTF-8",
        "picture.png": "binary",
        "broken.json": "not valid JSON",
        "huge.txt": "larger than the 20 MB limit",
    }


def test_bad_files_fail_with_their_reason_and_the_others_are_evaluated(
    tmp_path: Path, settings: Settings
) -> None:
    src = tmp_path / "in"
    bad = make_bad_files(src)
    for name in ("labelled_interview.txt", "webvtt_interview.vtt", "project_transcript.json"):
        shutil.copy(TRANSCRIPTS / name, src / name)
    out = tmp_path / "out"
    out.mkdir()
    jobs = find_inputs([src], out)
    assert len(jobs) == len(bad) + 3
    rows = list(run_local(jobs, out, BatchOptions(), settings, workers=1, force=False))
    by_file = {Path(r.file).name: r for r in rows}
    for name, reason in bad.items():
        row = by_file[name]
        assert row.status == "failed" and reason in row.error, (name, row.error)
        assert str(tmp_path) not in row.error  # the file's name, not the whole path
        assert not outputs_of(out, row.name)[:-1]  # only the meta file, no reports
    ok = [r for r in rows if r.status == "ok"]
    assert sorted(Path(r.file).name for r in ok) == [
        "labelled_interview.txt",
        "project_transcript.json",
        "webvtt_interview.vtt",
    ]
    written = write_summary(BatchResult(rows=rows, out_dir=out))
    with written["csv"].open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert [r["file"] for r in table] == sorted(r.file for r in rows)
    assert list(table[0]) == list(Row.CSV_FIELDS)
    for r in table:
        name = Path(r["file"]).name
        if name in bad:
            assert r["status"] == "failed" and bad[name] in r["error"]
        else:
            assert r["status"] == "ok" and r["error"] == "" and float(r["overall"]) > 0
    html = written["html"].read_text(encoding="utf-8")
    assert f"Could not evaluate ({len(bad)})" in html and "larger than the 20 MB limit" in html
    assert "3 transcript(s) evaluated" in html
    assert not list(out.glob("*.tmp"))


def test_a_csv_of_numbers_is_at_least_flagged(tmp_path: Path, settings: Settings) -> None:
    f = tmp_path / "numbers.csv"
    f.write_text("\n".join(",".join(str(i * j) for j in range(5)) for i in range(30)), "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    row = evaluate_one(f, tmp_path, out, BatchOptions(), settings, force=False)
    assert row.status == "failed" or "no question found" in row.flags


def test_a_csv_of_numbers_fails_with_a_reason(tmp_path: Path, settings: Settings) -> None:
    f = tmp_path / "numbers.csv"
    f.write_text("\n".join(",".join(str(i * j) for j in range(5)) for i in range(30)), "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    row = evaluate_one(f, tmp_path, out, BatchOptions(), settings, force=False)
    assert row.status == "failed" and row.error


def test_same_named_files_in_two_folders_get_their_own_reports(
    tmp_path: Path, settings: Settings
) -> None:
    src = tmp_path / "in"
    for team, fixture in [("a", "webvtt_interview.vtt"), ("b", "srt_no_speakers.srt")]:
        (src / team).mkdir(parents=True)
        shutil.copy(TRANSCRIPTS / fixture, src / team / "interview.txt")
    out = tmp_path / "out"
    out.mkdir()
    rows = list(run_local(find_inputs([src], out), out, BatchOptions(), settings, 1, False))
    assert [r.status for r in rows] == ["ok", "ok"] and len({r.name for r in rows}) == 2
    asked = {}
    for r in rows:
        report = json.loads((out / f"{r.name}.json").read_text(encoding="utf-8"))
        asked[Path(r.file).parent.name] = " ".join(q["question"] for q in report["questions"])
    assert "cross-validation" in asked["a"] and "cross-validation" not in asked["b"]
    assert "supervised" in asked["b"]


def test_cohort_counts_missed_points_and_terms_over_ok_rows() -> None:
    rows = [
        Row(file="a", name="a", status="ok", missed=[("q1", "p")], terms=[("SMOTE", "")]),
        Row(file="b", name="b", status="ok", missed=[("q1", "p"), ("q2", "r")]),
        Row(file="c", name="c", status="failed", missed=[("q1", "p")]),
    ]
    c = cohort(rows)
    assert c["missed"][0] == (("q1", "p"), 2) and c["terms"] == [(("SMOTE", ""), 1)]


# --- recorded answers with a sidecar ----------------------------------------------------------


def test_an_audio_folder_needs_one_answer_per_question(tmp_path: Path, settings: Settings) -> None:
    from interviewer.audio_transcripts import read_audio_dir
    from interviewer.transcripts import TranscriptError

    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "01.wav").write_bytes(b"RIFF")
    with pytest.raises(TranscriptError, match="sidecar"):
        read_audio_dir(folder, settings, "ml_expert")
    (folder / "questions.txt").write_text("What is overfitting?\nWhat is bias?\n", "utf-8")
    with pytest.raises(TranscriptError, match="2 question"):
        read_audio_dir(folder, settings, "ml_expert")
    (folder / "questions.json").write_text('{"q": 1}', encoding="utf-8")
    with pytest.raises(TranscriptError, match="list of questions"):
        read_audio_dir(folder, settings, "ml_expert")
    (folder / "questions.json").write_text("[1]", encoding="utf-8")
    with pytest.raises(TranscriptError, match="must be a string"):
        read_audio_dir(folder, settings, "ml_expert")


def _speak(text: str, path: Path) -> None:
    subprocess.run(["espeak-ng", "-w", str(path), text], check=True, capture_output=True)


@pytest.mark.slow
def test_an_audio_folder_is_transcribed_and_evaluated(tmp_path: Path, settings: Settings) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng); needed to make audio")
    pytest.importorskip("faster_whisper", reason="the voice extra is not installed")
    folder = tmp_path / "in" / "answers"
    folder.mkdir(parents=True)
    (folder / "questions.json").write_text(
        json.dumps(
            [
                {"question": "What is data leakage?", "question_id": "ml-data-leakage-prevention"},
                "How does a random forest differ from gradient boosting?",
            ]
        ),
        encoding="utf-8",
    )
    _speak(
        "Data leakage is when the model sees information in training that it will not have "
        "when it predicts. I split the data first and fit every step inside a pipeline.",
        folder / "01.wav",
    )
    _speak(
        "A random forest averages many deep trees trained independently, while gradient "
        "boosting adds shallow trees one after another, each fixing the errors so far.",
        folder / "02.wav",
    )
    out = tmp_path / "out"
    out.mkdir()
    jobs = find_inputs([tmp_path / "in"], out)
    assert [p.name for p, _ in jobs] == ["answers"]
    row = evaluate_one(jobs[0][0], jobs[0][1], out, BatchOptions(), settings, force=False)
    assert row.status == "ok", row.error
    assert row.format == "audio" and row.questions == 2 and row.matched_questions == 2
    assert row.answers_judged == 2 and row.delivery is not None  # word timings from speech
    report = json.loads((out / f"{row.name}.json").read_text(encoding="utf-8"))
    heard = " ".join(" ".join(q["answers"]) for q in report["questions"]).lower()
    assert "leakage" in heard and "forest" in heard
