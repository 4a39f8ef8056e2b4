"""Batch evaluation throughput: 10-turn transcripts per minute, and peak memory per worker.

60 synthetic transcripts in the project's JSON format (10 bank questions each, answered with
varied answers built from the questions' talking points; "10-turn" as in bench_analysis: ten
question/answer pairs) are evaluated by `interviewer evaluate` as a real process, three ways:
1 local worker, 2 local workers (process pool), and Ray started locally with 2 workers.

Per run: the wall time of the whole command (start-up and model loading included), the steady
rate (from the first finished transcript to the last) and each worker's peak resident memory
(VmHWM read from /proc while the run goes, so no extra dependency is needed).

Target: at least 300 transcripts per minute on this 2-core machine.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import save
from interviewer import runtime
from interviewer.batch import META
from interviewer.config import Settings
from interviewer.schema import Question

N_TRANSCRIPTS = 60
QUESTIONS_PER_TRANSCRIPT = 10
TARGET_PER_MIN = 300
RUNS: dict[str, list[str]] = {
    "local, 1 worker": ["--workers", "1"],
    "local, 2 workers": ["--workers", "2"],
    "ray, 2 workers": ["--engine", "ray", "--workers", "2"],
}

OPENINGS = [
    "",
    "Good question. ",
    "So, in my last team, ",
    "Let me think. ",
    "The short version: ",
    "Honestly it depends, but ",
]
CLOSINGS = [
    "",
    " That is what I would do first.",
    " We measured the effect on the validation set before shipping it.",
    " I wrote the decision down in the merge request so the team could review it.",
    " In one project this cut our error rate by about a third.",
]
WEAK = [
    "I'm not sure, I would probably look it up.",
    "I would use a bigger model and more data.",
    "It depends on the situation, really.",
]


def _answer(q: Question, rng: random.Random) -> str:
    """A varied answer: some talking points in the candidate's words, or a weak reply."""
    if rng.random() < 0.12:
        return rng.choice(WEAK)
    points = list(q.talking_points)
    rng.shuffle(points)
    chosen = points[: rng.randint(1, min(4, len(points)))]
    parts = []
    for tp in chosen:
        term = rng.choice(tp.key_terms) if tp.key_terms else "this"
        sentence = tp.point.rstrip(".")
        parts.append(
            rng.choice(
                [
                    f"{sentence}.",
                    f"I think {sentence[0].lower()}{sentence[1:]}.",
                    f"{sentence}, and {term} is the part people get wrong.",
                    f"The key is {term}: {sentence[0].lower()}{sentence[1:]}.",
                ]
            )
        )
    return rng.choice(OPENINGS) + " ".join(parts) + rng.choice(CLOSINGS)


def make_transcripts(folder: Path, n: int = N_TRANSCRIPTS, seed: int = 7) -> list[Path]:
    """n transcripts of QUESTIONS_PER_TRANSCRIPT bank questions, each answered differently."""
    folder.mkdir(parents=True, exist_ok=True)
    bank = sorted(runtime.pack(Settings()).questions.values(), key=lambda q: q.id)
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        turns: list[dict[str, Any]] = []
        for q in rng.sample(bank, QUESTIONS_PER_TRANSCRIPT):
            turns.append(
                {"role": "interviewer", "kind": "question", "question_id": q.id, "text": q.text}
            )
            turns.append(
                {
                    "role": "candidate",
                    "kind": "answer",
                    "question_id": q.id,
                    "text": _answer(q, rng),
                }
            )
        doc = {
            "format": "interviewer-transcript",
            "version": 1,
            "session_id": f"bench-{i:03d}",
            "persona": "ml_expert",
            "turns": [{"index": k, **t} for k, t in enumerate(turns)],
        }
        path = folder / f"candidate-{i:03d}.json"
        path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
        paths.append(path)
    return paths


# --- memory of a process tree, from /proc -------------------------------------------------------


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


