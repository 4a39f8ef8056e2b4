"""Interview turn latency and cold start.

(a) From submitting an answer to the next interviewer turn being ready, over a scripted
    10-question interview with the models loaded (target p95 under 150 ms).
(b) Cold start of `interviewer chat` until the first question is printed (target under 8 s),
    measured on a real process reading its answers from a pipe.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import answer_for, save, summary_ms, timed
from interviewer.config import Settings, apply_offline_environment
from interviewer.indexing import ingest
from interviewer.schema import Role, SessionConfig, TurnKind
from interviewer.session import InterviewSession


def turn_latency(settings: Settings) -> dict[str, Any]:
    session = InterviewSession.create(
        settings, "backend_engineer", SessionConfig(questions=10, seed=11)
    )
    session.warm_up()
    session.start()
    samples: list[float] = []
    n = 0
    while not session.finished and n < 60:
        answer = answer_for(session, n)
        seconds, _ = timed(lambda a=answer: session.submit(a))
        samples.append(seconds)
        n += 1
    kinds = [t.kind for t in session.transcript.turns if t.role is Role.INTERVIEWER]
    return {
        **summary_ms(samples),
        "questions": kinds.count(TurnKind.QUESTION),
        "followups": kinds.count(TurnKind.FOLLOWUP),
    }


def cold_start(data_dir: Path) -> float:
    exe = Path(sys.executable).with_name("interviewer")
    env = {**os.environ, "INTERVIEWER_DATA_DIR": str(data_dir)}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(exe), "chat", "-p", "recruiter", "-n", "1", "--seed", "1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdout is not None
    elapsed = float("nan")
    for raw in iter(proc.stdout.readline, b""):
        if b"Question 1 of 1" in raw:
            elapsed = time.perf_counter() - start
            break
    proc.kill()
    proc.wait()
    return elapsed


def run() -> dict[str, Any]:
    apply_offline_environment()
    tmp = Path(tempfile.mkdtemp())
    try:
        settings = Settings(data_dir=tmp / "data")
        ingest(None, settings)
        latency = turn_latency(settings)
        colds = [cold_start(settings.data_dir) for _ in range(3)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result = {"turn": latency, "cold_start_s": [round(c, 2) for c in colds]}
    save("session", result)
    return result


def show(r: dict[str, Any]) -> None:
    t = r["turn"]
    print(
        f"answer -> next turn ready: p50 {t['p50_ms']:.1f} ms  p95 {t['p95_ms']:.1f} ms  "
        f"max {t['max_ms']:.1f} ms  (n={t['n']}: {t['questions']} questions, "
        f"{t['followups']} follow-ups; target p95 < 150 ms)"
    )
    print(
        f"cold start of `interviewer chat` to the first question: {r['cold_start_s']} s "
        "(target < 8 s)"
    )
