"""`interviewer evaluate` as a user runs it: bad files, naming the speakers, a killed run, Ctrl-C,
the three engines giving the same results, and the real transcripts in ../shared/data."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench.bench_batch import make_transcripts
from interviewer import cli
from interviewer.batch import META
from tests.paths import FIXTURES, PROJECT
from tests.test_batch import make_bad_files

TRANSCRIPTS = FIXTURES / "transcripts"
REPORT_FILES = (".html", ".json", ".md", META)
STOPPED = "Run the same command again to finish"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long paths on one line, so the output can be matched line by line."""
    monkeypatch.setattr(cli.console, "width", 400)
    monkeypatch.setattr(cli.err_console, "width", 400)


def run(*args: str, data_dir: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli.main, ["--data-dir", str(data_dir), "evaluate", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def summary(out: Path) -> list[dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def fixtures_copy(dest: Path, names: list[str] | None = None) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for f in sorted(TRANSCRIPTS.iterdir()):
        if names is None or f.name in names:
            shutil.copy(f, dest / f.name)
    return dest


# --- in process -------------------------------------------------------------------------------


def test_bad_files_are_listed_with_their_reason_and_the_exit_code_is_1(tmp_path: Path) -> None:
    src = fixtures_copy(tmp_path / "in", ["otter_interview.txt", "project_transcript.jsonl"])
    bad = make_bad_files(src)
    out = tmp_path / "out"
    code, output = run(str(src), "-o", str(out), data_dir=tmp_path / "data")
    assert code == 1, output
    total = len(bad) + 2
    assert f"2 evaluated, {len(bad)} failed of {total} transcript(s)." in output
    lines = output.splitlines()
    for name, reason in bad.items():
        line = next(ln for ln in lines if ln.strip().startswith("x ") and name in ln)
        assert reason in line, line
    rows = {Path(r["file"]).name: r for r in summary(out)}
    assert len(rows) == total
    assert all(rows[n]["status"] == "failed" and bad[n] in rows[n]["error"] for n in bad)
    assert rows["otter_interview.txt"]["status"] == "ok"
    assert rows["project_transcript.jsonl"]["status"] == "ok"
    assert (out / "dashboard.html").is_file()
    assert f"dashboard: {out / 'dashboard.html'}" in output


def test_all_good_files_exit_0_and_every_format_is_evaluated(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = run(str(TRANSCRIPTS), "-o", str(out), "-w", "1", data_dir=tmp_path / "d")
    assert code == 0, output
    assert "8 evaluated, 0 failed of 8 transcript(s)." in output
    rows = summary(out)
    assert sorted(r["format"] for r in rows) == sorted(
        ["labelled", "labelled", "labelled", "vtt", "srt", "unlabelled", "json", "jsonl"]
    )
    for r in rows:
        assert r["status"] == "ok" and int(r["questions"]) >= 2 and float(r["overall"]) > 0
        uncertain = r["format"] in ("srt", "unlabelled")
        assert ("speakers uncertain" in r["flags"]) is uncertain, r


def test_candidate_and_interviewer_options_decide_the_roles(tmp_path: Path) -> None:
    otter = str(TRANSCRIPTS / "otter_interview.txt")
    out = tmp_path / "out"
    code, output = run(otter, "-o", str(out), "--candidate", "Tom", data_dir=tmp_path / "d")
    assert code == 0, output
    (row,) = summary(out)
    assert row["candidate"] == "Tom Becker" and row["speaker_confidence"] == "1.0"
    code, output = run(otter, "-o", str(out), "--interviewer", "Tom", data_dir=tmp_path / "d")
    assert code == 0, output
    (row,) = summary(out)  # the options changed, so the file was redone with the new roles
    assert row["candidate"] == "Priya Natarajan"
    code, output = run(otter, "-o", str(out), "--candidate", "Zed", data_dir=tmp_path / "d")
    assert code == 1 and "no speaker called 'Zed'" in output


def test_input_format_overrides_detection(tmp_path: Path) -> None:
    f = str(TRANSCRIPTS / "labelled_interview.txt")
    out = tmp_path / "out"
    code, output = run(f, "-o", str(out), "--input-format", "unlabelled", data_dir=tmp_path / "d")
    assert code == 0, output
    (row,) = summary(out)
    assert row["format"] == "unlabelled" and "speakers uncertain" in row["flags"]


def test_format_option_limits_the_report_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    f = str(TRANSCRIPTS / "webvtt_interview.vtt")
    code, output = run(f, "-o", str(out), "--format", "md", data_dir=tmp_path / "d")
    assert code == 0, output
    (row,) = summary(out)
    assert sorted(p.name for p in out.glob(f"{row['name']}*")) == [
        f"{row['name']}.md",
        f"{row['name']}{META}",
    ]


def test_nothing_to_evaluate_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, output = run(str(empty), "-o", str(tmp_path / "o"), data_dir=tmp_path / "d")
    assert code == 2 and "no transcripts found" in output
    code, output = run(str(tmp_path / "nope"), data_dir=tmp_path / "d")
    assert code == 2 and "no such file or folder" in output
    f = str(TRANSCRIPTS / "otter_interview.txt")
    code, output = run(f, "--persona", "pirate", data_dir=tmp_path / "d")
    assert code == 2


# --- a real process: killed, interrupted ------------------------------------------------------


def command(src: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "interviewer",
        "--data-dir",
        str(out.parent / "data"),
        "evaluate",
        str(src),
        "-o",
        str(out),
        *extra,
    ]


ENV = {**os.environ, "COLUMNS": "400", "PYTHONUNBUFFERED": "1"}


def start(args: list[str]) -> subprocess.Popen[str]:
    """The command in its own process group, as a terminal would start it."""
    return subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=PROJECT,
        start_new_session=True,
    )


def finish(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, capture_output=True, text=True, env=ENV, cwd=PROJECT, timeout=timeout, check=False
    )


def wait_for_outputs(proc: subprocess.Popen[str], out: Path, metas: int = 1) -> None:
    """Until `metas` transcripts are finished (their .meta.json written)."""
    deadline = time.monotonic() + 240
    while len(list(out.glob(f"*{META}"))) < metas:
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"the run ended (code {proc.returncode}) before any output: {err[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("no output after 240 s")
        time.sleep(0.005)


def finished_names(out: Path) -> list[str]:
    return sorted(p.name[: -len(META)] for p in out.glob(f"*{META}"))


def check_outputs(out: Path, expected: int) -> list[str]:
    """Exactly one complete set of outputs per transcript, and nothing else."""
    assert not list(out.glob("*.tmp")), "temporary files left behind"
    names = finished_names(out)
    assert len(names) == expected
    allowed = {"summary.csv", "dashboard.html"}
    for name in names:
        files = sorted(p.name for p in out.glob(f"{name}.*"))
        assert files == [f"{name}{s}" for s in REPORT_FILES]
        allowed.update(files)
        report = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        assert report["format"] == "interviewer-report"
        assert (out / f"{name}.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
        assert (out / f"{name}.md").read_text(encoding="utf-8").startswith("# ")
        meta = json.loads((out / f"{name}{META}").read_text(encoding="utf-8"))
        assert meta["row"]["name"] == name and meta["row"]["status"] == "ok"
    assert {p.name for p in out.iterdir()} == allowed
    return names


def mtimes(out: Path, names: list[str]) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for name in names for p in out.glob(f"{name}.*")}


@pytest.mark.slow
def test_a_killed_run_resumes_without_duplicates_or_half_written_files(tmp_path: Path) -> None:
    src = fixtures_copy(tmp_path / "in")
    out = tmp_path / "out"
    args = command(src, out, "--workers", "1")
    proc = start(args)
    wait_for_outputs(proc, out)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    done = finished_names(out)
    assert 1 <= len(done) < 8, f"the kill came too late to test resuming: {done}"
    before = mtimes(out, done)
    for name in done:  # what finished before the kill is whole
        assert json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    # A write cut short by the kill leaves a temporary file, never a partial report.
    (out / f"{done[0]}.md.tmp").write_text("half a rep", encoding="utf-8")

    second = finish(args)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "8 evaluated, 0 failed of 8 transcript(s)." in second.stdout
    names = check_outputs(out, 8)
    assert mtimes(out, done) == before  # skipped, not redone
    rows = summary(out)
    assert len(rows) == 8 and {r["name"] for r in rows} == set(names)

    for p in out.iterdir():  # --force redoes everything (in this process, to save a start-up)
        os.utime(p, ns=(0, 0))
    force = ("-o", str(out), "--workers", "1", "--force")
    code, output = run(str(src), *force, data_dir=tmp_path / "data")
    assert code == 0, output
    check_outputs(out, 8)
    assert all(t > 0 for t in mtimes(out, names).values())
    assert summary(out) == rows  # the same results, whether resumed or redone


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_with_a_summary_and_a_rerun_finishes(tmp_path: Path) -> None:
    # Ten question/answer pairs each: long enough that the signal lands inside a transcript,
    # not in the instant between one's .meta.json being written and its row being counted.
    src = tmp_path / "in"
    make_transcripts(src, 8)
    out = tmp_path / "out"
    args = command(src, out, "--workers", "1")
    proc = start(args)
    wait_for_outputs(proc, out)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr[-3000:]
    assert STOPPED in stderr and "Traceback" not in stderr
    done = finished_names(out)
    assert 1 <= len(done) < 8
    assert f"{len(done)} evaluated, 0 failed of 8 transcript(s)." in stdout
    assert len(summary(out)) == len(done)
    assert "stopped before the end" in (out / "dashboard.html").read_text(encoding="utf-8")
    before = mtimes(out, done)

    again = finish(args)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "8 evaluated, 0 failed of 8 transcript(s)." in again.stdout
    check_outputs(out, 8)
    assert mtimes(out, done) == before
    assert "stopped before the end" not in (out / "dashboard.html").read_text(encoding="utf-8")


@dataclass
class Interrupted:
    out: Path
    args: list[str]
    code: int
    stdout: str
    stderr: str
    reported: int  # transcripts the summary lists as evaluated
    finished: int  # transcripts whose outputs were written when the command exited


@pytest.fixture(scope="module")
def ctrl_c_two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Interrupted]:
    """Ctrl-C in a terminal: SIGINT to the whole process group, workers included."""
    base = tmp_path_factory.mktemp("ctrl-c")
    src = fixtures_copy(base / "in")
    for f in list(src.iterdir()):  # 16 transcripts: the pool is busy when the signal comes
        shutil.copy(f, src / f"again-{f.name}")
    out = base / "out"
    args = command(src, out, "--workers", "2")
    proc = start(args)
    wait_for_outputs(proc, out)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=180)
    reported = sum(row["status"] == "ok" for row in summary(out))
    finished = len(finished_names(out))
    yield Interrupted(out, args, proc.returncode, stdout, stderr, reported, finished)


@pytest.mark.slow
def test_ctrl_c_with_two_workers_exits_130_and_a_rerun_finishes(
    ctrl_c_two_workers: Interrupted,
) -> None:
    r = ctrl_c_two_workers
    assert r.code == 130, r.stderr[-3000:]
    assert STOPPED in r.stderr and "Traceback" not in r.stderr
    assert "of 16 transcript(s)." in r.stdout and (r.out / "summary.csv").is_file()
    for name in finished_names(r.out):  # whatever was written is whole
        assert json.loads((r.out / f"{name}.json").read_text(encoding="utf-8"))
    again = finish(r.args)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "16 evaluated, 0 failed of 16 transcript(s)." in again.stdout
    check_outputs(r.out, 16)


@pytest.mark.slow
def test_ctrl_c_with_two_workers_summarises_everything_that_finished(
    ctrl_c_two_workers: Interrupted,
) -> None:
    r = ctrl_c_two_workers
    assert r.reported == r.finished


# --- engines -----------------------------------------------------------------------------------


def comparable_reports(out: Path) -> dict[str, Any]:
    """Every JSON report without its creation time."""
    reports = {}
    for p in sorted(out.glob("*.json")):
        if p.name.endswith(META):
            continue
        data = json.loads(p.read_text(encoding="utf-8"))
        data.pop("created_at")
        reports[p.name] = data
    return reports


@pytest.mark.slow
def test_one_worker_two_workers_and_ray_give_identical_results(tmp_path: Path) -> None:
    src = fixtures_copy(tmp_path / "in")
    runs = {
        "local-1": ["--workers", "1"],
        "local-2": ["--workers", "2"],
        "ray-2": ["--engine", "ray", "--workers", "2"],
    }
    try:
        import ray  # noqa: F401
    except ImportError:
        pytest.fail("ray is not installed: pip install -e '.[cluster]'")
    results = {}
    for label, extra in runs.items():
        out = tmp_path / label
        done = finish(command(src, out, *extra), timeout=400)
        assert done.returncode == 0, f"{label}: {done.stderr[-3000:]}"
        assert "8 evaluated, 0 failed of 8 transcript(s)." in done.stdout, label
        results[label] = (summary(out), comparable_reports(out))
    base_rows, base_reports = results["local-1"]
    assert len(base_rows) == 8 and len(base_reports) == 8
    for label, (rows, reports) in results.items():
        assert rows == base_rows, label
        assert reports == base_reports, label


# --- the real transcripts ---------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.data
def test_real_transcripts_evaluate_without_a_crash(shared_data: Path, tmp_path: Path) -> None:
    """The 3 smallest interviews of Hit Save! (speaker-labelled) and the 2 smallest Talk Python
    episodes (no labels), by path: nothing is copied."""
    hitsave = sorted(
        (shared_data / "transcripts-hitsave").rglob("*.md"), key=lambda p: p.stat().st_size
    )
    hitsave = [p for p in hitsave if p.name not in ("README.md", "LICENSE.md")][:3]
    talk = sorted(
        (shared_data / "transcripts-talkpython" / "transcripts").glob("*.txt"),
        key=lambda p: p.stat().st_size,
    )[:2]
    if len(hitsave) < 3 or len(talk) < 2:
        pytest.skip(f"real transcripts not found under {shared_data}/transcripts-*")
    out = tmp_path / "out"
    args = [
        sys.executable, "-m", "interviewer", "--data-dir", str(tmp_path / "data"), "evaluate",
        *map(str, hitsave + talk), "-o", str(out), "--workers", "2",
    ]  # fmt: skip
    done = finish(args, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert "5 evaluated, 0 failed of 5 transcript(s)." in done.stdout
    rows = {Path(r["file"]).name: r for r in summary(out)}
    for p in hitsave:
        r = rows[p.name]
        assert r["format"] == "labelled" and int(r["questions"]) > 0
        assert "Jonas Rosland" not in r["candidate"]  # each file names him as the interviewer
    for p in talk:
        r = rows[p.name]
        assert r["format"] == "unlabelled" and "speakers uncertain" in r["flags"]
    check_outputs(out, 5)
