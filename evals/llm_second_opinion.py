"""How well the language model's depth grade agrees with human grades, next to the measured depth.

    INTERVIEWER_LLM_BASE_URL=... python evals/llm_second_opinion.py --data ../shared/data \\
        [--limit N] [--workers 4] [--json evals/results/llm_second_opinion.json]

On nn-exam-graded-answers (663 answers graded 0/1/2; talking points from
evals/nn_exam_talking_points.yaml, read as in evals/validate_analysis.py) it asks
`LLMBrain.grade_depth` for a 1-5 grade of every answer and reports Pearson r with the human
grades, beside the r of the measured depth score on the very same records. A record the model
fails to grade (timeout, refusal, a reply that is not the JSON asked for) is left out of both
r values and counted. An answer the analysis finds too thin to judge counts as the lowest
measured score, as in validate_analysis.py.

It says that it skipped, and exits 0, when no endpoint is configured or the data is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer.config import Settings, apply_offline_environment  # noqa: E402

DATASET = Path("nn-exam-graded-answers") / "nn_course_asag.jsonl"
NO_ENDPOINT = (
    "skipped: no language model endpoint configured (set INTERVIEWER_LLM_BASE_URL, and "
    "INTERVIEWER_LLM_MODEL / INTERVIEWER_LLM_API_KEY if the endpoint needs them)"
)


def _rows(path: Path, limit: int | None) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return rows[:limit] if limit else rows


def pearson(x: list[float], y: list[float]) -> float | None:
    import numpy as np

    if len(x) < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return None
    return float(np.corrcoef(np.asarray(x, float), np.asarray(y, float))[0, 1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT.parent / "shared" / "data",
        help="folder holding nn-exam-graded-answers/ (default: ../shared/data)",
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N records")
    parser.add_argument("--workers", type=int, default=4, help="requests in flight at once")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "evals" / "results" / "llm_second_opinion.json"
    )
    args = parser.parse_args(argv)

    apply_offline_environment()
    settings = Settings()
    if not settings.llm_configured:
        print(NO_ENDPOINT)
        return 0
    source = args.data / DATASET
    if not source.is_file():
        print(
            f"skipped: evaluation data not found at {source} (pass --data PATH, the folder "
            "holding nn-exam-graded-answers/)"
        )
        return 0

    import yaml

    from interviewer.analysis import Analyzer, Target
    from interviewer.brains.llm import CircuitBreaker, LLMBrain, LLMError
    from interviewer.embeddings import get_analysis_embedder
    from interviewer.knowledge import cached_pack
    from interviewer.personas import cached_personas
    from interviewer.schema import Dimension, TalkingPoint

    rows = _rows(source, args.limit)
    spec = yaml.safe_load((ROOT / "evals" / "nn_exam_talking_points.yaml").read_text("utf-8"))
    questions = {e["question_no"]: e for e in spec}
    targets = {
        no: Target(
            None,
            e["question"],
            (tuple(TalkingPoint.model_validate(p) for p in e["talking_points"]),),
        )
        for no, e in questions.items()
    }
    pack = cached_pack(settings.knowledge_dir)
    expert = cached_personas(settings.personas_dir)["ml_expert"]
    analyzer = Analyzer(pack.glossary, get_analysis_embedder(settings).encode)
    # Every record is attempted: no circuit breaker pausing the model after a few failures.
    brain = LLMBrain(settings, breaker=CircuitBreaker(failures=10**9, seconds=0))
    print(
        f"{len(rows)} answers; endpoint {settings.llm_base_url}, model {settings.llm_model}, "
        f"{args.workers} at a time"
    )

    def measured(row: dict[str, Any]) -> float:
        score = analyzer.analyze(row["student_answer"], targets[row["question_no"]], expert)
        value = score.scores[Dimension.DEPTH].value
        return value if value is not None else 1.0

    def graded(row: dict[str, Any]) -> float | str:
        entry = questions[row["question_no"]]
        points = [p["point"] for p in entry["talking_points"]]
        try:
            return float(brain.grade_depth(entry["question"], points, row["student_answer"]).score)
        except LLMError as exc:
            return str(exc)

    start = time.perf_counter()
    ours = [measured(r) for r in rows]
    with ThreadPoolExecutor(max(1, args.workers)) as pool:
        theirs = list(pool.map(graded, rows))
    seconds = time.perf_counter() - start

    kept = [i for i, g in enumerate(theirs) if isinstance(g, float)]
    errors = [str(g) for g in theirs if isinstance(g, str)]
    gold = [float(r["grade"]) for r in rows]
    llm_scores = [float(theirs[i]) for i in kept]
    llm_r = pearson(llm_scores, [gold[i] for i in kept])
    same_r = pearson([ours[i] for i in kept], [gold[i] for i in kept])
    all_r = pearson(ours, gold)
    usage = brain.usage.appendix()
    result: dict[str, Any] = {
        "dataset": str(DATASET),
        "model": settings.llm_model,
        "n": len(rows),
        "graded_by_model": len(kept),
        "model_failures": len(errors),
        "first_errors": sorted(set(errors))[:5],
        "llm_depth_r": llm_r,
        "measured_depth_r_same_records": same_r,
        "measured_depth_r_all_records": all_r,
        "usage": usage,
        "seconds": round(seconds, 1),
    }

    def fmt(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    print(f"\nagreement with the human grades (Pearson r), nn-exam, {len(kept)} records:")
    lines = [
        ("language model's depth grade (second opinion)", llm_r),
        ("measured depth score, same records", same_r),
        (f"measured depth score, all {len(rows)} records", all_r),
    ]
    for label, value in lines:
        print(f"  {label:<48} {fmt(value)}")
    if kept and llm_r is None:
        print("(no r for the model: it gave every answer the same grade)")
    if errors:
        print(f"the model failed on {len(errors)} records, left out; e.g. {errors[0][:160]}")
    print(f"({seconds:.0f} s; {usage['language model calls']} calls)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"details: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
