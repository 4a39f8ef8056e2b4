"""The two commands the README promises, as make would run them (dry run: nothing executes)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.paths import PROJECT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(target: str) -> list[str]:
    # Under `make test` this runs inside make: its flags and level would leak into the child
    # (e.g. "Entering directory" lines), so the child starts clean.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    out = subprocess.run(
        ["make", "-n", "--no-print-directory", target],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [line for line in out.stdout.splitlines() if line.strip()]


def test_make_run_builds_the_index_then_starts_the_app() -> None:
    lines = dry_run("run")
    ingest = next(i for i, line in enumerate(lines) if "interviewer ingest" in line)
    assert lines[-1].endswith("app.py"), lines[-1]
    assert ingest < len(lines) - 1


def test_make_test_lints_then_runs_the_tests() -> None:
    lines = dry_run("test")
    assert any("ruff check" in line for line in lines)
    assert any("mypy" in line for line in lines)
    assert "pytest" in lines[-1]
