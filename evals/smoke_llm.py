"""Smoke test of the language-model brain against the REAL endpoint in your settings.

    INTERVIEWER_LLM_BASE_URL=http://localhost:11434/v1 INTERVIEWER_LLM_MODEL=llama3.2 \\
        python evals/smoke_llm.py [--persona recruiter] [--questions 2] [--second-opinion]

Plays a short interview (2 questions with the recruiter by default) with scripted answers, the
interviewer's words streamed from the model as they arrive, then writes the report. It prints
the conversation, every notice (a turn the model failed and the built-in interviewer phrased),
the report's written summary and rewrites, and the appendix (calls, tokens, time).

Without an endpoint configured it says it skipped and exits 0. It exits 1 when an endpoint is
configured but the model phrased none of the turns. The session is written to a temporary folder
(kept with --keep, and its path printed).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer.config import Settings, apply_offline_environment  # noqa: E402

SKIPPED = (
    "skipped: no language model endpoint configured (set INTERVIEWER_LLM_BASE_URL, and "
    "INTERVIEWER_LLM_MODEL / INTERVIEWER_LLM_API_KEY if the endpoint needs them)"
)

STORY = (
    "At my last job our team of five built a tool that sorted support emails. My goal was to "
    "get it trusted by the support leads within a quarter. I decided to publish the weekly "
    "error rate in an open document and to review the worst mistakes with them every Friday. "
    "As a result wrong routing dropped from 20% to 8% in three months, and I learned to share "
    "bad news early."
)


def scripted_answer(session: Any, n: int) -> str:
    """What a prepared candidate says to the current prompt (built from the question bank)."""
    q = session.current_question
    prompt = session.last_prompt
    if q is None or prompt is None:
        return STORY
    if prompt.kind.value == "followup":
        _, _, detail = (prompt.followup or "").partition(":")
        point = next((t for t in q.talking_points if t.id == detail), None)
        if point is not None:
            return f"Good point. {point.point} In my last project that saved us two days a month."
        return "For example, we cut the error rate from 12% to 4% in six weeks. " + STORY
    points = " ".join(t.point for t in q.talking_points[: 2 + n % 2])
    return f"{points} {STORY}" if q.is_story else f"Here is how I see it. {points}"


class PrintSink:
    """Prints the interviewer's words as the model streams them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.open = False
        self.started = 0.0
        self.first: list[float] = []

    def begin(self, intent: str, number: int, total: int) -> None:
        self.done()  # a new turn starts on its own line
        if intent == "question":
            print(f"\n[question {number} of {total}]", end="")
        self.started = time.perf_counter()

    def token(self, text: str) -> None:
        if not self.open:
            self.first.append(time.perf_counter() - self.started)
            print(f"\n{self.name}: ", end="", flush=True)
            self.open = True
        print(text, end="", flush=True)

    def reset(self) -> None:
        if self.open:
            print("\n  [withdrawn: the model's reply failed; the built-in interviewer says]")
        self.open = False

    def done(self) -> None:
        if self.open:
            print()
        self.open = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persona", default="recruiter")
    parser.add_argument("--questions", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-answers", type=int, default=6, help="then the interview ends")
    parser.add_argument(
        "--second-opinion", action="store_true", help="also ask the model to grade depth"
    )
    parser.add_argument("--keep", action="store_true", help="keep the session folder")
    args = parser.parse_args(argv)

    apply_offline_environment()
    base = Settings()
    if not base.llm_configured:
        print(SKIPPED)
        return 0

    from interviewer.schema import SessionConfig, TurnKind
    from interviewer.session import InterviewSession

    tmp = Path(tempfile.mkdtemp(prefix="smoke-llm-"))
    settings = base.model_copy(
        update={
            "data_dir": tmp,
            "brain": "llm",
            "llm_second_opinion": args.second_opinion or base.llm_second_opinion,
        }
    )
    print(
        f"endpoint {settings.llm_base_url}  model {settings.llm_model}  "
        f"timeout {settings.llm_timeout:g} s  retries {settings.llm_max_retries}"
    )
    config = SessionConfig(questions=args.questions, seed=args.seed, brain="llm")
    session = InterviewSession.create(settings, args.persona, config, candidate="Smoke Test")
    sink = PrintSink(session.persona.name)
    session.sink = sink
    offline_turns = 0

    def show(turns: list[Any]) -> None:
        nonlocal offline_turns
        sink.done()
        for notice in session.notices:
            offline_turns += 1
            print(f"  [notice] {notice}")
        session.notices.clear()
        for turn in turns:
            if turn.kind is TurnKind.NOTE:
                print(f"  [private note, report only] {turn.text}")

    try:
        show(session.start())
        for n in range(args.max_answers):
            if session.finished:
                break
            answer = scripted_answer(session, n)
            print(f"\nCandidate: {answer}")
            show(session.submit(answer))
        if not session.finished:
            show(session.end())
        print("\nWriting the report...")
        report, written = session.report()
    finally:
        session.sink = None

    print("\n== Coach's summary (language model)")
    if report.narrative is None:
        print("(none)")
    else:
        print(report.narrative.summary)
        for rw in report.narrative.rewrites:
            study = f" (study: {', '.join(rw.sections)})" if rw.sections else ""
            print(f"\n-- How to say it better, question {rw.question_number}{study}\n")
            print(rw.better_answer)
    for note in report.notes:
        print(f"[report note] {note}")
    print("\n== Scores (measured, never set by the model)")
    for d in report.dimensions:
        value = "n/a" if d.value is None else f"{d.value:.1f}"
        print(f"{d.dimension.value:>10}: {value}")
    for q in report.questions:
        if q.second_opinion is not None:
            print(
                f"question {q.number}: second opinion on depth {q.second_opinion.score:.1f} - "
                f"{q.second_opinion.rationale}"
            )
    print("\n== Appendix")
    for key, item in report.appendix.items():
        print(f"{key}: {item}")
    shown = [
        t
        for t in session.transcript.turns
        if t.role.value == "interviewer" and t.kind not in (TurnKind.NOTE, TurnKind.NOTICE)
    ]
    by_model = len(shown) - offline_turns
    ttft = sorted(sink.first)
    print(
        f"\nthe model phrased {by_model} of {len(shown)} interviewer turns; "
        f"median time to first word on screen {ttft[len(ttft) // 2]:.2f} s"
        if ttft
        else f"\nthe model phrased {by_model} of {len(shown)} interviewer turns"
    )
    if args.keep:
        print(f"session and report: {written['md'].parent}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if by_model > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
