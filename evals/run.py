"""The bot's own evaluation: simulated candidates check the interviewer and its feedback.

    python -m evals.run [--data ../shared/data] [--fast] [--llm]

Prints a table (check, rate, threshold, pass/fail), writes the details to
evals/results/eval.json, and exits 1 when any check misses its threshold, so a change that makes
the interviewer or the feedback worse fails the build. `--fast` runs a subset (used by the test
suite); the full suite is `make eval`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evals.simulate import Candidate, real_answers  # noqa: E402
from interviewer import runtime  # noqa: E402
from interviewer.analysis import target_for  # noqa: E402
from interviewer.config import Settings, apply_offline_environment  # noqa: E402
from interviewer.schema import (  # noqa: E402
    Analysis,
    Dimension,
    KnowledgePack,
    Persona,
    Question,
    Role,
    ScoreStatus,
    SessionConfig,
    TurnKind,
)

console = Console()
RESULTS = ROOT / "evals" / "results"


@dataclass
class Check:
    """One measured property with the threshold that guards it."""

    name: str
    group: str
    value: float
    threshold: float
    higher_is_better: bool = True
    n: int = 0
    why: str = ""
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        if self.higher_is_better:
            return self.value >= self.threshold - 1e-9
        return self.value <= self.threshold + 1e-9


def _rate(hits: int, n: int) -> float:
    return hits / n if n else 1.0


def _value(a: Analysis, dim: Dimension) -> float | None:
    s = a.scores.get(dim)
    return s.value if s is not None and s.status is ScoreStatus.SCORED else None


# --- feedback: does the report catch what was planted? --------------------------------------------


def feedback_checks(
    pack: KnowledgePack,
    personas: dict[str, Persona],
    questions: list[Question],
    real: dict[str, str],
    seed: int,
) -> list[Check]:
    analyzer = runtime.analyzer(Settings())
    expert = personas["ml_expert"]

    def analyse(profile: str, q: Question, persona: Persona, use_real: bool = False) -> Analysis:
        cand = Candidate(profile, pack, seed, real if use_real else None)
        return analyzer.analyze(cand.answer(q), target_for(q), persona)

    checks: list[Check] = []

    caught, fails = 0, []
    for q in questions:
        a = analyse("missing_point", q, expert)
        first = q.talking_points[0].id
        hit = next((p for p in a.points if p.point_id == first), None)
        if hit is None or not hit.covered:
            caught += 1
        else:
            fails.append(f"{q.id}: removed '{first}' still covered (level {hit.level})")
    checks.append(
        Check(
            "planted missing talking point listed as missed",
            "feedback",
            _rate(caught, len(questions)),
            0.9,
            n=len(questions),
            why="the issue's target; a missed point must be named",
            failures=fails,
        )
    )

    for pid in ("recruiter", "backend_engineer"):
        caught, fails = 0, []
        for q in questions:
            cand = Candidate("unexplained_jargon", pack, seed)
            text = cand.answer(q)
            planted = text.rsplit("relied on ", 1)[-1].removesuffix(" throughout.").lower()
            a = analyzer.analyze(text, target_for(q), personas[pid])
            listed = [t for t in a.terms if t.term.lower() == planted]
            if listed and not listed[0].explained and not listed[0].familiar_to_audience:
                caught += 1
            else:
                fails.append(f"{q.id}: '{planted}' not listed as unexplained")
        checks.append(
            Check(
                f"planted unexplained jargon listed ({pid})",
                "feedback",
                _rate(caught, len(questions)),
                0.9,
                n=len(questions),
                why="the issue's target for non-expert listeners",
                failures=fails,
            )
        )

    stories = [q for q in questions if q.is_story] or [
        q for q in pack.questions.values() if q.is_story
    ][:5]
    caught, fails = 0, []
    for q in stories:
        a = analyse("missing_star_result", q, personas["recruiter"])
        s = a.scores[Dimension.STRUCTURE]
        missing = str(s.measurements.get("missing_parts", ""))
        if "result" in missing or s.measurements.get("measurable_result") is False:
            caught += 1
        else:
            fails.append(f"{q.id}: structure did not flag the result")
    checks.append(
        Check(
            "planted missing STAR result named",
            "feedback",
            _rate(caught, len(stories)),
            0.9,
            n=len(stories),
            why="a story without its result must be told so",
            failures=fails,
        )
    )

    ordered, fails = 0, []
    for q in questions:
        d = {
            p: _value(analyse(p, q, expert), Dimension.DEPTH) or 1.0
            for p in ("strong", "average", "vague")
        }
        if d["strong"] > d["average"] > d["vague"]:
            ordered += 1
        else:
            fails.append(
                f"{q.id}: strong {d['strong']}, average {d['average']}, vague {d['vague']}"
            )
    checks.append(
        Check(
            "depth ranks strong > average > vague",
            "feedback",
            _rate(ordered, len(questions)),
            0.95,
            n=len(questions),
            why="the issue's target",
            failures=fails,
        )
    )

    ordered, fails = 0, []
    for q in questions:
        c_strong = _value(analyse("strong", q, expert), Dimension.CLARITY) or 1.0
        c_ramble = _value(analyse("rambling", q, expert), Dimension.CLARITY) or 1.0
        ordered += c_strong > c_ramble
        if c_strong <= c_ramble:
            fails.append(f"{q.id}: strong {c_strong} <= rambling {c_ramble}")
    checks.append(
        Check(
            "clarity ranks strong > rambling",
            "feedback",
            _rate(ordered, len(questions)),
            0.95,
            n=len(questions),
            why="fillers, repetition and preamble must cost clarity",
            failures=fails,
        )
    )

    ordered, fails = 0, []
    asked_by_recruiter = [q for q in questions if "recruiter" in q.personas]
    for q in asked_by_recruiter:
        j_strong = _value(analyse("average", q, personas["recruiter"]), Dimension.JARGON) or 1.0
        j_heavy = _value(analyse("jargon_heavy", q, personas["recruiter"]), Dimension.JARGON) or 1.0
        ordered += j_strong > j_heavy
        if j_strong <= j_heavy:
            fails.append(f"{q.id}: average {j_strong} <= jargon-heavy {j_heavy}")
    checks.append(
        Check(
            "jargon (recruiter) ranks plain > jargon-heavy",
            "feedback",
            _rate(ordered, len(asked_by_recruiter)),
            0.95,
            n=len(asked_by_recruiter),
            why="unexplained terms must cost a lay listener",
            failures=fails,
        )
    )

    thin, fails = 0, []
    cases = [(p, q) for p in ("empty", "gibberish", "terse", "adversarial") for q in questions]
    for p, q in cases:
        a = analyse(p, q, personas["recruiter"])
        if all(s.status is not ScoreStatus.SCORED for s in a.scores.values()):
            thin += 1
        else:
            fails.append(
                f"{p} on {q.id}: scored {[d.value for d, s in a.scores.items() if s.value]}"
            )
    checks.append(
        Check(
            "'not enough evidence' for empty/gibberish/terse/adversarial",
            "feedback",
            _rate(thin, len(cases)),
            1.0,
            n=len(cases),
            why="a thin answer must never get a score",
            failures=fails,
        )
    )

    if real:
        ordered, fails, n = 0, [], 0
        for q in questions:
            if q.id not in real:
                continue
            n += 1
            d_real = _value(analyse("strong", q, expert, use_real=True), Dimension.DEPTH) or 1.0
            d_vague = _value(analyse("vague", q, expert), Dimension.DEPTH) or 1.0
            ordered += d_real > d_vague
            if d_real <= d_vague:
                fails.append(f"{q.id}: human answer {d_real} <= vague {d_vague}")
        if n:
            checks.append(
                Check(
                    "depth ranks real human answers > vague",
                    "feedback",
                    _rate(ordered, n),
                    0.9,
                    n=n,
                    why="ds-interview-qa answers are written by people",
                    failures=fails,
                )
            )

    lowered, n = 0, 0
    for q in questions:
        if q.is_story:
            continue
        n += 1
        strong = _value(analyse("strong", q, expert), Dimension.DEPTH) or 1.0
        wrong = _value(analyse("factual_error", q, expert), Dimension.DEPTH) or 1.0
        lowered += wrong < strong
    checks.append(
        Check(
            "planted factual error lowers depth (informational)",
            "feedback",
            _rate(lowered, n),
            0.0,
            n=n,
            why="similarity cannot see a wrong claim; measured, not guarded",
        )
    )
    return checks


# --- the interviewer: whole interviews ------------------------------------------------------------


def play(settings: Settings, persona: str, profile: str, seed: int, questions: int) -> Any:
    from interviewer.session import InterviewSession

    session = InterviewSession.create(
        settings, persona, SessionConfig(questions=questions, seed=seed)
    )
    pack = runtime.pack(settings)
    cand = Candidate(profile, pack, seed)
    session.start()
    for _ in range(60):
        if session.finished:
            break
        turn = session.last_prompt
        q = session.current_question
        if q is None or turn is None:
            break
        followup = turn.followup if turn.kind is TurnKind.FOLLOWUP else None
        session.submit(cand.answer(q, followup))
    if not session.finished:
        session.end()
    return session


def interviewer_checks(
    settings: Settings, profiles: list[str], seeds: list[int], questions: int
) -> list[Check]:
    personas = ("ml_expert", "backend_engineer", "recruiter")
    repeats = reasks = unended = leaks = 0
    sessions = 0
    probe_hit = probe_n = plain_hit = plain_n = expert_plain = expert_n = 0
    fails: dict[str, list[str]] = {
        k: [] for k in ("repeat", "reask", "end", "leak", "probe", "plain")
    }
    for persona in personas:
        for profile in profiles:
            for seed in seeds:
                s = play(settings, persona, profile, seed, questions)
                sessions += 1
                turns = s.transcript.turns
                shown = [
                    t for t in turns if t.role is Role.INTERVIEWER and t.kind is not TurnKind.NOTE
                ]
                asked = [t.question_id for t in shown if t.kind is TurnKind.QUESTION]
                if len(asked) != len(set(asked)):
                    repeats += 1
                    fails["repeat"].append(f"{persona}/{profile}/{seed}: {asked}")
                declined: set[tuple[str | None, str | None]] = set()
                prev: tuple[str | None, str | None] | None = None
                for t in turns:
                    if t.kind is TurnKind.FOLLOWUP:
                        key = (t.question_id, t.followup)
                        if key in declined:
                            reasks += 1
                            fails["reask"].append(f"{persona}/{profile}/{seed}: {key}")
                        prev = key
                    elif t.kind is TurnKind.QUESTION:
                        prev = None
                    elif t.kind is TurnKind.ANSWER and prev and _declined(t.text):
                        declined.add(prev)
                        prev = None
                if not s.finished:
                    unended += 1
                    fails["end"].append(f"{persona}/{profile}/{seed}")
                notes = [t.text for t in turns if t.kind is TurnKind.NOTE]
                if any(n and n in t.text for n in notes for t in shown):
                    leaks += 1
                    fails["leak"].append(f"{persona}/{profile}/{seed}")
                by_q: dict[str, list[str]] = {}
                for t in shown:
                    if t.kind is TurnKind.FOLLOWUP and t.question_id:
                        by_q.setdefault(t.question_id, []).append(t.followup or "")
                for qid in asked:
                    if qid is None:
                        continue
                    keys = by_q.get(qid, [])
                    q = s.pack.questions[qid]
                    if profile == "missing_point":
                        probe_n += 1
                        top = q.talking_points[0]
                        star = _star_part(top.id)
                        if f"probe:{top.id}" in keys or (star and f"star:{star}" in keys):
                            probe_hit += 1
                        else:
                            fails["probe"].append(f"{persona}/{qid}: follow-ups {keys}")
                    if profile == "unexplained_jargon":
                        asked_plain = any(k.startswith("plain:") for k in keys)
                        if persona == "ml_expert":
                            expert_n += 1
                            expert_plain += asked_plain
                        else:
                            plain_n += 1
                            if asked_plain:
                                plain_hit += 1
                            else:
                                fails["plain"].append(f"{persona}/{qid}: follow-ups {keys}")
    return [
        Check(
            "questions repeated within an interview",
            "interviewer",
            repeats,
            0,
            higher_is_better=False,
            n=sessions,
            why="the issue's target: zero",
            failures=fails["repeat"],
        ),
        Check(
            "declined probes asked again",
            "interviewer",
            reasks,
            0,
            higher_is_better=False,
            n=sessions,
            why="the issue's target: zero",
            failures=fails["reask"],
        ),
        Check(
            "interviews that did not end",
            "interviewer",
            unended,
            0,
            higher_is_better=False,
            n=sessions,
            why="every interview must end",
            failures=fails["end"],
        ),
        Check(
            "private notes leaked into what the candidate sees",
            "interviewer",
            leaks,
            0,
            higher_is_better=False,
            n=sessions,
            why="the issue's target: zero",
            failures=fails["leak"],
        ),
        Check(
            "follow-up on the planted missing talking point",
            "interviewer",
            _rate(probe_hit, probe_n),
            0.9,
            n=probe_n,
            why="the most important missed point must be probed",
            failures=fails["probe"],
        ),
        Check(
            "plain-words follow-up on planted jargon (recruiter, backend)",
            "interviewer",
            _rate(plain_hit, plain_n),
            0.9,
            n=plain_n,
            why="non-expert listeners ask",
            failures=fails["plain"],
        ),
        Check(
            "plain-words follow-ups from the ML expert",
            "interviewer",
            expert_plain,
            0,
            higher_is_better=False,
            n=expert_n,
            why="the expert expects jargon",
        ),
    ]


def _star_part(point_id: str) -> str | None:
    """The STAR part a story's talking point stands for, if any (asking for it is a probe)."""
    for part, hints in (
        ("situation", ("situation", "setting", "context", "scene")),
        ("task", ("task", "goal", "role")),
        ("action", ("action",)),
        ("result", ("result", "outcome", "impact")),
    ):
        if any(h in point_id for h in hints):
            return part
    return None


