"""Retrieval over the real index: the bank finds its own guide sections; filters hold."""

from __future__ import annotations

import pytest

from interviewer.config import Settings
from interviewer.knowledge import cached_pack
from interviewer.retrieval import IndexMissingError, Retriever


def test_every_question_finds_one_of_its_sections_in_the_top_3(pack_settings: Settings) -> None:
    pack = cached_pack(pack_settings.knowledge_dir)
    retriever = Retriever(pack_settings)
    misses = []
    for q in pack.questions.values():
        top = [p.section_id for p in retriever.passages(q.text, k=3)]
        if not set(top) & set(q.sections):
            misses.append(f"{q.id}: wanted {q.sections}, got {top}")
    recall = 1 - len(misses) / len(pack.questions)
    print(f"\nrecall@3 over {len(pack.questions)} questions: {recall:.3f}")
    for m in misses:
        print("  miss", m)
    assert recall >= 0.9


def test_persona_filter_only_returns_sections_that_persona_uses(pack_settings: Settings) -> None:
    pack = cached_pack(pack_settings.knowledge_dir)
    for hit in Retriever(pack_settings).passages(
        "gradient boosting trees", k=8, persona="recruiter"
    ):
        assert "recruiter" in pack.sections[hit.section_id].meta.personas


def test_passages_are_ranked_and_carry_their_section(pack_settings: Settings) -> None:
    hits = Retriever(pack_settings).passages("data leakage in cross-validation", k=4)
    assert len(hits) == 4
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)
    assert "leak" in hits[0].text.lower()
    assert hits[0].section_title


def test_nearest_questions_follow_the_topic_and_skip_excluded(pack_settings: Settings) -> None:
    pack = cached_pack(pack_settings.knowledge_dir)
    retriever = Retriever(pack_settings)
    hits = retriever.nearest_questions("my model overfits the training data", k=3)
    assert hits and all(h.question_id in pack.questions for h in hits)
    first = hits[0].question_id
    assert "overfit" in (pack.questions[first].text + pack.questions[first].id).lower()
    again = retriever.nearest_questions("my model overfits the training data", k=3, exclude=[first])
    assert first not in {h.question_id for h in again}
    for h in retriever.nearest_questions(
        "a time you showed transparency", k=5, persona="recruiter"
    ):
        assert "recruiter" in pack.questions[h.question_id].personas


def test_category_filter(pack_settings: Settings) -> None:
    pack = cached_pack(pack_settings.knowledge_dir)
    hits = Retriever(pack_settings).nearest_questions("anything", k=5, category="values")
    assert hits and all(pack.questions[h.question_id].category == "values" for h in hits)


def test_empty_query_returns_nothing_and_missing_index_says_what_to_do(settings: Settings) -> None:
    assert Retriever(settings).passages("   ") == []
    with pytest.raises(IndexMissingError, match="interviewer ingest"):
        Retriever(settings).passages("leakage")
