"""Analysis speed: one answer, and a full report for a 10-turn transcript, model loaded.

Target: the full report (analysis of every answer + build + render md/html/json) for a 10-turn
transcript under 300 ms on this machine once the embedding model is loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.common import save, summary_ms, timed
from interviewer import runtime
from interviewer.analysis import target_for
from interviewer.config import Settings, apply_offline_environment
from interviewer.report import build_report, to_html, to_json, to_markdown
from interviewer.schema import Role, Transcript, Turn, TurnKind

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sample_transcript.json"


def ten_turn_transcript() -> Transcript:
    """Ten question/answer pairs built from the sample transcript's answers, on other questions
    of the bank so that nothing is cached from a previous run of the same pair."""
    sample = Transcript.model_validate_json(SAMPLE.read_text(encoding="utf-8"))
    answers = [t.text for t in sample.turns if t.role is Role.CANDIDATE]
    settings = Settings()
    qids = sorted(runtime.pack(settings).questions)[:10]
    turns: list[Turn] = []
    for i, qid in enumerate(qids):
        q = runtime.pack(settings).questions[qid]
        turns.append(
            Turn(
                index=len(turns),
                role=Role.INTERVIEWER,
                kind=TurnKind.QUESTION,
                text=q.text,
                question_id=qid,
            )
        )
        turns.append(
            Turn(
                index=len(turns),
                role=Role.CANDIDATE,
                kind=TurnKind.ANSWER,
                text=answers[i % len(answers)] + f" (answer {i})",
                question_id=qid,
            )
        )
    return Transcript(session_id="bench", persona="backend_engineer", turns=turns)


def run() -> dict[str, Any]:
    apply_offline_environment()
    settings = Settings()
    pack, persona = runtime.pack(settings), runtime.persona(settings, "backend_engineer")
    analyzer = runtime.analyzer(settings)
    load_s, _ = timed(lambda: analyzer.encode(["load the model"]))
    transcript = ten_turn_transcript()
    answers = [t.text for t in transcript.turns if t.role is Role.CANDIDATE]
    question = pack.questions[transcript.turns[0].question_id or ""]
    single = [
        timed(
            lambda a=a, n=n: analyzer.analyze(f"{a} Variant {n}.", target_for(question), persona)
        )[0]
        for n in range(5)
        for a in answers
    ]

    def full_report(t: Transcript) -> None:
        r = build_report(t, pack, persona, analyzer)
        to_markdown(r), to_html(r), to_json(r)

    reports = []
    for n in range(8):
        # New answer texts each round so the embedding cache cannot serve them.
        t = transcript.model_copy(deep=True)
        for turn in t.turns:
            if turn.role is Role.CANDIDATE:
                turn.text += f" Round {n}."
        reports.append(timed(lambda t=t: full_report(t))[0])
    render = [timed(lambda: full_report(transcript))[0] for _ in range(3)]
    result = {
        "model_load_s": round(load_s, 2),
        "analyze_one_answer": summary_ms(single),
        "report_10_turns_uncached": summary_ms(reports),
        "report_10_turns_render_cached": summary_ms(render),
    }
    save("analysis", result)
    return result


def show(r: dict[str, Any]) -> None:
    print(f"model load (first use):           {r['model_load_s']:.2f} s")
    for key, label in [
        ("analyze_one_answer", "one answer"),
        ("report_10_turns_uncached", "10-turn report + md/html/json"),
        ("report_10_turns_render_cached", "  same, answers seen before"),
    ]:
        s = r[key]
        print(f"{label:33s} p50 {s['p50_ms']:7.1f} ms  p95 {s['p95_ms']:7.1f} ms  (n={s['n']})")
    print("target: full 10-turn report under 300 ms with the model loaded")
