"""Structure of story answers: Situation, Task, Action, Result, in order, told as 'I'.

Behavioural questions ("tell me about a time...") are judged on whether the story has its four
STAR parts in a sensible order, whether the candidate says what *they* did rather than what "we"
did, and whether the result is measurable.
"""

from __future__ import annotations

import re

from interviewer.analysis.scoring import scored
from interviewer.analysis.text import Span
from interviewer.schema import Dimension, Evidence, Score

PARTS = ("situation", "task", "action", "result")

_PATTERNS = {
    "situation": re.compile(
        r"\b(at my (last|previous|current|old|first)|when i was|when we were"
        r"|we were (working|building)|there was|there were|our team|my team"
        r"|the (project|team|company|situation)|back in"
        r"|at the time|we had an?|i was (working|on|at)|in (19|20)\d\d|last year"
        r"|a few (years|months) ago|one time|once,)\b",
        re.IGNORECASE,
    ),
    "task": re.compile(
        r"\b(my (task|goal|job|role|responsibility|aim) was"
        r"|i (was|got) (asked|responsible|tasked|assigned)"
        r"|i needed to|i had to|we needed to|we had to|the (goal|task|challenge|problem|ask) was"
        r"|i was in charge|it was my job|i owned|i wanted to)\b",
        re.IGNORECASE,
    ),
    "action": re.compile(
        r"\bi\s+(?:then\s+|first\s+|also\s+|quickly\s+|immediately\s+)?"
        r"(decided|built|wrote|proposed|started|created|set up|added|reached out|talked"
        r"|organi[sz]ed|led|designed|implemented|introduced|scheduled|documented|asked|suggested|changed|fixed"
        r"|reviewed|split|opened|refactored|ran|measured|analy[sz]ed|migrated|automated|explained"
        r"|shared|raised|escalated|took|made|moved|worked|tested|rewrote|prototyped|shipped|deployed"
        r"|paired|listened|apologi[sz]ed|acknowledged|agreed|spoke|met|called|sent|posted|drafted"
        r"|prioriti[sz]ed|broke|cut|reduced|replaced|removed|investigated|traced|profiled|trained"
        r"|retrained|compared|presented|convinced|negotiated|mentored|helped|volunteered|chose|picked"
        r"|went|gave|kept|found|focused|read|collected|labell?ed|wrapped|argued|recommended|pushed)\b",
        re.IGNORECASE,
    ),
    "result": re.compile(
        r"\b(as a result|in the end|eventually|the result|results|outcome|in the end|ended up"
        r"|which (reduced|increased|improved|cut|saved|meant)|(reduced|increased|improved|cut|saved"
        r"|grew|dropped|fell|rose|went) (it |the \w+ )?(by|to|from)|we shipped|it worked|shipped"
        r"|learned|lesson|since then|afterwards|the impact|that led to|finally|successfully)\b",
        re.IGNORECASE,
    ),
}
_NUMBER = re.compile(
    r"\d|\b(percent|half|double|doubled|twice|tripled|ten|hundred|thousand)\b", re.I
)
_I = re.compile(r"\b(i|i'm|i've|i'd|me|my)\b", re.IGNORECASE)
_WE = re.compile(r"\b(we|we're|we've|we'd|us|our)\b", re.IGNORECASE)


def analyze_structure(units: list[Span]) -> Score:
    """STAR structure of a story answer, on 1-5, naming the missing parts."""
    first_unit: dict[str, int] = {}
    for i, u in enumerate(units):
        for part, pattern in _PATTERNS.items():
            if part not in first_unit and pattern.search(u.text):
                first_unit[part] = i
    present = [p for p in PARTS if p in first_unit]
    order = [first_unit[p] for p in present]
    in_order = order == sorted(order)
    text = " ".join(u.text for u in units)
    n_i, n_we = len(_I.findall(text)), len(_WE.findall(text))
    i_share = n_i / (n_i + n_we) if n_i + n_we else 0.0
    result_units = [u for u in units[first_unit["result"] :]] if "result" in first_unit else []
    measurable = any(_NUMBER.search(u.text) for u in result_units)

    value = 1.0 + 0.6 * len(present)  # 3.4 with all four parts
    value += 0.4 if in_order and len(present) >= 3 else 0.0
    value += 0.6 if measurable else 0.0
    value += 0.6 * min(1.0, i_share / 0.5)

    missing = [p for p in PARTS if p not in first_unit]
    notes = []
    if missing:
        notes.append("missing " + ", ".join(missing))
    if present and not in_order:
        notes.append("the parts come out of order")
    if i_share < 0.4:
        notes.append("says 'we' more than 'I': make your own actions clear")
    if "result" in first_unit and not measurable:
        notes.append("the result has no number")
    explanation = (
        "A complete story: situation, task, your actions and a measurable result."
        if not notes
        else "Story structure: " + "; ".join(notes) + "."
    )
    evidence = [
        Evidence(
            quote=units[first_unit[p]].text,
            start=units[first_unit[p]].start,
            end=units[first_unit[p]].end,
            note=p,
        )
        for p in present
    ]
    measurements: dict[str, float | int | str | bool | None] = {
        **{p: p in first_unit for p in PARTS},
        "in_order": in_order,
        "first_person_share": round(i_share, 2),
        "measurable_result": measurable,
        "missing_parts": ", ".join(missing),
    }
    return scored(Dimension.STRUCTURE, value, explanation, measurements, evidence)
