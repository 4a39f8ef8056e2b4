"""Calibrate and validate the readability model against CLEAR teachers' judgments.

Usage: python evals/calibrate_readability.py --data /work/shared/data

Reads clear-readability/clear.csv under --data (never copied into the repository) and reports
Pearson r with BT_easiness for:
  * each classic formula column shipped in the file;
  * each input of our model on its own;
  * our model: k-fold cross-validation of the fitting procedure (OLS on the fixed features),
    repeated over several shuffles, and the coefficients shipped in
    interviewer/analysis/readability.py;
  * the shipped model on the same excerpts with all punctuation removed, and on their first N
    words only (robustness checks).
Finally it refits OLS on all rows and prints the constants to paste into the module.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from interviewer.analysis.readability import (
    COEFFICIENTS,
    FEATURE_NAMES,
    INTERCEPT,
    Readability,
    model_inputs,
    readability,
)

CLEAR_FILE = Path("clear-readability") / "clear.csv"
TARGET = "BT_easiness"
FORMULAS = (
    "Flesch-Reading-Ease",
    "Flesch-Kincaid-Grade-Level",
    "Automated Readability Index",
    "SMOG Readability",
    "New Dale-Chall Readability Formula",
)
FloatArray = NDArray[np.float64]


def find_clear(data: Path) -> Path:
    """The CLEAR csv from --data (the shared data folder, or the csv itself); exits if absent."""
    candidates = [data] if data.suffix == ".csv" else [data / CLEAR_FILE, data / "clear.csv"]
    for path in candidates:
        if path.is_file():
            return path
    tried = ", ".join(str(p) for p in candidates)
    sys.exit(
        f"CLEAR data not found (looked for {tried}).\n"
        "Pass the shared evaluation data folder, e.g. --data ../shared/data; "
        "see that folder's README.md. The data is not part of this repository."
    )


def load_clear(path: Path) -> tuple[list[str], FloatArray, dict[str, FloatArray]]:
    """Excerpts, BT_easiness, and the classic formula columns present in the file."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or TARGET not in rows[0] or "Excerpt" not in rows[0]:
        sys.exit(f"{path} does not have the expected columns (Excerpt, {TARGET}).")
    texts = [row["Excerpt"] for row in rows]
    target = np.array([float(row[TARGET]) for row in rows])
    formulas = {
        name: np.array([float(row[name]) for row in rows]) for name in FORMULAS if name in rows[0]
    }
    return texts, target, formulas


def pearson(x: FloatArray, y: FloatArray) -> float:
    """Pearson correlation (0.0 when either side is constant)."""
    if np.std(x) == 0 or np.std(y) == 0:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])


def fit_ols(x: FloatArray, y: FloatArray) -> FloatArray:
    """Least-squares [intercept, coefficients...] of y on the columns of x."""
    design = np.column_stack([np.ones(len(x)), x])
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    return np.asarray(solution, dtype=np.float64)


def predict(params: FloatArray, x: FloatArray) -> FloatArray:
    """Apply [intercept, coefficients...] to the rows of x."""
    return np.asarray(params[0] + x @ params[1:], dtype=np.float64)


def cross_validate(
    x: FloatArray, y: FloatArray, folds: int, seed: int
) -> tuple[float, list[float]]:
    """Out-of-fold Pearson r of the OLS fitting procedure, pooled and per fold."""
    order = np.random.default_rng(seed).permutation(len(y))
    predictions = np.empty(len(y))
    per_fold: list[float] = []
    for part in np.array_split(order, folds):
        train = np.setdiff1d(order, part)
        params = fit_ols(x[train], y[train])
        predictions[part] = predict(params, x[part])
        per_fold.append(pearson(predictions[part], y[part]))
    return pearson(predictions, y), per_fold


def unpunctuated(text: str) -> str:
    """The text as an unpunctuated transcript would give it: no punctuation, no line breaks."""
    return " ".join(re.sub(r"[^\w\s'’]", " ", text).split())


