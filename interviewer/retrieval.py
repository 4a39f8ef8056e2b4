"""Query-time search over the index; this module never writes.

The interview engine asks for guide passages to ground a question or a follow-up, and for the
questions nearest to a topic or to what the candidate just said. Both can be limited to what a
persona may use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from interviewer.config import Settings
from interviewer.indexing import persona_filter
from interviewer.schema import Passage, QuestionHit
from interviewer.vectorstore import GUIDE, QUESTIONS, index_exists, open_collection


class IndexMissingError(RuntimeError):
    """There is no index yet."""

    def __init__(self) -> None:
        super().__init__("no index yet: run `interviewer ingest` (or `make run`) to build it")


def _and(*clauses: dict[str, Any] | None) -> dict[str, Any] | None:
    present = [c for c in clauses if c]
    if not present:
        return None
    return present[0] if len(present) == 1 else {"$and": present}


class Retriever:
    """Searches the guide and the question bank of the configured index."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _collection(self, name: str) -> Any:
        if not index_exists(self.settings):
            raise IndexMissingError()
        return open_collection(self.settings, name)

    def passages(
        self, query: str, k: int = 4, persona: str | None = None, topic: str | None = None
    ) -> list[Passage]:
        """The k guide passages closest to `query`, optionally only those a persona may use."""
        if not query.strip():
            return []
        where = _and(
            persona_filter(persona) if persona else None, {"topic": topic} if topic else None
        )
        hits = self._collection(GUIDE).similarity_search_with_relevance_scores(
            query, k=k, filter=where
        )
        return [
            Passage(
                text=doc.page_content,
                section_id=str(doc.metadata.get("section_id", "")),
                section_title=str(doc.metadata.get("section_title", "")),
                topic=str(doc.metadata.get("topic", "")),
                source=str(doc.metadata.get("source", "")),
                score=round(float(score), 4),
            )
            for doc, score in hits
        ]

    def nearest_questions(
        self,
        text: str,
        k: int = 5,
        persona: str | None = None,
        category: str | None = None,
        exclude: Iterable[str] = (),
    ) -> list[QuestionHit]:
        """Questions from the bank closest to a topic or an answer, skipping `exclude`."""
        if not text.strip():
            return []
        skip = set(exclude)
        where = _and(
            persona_filter(persona) if persona else None,
            {"category": category} if category else None,
        )
        hits = self._collection(QUESTIONS).similarity_search_with_relevance_scores(
            text, k=k + len(skip), filter=where
        )
        found = [
            QuestionHit(question_id=str(doc.metadata["question_id"]), score=round(float(s), 4))
            for doc, s in hits
            if doc.metadata.get("question_id") not in skip
        ]
        return found[:k]