def _declined(text: str) -> bool:
    from interviewer.analysis.evidence import check_evidence

    return check_evidence(text).status.value == "declined"


# --- scorer validation ----------------------------------------------------------------------------


def scorer_checks(data: Path) -> list[Check]:
    from evals import validate_analysis as va
    from interviewer.personas import cached_personas

    settings = Settings()
    analyzer = runtime.analyzer(settings)
    expert = cached_personas(settings.personas_dir)["ml_expert"]
    out = []
    nn = va.nn_exam(data, analyzer, expert, None)
    out.append(
        Check(
            "depth vs nn-exam grades (Pearson r)",
            "scorer",
            nn["r"],
            0.55,
            n=nn["n"],
            why="target 0.60 (human agreement); guard at 0.55 to catch regressions",
        )
    )
    clear = va.clear(data, None)
    out.append(
        Check(
            "readability vs CLEAR (|r|)",
            "scorer",
            clear["abs_r"],
            0.68,
            n=clear["n"],
            why="target 0.70; guard 0.68",
        )
    )
    coch = va.cochrane(data, analyzer, None)
    out.append(
        Check(
            "jargon: Cochrane pairs ranked right",
            "scorer",
            coch["accuracy"],
            0.88,
            n=coch["n"],
            why="target 0.90; guard 0.88",
        )
    )
    beetle = va.beetle(data, analyzer, expert, 800)
    out.append(
        Check(
            "depth vs Beetle labels (Pearson r, first 800)",
            "scorer",
            beetle["r"],
            0.3,
            n=beetle["n"],
            why="known limit (~0.39); guard against regressions",
        )
    )
    return out