def measure(texts: list[str]) -> tuple[list[Readability], float]:
    """Readability records of all texts and the mean time per text in milliseconds."""
    for text in texts[:20]:  # warm the caches and load cmudict before timing
        readability(text)
    start = time.perf_counter()
    records = [readability(text) for text in texts]
    return records, (time.perf_counter() - start) * 1000 / max(1, len(texts))


def main(argv: list[str] | None = None) -> int:
    """Run the report; returns the process exit code."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="shared evaluation data folder")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    parser.add_argument("--repeats", type=int, default=5, help="shuffles of the folds (default 5)")
    args = parser.parse_args(argv)

    path = find_clear(args.data)
    texts, target, formulas = load_clear(path)
    print(f"CLEAR: {len(texts)} excerpts from {path}\n")

    print("Classic formulas (Pearson r with BT_easiness):")
    for name, values in formulas.items():
        print(f"  {name:36s} {pearson(values, target):+.3f}")

    records, ms_per_text = measure(texts)
    x = np.array([model_inputs(r) for r in records], dtype=np.float64)
    print("\nModel inputs on their own:")
    for j, name in enumerate(FEATURE_NAMES):
        print(f"  {name:36s} {pearson(x[:, j], target):+.3f}")

    print(f"\nOur model, {args.folds}-fold CV of the fitting procedure (OLS, fixed features):")
    pooled: list[float] = []
    for seed in range(args.repeats):
        r, per_fold = cross_validate(x, target, args.folds, seed)
        pooled.append(r)
        folds = " ".join(f"{f:.3f}" for f in per_fold)
        print(f"  shuffle {seed}: pooled r = {r:.3f}   per fold: {folds}")
    print(f"  mean pooled r over {args.repeats} shuffles: {np.mean(pooled):.3f}")

    shipped = np.array([r.easiness for r in records])
    scores = np.array([r.score for r in records])
    print("\nShipped coefficients (interviewer/analysis/readability.py):")
    r_easiness, r_score = pearson(shipped, target), pearson(scores, target)
    print(f"  easiness r = {r_easiness:+.3f}   1-5 score r = {r_score:+.3f}")
    print(
        f"  score range on CLEAR: {scores.min():.2f}-{scores.max():.2f}, mean {scores.mean():.2f}"
    )
    mean_words = np.mean([r.words for r in records])
    print(f"  time per excerpt (~{mean_words:.0f} words): {ms_per_text:.2f} ms")

    bare, _ = measure([unpunctuated(t) for t in texts])
    bare_easiness = np.array([r.easiness for r in bare])
    estimated = np.mean([r.punctuation_estimated for r in bare])
    punctuated_estimated = np.mean([r.punctuation_estimated for r in records])
    print("\nRobustness: punctuation stripped from every excerpt:")
    print(
        f"  easiness r = {pearson(bare_easiness, target):+.3f}; "
        f"mean shift {np.mean(bare_easiness - shipped):+.3f} BT units; "
        f"boundaries estimated in {estimated:.0%} (vs {punctuated_estimated:.1%} of the originals)"
    )

    print("\nLength sensitivity: only the first N words of every excerpt (shipped coefficients):")
    for n in (40, 80, 120):
        prefix, _ = measure([" ".join(t.split()[:n]) for t in texts])
        easiness = np.array([r.easiness for r in prefix])
        print(
            f"  first {n:3d} words: r = {pearson(easiness, target):+.3f}; "
            f"mean shift {np.mean(easiness - shipped):+.3f} BT units"
        )

    params = fit_ols(x, target)
    fitted = predict(params, x)
    print(f"\nRefit on all {len(texts)} rows: r = {pearson(fitted, target):.3f}")
    print(f"INTERCEPT = {params[0]:.4f}")
    coefficients = ", ".join(f"{c:.4f}" for c in params[1:])
    print(f"COEFFICIENTS: tuple[float, ...] = ({coefficients})  # {', '.join(FEATURE_NAMES)}")
    if INTERCEPT == 0.0 and not any(COEFFICIENTS):
        print("(the module still has placeholder coefficients)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