class PeakMemory:
    """Samples the peak RSS (VmHWM) of every process under `root` until stopped."""

    def __init__(self, root: int, every: float = 0.1) -> None:
        self.root, self.every = root, every
        self.peaks: dict[int, tuple[int, str]] = {}  # pid -> (kB, command line)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            for pid in _descendants(self.root):
                kb = _status_kb(pid, "VmHWM")
                if kb:
                    cmd = _cmdline(pid) or self.peaks.get(pid, (0, ""))[1]
                    self.peaks[pid] = (max(kb, self.peaks.get(pid, (0, ""))[0]), cmd)
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def workers(self, engine: str, workers: int) -> list[float]:
        """Peak MB of each process that evaluates transcripts."""
        if engine == "local" and workers == 1:
            picked = [self.peaks.get(self.root, (0, ""))]
        elif engine == "local":
            picked = [
                v
                for pid, v in self.peaks.items()
                if pid != self.root and "spawn_main" in v[1] and "resource_tracker" not in v[1]
            ]
        else:
            picked = [v for v in self.peaks.values() if v[1].startswith("ray::Worker")]
        return sorted(round(kb / 1024, 1) for kb, _ in picked)


def evaluate(folder: Path, out: Path, extra: list[str]) -> dict[str, Any]:
    engine = "ray" if "ray" in extra else "local"
    workers = int(extra[extra.index("--workers") + 1])
    cmd = [
        sys.executable,
        "-m",
        "interviewer",
        "--data-dir",
        str(out.parent / "data"),
        "evaluate",
        str(folder),
        "-o",
        str(out),
        *extra,
    ]
    start = time.time()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    memory = PeakMemory(proc.pid)
    stdout, stderr = proc.communicate()
    wall = time.time() - start
    memory.stop()
    if proc.returncode != 0:
        return {"error": f"exit {proc.returncode}: {(stderr or stdout)[-800:]}"}
    done = sorted(p.stat().st_mtime for p in out.glob(f"*{META}"))
    steady = (len(done) - 1) / max(1e-6, done[-1] - done[0]) * 60 if len(done) > 1 else None
    main_mb = round(memory.peaks.get(proc.pid, (0, ""))[0] / 1024, 1)
    return {
        "evaluated": len(done),
        "wall_s": round(wall, 1),
        "first_done_after_s": round(done[0] - start, 1) if done else None,
        "per_min_end_to_end": round(len(done) / wall * 60, 1),
        "per_min_steady": round(steady, 1) if steady else None,
        "peak_rss_mb_per_worker": memory.workers(engine, workers),
        "peak_rss_mb_main_process": main_mb,
        "peak_rss_mb_all_processes": round(sum(kb for kb, _ in memory.peaks.values()) / 1024, 1),
    }


def run() -> dict[str, Any]:
    results: dict[str, Any] = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp) / "transcripts"
        make_transcripts(folder)
        for label, extra in RUNS.items():
            if "ray" in extra:
                try:
                    import ray  # noqa: F401
                except ImportError:
                    results[label] = {"error": "ray is not installed: pip install '.[cluster]'"}
                    continue
            results[label] = evaluate(folder, Path(tmp) / label.replace(", ", "-"), extra)
    data = {
        "transcripts": N_TRANSCRIPTS,
        "question_answer_pairs_each": QUESTIONS_PER_TRANSCRIPT,
        "cores": os.cpu_count(),
        "load_average_before": round(load_before, 2),  # other work on the machine skews it
        "target_per_min": TARGET_PER_MIN,
        "runs": results,
    }
    save("batch", data)
    return data


def show(r: dict[str, Any]) -> None:
    print(
        f"{r['transcripts']} transcripts of {r['question_answer_pairs_each']} question/answer "
        f"pairs, {r['cores']} cores (load average {r['load_average_before']} before the runs)"
    )
    for label, x in r["runs"].items():
        if "error" in x:
            print(f"{label:17s} failed: {x['error']}")
            continue
        per_worker = ", ".join(f"{mb:.0f}" for mb in x["peak_rss_mb_per_worker"]) or "?"
        print(
            f"{label:17s} {x['per_min_end_to_end']:6.1f}/min end to end "
            f"({x['wall_s']:.1f} s, first done after {x['first_done_after_s']:.1f} s), "
            f"{x['per_min_steady'] or 0:6.1f}/min once running; "
            f"peak RSS per worker {per_worker} MB "
            f"(all processes {x['peak_rss_mb_all_processes']:.0f} MB)"
        )
    print(f"target: at least {r['target_per_min']} transcripts per minute")


if __name__ == "__main__":
    show(run())
