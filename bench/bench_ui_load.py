"""Load test of the page: 20 simulated candidates at once through gradio_client (loopback only).

Checks there is no cross-talk (each candidate sees only their own answers) and no lost turn
(every answer is in that session's transcript on disk), and reports p50/p95 turn latency.
"""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import save, summary_ms
from interviewer.config import Settings, apply_offline_environment
from interviewer.indexing import ingest
from interviewer.transcripts import read_transcript
from tests.ui_server import serve_app

CANDIDATES = 20
ANSWERS_EACH = 4
CHAT, PROGRESS, REPORT = 2, 1, 7


def _answer(who: int, n: int) -> str:
    return (
        f"Candidate {who} answer {n}: at my last job I owned a model that ranked support tickets. "
        "I shipped a simple first version, measured acceptance for two weeks, and it rose by "
        "12 percent, so we iterated on it and explained each change to the support team."
    )


def candidate(url: str, who: int) -> dict[str, Any]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    persona = ["recruiter", "backend_engineer", "ml_expert"][who % 3]
    client.predict(persona, 6, "Typed answers", False, f"cand{who}", api_name="/start")
    latencies = []
    sent = []
    out: Any = None
    for n in range(ANSWERS_EACH):
        text = _answer(who, n)
        start = time.perf_counter()
        out = client.predict(text, api_name="/answer")
        latencies.append(time.perf_counter() - start)
        sent.append(text)
        if out[REPORT]:
            break
    seen = [m for m in out[CHAT] if m["role"] == "user"]
    texts = [c["text"] for m in seen for c in m["content"] if isinstance(c, dict)]
    crosstalk = [t for t in texts if not t.startswith(f"Candidate {who} ")]
    return {"latencies": latencies, "sent": sent, "seen": texts, "crosstalk": crosstalk}


def run() -> dict[str, Any]:
    apply_offline_environment()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        ingest(None, Settings(data_dir=data))
        with serve_app(data) as url:
            # One candidate first, so the models are loaded: this measures steady state.
            first = candidate(url, CANDIDATES)
            start = time.perf_counter()
            with ThreadPoolExecutor(CANDIDATES) as pool:
                results = list(pool.map(lambda w: candidate(url, w), range(CANDIDATES)))
            wall = time.perf_counter() - start
        saved = []
        for path in (data / "sessions").glob("*/transcript.jsonl"):
            saved += [t.text for t in read_transcript(path).turns if t.kind == "answer"]
    sent = [a for r in results for a in r["sent"]]
    lost = [a for a in sent if a not in saved]
    result = {
        "candidates": CANDIDATES,
        "turns": len(sent),
        "wall_s": round(wall, 1),
        "turn_latency": summary_ms([x for r in results for x in r["latencies"]]),
        "first_answer_cold_s": round(first["latencies"][0], 1),
        "crosstalk": sum(len(r["crosstalk"]) for r in results),
        "lost_turns": len(lost),
    }
    save("ui_load", result)
    return result


def show(r: dict[str, Any]) -> None:
    t = r["turn_latency"]
    print(f"{r['candidates']} concurrent candidates, {r['turns']} answers in {r['wall_s']} s")
    print(
        f"turn latency (answer -> interviewer reply, via the page API): p50 {t['p50_ms']:.0f} ms"
        f"  p95 {t['p95_ms']:.0f} ms  max {t['max_ms']:.0f} ms"
    )
    print(f"(the very first answer after start-up, models loading: {r['first_answer_cold_s']} s)")
    print(f"cross-talk between sessions: {r['crosstalk']}   lost turns: {r['lost_turns']}")
