"""Index build time and query latency for the knowledge pack.

Targets (2-core machine): ingest of the pack under 10 s warm; query p95 under 30 ms with the model
loaded. "Cold" includes loading the embedding model in this process; "warm" reuses it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench.common import save, summary_ms, timed
from interviewer.config import Settings, apply_offline_environment
from interviewer.indexing import ingest
from interviewer.knowledge import cached_pack
from interviewer.retrieval import Retriever


def run() -> dict[str, Any]:
    apply_offline_environment()
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        cold, report = timed(lambda: ingest(None, Settings(data_dir=Path(a))))
        warm, _ = timed(lambda: ingest(None, Settings(data_dir=Path(b))))
        settings = Settings(data_dir=Path(b))
        noop, _ = timed(lambda: ingest(None, settings))
        pack = cached_pack(settings.knowledge_dir)
        queries = [q.text for q in pack.questions.values()]
        retriever = Retriever(settings)
        retriever.passages("warm up", k=4)
        guide_samples = [timed(lambda q=q: retriever.passages(q, k=4))[0] for q in queries * 3]
        persona_samples = [
            timed(lambda q=q: retriever.passages(q, k=4, persona="recruiter"))[0] for q in queries
        ]
        question_samples = [
            timed(lambda q=q: retriever.nearest_questions(q, k=5))[0] for q in queries
        ]
    result = {
        "chunks": report.chunks_written,
        "questions": report.questions_indexed,
        "ingest_cold_s": round(cold, 2),
        "ingest_warm_s": round(warm, 2),
        "ingest_noop_s": round(noop, 3),
        "query_guide": summary_ms(guide_samples),
        "query_guide_persona_filter": summary_ms(persona_samples),
        "query_questions": summary_ms(question_samples),
    }
    save("retrieval", result)
    return result


def show(r: dict[str, Any]) -> None:
    print(f"index: {r['chunks']} chunks, {r['questions']} questions")
    print(f"ingest from scratch, model load included (cold): {r['ingest_cold_s']:.2f} s")
    print(
        f"ingest from scratch, model loaded (warm):        {r['ingest_warm_s']:.2f} s"
        "  (target < 10 s)"
    )
    print(f"re-ingest, nothing changed:                      {r['ingest_noop_s']:.3f} s")
    for key, label in [
        ("query_guide", "guide query"),
        ("query_guide_persona_filter", "guide query, persona filter"),
        ("query_questions", "question-bank query"),
    ]:
        s = r[key]
        print(
            f"{label:30s} p50 {s['p50_ms']:6.1f} ms  p95 {s['p95_ms']:6.1f} ms"
            f"  (n={s['n']}, target p95 < 30 ms)"
        )


if __name__ == "__main__":
    show(run())
