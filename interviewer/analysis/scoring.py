"""Constructing `Score` records: the 1-5 scale, its bands, and the states that are not a number."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from interviewer.schema import Dimension, Evidence, MeasurementValue, Score, ScoreStatus

#: Lower edges of the bands, best first. A score is continuous; the band is how it is shown.
BANDS: tuple[tuple[float, str], ...] = (
    (4.2, "strong"),
    (3.4, "good"),
    (2.6, "fair"),
    (1.8, "weak"),
    (1.0, "poor"),
)
NOT_ENOUGH_EVIDENCE = "not enough evidence"
NOT_APPLICABLE = "not applicable"


def band(value: float) -> str:
    """The band a 1-5 value falls in, as shown: reports print one decimal, so 4.17 reads
    "4.2" and must not be labelled below the 4.2 edge."""
    shown = round(value, 1)
    for edge, name in BANDS:
        if shown >= edge:
            return name
    return BANDS[-1][1]


def clamp(value: float) -> float:
    """Keep a value on the 1-5 scale, rounded for display."""
    return round(min(5.0, max(1.0, value)), 2)


def scored(
    dimension: Dimension,
    value: float,
    explanation: str,
    measurements: Mapping[str, MeasurementValue] | None = None,
    evidence: Sequence[Evidence] = (),
) -> Score:
    v = clamp(value)
    return Score(
        dimension=dimension,
        status=ScoreStatus.SCORED,
        value=v,
        band=band(v),
        explanation=explanation,
        measurements=dict(measurements or {}),
        evidence=list(evidence),
    )


def insufficient(
    dimension: Dimension, reason: str, measurements: Mapping[str, MeasurementValue] | None = None
) -> Score:
    """No number: the answer holds too little to judge this dimension."""
    return Score(
        dimension=dimension,
        status=ScoreStatus.INSUFFICIENT,
        band=NOT_ENOUGH_EVIDENCE,
        explanation=reason,
        measurements=dict(measurements or {}),
    )


def not_applicable(dimension: Dimension, reason: str) -> Score:
    """No number: the dimension does not apply (e.g. delivery for a typed answer)."""
    return Score(
        dimension=dimension,
        status=ScoreStatus.NOT_APPLICABLE,
        band=NOT_APPLICABLE,
        explanation=reason,
    )