# --- the command ----------------------------------------------------------------------------------


def run(data: Path | None, fast: bool, seed: int = 7) -> list[Check]:
    apply_offline_environment()
    settings = Settings()
    pack = runtime.pack(settings)
    from interviewer.personas import cached_personas

    personas = cached_personas(settings.personas_dir)
    questions = sorted(pack.questions.values(), key=lambda q: q.id)
    if fast:
        questions = questions[::4]
    encode = runtime.analyzer(settings).encode
    real = real_answers(data, pack, encode) if data and not fast else {}
    checks = feedback_checks(pack, personas, questions, real, seed)
    with tempfile.TemporaryDirectory() as tmp:
        session_settings = Settings(data_dir=Path(tmp))
        profiles = [
            "strong",
            "average",
            "declines",
            "terse",
            "gibberish",
            "empty",
            "repeats",
            "adversarial",
            "missing_point",
            "unexplained_jargon",
            "rambling",
            "off_topic",
            "vague",
            "jargon_heavy",
        ]
        if fast:
            profiles = ["strong", "declines", "gibberish", "missing_point", "unexplained_jargon"]
        seeds = [1] if fast else [1, 2, 3]
        checks += interviewer_checks(session_settings, profiles, seeds, 3 if fast else 4)
    if data and not fast and (data / "nn-exam-graded-answers").is_dir():
        checks += scorer_checks(data)
    return checks


