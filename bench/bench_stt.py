"""Speech to text: speed and accuracy of the bundled Whisper tiny.en per decoding setting.

One run over the same espeak-ng clips the tests use (the eight ML sentences at 150 and 190 words
per minute, and a four-sentence answer at 165), for greedy (beam 1) and beam search (beam 5),
with int8 and float32 weights. Reports the real-time factor (processing seconds per second of
audio; lower is faster), the word error rate over all clips, and how many of three spoken fillers
survived. Recommends the fastest setting whose WER is within two points of the best: the clips
hold about 300 words, so two points is six words, less than tiny.en's own wobble between
encodings of the same clip (0-7 points in tests/speech). The settings take turns on each clip for
three rounds and each clip's fastest round counts, since other processes on a small machine only
ever add time; the load average is saved with the numbers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import jiwer

from bench.common import save
from interviewer.analysis.clarity import FILLERS
from interviewer.config import Settings, apply_offline_environment
from interviewer.speech.audio import load_audio
from interviewer.speech.stt import SpeechToText, Transcription
from tests.speech.conftest import ML_SENTENCES

SENTENCES = ML_SENTENCES  # the clips the round-trip tests use
FILLER_CLIP = "So, um, I would start with a baseline, uh, and then, um, measure the error."
CONFIGS = [("int8", 1), ("int8", 5), ("float32", 1), ("float32", 5)]
#: A setting within this much WER (absolute) of the best counts as equally accurate.
WER_SLACK = 0.02
#: Timed runs per clip; the fastest is kept.
REPEATS = 3


def normalise(text: str) -> str:
    import re

    text = text.lower().replace("-", " ")
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text).split())


def _speak(text: str, path: Path, rate: int) -> Path:
    program = shutil.which("espeak-ng")
    if program is None:
        raise SystemExit("espeak-ng is needed to make the benchmark's clips")
    subprocess.run(
        [program, "-w", str(path), "-v", "en-us", "-s", str(rate)],
        input=text.encode(),
        check=True,
        capture_output=True,
    )
    return path


def clips(folder: Path) -> list[tuple[Path, str]]:
    all_text = " ".join(SENTENCES)
    answer = " ".join(SENTENCES[:4])
    return [
        (_speak(all_text, folder / "ml-150.wav", 150), all_text),
        (_speak(all_text, folder / "ml-190.wav", 190), all_text),
        (_speak(answer, folder / "answer-165.wav", 165), answer),
    ]


def measure(clip_set: list[tuple[Path, str]], fillers: Path) -> list[dict[str, Any]]:
    """One row per setting. The settings take turns on each clip, round after round, so load
    from other processes falls on all of them alike; each clip's fastest round counts."""
    engines = {}
    load_s = {}
    for compute_type, beam in CONFIGS:
        stt = SpeechToText(Settings(whisper_compute_type=compute_type, whisper_beam_size=beam))
        start = time.perf_counter()
        stt.warm_up()  # loads the model the first time a compute type is used
        load_s[(compute_type, beam)] = time.perf_counter() - start
        engines[(compute_type, beam)] = stt
    audio = [(load_audio(path), reference) for path, reference in clip_set]  # not timed
    best: dict[tuple[tuple[str, int], int], float] = {}
    heard: dict[tuple[tuple[str, int], int], Transcription] = {}
    for _ in range(REPEATS):
        for i, (samples, _) in enumerate(audio):
            for key, stt in engines.items():
                start = time.perf_counter()
                heard[(key, i)] = stt.transcribe(samples)
                elapsed = time.perf_counter() - start
                best[(key, i)] = min(elapsed, best.get((key, i), elapsed))
    audio_s = sum(samples.size for samples, _ in audio) / 16000
    rows = []
    for key, stt in engines.items():
        refs = [normalise(reference) for _, reference in audio]
        hyps = [normalise(heard[(key, i)].text) for i in range(len(audio))]
        kept = len(FILLERS.findall(stt.transcribe(fillers).text))
        rows.append(
            {
                "compute_type": key[0],
                "beam_size": key[1],
                "load_s": round(load_s[key], 2),
                "audio_s": round(audio_s, 1),
                "rtf": round(sum(best[(key, i)] for i in range(len(audio))) / audio_s, 4),
                "wer": round(float(jiwer.wer(refs, hyps)), 4),
                "fillers_kept": f"{kept}/3",
                "prompt_retries": sum(heard[(key, i)].prompt_dropped for i in range(len(audio))),
            }
        )
    return rows


def recommend(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest setting about as accurate as the best one."""
    best = min(r["wer"] for r in rows)
    near = [r for r in rows if r["wer"] <= best + WER_SLACK + 1e-9]
    return min(near, key=lambda r: r["rtf"])


def run() -> dict[str, Any]:
    apply_offline_environment()
    tmp = Path(tempfile.mkdtemp())
    try:
        clip_set = clips(tmp)
        fillers = _speak(FILLER_CLIP, tmp / "fillers.wav", 160)
        rows = measure(clip_set, fillers)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    pick = recommend(rows)
    defaults = Settings()
    result = {
        "model": "bundled tiny.en",
        "clips": [p.name for p, _ in clip_set],
        "rows": rows,
        "recommended": {"compute_type": pick["compute_type"], "beam_size": pick["beam_size"]},
        "current_default": {
            "compute_type": defaults.whisper_compute_type,
            "beam_size": defaults.whisper_beam_size,
        },
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    save("stt", result)
    return result


def show(r: dict[str, Any]) -> None:
    rows = r["rows"]
    print(
        f"Whisper {r['model']} on {len(r['clips'])} espeak-ng clips ({rows[0]['audio_s']} s); "
        f"{r['cpus']} CPUs, load average {r['load_average_1m']} at the end"
    )
    print(f"{'compute':<9}{'beam':>5}{'load s':>8}{'RTF':>8}{'WER':>8}{'fillers':>9}{'retries':>9}")
    for row in rows:
        print(
            f"{row['compute_type']:<9}{row['beam_size']:>5}{row['load_s']:>8.2f}"
            f"{row['rtf']:>8.3f}{row['wer']:>8.1%}{row['fillers_kept']:>9}"
            f"{row['prompt_retries']:>9}"
        )
    rec, cur = r["recommended"], r["current_default"]
    same = rec == cur
    print(
        f"recommended default: compute_type={rec['compute_type']}, beam_size={rec['beam_size']} "
        f"(the fastest within {WER_SLACK:.0%} WER of the best)"
        + ("; matches the current default." if same else f"; current default is {cur}.")
    )
