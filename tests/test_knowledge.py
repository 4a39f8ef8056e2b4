"""The knowledge pack as shipped: complete, consistent and covering every area of the guide."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from interviewer.config import Settings
from interviewer.knowledge import KnowledgeError, check_pack, load_pack, load_questions
from interviewer.personas import load_personas
from interviewer.schema import Category


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return load_pack(Settings().knowledge_dir)


def test_pack_cross_references_resolve(pack) -> None:  # type: ignore[no-untyped-def]
    personas = load_personas(Settings().personas_dir)
    assert check_pack(pack, set(personas)) == []


def test_bank_size_and_coverage(pack) -> None:  # type: ignore[no-untyped-def]
    assert len(pack.questions) >= 45
    per_category = Counter(q.category for q in pack.questions.values())
    assert set(per_category) == set(Category), per_category
    personas = Counter(p for q in pack.questions.values() for p in q.personas)
    assert min(personas[p] for p in ("ml_expert", "backend_engineer", "recruiter")) >= 10


@pytest.mark.parametrize(
    "topic",
    [
        "notebook",
        "memory",
        "imbalance",
        "leakage",
        "overfit",
        "precision",
        "bias",
        "random forest",
        "logistic regression",
        "transformer",
        "fine-tun",
        "production",
        "drift",
        "latency",
        "pipeline",
        "stakeholder",
        "pushback",
        "ambigu",
        "asynchronous",
        "transparency",
        "iteration",
        "feedback",
    ],
)
def test_every_area_of_the_guide_has_a_question(pack, topic: str) -> None:  # type: ignore[no-untyped-def]
    texts = [
        (q.text + " " + " ".join(tp.point for tp in q.talking_points)).lower()
        for q in pack.questions.values()
    ]
    assert any(topic in t for t in texts), f"no question about {topic!r}"


def test_talking_points_are_distinct_and_have_terms(pack) -> None:  # type: ignore[no-untyped-def]
    for q in pack.questions.values():
        assert 3 <= len(q.talking_points) <= 6
        for tp in q.talking_points:
            assert tp.key_terms, (q.id, tp.id)
            assert len(tp.point.split()) >= 5, f"{q.id}/{tp.id}: point too short to be specific"


def test_glossary_size_and_domains(pack) -> None:  # type: ignore[no-untyped-def]
    assert len(pack.glossary) >= 150
    domains = Counter(t.domain.value for t in pack.glossary.values())
    assert domains["ml"] >= 80 and domains["software"] >= 40 and domains["general-business"] >= 10
    for t in pack.glossary.values():
        assert len(t.plain.split()) <= 30, t.term


def test_bad_question_file_names_the_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bank.yaml"
    bad.write_text(
        "- id: q1\n  text: Why?\n  category: ml_fundamentals\n  personas: [ml_expert]\n"
        "  difficulty: 2\n  sections: [s]\n  talking_points: []\n  colour: blue\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as info:
        load_questions(bad)
    message = str(info.value)
    assert "bank.yaml" in message and "q1" in message
    assert "talking_points" in message and "colour" in message
