"""Paths the tests share."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
PROJECT = TESTS.parent
SHARED_DATA = PROJECT.parent / "shared" / "data"
