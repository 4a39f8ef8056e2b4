"""The fast subset of the simulated-candidate evaluation runs with the tests (a regression guard).

The full suite is `make eval`; this one checks a quarter of the question bank and a few
profiles, with the same thresholds.
"""

from __future__ import annotations

import pytest

from evals.run import run


@pytest.mark.slow
def test_fast_evaluation_meets_every_threshold() -> None:
    checks = run(data=None, fast=True)
    failed = [
        f"{c.name}: {c.value:g} (threshold {c.threshold:g}) {c.failures[:3]}"
        for c in checks
        if not c.passed
    ]
    assert not failed, "\n".join(failed)
    names = {c.name for c in checks}
    assert "planted missing talking point listed as missed" in names
    assert "declined probes asked again" in names
    # A check measured on nothing cannot fail: every one must have seen cases.
    assert all(c.n > 0 for c in checks), [c.name for c in checks if c.n == 0]
