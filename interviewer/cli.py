"""The `interviewer` command: a thin layer that parses arguments and prints results.

Each subcommand calls into the module that owns the job; nothing here computes anything a test of
that module would not already cover.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from interviewer import __version__
from interviewer.config import Settings, apply_offline_environment, get_settings

if TYPE_CHECKING:
    from interviewer.retrieval import Retriever
    from interviewer.schema import Report, Turn
    from interviewer.session import InterviewSession

console = Console()
err_console = Console(stderr=True)


def _fail(message: str, hint: str | None = None, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    if hint:
        err_console.print(f"[dim]{hint}[/]", highlight=False)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="interviewer")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the index, sessions and reports live (default: your user data folder; "
    "or set INTERVIEWER_DATA_DIR).",
)
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None) -> None:
    """Rehearse a Machine Learning Engineer interview, offline.

    \b
    Practise:
      interviewer serve                      the practice page (typed or spoken answers)
      interviewer chat --persona recruiter   a typed interview in the terminal
      interviewer voice --persona ml_expert  a spoken interview in the terminal
      interviewer sessions                   past sessions; resume with chat --resume ID

    \b
    Score what you already have:
      interviewer evaluate transcripts/      a report per transcript, plus a cohort dashboard
      interviewer report T.json              the feedback report for one saved transcript
      interviewer analyze answers.jsonl      scores as JSON lines (for tools and evals)

    \b
    The knowledge behind it:
      interviewer ingest                     index the knowledge pack (or your own guide)
      interviewer search "data leakage"      guide passages about a topic
      interviewer check                      validate the knowledge pack and personas
    """
    apply_offline_environment()
    settings = get_settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    ctx.obj = settings


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def _run_ingest(settings: Settings, paths: list[Path]) -> None:
    from interviewer.indexing import IngestError, ingest

    with _progress() as bar:
        task = bar.add_task("Loading the embedding model", total=None)

        def report(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"Indexing {label}")

        try:
            result = ingest(paths or None, settings, progress=report)
        except IngestError as exc:
            _fail(str(exc), "Nothing was changed in the existing index.")
            return
    for src, dropped in result.dropped.items():
        console.print(f"[yellow]Skipped {len(dropped)} unusable line(s) in {Path(src).name}:[/]")
        for d in dropped:
            console.print(f"  [dim]- {d}[/]", highlight=False)
    if not result.changed:
        console.print(f"Index is up to date ({len(result.unchanged)} file(s) unchanged).")
    else:
        console.print(
            f"[green]Indexed[/] {len(result.added)} new and {len(result.updated)} changed file(s) "
            f"({result.chunks_written} chunks), removed {len(result.removed)}, "
            f"{len(result.unchanged)} unchanged"
            + (f"; {result.questions_indexed} questions." if result.questions_indexed else ".")
        )
    console.print(f"[dim]Index: {settings.index_dir}[/]", highlight=False)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_obj
def ingest(settings: Settings, paths: tuple[Path, ...]) -> None:
    """Index guide files for search (default: the built-in knowledge pack).

    PATHS are Markdown or text files, or folders of them, e.g. your own interview guide for
    another role. Unchanged files are skipped; changed files replace their old passages.
    A file that cannot be used stops the run with a message and leaves the index untouched.
    """
    _run_ingest(settings, list(paths))


@main.command()
@click.argument("query", required=False)
@click.option("--persona", "-p", help="Only passages this persona uses (e.g. recruiter).")
@click.option("-k", "k", default=4, show_default=True, type=click.IntRange(1, 50), help="How many.")
@click.option("--questions", is_flag=True, help="Search the question bank instead of the guide.")
@click.option("--interactive", "-i", is_flag=True, help="Keep asking for queries until empty.")
@click.pass_obj
def search(
    settings: Settings,
    query: str | None,
    persona: str | None,
    k: int,
    questions: bool,
    interactive: bool,
) -> None:
    """Search the interview guide by meaning, e.g. `interviewer search "class imbalance"`."""
    from interviewer.retrieval import Retriever
    from interviewer.vectorstore import index_exists

    if persona:
        _check_persona(settings, persona)
    if not index_exists(settings):
        console.print("[yellow]No index yet: building it from the knowledge pack first.[/]")
        _run_ingest(settings, [])
    retriever = Retriever(settings)
    if not query and not interactive:
        _fail("give a QUERY, or use --interactive", "Example: interviewer search 'data leakage'", 2)
    while True:
        if query:
            if questions:
                _show_questions(settings, retriever, query, persona, k)
            else:
                _show_passages(retriever, query, persona, k)
        if not interactive:
            return
        try:
            query = console.input("\n[bold]Search the guide[/] (empty line to quit): ").strip()
        except (EOFError, KeyboardInterrupt):
            query = ""
        if not query:
            return


def _check_persona(settings: Settings, persona: str) -> None:
    from interviewer.personas import PersonaError, get_persona

    try:
        get_persona(settings.personas_dir, persona)
    except PersonaError as exc:
        _fail(str(exc), code=2)


def _show_passages(retriever: Retriever, query: str, persona: str | None, k: int) -> None:
    hits = retriever.passages(query, k=k, persona=persona)
    if not hits:
        console.print("No passages found.")
        return
    for i, p in enumerate(hits, 1):
        heading = p.text.split("\n\n", 1)[0]
        body = p.text.split("\n\n", 1)[-1]
        console.print(
            f"\n[bold cyan]{i}. {heading}[/]  [dim](score {p.score:.2f})[/]", highlight=False
        )
        console.print(f"[dim]section {p.section_id}[/]", highlight=False)
        console.print(Markdown(body))


def _show_questions(
    settings: Settings, retriever: Retriever, query: str, persona: str | None, k: int
) -> None:
    from interviewer.knowledge import cached_pack

    pack = cached_pack(settings.knowledge_dir)
    table = Table("score", "id", "category", "question", show_lines=False)
    for hit in retriever.nearest_questions(query, k=k, persona=persona):
        q = pack.questions.get(hit.question_id)
        if q:
            table.add_row(f"{hit.score:.2f}", q.id, q.category.value, q.text)
    console.print(table)


@main.command()
@click.pass_obj
def check(settings: Settings) -> None:
    """Validate the knowledge pack and the personas, listing every problem found."""
    from interviewer.knowledge import KnowledgeError, check_pack, load_pack
    from interviewer.personas import PersonaError, load_personas

    try:
        personas = load_personas(settings.personas_dir)
        pack = load_pack(settings.knowledge_dir)
    except (KnowledgeError, PersonaError) as exc:
        _fail(str(exc))
        return
    problems = check_pack(pack, set(personas))
    console.print(
        f"{len(personas)} personas, {len(pack.sections)} guide sections, "
        f"{len(pack.questions)} questions, {len(pack.glossary)} glossary terms."
    )
    for p in problems:
        err_console.print(f"[red]- {p}[/]", highlight=False)
    if problems:
        sys.exit(1)
    console.print("[green]Knowledge pack and personas are valid.[/]")


def _formats(value: str) -> tuple[str, ...]:
    from interviewer.report import FORMATS

    chosen = tuple(f.strip().lower() for f in value.split(",") if f.strip())
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise click.BadParameter(f"choose from {', '.join(FORMATS)} (comma-separated)")
    return chosen


@main.command()
@click.argument("transcript", type=click.Path(path_type=Path))
@click.option("--persona", "-p", help="Judge as this persona (default: the transcript's).")
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the report files (default: next to the transcript).",
)
@click.option(
    "--format",
    "formats",
    default="md,html,json",
    show_default=True,
    help="Which of md, html, json to write.",
)
@click.pass_obj
def report(
    settings: Settings, transcript: Path, persona: str | None, out: Path | None, formats: str
) -> None:
    """Write the feedback report for a saved transcript (the project's JSON or JSONL format)."""
    from interviewer import runtime
    from interviewer.personas import PersonaError
    from interviewer.report import build_report, write_report
    from interviewer.transcripts import TranscriptError, read_transcript

    chosen = _formats(formats)
    try:
        t = read_transcript(transcript)
        p = runtime.persona(settings, persona or t.persona)
    except (TranscriptError, PersonaError) as exc:
        _fail(str(exc))
        return
    with err_console.status("Analysing answers (loading the language model on first use)..."):
        r = build_report(t, runtime.pack(settings), p, runtime.analyzer(settings))
    written = write_report(r, out or transcript.parent, chosen, stem=f"{transcript.stem}.report")
    _print_summary(r)
    for fmt, path in written.items():
        console.print(f"[dim]{fmt:>4}:[/] {path}", highlight=False)


def _print_summary(r: Report) -> None:
    from interviewer.report.charts import text_bar
    from interviewer.schema import ScoreStatus

    overall = "not enough evidence" if r.overall is None else f"{r.overall:.1f} ({r.overall_band})"
    console.print(f"\n[bold]Overall:[/] {overall}   [dim]interviewer: {r.persona_name}[/]")
    for s in r.dimensions:
        if s.status is ScoreStatus.NOT_APPLICABLE:
            continue
        value = "  - " if s.value is None else f"{s.value:4.1f}"
        console.print(f"  {s.dimension.value:<10} {value} {text_bar(s.value)} {s.band}")
    for title, items in (("Strengths", r.strengths), ("To improve", r.improvements)):
        console.print(f"\n[bold]{title}[/]")
        if not items:
            console.print("  [dim]none with enough evidence[/]")
        for h in items:
            console.print(f"  - Q{h.question_number} {h.title}: {h.detail}", highlight=False)
    for gap in r.evidence_gaps:
        console.print(f"[yellow]  not enough evidence: {gap}[/]", highlight=False)


@main.command()
@click.argument("source", default="-", type=click.Path(allow_dash=True, path_type=Path))
@click.option(
    "--persona",
    "-p",
    default="ml_expert",
    show_default=True,
    help="Persona for records that do not name one.",
)
@click.option(
    "--output",
    "-o",
    default="-",
    type=click.Path(allow_dash=True, path_type=Path),
    help="Where to write the JSON lines (default: standard output).",
)
@click.pass_obj
def analyze(settings: Settings, source: Path, persona: str, output: Path) -> None:
    """Score answers given as JSON lines, one result line per record.

    \b
    Each input line: {"question": "...", "answer": "...", and optionally
      "reference_answer": "..." or [...], "talking_points": [...], "question_id": "...",
      "persona": "...", "id": ...}
    Each output line: {"index", "id", "error"} plus the analysis (status, scores with value,
    band and measurements, terms, talking-point coverage); see README "interviewer analyze".
    A record that cannot be read gets an "error" and the rest still run; the exit code is 1
    when any record failed.
    """
    from interviewer.batch_analyze import analyze_stream

    _check_persona(settings, persona)
    infile = sys.stdin if str(source) == "-" else None
    try:
        reader = infile or source.open(encoding="utf-8")
    except OSError as exc:
        _fail(f"{source}: {exc.strerror}")
        return
    writer = sys.stdout if str(output) == "-" else output.open("w", encoding="utf-8")
    try:
        failed = analyze_stream(reader, writer, settings, persona)
    finally:
        if writer is not sys.stdout:
            writer.close()
        if reader is not sys.stdin:
            reader.close()
    if failed:
        err_console.print(
            f"[yellow]{failed} record(s) could not be analysed (see their 'error').[/]"
        )
        sys.exit(1)


CHAT_HELP = (
    "Type your answer; finish it with an empty line (press Enter twice).\n"
    "Commands: /skip (skip this question), /repeat (hear the question again), "
    "/end (finish now and get the report), /help."
)


@main.command()
@click.option(
    "--persona",
    "-p",
    default="ml_expert",
    show_default=True,
    help="ml_expert, backend_engineer, recruiter, or one you added.",
)
@click.option(
    "--questions",
    "-n",
    default=5,
    show_default=True,
    type=click.IntRange(1, 30),
    help="How many main questions.",
)
@click.option("--minutes", type=click.FloatRange(min=1), help="Stop after this many minutes.")
@click.option("--seed", type=int, help="Repeat an interview exactly (default: random).")
@click.option("--name", help="Your name, used in the report.")
@click.option("--resume", "resume_id", help="Continue an unfinished session (see `sessions`).")
@click.option(
    "--brain",
    type=click.Choice(["offline", "llm"]),
    help="Who phrases the interviewer: built-in templates, or the language model "
    "configured with INTERVIEWER_LLM_BASE_URL (default: INTERVIEWER_BRAIN or offline).",
)
@click.pass_obj
def chat(
    settings: Settings,
    persona: str,
    questions: int,
    minutes: float | None,
    seed: int | None,
    name: str | None,
    resume_id: str | None,
    brain: str | None,
) -> None:
    """A typed interview in the terminal, then the feedback report.

    With standard input from a file or pipe it runs without prompts: answers are read as
    blocks separated by a blank line, so scripts can drive it.
    """
    import random

    from interviewer.schema import SessionConfig
    from interviewer.session import InterviewSession
    from interviewer.store import SessionNotFoundError
    from interviewer.transcripts import TranscriptError
    from interviewer.vectorstore import index_exists

    interactive = sys.stdin.isatty()
    brain = brain or settings.brain
    if brain == "llm" and not settings.llm_configured:
        _fail(
            "--brain llm needs an OpenAI-compatible endpoint",
            "Set INTERVIEWER_LLM_BASE_URL (and INTERVIEWER_LLM_MODEL, INTERVIEWER_LLM_API_KEY); "
            "see the README. Without one, the built-in interviewer works offline.",
            2,
        )
    if not resume_id:
        _check_persona(settings, persona)  # before any slow set-up
    if not index_exists(settings):
        console.print("[yellow]First run: building the search index from the knowledge pack.[/]")
        _run_ingest(settings, [])
    try:
        if resume_id:
            session = InterviewSession.resume(settings, resume_id)
        else:
            _check_persona(settings, persona)
            config = SessionConfig(
                questions=questions,
                minutes=minutes,
                brain=brain,
                seed=seed if seed is not None else random.randrange(10**6),
            )
            session = InterviewSession.create(settings, persona, config, candidate=name)
    except (SessionNotFoundError, TranscriptError) as exc:
        _fail(str(exc), "List sessions with: interviewer sessions")
        return
    if interactive:
        console.print(f"[dim]{CHAT_HELP}[/]\n")
    streaming = session.brain.name == "llm"
    if streaming:
        session.sink = TerminalSink(session.persona.name)
    try:
        _show_turns(session, session.start(), streamed=streaming)
        # Load the models while the candidate reads and types the first answer.
        session.warm_up_in_background()
        while not session.finished:
            answer = _read_answer(interactive)
            if answer is None:  # end of input
                _show_turns(session, session.end())
                break
            command = answer.strip().lower()
            if command == "/help":
                console.print(f"[dim]{CHAT_HELP}[/]")
                continue
            if command == "/repeat":
                if session.last_prompt:
                    _show_turns(session, [session.last_prompt])
                continue
            if command == "/skip":
                _show_turns(session, session.skip())
                continue
            if command == "/end":
                _show_turns(session, session.end())
                break
            if command.startswith("/"):
                console.print(f"[yellow]Unknown command {command}.[/] {CHAT_HELP}")
                continue
            _show_turns(session, session.submit(answer), streamed=streaming)
    except KeyboardInterrupt:
        err_console.print(
            f"\n[yellow]Interview paused and saved.[/] Resume with: "
            f"[bold]interviewer chat --resume {session.session_id}[/]"
        )
        sys.exit(130)
    with err_console.status("Writing your feedback report..."):
        result, written = session.report()
    _print_summary(result)
    console.print()
    for fmt, path in written.items():
        console.print(f"[dim]{fmt:>4}:[/] {path}", highlight=False)


def _read_answer(interactive: bool) -> str | None:
    """One answer: lines up to an empty line. None at the end of input."""
    lines: list[str] = []
    while True:
        try:
            line = console.input(
                "[bold green]> [/]"
                if interactive and not lines
                else "[green]  [/]"
                if interactive
                else ""
            )
        except EOFError:
            return "\n".join(lines) if lines else None
        if not line.strip():
            if lines or not interactive:
                if lines:
                    return "\n".join(lines)
                continue
            continue
        if not lines and line.strip().startswith("/"):
            return line.strip()
        lines.append(line)


class TerminalSink:
    """Prints an interviewer turn word by word as the language model produces it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.started = False

    def begin(self, intent: str, number: int, total: int) -> None:
        self.done()  # a turn streamed just before this one ends its line first
        if intent == "question":
            console.print(f"\n[dim]Question {number} of {total}[/]")

    def token(self, text: str) -> None:
        if not self.started:
            console.print(f"\n[bold cyan]{self.name}:[/] ", end="")
            self.started = True
        console.print(text, end="", highlight=False, markup=False)

    def reset(self) -> None:
        if self.started:
            console.print("\n[yellow](the model's reply was cut off; rephrasing)[/]")
        self.started = False

    def done(self) -> None:
        if self.started:
            console.print("\n")
        self.started = False


def _show_turns(session: InterviewSession, turns: Sequence[Turn], streamed: bool = False) -> None:
    from interviewer.schema import TurnKind

    for notice in session.notices:
        err_console.print(f"[yellow]{notice}[/]")
    session.notices.clear()
    if streamed and isinstance(session.sink, TerminalSink):
        session.sink.done()  # the text is already on screen
    for turn in turns:
        if turn.kind in (TurnKind.NOTE, TurnKind.NOTICE):
            continue
        label = ""
        if turn.kind is TurnKind.QUESTION:
            label = f"[dim]Question {session.question_number} of {session.total_questions}[/]"
        if streamed:
            continue
        console.print(
            f"\n{label}\n[bold cyan]{session.persona.name}:[/] {turn.text}\n"
            if label
            else f"\n[bold cyan]{session.persona.name}:[/] {turn.text}\n",
            highlight=False,
        )


@main.command()
@click.pass_obj
def sessions(settings: Settings) -> None:
    """List past interview sessions (resume an unfinished one with `chat --resume ID`)."""
    from interviewer.store import SessionStore

    found = SessionStore(settings.data_dir / "sessions").list()
    if not found:
        console.print("No sessions yet. Start one with: interviewer chat --persona recruiter")
        return
    table = Table()
    # The id must stay whole so it can be copied into `chat --resume`.
    table.add_column("session", no_wrap=True, min_width=max(len(s.session_id) for s in found))
    for name in ("persona", "started", "questions", "answers", "status"):
        table.add_column(name)
    for s in found:
        started = f"{s.started_at:%Y-%m-%d %H:%M}" if s.started_at else "?"
        status = "[green]finished[/]" if s.finished else "[yellow]unfinished[/]"
        table.add_row(s.session_id, s.persona, started, str(s.questions), str(s.answers), status)
    console.print(table)


@main.command()
@click.option("--host", help="Interface to listen on (default 127.0.0.1: this machine only).")
@click.option("--port", type=int, help="Port (default 7860).")
@click.option("--share", is_flag=True, help="Also create a public Gradio link.")
@click.pass_obj
def serve(settings: Settings, host: str | None, port: int | None, share: bool) -> None:
    """Start the practice page in the browser (the same as `python app.py`)."""
    from interviewer.ui import launch
    from interviewer.vectorstore import index_exists

    updates: dict[str, object] = {}
    if host:
        updates["host"] = host
    if port:
        updates["port"] = port
    if share:
        updates["share"] = True
    settings = settings.model_copy(update=updates)
    if not index_exists(settings):
        console.print("[yellow]First run: building the search index from the knowledge pack.[/]")
        _run_ingest(settings, [])
    console.print(f"Open http://{settings.host}:{settings.port} in your browser (Ctrl-C to stop).")
    launch(settings)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--persona",
    "-p",
    default="ml_expert",
    show_default=True,
    help="The interviewer whose audience and weights the reports use.",
)
@click.option(
    "--out",
    "-o",
    "out_dir",
    default=Path("evaluation"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where reports go.",
)
@click.option(
    "--workers",
    "-w",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Parallel workers (each loads the models once).",
)
@click.option(
    "--format",
    "formats",
    default="md,html,json",
    show_default=True,
    help="Report formats per transcript: md, html, json.",
)
@click.option(
    "--input-format",
    "fmt",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "json", "jsonl", "vtt", "srt", "labelled", "unlabelled"]),
    help="Force how transcripts are read.",
)
@click.option("--candidate", help="The candidate's speaker name (when labels are ambiguous).")
@click.option("--interviewer", help="The interviewer's speaker name.")
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local processes, or Ray (a laptop or a cluster).",
)
@click.option("--ray-address", help="Connect to this Ray cluster instead of starting one.")
@click.option("--force", is_flag=True, help="Redo transcripts that were already evaluated.")
@click.pass_obj
def evaluate(
    settings: Settings,
    paths: tuple[Path, ...],
    persona: str,
    out_dir: Path,
    workers: int,
    formats: str,
    fmt: str,
    candidate: str | None,
    interviewer: str | None,
    engine: str,
    ray_address: str | None,
    force: bool,
) -> None:
    """Score existing interview transcripts: a report each, plus summary.csv and dashboard.html.

    PATHS are files or folders: the project's JSON/JSONL transcripts, text with speaker labels
    ("Name: ...", otter.ai "Name  0:12" blocks), WebVTT/SRT, unlabelled text, or folders of
    recorded answers with a questions.txt sidecar. Re-running skips finished files; Ctrl-C stops
    cleanly. The exit code is 1 when any file could not be evaluated.
    """
    from rich.progress import MofNCompleteColumn, TimeRemainingColumn

    from interviewer.batch import (
        BatchOptions,
        BatchResult,
        clean_leftovers,
        collect_finished,
        find_inputs,
        run_local,
        run_ray,
        write_summary,
    )

    _check_persona(settings, persona)
    options = BatchOptions(
        persona=persona,
        formats=_formats(formats),
        fmt=fmt,
        candidate=candidate,
        interviewer=interviewer,
    )
    missing = [p for p in paths if not p.exists()]
    if missing:
        _fail(f"no such file or folder: {', '.join(map(str, missing))}", code=2)
    out_dir.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out_dir)
    jobs = find_inputs(paths, out_dir)
    if not jobs:
        _fail("no transcripts found under the given paths", code=2)
    rows = []
    interrupted = False
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console) as bar:
        task = bar.add_task("Loading models", total=len(jobs), rate="")
        import time as _time

        start = _time.perf_counter()

        def tick(done: int, total: int, row: object) -> None:
            per_min = 60 * done / max(1e-6, _time.perf_counter() - start)
            bar.update(task, completed=done, description="Evaluating", rate=f"{per_min:.0f}/min")

        try:
            runner = (
                run_ray(jobs, out_dir, options, settings, workers, force, ray_address, tick)
                if engine == "ray"
                else run_local(jobs, out_dir, options, settings, workers, force, tick)
            )
            for row in runner:
                rows.append(row)
        except KeyboardInterrupt:
            interrupted = True
        except RuntimeError as exc:
            _fail(str(exc), code=2)
    if interrupted:
        rows = collect_finished(jobs, out_dir, options)  # what the workers finished, too
    result = BatchResult(rows=rows, out_dir=out_dir, interrupted=interrupted)
    written = write_summary(result)
    ok = len(rows) - len(result.failed)
    console.print(
        f"[green]{ok} evaluated[/], [red]{len(result.failed)} failed[/] "
        f"of {len(jobs)} transcript(s)."
    )
    for row in result.failed:
        console.print(f"  [red]x[/] {row.file}: {row.error}", highlight=False)
    console.print(
        f"[dim]summary:[/] {written['csv']}\n[dim]dashboard:[/] {written['html']}", highlight=False
    )
    if interrupted:
        err_console.print(
            "[yellow]Stopped. Run the same command again to finish; finished files are skipped.[/]"
        )
        sys.exit(130)
    if result.failed:
        sys.exit(1)


def _register_voice_commands() -> None:
    from interviewer.rehearsal import transcribe, voice

    main.add_command(transcribe)
    main.add_command(voice)


_register_voice_commands()