def show(checks: list[Check]) -> None:
    table = Table(
        "group",
        "check",
        "value",
        "threshold",
        "n",
        "result",
        title="Simulated-candidate evaluation",
    )
    for c in checks:
        is_rate = c.higher_is_better and c.threshold <= 1 and c.value <= 1
        value = f"{c.value:.0%}" if is_rate and c.group != "scorer" else f"{c.value:g}"
        sign = ">=" if c.higher_is_better else "<="
        thr = f"{c.threshold:.0%}" if is_rate and c.group != "scorer" else f"{c.threshold:g}"
        verdict = "[green]pass[/]" if c.passed else "[red]FAIL[/]"
        table.add_row(c.group, c.name, value, f"{sign} {thr}", str(c.n), verdict)
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT.parent / "shared" / "data",
        help="evaluation datasets (optional; skipped when missing)",
    )
    parser.add_argument("--fast", action="store_true", help="a quick subset")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=RESULTS / "eval.json")
    args = parser.parse_args(argv)
    data = args.data if args.data and args.data.is_dir() else None
    if data is None:
        console.print(
            f"[yellow]Evaluation data not found at {args.data}: the scorer validation "
            "and the human-written answers are skipped.[/]"
        )
    start = time.perf_counter()
    checks = run(data, args.fast, args.seed)
    show(checks)
    failed = [c for c in checks if not c.passed]
    console.print(f"[dim]{time.perf_counter() - start:.0f} s[/]")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps([asdict(c) | {"passed": c.passed} for c in checks], indent=2), encoding="utf-8"
    )
    console.print(f"[dim]details: {args.json}[/]")
    if failed:
        console.print(f"[red]{len(failed)} check(s) below threshold.[/]")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
