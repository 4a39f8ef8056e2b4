"""Fixtures for the answer-analysis tests: the real embedding model, glossary, personas, questions.

Nothing is mocked: the analyzer is built exactly as the application builds it, once per test run
(loading the sentence-embedding model takes a few seconds).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from interviewer.analysis import Analyzer, Target, target_for
from interviewer.config import Settings
from interviewer.embeddings import get_analysis_embedder
from interviewer.knowledge import cached_pack
from interviewer.personas import cached_personas
from interviewer.schema import GlossaryTerm, KnowledgePack, Persona


@pytest.fixture(scope="session")
def pack() -> KnowledgePack:
    """The shipped knowledge pack (questions with talking points, glossary)."""
    return cached_pack(Settings().knowledge_dir)


@pytest.fixture(scope="session")
def glossary(pack: KnowledgePack) -> dict[str, GlossaryTerm]:
    return pack.glossary


@pytest.fixture(scope="session")
def personas() -> dict[str, Persona]:
    """The shipped personas: 'recruiter', 'backend_engineer' and 'ml_expert'."""
    return cached_personas(Settings().personas_dir)


@pytest.fixture(scope="session")
def recruiter(personas: dict[str, Persona]) -> Persona:
    return personas["recruiter"]


@pytest.fixture(scope="session")
def backend_engineer(personas: dict[str, Persona]) -> Persona:
    return personas["backend_engineer"]


@pytest.fixture(scope="session")
def ml_expert(personas: dict[str, Persona]) -> Persona:
    return personas["ml_expert"]


@pytest.fixture(scope="session")
def analyzer(glossary: dict[str, GlossaryTerm]) -> Analyzer:
    """The analyzer with the real glossary and the real (full-precision) embedding model."""
    return Analyzer(glossary, get_analysis_embedder(Settings()).encode)


@pytest.fixture(scope="session")
def target(pack: KnowledgePack) -> Callable[[str], Target]:
    """`target("question-id")`: the analysis target of a question from the shipped bank."""

    def make(question_id: str) -> Target:
        return target_for(pack.questions[question_id])

    return make
