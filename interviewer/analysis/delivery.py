"""Delivery of a spoken answer: pace, pauses, fillers and how sure the transcriber was.

Computed from word timings. Whisper drops many fillers ("um", "uh"), so the filler rate is a
lower bound; and a transcript the recogniser was unsure of is flagged rather than judged.
"""

from __future__ import annotations

from itertools import pairwise

from interviewer.analysis.clarity import FILLERS
from interviewer.analysis.scoring import insufficient, scored
from interviewer.schema import Dimension, Evidence, Score, WordTiming

#: A comfortable pace for an interview answer, words per minute.
WPM_LOW, WPM_HIGH = 120.0, 160.0
#: Warn outside these; the pace component bottoms out 40 wpm beyond them.
WPM_WARN_LOW, WPM_WARN_HIGH = 110.0, 180.0
#: A gap between words longer than this is a pause; longer than LONG_PAUSE is noticeable.
PAUSE_S = 1.0
LONG_PAUSE_S = 3.0
#: Mean word probability below which the transcript is flagged as unreliable.
LOW_CONFIDENCE = 0.6
#: Fillers per 100 words at which the filler component bottoms out.
FILLERS_WORST = 6.0
MIN_SPOKEN_WORDS = 5


def transcript_confidence(words: list[WordTiming]) -> float:
    return sum(w.probability for w in words) / len(words) if words else 0.0


def analyze_delivery(text: str, words: list[WordTiming], duration: float | None = None) -> Score:
    """Delivery on 1-5 from word timings."""
    if len(words) < MIN_SPOKEN_WORDS:
        return insufficient(Dimension.DELIVERY, "Too few spoken words to judge delivery.")
    spoken = max(words[-1].end - words[0].start, 1e-3)
    wpm = len(words) / (spoken / 60)
    gaps = [(b.start - a.end, a, b) for a, b in pairwise(words)]
    pauses = [g for g in gaps if g[0] >= PAUSE_S]
    longest = max((g[0] for g in gaps), default=0.0)
    fillers = len(FILLERS.findall(text))
    filler_rate = 100 * fillers / len(words)
    confidence = transcript_confidence(words)

    if wpm < WPM_LOW:
        pace = 5 - 4 * min(1.0, (WPM_LOW - wpm) / 40)
    elif wpm > WPM_HIGH:
        pace = 5 - 4 * min(1.0, (wpm - WPM_HIGH) / 40)
    else:
        pace = 5.0
    long_pauses = [p for p in pauses if p[0] >= LONG_PAUSE_S]
    pause_part = 5 - min(4.0, 1.5 * len(long_pauses) + 0.25 * len(pauses))
    filler_part = 5 - 4 * min(1.0, filler_rate / FILLERS_WORST)
    value = 0.45 * pace + 0.3 * pause_part + 0.25 * filler_part

    notes = []
    if wpm < WPM_WARN_LOW:
        notes.append(
            f"slow ({wpm:.0f} words per minute; {WPM_LOW:.0f}-{WPM_HIGH:.0f} is comfortable)"
        )
    elif wpm > WPM_WARN_HIGH:
        notes.append(
            f"fast ({wpm:.0f} words per minute; {WPM_LOW:.0f}-{WPM_HIGH:.0f} is comfortable)"
        )
    if long_pauses:
        notes.append(f"{len(long_pauses)} long pause(s), the longest {longest:.1f} s")
    if filler_rate >= 3:
        notes.append(f"at least {fillers} fillers")
    explanation = (
        f"Even delivery at {wpm:.0f} words per minute."
        if not notes
        else "Delivery: " + "; ".join(notes) + "."
    )
    evidence = [
        Evidence(
            quote=f"{a.word} ... {b.word}",
            start=0,
            end=0,
            note=f"{gap:.1f} s pause at {a.end:.1f} s",
        )
        for gap, a, b in sorted(long_pauses, key=lambda p: -p[0])[:3]
    ]
    measurements: dict[str, float | int | str | bool | None] = {
        "words": len(words),
        "speaking_seconds": round(spoken, 1),
        "recording_seconds": round(duration, 1) if duration else None,
        "words_per_minute": round(wpm, 1),
        "pauses": len(pauses),
        "longest_pause_seconds": round(longest, 2),
        "fillers_per_100_words_lower_bound": round(filler_rate, 2),
        "transcription_confidence": round(confidence, 3),
        "low_confidence": confidence < LOW_CONFIDENCE,
    }
    return scored(Dimension.DELIVERY, value, explanation, measurements, evidence)
