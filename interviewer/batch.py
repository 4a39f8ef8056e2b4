"""Batch evaluation: every transcript under some paths -> a report each, a CSV and a dashboard.

Runs in this process (1 worker), in a local process pool (N workers, models loaded once per
worker), or on Ray (a laptop or a cluster). Results do not depend on the engine: the analysis is
deterministic and rows are ordered by input path.

Re-running resumes: a finished transcript has a `.meta.json` written after its reports, keyed by
a hash of the file's content and the options, so unchanged files are skipped (`--force` redoes
them) and a run killed half-way leaves no half-written output behind (every file is written to a
temporary name and renamed into place).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from interviewer import __version__
from interviewer.config import Settings

AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".ogg", ".webm", ".flac", ".opus"}
TEXT_SUFFIXES = {".json", ".jsonl", ".txt", ".md", ".vtt", ".srt", ".text"}
QUESTION_MATCH = 0.65  # cosine similarity at which an asked question is taken to be a bank question
META = ".meta.json"


@dataclass(frozen=True)
class BatchOptions:
    """What a batch run was asked to do (part of each output's hash, so changes redo files)."""

    persona: str = "ml_expert"
    formats: tuple[str, ...] = ("md", "html", "json")
    fmt: str = "auto"
    candidate: str | None = None
    interviewer: str | None = None

    def fingerprint(self) -> str:
        return json.dumps({**asdict(self), "version": __version__}, sort_keys=True)


@dataclass
class Row:
    """One transcript's line in the summary (and what the dashboard aggregates)."""

    file: str
    name: str
    status: str  # ok | failed | skipped
    error: str = ""
    format: str = ""
    speakers: str = ""
    candidate: str = ""
    speaker_confidence: float | None = None
    questions: int = 0
    matched_questions: int = 0
    answers_judged: int = 0
    overall: float | None = None
    clarity: float | None = None
    jargon: float | None = None
    depth: float | None = None
    structure: float | None = None
    delivery: float | None = None
    evidence_gaps: int = 0
    unexplained_terms: int = 0
    missed_points: int = 0
    flags: str = ""
    missed: list[tuple[str, str]] = field(default_factory=list)  # (question id, point)
    terms: list[tuple[str, str]] = field(default_factory=list)  # (term, plain)

    CSV_FIELDS = (
        "file",
        "name",
        "status",
        "error",
        "format",
        "speakers",
        "candidate",
        "speaker_confidence",
        "questions",
        "matched_questions",
        "answers_judged",
        "overall",
        "clarity",
        "jargon",
        "depth",
        "structure",
        "delivery",
        "evidence_gaps",
        "unexplained_terms",
        "missed_points",
        "flags",
    )


@dataclass
class BatchResult:
    rows: list[Row]
    out_dir: Path
    interrupted: bool = False

    @property
    def failed(self) -> list[Row]:
        return [r for r in self.rows if r.status == "failed"]


# --- finding the inputs ---------------------------------------------------------------------------


def find_inputs(paths: Iterable[Path], out_dir: Path) -> list[tuple[Path, Path]]:
    """(input, root it was found under) for every transcript (or audio folder) under `paths`."""
    found: dict[Path, Path] = {}
    out = out_dir.resolve()
    for given in paths:
        p = given.resolve()
        if p.is_dir() and _is_audio_dir(p):
            found.setdefault(p, p.parent)
        elif p.is_dir():
            for f in sorted(p.rglob("*")):
                if out in f.parents or f.name.endswith(META):
                    continue
                audio_folder = f.is_dir() and _is_audio_dir(f)
                text_file = (
                    f.is_file()
                    and not f.name.startswith(".")
                    and not _in_audio_dir(f)
                    and not _skipped_name(f)
                )
                if audio_folder or text_file:
                    found.setdefault(f, p)
        else:
            found.setdefault(p, p.parent)
    return sorted(found.items())


_NOT_TRANSCRIPTS = re.compile(
    r"^(readme|license|licence|copying|changelog|notice|contributing)\b", re.I
)


def _skipped_name(f: Path) -> bool:
    """Files that sit beside transcripts but are not transcripts (a folder's README, LICENSE)."""
    return bool(_NOT_TRANSCRIPTS.match(f.name))


def _is_audio_dir(d: Path) -> bool:
    return any(f.suffix.lower() in AUDIO_SUFFIXES for f in d.iterdir() if f.is_file())


def _in_audio_dir(f: Path) -> bool:
    return f.suffix.lower() in AUDIO_SUFFIXES or (
        f.name in ("questions.txt", "questions.json") and _is_audio_dir(f.parent)
    )


def output_name(path: Path, root: Path) -> str:
    """A safe, unique output name: the relative path as a slug plus a short hash of the path."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = Path(path.name)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", str(rel.with_suffix(""))).strip("-").lower()[:70]
    digest = hashlib.sha1(os.fsencode(path)).hexdigest()[:8]
    return f"{slug or 'transcript'}-{digest}"


def content_hash(path: Path, options: BatchOptions) -> str:
    h = hashlib.sha256(options.fingerprint().encode())
    if path.is_dir():
        for f in sorted(path.iterdir()):
            if f.is_file():
                h.update(f.name.encode())
                h.update(f.read_bytes())
    else:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


# --- one transcript -------------------------------------------------------------------------------


def shown(path: Path) -> str:
    """A path as printable text (undecodable bytes in a file name become '?')."""
    return os.fsdecode(os.fsencode(path)).encode("utf-8", "replace").decode("utf-8")


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def read_input(path: Path, options: BatchOptions, settings: Settings) -> Any:
    """A ReadResult for a transcript file or an audio folder."""
    from interviewer.transcripts import read_any

    if path.is_dir():
        from interviewer.audio_transcripts import read_audio_dir

        return read_audio_dir(path, settings, options.persona)
    return read_any(path, options.fmt, options.candidate, options.interviewer, options.persona)


def match_questions(transcript: Any, settings: Settings) -> tuple[Any, int]:
    """Point each asked question at the bank question it matches, when one is close enough."""
    import numpy as np

    from interviewer import runtime
    from interviewer.schema import TurnKind

    pack = runtime.pack(settings)
    questions = [t for t in transcript.turns if t.kind is TurnKind.QUESTION]
    todo = [t for t in questions if not t.question_id]
    if not todo:
        return transcript, sum(bool(t.question_id) for t in questions)
    bank = list(pack.questions.values())
    encode = runtime.analyzer(settings).encode
    # Compare both the whole turn and its last question sentence: a bank question can be two
    # sentences ("Your dataset has ... How do you ...?") and a turn can carry small talk first.
    asked = [t.text[-600:] for t in todo] + [_question_sentence(t.text) for t in todo]
    vectors = encode([q.text for q in bank] + asked)
    both = vectors[len(bank) :] @ vectors[: len(bank)].T
    sims = np.maximum(both[: len(todo)], both[len(todo) :])
    turns = list(transcript.turns)
    matched = sum(bool(t.question_id) for t in questions)
    for turn, row in zip(todo, sims, strict=True):
        best = int(np.argmax(row))
        if float(row[best]) >= QUESTION_MATCH:
            turns[turn.index] = turn.model_copy(update={"question_id": bank[best].id})
            matched += 1
    return transcript.model_copy(update={"turns": turns}), matched


def _short_flags(result: Any) -> list[str]:
    """Compact flags for the summary table (the report itself carries the full notes)."""
    flags = []
    if result.confidence < 0.5:
        flags.append(f"speakers uncertain ({result.confidence:.0%})")
    for w in result.warnings:
        if w.startswith("no interviewer question"):
            flags.append("no question found")
        elif not w.startswith("not sure who"):
            flags.append(w)
    return flags


def _question_sentence(text: str) -> str:
    parts = [p for p in re.split(r"(?<=[.!?])\s+", text) if "?" in p]
    return parts[-1] if parts else text[-300:]


def evaluate_one(
    path: Path, root: Path, out_dir: Path, options: BatchOptions, settings: Settings, force: bool
) -> Row:
    """Evaluate one transcript into out_dir; never raises (a failure is a row with a reason)."""
    name = output_name(path, root)
    meta_path = out_dir / f"{name}{META}"
    try:
        digest = content_hash(path, options)
    except OSError as exc:
        return Row(file=shown(path), name=name, status="failed", error=f"cannot read: {exc}")
    if not force:
        row = finished_row(meta_path, digest, out_dir, name, options)
        if row is not None:
            return row
    row = _evaluate(path, name, out_dir, options, settings)
    _atomic_write(meta_path, json.dumps({"hash": digest, "row": asdict(row)}, indent=1))
    return row


def finished_row(
    meta_path: Path, digest: str, out_dir: Path, name: str, options: BatchOptions
) -> Row | None:
    """The row of an earlier run of this exact input, if its outputs are all still there."""
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("hash") != digest:
            return None
        data = dict(meta["row"])
        data["missed"] = [tuple(x) for x in data.get("missed", [])]
        data["terms"] = [tuple(x) for x in data.get("terms", [])]
        row = Row(**data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing or damaged: redo this transcript
    outputs = [out_dir / f"{name}.{f}" for f in options.formats]
    if row.status == "ok" and not all(p.is_file() for p in outputs):
        return None  # a report was deleted since: write it again
    return row


def collect_finished(
    jobs: list[tuple[Path, Path]], out_dir: Path, options: BatchOptions
) -> list[Row]:
    """Rows of every job finished on disk (after an interruption, workers may have finished
    more than the main process heard about)."""
    rows = []
    for path, root in jobs:
        name = output_name(path, root)
        try:
            digest = content_hash(path, options)
        except OSError:
            continue
        row = finished_row(out_dir / f"{name}{META}", digest, out_dir, name, options)
        if row is not None:
            rows.append(row)
    return rows


def _evaluate(
    path: Path, name: str, out_dir: Path, options: BatchOptions, settings: Settings
) -> Row:
    from interviewer import runtime
    from interviewer.personas import PersonaError
    from interviewer.report import build_report
    from interviewer.report.render import to_html, to_json, to_markdown
    from interviewer.schema import Dimension, EvidenceStatus
    from interviewer.transcripts import TranscriptError

    expected: tuple[type[Exception], ...] = (TranscriptError, PersonaError, ValueError)
    try:
        result = read_input(path, options, settings)
        transcript, matched = match_questions(result.transcript, settings)
        persona = runtime.persona(settings, options.persona)
        report = build_report(
            transcript, runtime.pack(settings), persona, runtime.analyzer(settings)
        )
    except expected as exc:
        reason = str(exc).replace(str(path), path.name)
        return Row(file=shown(path), name=name, status="failed", error=reason)
    except Exception as exc:  # one broken file must not stop the batch
        return Row(
            file=shown(path), name=name, status="failed", error=f"{type(exc).__name__}: {exc}"
        )
    notes = list(result.warnings)
    if result.how:
        report = report.model_copy(
            update={
                "notes": [*report.notes, f"Speakers: {result.how}."]
                + [f"{w[:1].upper()}{w[1:]}." for w in notes]
            }
        )
    renderers = {"md": to_markdown, "html": to_html, "json": to_json}
    for fmt in options.formats:
        _atomic_write(out_dir / f"{name}.{fmt}", renderers[fmt](report))
    dims = {d.dimension: d.value for d in report.dimensions}
    missed = [(q.question_id or "", m.point) for q in report.questions for m in q.missed]
    return Row(
        file=shown(path),
        name=name,
        status="ok",
        format=result.format,
        speakers="; ".join(result.speakers),
        candidate="; ".join(result.candidate),
        speaker_confidence=result.confidence,
        questions=len(report.questions),
        matched_questions=matched,
        answers_judged=sum(q.analysis.status is EvidenceStatus.OK for q in report.questions),
        overall=report.overall,
        clarity=dims.get(Dimension.CLARITY),
        jargon=dims.get(Dimension.JARGON),
        depth=dims.get(Dimension.DEPTH),
        structure=dims.get(Dimension.STRUCTURE),
        delivery=dims.get(Dimension.DELIVERY),
        evidence_gaps=len(report.evidence_gaps),
        unexplained_terms=len(report.jargon),
        missed_points=len(missed),
        flags="; ".join(_short_flags(result)),
        missed=missed,
        terms=[(t.term, t.plain or "") for t in report.jargon],
    )


# --- engines --------------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(settings: Settings) -> None:
    """Load the models once per worker process.

    Workers ignore Ctrl-C: the main process owns it and shuts the pool down. A SIGINT landing in
    a worker while it holds the result queue's lock would leave every process waiting on it."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from interviewer import runtime
    from interviewer.config import apply_offline_environment

    apply_offline_environment()
    analyzer = runtime.analyzer(settings)
    analyzer.encode(["warm up"])
    analyzer.warm([])  # the lazily read word lists
    _WORKER["settings"] = settings


def _work(args: tuple[Path, Path, Path, BatchOptions, bool]) -> Row:
    path, root, out_dir, options, force = args
    return evaluate_one(path, root, out_dir, options, _WORKER["settings"], force)


Progress = Callable[[int, int, Row], None]


def run_local(
    jobs: list[tuple[Path, Path]],
    out_dir: Path,
    options: BatchOptions,
    settings: Settings,
    workers: int,
    force: bool,
    progress: Progress | None = None,
) -> Iterator[Row]:
    """Evaluate jobs in this process (workers=1) or a process pool; yields rows as they finish."""
    total = len(jobs)
    if workers <= 1:
        for i, (path, root) in enumerate(jobs, 1):
            row = evaluate_one(path, root, out_dir, options, settings, force)
            if progress:
                progress(i, total, row)
            yield row
        return
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # torch and fork do not mix
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(settings,)
    )
    futures: list[Future[Row]] = []
    try:
        futures = [pool.submit(_work, (p, r, out_dir, options, force)) for p, r in jobs]
        for i, fut in enumerate(as_completed(futures), 1):
            row = fut.result()
            if progress:
                progress(i, total, row)
            yield row
    finally:
        for f in futures:
            f.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def run_ray(
    jobs: list[tuple[Path, Path]],
    out_dir: Path,
    options: BatchOptions,
    settings: Settings,
    workers: int,
    force: bool,
    address: str | None = None,
    progress: Progress | None = None,
) -> Iterator[Row]:
    """The same evaluation on Ray: one actor per worker, each loading the models once."""
    try:
        import ray
    except ImportError as exc:
        raise RuntimeError(
            "the Ray engine needs the 'ray' package: pip install 'interviewer[cluster]'"
        ) from exc
    started = not ray.is_initialized()
    if started:
        ray.init(
            address=address,
            num_cpus=None if address else max(1, workers),
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )

    @ray.remote
    class Worker:
        def __init__(self, s: Settings) -> None:
            _init_worker(s)

        def run(self, args: tuple[Path, Path, Path, BatchOptions, bool]) -> Row:
            return _work(args)

    try:
        actors = [Worker.remote(settings) for _ in range(max(1, workers))]  # type: ignore[attr-defined]
        pending = {}
        queue = list(jobs)
        total = len(jobs)
        done = 0
        for actor in actors:
            if queue:
                p, r = queue.pop(0)
                pending[actor.run.remote((p, r, out_dir, options, force))] = actor
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            ref = ready[0]
            actor = pending.pop(ref)
            row = ray.get(ref)
            done += 1
            if progress:
                progress(done, total, row)
            yield row
            if queue:
                p, r = queue.pop(0)
                pending[actor.run.remote((p, r, out_dir, options, force))] = actor
    finally:
        if started:
            ray.shutdown()


