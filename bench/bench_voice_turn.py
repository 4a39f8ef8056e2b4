"""The spoken turn: from the end of a 15-second answer to the next question's audio being ready.

Each turn: transcribe the answer's WAV (bundled tiny.en, default settings), submit it to the
InterviewSession, and synthesise every interviewer turn of the reply with the persona's voice
into an empty cache (cold). The answers are espeak-ng speech of about 15 seconds built from the
current question's talking points, made before the clock starts. Target: p50 under 1.5 s on a
2-core machine. Also compares the ways of running TTS: the long-lived pyttsx3 worker, a new
worker process per line, and the espeak-ng program.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import percentile, save, summary_ms, timed
from interviewer.config import Settings, apply_offline_environment
from interviewer.indexing import ingest
from interviewer.schema import SessionConfig, Turn, Voice
from interviewer.session import InterviewSession
from interviewer.speech.audio import verify_wav
from interviewer.speech.stt import SpeechToText
from interviewer.speech.tts import WORKER, TextToSpeech, espeak_to_file

TURNS = 10
ANSWER_SECONDS = 15.0
ANSWER_WORDS = 41  # about 15 s at 165 words per minute, before correcting for word length
TARGET_P50_S = 1.5


def _answer_words(session: InterviewSession, n: int) -> list[str]:
    """Words from the current question's talking points, starting at a different one each turn."""
    q = session.current_question
    points = [p.point for p in q.talking_points] if q else []
    words = " ".join(points[n % max(1, len(points)) :] + points).split() or ["Baseline."]
    while len(words) < 2 * ANSWER_WORDS:
        words += words
    return words


def _speak_answer(words: list[str], path: Path) -> float:
    """Speak about ANSWER_SECONDS of `words` at 165 wpm into `path`; its duration."""
    voice = Voice(voice_id="en-us", rate=165)
    count = ANSWER_WORDS
    for _ in range(2):  # the second try corrects for how long these particular words are
        espeak_to_file(" ".join(words[:count]).rstrip(".,;") + ".", voice, path)
        seconds = verify_wav(path)
        count = max(5, round(count * ANSWER_SECONDS / seconds))
    return seconds


def _speak_turns(tts: TextToSpeech, turns: list[Turn], voice: Voice) -> list[Path]:
    return [tts.synthesize(turn.text, voice) for turn in turns]


def voice_turns(settings: Settings, folder: Path) -> dict[str, Any]:
    stt = SpeechToText(settings)
    stt.warm_up()
    tts = TextToSpeech(settings)
    tts.synthesize("Warming up the speech worker.", Voice())  # the worker starts once per process
    totals: list[float] = []
    parts: dict[str, list[float]] = {"transcribe": [], "submit": [], "synthesize": []}
    answer_seconds: list[float] = []
    retries = 0
    seed = 21
    session = InterviewSession.create(settings, "ml_expert", SessionConfig(questions=8, seed=seed))
    session.warm_up()
    session.start()
    try:
        while len(totals) < TURNS:
            if session.finished:
                seed += 1
                session = InterviewSession.create(
                    settings, "ml_expert", SessionConfig(questions=8, seed=seed)
                )
                session.start()
            n = len(totals)
            wav = folder / f"answer-{n:02d}.wav"
            answer_seconds.append(_speak_answer(_answer_words(session, n), wav))
            start = time.perf_counter()
            t_stt, heard = timed(partial(stt.transcribe, wav))
            t_submit, turns = timed(partial(session.submit, heard.answer()))
            voice = session.persona.voice
            t_tts, _ = timed(partial(_speak_turns, tts, turns, voice))
            totals.append(time.perf_counter() - start)
            retries += heard.prompt_dropped
            parts["transcribe"].append(t_stt)
            parts["submit"].append(t_submit)
            parts["synthesize"].append(t_tts)
    finally:
        tts.close()
    return {
        **summary_ms(totals),
        "parts_p50_ms": {k: round(percentile(v, 50) * 1000, 1) for k, v in parts.items()},
        "answer_seconds_mean": round(sum(answer_seconds) / len(answer_seconds), 1),
        "tts_cache_hits": tts.stats["cache_hits"],
        "prompt_retries": retries,
    }


def tts_modes(folder: Path, n: int = 20) -> dict[str, dict[str, float]]:
    """Per-line latency of the three ways to run the synthesiser (distinct lines, no cache)."""
    voice = Voice(voice_id="en-us+f3", rate=175)
    lines = [
        f"Line {i}: how would you explain model drift to a backend engineer?" for i in range(n)
    ]
    worker_tts = TextToSpeech(Settings(data_dir=folder / "worker"))
    worker_tts.synthesize("start the worker", voice)
    worker = [timed(partial(worker_tts.synthesize, t, voice))[0] for t in lines]
    worker_tts.close()

    def per_call(i: int, text: str) -> None:
        request = {"id": 1, "text": text, "voice": voice.voice_id, "rate": voice.rate}
        request["path"] = str(folder / f"spawn-{i}.wav")
        done = subprocess.run(
            [sys.executable, "-I", str(WORKER)],
            input=(json.dumps(request) + "\n").encode(),
            capture_output=True,
            check=True,
        )
        assert b'"ok": true' in done.stdout.splitlines()[-1]

    spawn = [timed(partial(per_call, i, t))[0] for i, t in enumerate(lines)]
    direct = [
        timed(partial(espeak_to_file, t, voice, folder / f"espeak-{i}.wav"))[0]
        for i, t in enumerate(lines)
    ]
    return {
        "pyttsx3_worker": summary_ms(worker),
        "pyttsx3_process_per_call": summary_ms(spawn),
        "espeak_ng_program": summary_ms(direct),
    }


def run() -> dict[str, Any]:
    apply_offline_environment()
    tmp = Path(tempfile.mkdtemp())
    try:
        settings = Settings(data_dir=tmp / "data")
        ingest(None, settings)
        turn = voice_turns(settings, tmp)
        modes = tts_modes(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result = {
        "turn": turn,
        "tts_modes": modes,
        "target_p50_s": TARGET_P50_S,
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    save("voice_turn", result)
    return result


def show(r: dict[str, Any]) -> None:
    t = r["turn"]
    p = t["parts_p50_ms"]
    verdict = "meets" if t["p50_ms"] / 1000 < r["target_p50_s"] else "MISSES"
    print(
        f"end of a {t['answer_seconds_mean']} s answer -> next question's audio ready: "
        f"p50 {t['p50_ms']:.0f} ms  p95 {t['p95_ms']:.0f} ms  max {t['max_ms']:.0f} ms "
        f"(n={t['n']}; {verdict} the p50 < {r['target_p50_s']} s target on {r['cpus']} CPUs, "
        f"load average {r['load_average_1m']})"
    )
    print(
        f"  p50 parts: transcribe {p['transcribe']:.0f} ms, session.submit {p['submit']:.0f} ms, "
        f"synthesize {p['synthesize']:.0f} ms (cache cold: {t['tts_cache_hits']} hits); "
        f"{t['prompt_retries']} answer(s) transcribed twice (filler prompt dropped)"
    )
    print("TTS per line (p50 / p95 ms):")
    for mode, s in r["tts_modes"].items():
        print(f"  {mode:<26} {s['p50_ms']:>7.1f} / {s['p95_ms']:.1f}")
