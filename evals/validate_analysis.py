"""Validate the answer analysis against human judgments and print a table.

    python evals/validate_analysis.py --data ../shared/data [--limit N] [--json out.json]

Measures, on the development halves of public datasets (never copied into this repository):
- depth vs human grades: Pearson r on nn-exam-graded-answers (0/1/2, with the talking points in
  evals/nn_exam_talking_points.yaml) and on beetle-graded-answers (from its reference answers);
- clarity's readability component vs CLEAR's BT_easiness (|r|);
- jargon: share of Cochrane pairs where the technical abstract measures as more jargon-heavy
  than its plain-language summary.
An answer the analysis finds too thin to judge ("not enough evidence") counts as the lowest score,
which is what a grader gives an empty or unreadable answer.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rich.console import Console
from rich.progress import track
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer.analysis import Analyzer, Target, target_from_reference  # noqa: E402
from interviewer.analysis.jargon import general_jargon_density  # noqa: E402
from interviewer.analysis.readability import readability  # noqa: E402
from interviewer.analysis.text import words  # noqa: E402
from interviewer.config import Settings, apply_offline_environment  # noqa: E402
from interviewer.embeddings import get_analysis_embedder  # noqa: E402
from interviewer.knowledge import cached_pack  # noqa: E402
from interviewer.personas import cached_personas  # noqa: E402
from interviewer.schema import Dimension, TalkingPoint  # noqa: E402

TARGETS = {
    "nn_exam_depth_r": 0.60,
    "beetle_depth_r": 0.60,
    "clear_readability_abs_r": 0.70,
    "cochrane_pair_accuracy": 0.90,
}
BEETLE_GRADES = {
    "correct": 2,
    "partially_correct_incomplete": 1,
    "contradictory": 0,
    "irrelevant": 0,
    "non_domain": 0,
}
console = Console()


def pearson(x: list[float], y: list[float]) -> float:
    return float(np.corrcoef(np.asarray(x, float), np.asarray(y, float))[0, 1])


def _jsonl(path: Path, limit: int | None) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return rows[:limit] if limit else rows


def _depth(analyzer: Analyzer, text: str, target: Target, persona: Any) -> float:
    score = analyzer.analyze(text, target, persona).scores[Dimension.DEPTH]
    return score.value if score.value is not None else 1.0


def nn_exam(data: Path, analyzer: Analyzer, persona: Any, limit: int | None) -> dict[str, Any]:
    rows = _jsonl(data / "nn-exam-graded-answers" / "nn_course_asag.jsonl", limit)
    spec = yaml.safe_load((ROOT / "evals" / "nn_exam_talking_points.yaml").read_text("utf-8"))
    targets = {
        e["question_no"]: Target(
            None,
            e["question"],
            (tuple(TalkingPoint.model_validate(p) for p in e["talking_points"]),),
        )
        for e in spec
    }
    pred, gold = [], []
    for r in track(rows, description="nn-exam", console=console, transient=True):
        pred.append(_depth(analyzer, r["student_answer"], targets[r["question_no"]], persona))
        gold.append(float(r["grade"]))
    return {"n": len(rows), "r": pearson(pred, gold)}


def beetle(data: Path, analyzer: Analyzer, persona: Any, limit: int | None) -> dict[str, Any]:
    rows = _jsonl(data / "beetle-graded-answers" / "answers.jsonl", limit)
    targets: dict[str, Target] = {}
    pred, gold = [], []
    for r in track(rows, description="beetle", console=console, transient=True):
        key = r["question"] + "\n" + "\n".join(r["reference_answers"])
        if key not in targets:
            targets[key] = target_from_reference(r["question"], r["reference_answers"])
        pred.append(_depth(analyzer, r["student_answer"], targets[key], persona))
        gold.append(float(BEETLE_GRADES[r["label_5way"]]))
    return {"n": len(rows), "r": pearson(pred, gold)}


def clear(data: Path, limit: int | None) -> dict[str, Any]:
    with (data / "clear-readability" / "clear.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[: limit or None]
    ours = [readability(r["Excerpt"]).score for r in rows]
    gold = [float(r["BT_easiness"]) for r in rows]
    flesch = [float(r["Flesch-Reading-Ease"]) for r in rows]
    return {
        "n": len(rows),
        "abs_r": abs(pearson(ours, gold)),
        "flesch_abs_r": abs(pearson(flesch, gold)),
    }


def cochrane(data: Path, analyzer: Analyzer, limit: int | None) -> dict[str, Any]:
    rows = _jsonl(data / "cochrane-lay-pairs" / "pairs.jsonl", limit)
    wins = 0
    for r in rows:
        tech, lay = r["technical_abstract"], r["plain_language_summary"]
        d_tech = general_jargon_density(words(tech), analyzer.glossary, tech)
        d_lay = general_jargon_density(words(lay), analyzer.glossary, lay)
        wins += d_tech > d_lay
    return {"n": len(rows), "accuracy": wins / len(rows) if rows else float("nan")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT.parent / "shared" / "data",
        help="folder holding the datasets (default: ../shared/data)",
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N records of each")
    parser.add_argument("--json", type=Path, default=ROOT / "evals" / "results" / "validation.json")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        console.print(
            f"[red]Evaluation data not found at {args.data}[/]: pass --data PATH "
            "(the folder with nn-exam-graded-answers/, beetle-graded-answers/, ...)."
        )
        return 2
    apply_offline_environment()
    settings = Settings()
    pack = cached_pack(settings.knowledge_dir)
    expert = cached_personas(settings.personas_dir)["ml_expert"]
    analyzer = Analyzer(pack.glossary, get_analysis_embedder(settings).encode)
    start = time.perf_counter()
    results = {
        "nn_exam": nn_exam(args.data, analyzer, expert, args.limit),
        "beetle": beetle(args.data, analyzer, expert, args.limit),
        "clear": clear(args.data, args.limit),
        "cochrane": cochrane(args.data, analyzer, args.limit),
    }
    rows = [
        (
            "depth vs grades, nn-exam (Pearson r)",
            results["nn_exam"]["r"],
            TARGETS["nn_exam_depth_r"],
            results["nn_exam"]["n"],
        ),
        (
            "depth vs labels, Beetle (Pearson r)",
            results["beetle"]["r"],
            TARGETS["beetle_depth_r"],
            results["beetle"]["n"],
        ),
        (
            "readability vs CLEAR BT_easiness (|r|)",
            results["clear"]["abs_r"],
            TARGETS["clear_readability_abs_r"],
            results["clear"]["n"],
        ),
        (
            "  baseline: Flesch Reading Ease (|r|)",
            results["clear"]["flesch_abs_r"],
            None,
            results["clear"]["n"],
        ),
        (
            "jargon: Cochrane pairs ranked right",
            results["cochrane"]["accuracy"],
            TARGETS["cochrane_pair_accuracy"],
            results["cochrane"]["n"],
        ),
    ]
    table = Table(
        "measure", "value", "target", "n", "result", title="Answer analysis vs human judgments"
    )
    for name, value, target, n in rows:
        verdict = (
            "" if target is None else ("[green]meets[/]" if value >= target else "[red]below[/]")
        )
        table.add_row(
            name, f"{value:.3f}", "" if target is None else f">= {target:.2f}", str(n), verdict
        )
    console.print(table)
    console.print(f"[dim]{time.perf_counter() - start:.0f} s[/]")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    console.print(f"[dim]details: {args.json}[/]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