# --- summary --------------------------------------------------------------------------------------


def write_summary(result: BatchResult) -> dict[str, Path]:
    """summary.csv and dashboard.html in the output folder."""
    from interviewer.report.dashboard import dashboard_html

    rows = sorted(result.rows, key=lambda r: r.file)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(Row.CSV_FIELDS), extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in asdict(r).items()})
    csv_path = result.out_dir / "summary.csv"
    _atomic_write(csv_path, buffer.getvalue())
    html_path = result.out_dir / "dashboard.html"
    _atomic_write(html_path, dashboard_html(rows, result.interrupted))
    return {"csv": csv_path, "html": html_path}


def cohort(rows: list[Row]) -> dict[str, Any]:
    """What the dashboard shows across transcripts: weakest points and commonest jargon."""
    ok = [r for r in rows if r.status == "ok"]
    missed = Counter(p for r in ok for p in r.missed)
    terms = Counter(t for r in ok for t in r.terms)
    return {"missed": missed.most_common(12), "terms": terms.most_common(12)}


def clean_leftovers(out_dir: Path) -> int:
    """Remove temporary files left by a run that was killed mid-write."""
    removed = 0
    for tmp in out_dir.glob("*.tmp"):
        tmp.unlink(missing_ok=True)
        removed += 1
    return removed
