"""Build the vector index: guide files -> sections -> chunks -> Chroma, and the question bank.

Re-ingesting is cheap: each file's chunks carry a content hash, so an unchanged file is skipped and
a changed one has its chunks replaced. Every file is read and checked before anything is written,
so one bad file leaves the existing index exactly as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interviewer.config import Settings
from interviewer.guide_text import (
    GuideFileError,
    GuideSection,
    ParsedGuide,
    collect_guide_files,
    parse_guide,
)
from interviewer.knowledge import KnowledgeError, load_questions
from interviewer.schema import Question
from interviewer.vectorstore import GUIDE, QUESTIONS, open_collection

# Bump when chunking or metadata changes, so existing indexes are rebuilt on the next ingest.
INDEX_FORMAT = "2"
QUESTIONS_SOURCE = "question-bank"
EMBED_BATCH = 128

Progress = Callable[[int, int, str], None]


class IngestError(ValueError):
    """Ingest refused its input; the message names the file. The index was not changed."""


@dataclass
class Chunk:
    """A piece of a guide section as stored in the index."""

    id: str
    text: str
    metadata: dict[str, Any]


@dataclass
class IngestReport:
    """What an ingest did, for the CLI to show."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    chunks_written: int = 0
    questions_indexed: int = 0
    dropped: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.questions_indexed)


def persona_metadata(personas: tuple[str, ...] | list[str] | None) -> dict[str, bool]:
    """Chroma metadata cannot hold lists, so persona access is stored as boolean flags."""
    if personas is None:
        return {"all_personas": True}
    return {"all_personas": False, **{f"persona_{p}": True for p in personas}}


def persona_filter(persona: str) -> dict[str, Any]:
    """A Chroma `where` clause for chunks a persona may use."""
    return {"$or": [{f"persona_{persona}": True}, {"all_personas": True}]}


def _fingerprint(data: bytes, settings: Settings) -> str:
    h = hashlib.sha256(data)
    h.update(f"|{INDEX_FORMAT}|{settings.chunk_size}|{settings.chunk_overlap}|".encode())
    h.update(f"{settings.embedding_model}|{settings.embedding_quantize}".encode())
    return h.hexdigest()


def chunk_sections(
    sections: list[GuideSection], source: str, digest: str, settings: Settings
) -> list[Chunk]:
    """Split sections into chunks at Markdown headings, then by size, keeping heading context."""
    from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

    by_heading = MarkdownHeaderTextSplitter(
        headers_to_split_on=[("##", "h2"), ("###", "h3")], strip_headers=True
    )
    by_size = RecursiveCharacterTextSplitter(
        chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap
    )
    chunks: list[Chunk] = []
    for section in sections:
        for piece in by_size.split_documents(by_heading.split_text(section.body)):
            heading = " / ".join(
                [section.title, *(piece.metadata[k] for k in ("h2", "h3") if k in piece.metadata)]
            )
            text = f"{heading}\n\n{piece.page_content.strip()}"
            n = len(chunks)
            chunks.append(
                Chunk(
                    id=f"{hashlib.sha1(source.encode()).hexdigest()[:10]}-{digest[:10]}-{n}",
                    text=text,
                    metadata={
                        "source": source,
                        "digest": digest,
                        "section_id": section.id,
                        "section_title": section.title,
                        "heading": heading,
                        "topic": section.topic,
                        "chunk": n,
                        **persona_metadata(section.personas),
                    },
                )
            )
    return chunks


def question_document(q: Question) -> str:
    """The text a question is indexed under: its wording plus what a good answer covers."""
    points = " ".join(tp.point for tp in q.talking_points)
    return f"{q.text}\n{points}"


def _questions_digest(questions: dict[str, Question], settings: Settings) -> str:
    blob = "\n".join(q.model_dump_json() for q in sorted(questions.values(), key=lambda q: q.id))
    return _fingerprint(blob.encode(), settings)


def _stored_digests(store: Any) -> dict[str, tuple[str, list[str]]]:
    """source -> (digest, chunk ids) for everything in a collection."""
    got = store.get(include=["metadatas"])
    out: dict[str, tuple[str, list[str]]] = {}
    for cid, meta in zip(got["ids"], got["metadatas"], strict=True):
        src = str(meta.get("source", ""))
        digest, ids = out.get(src, (str(meta.get("digest", "")), []))
        ids.append(cid)
        out[src] = (digest, ids)
    return out


def ingest(
    paths: list[Path] | None,
    settings: Settings,
    progress: Progress | None = None,
    with_questions: bool | None = None,
) -> IngestReport:
    """Index guide files (default: the knowledge pack's guide) and, for the pack, the questions.

    Raises IngestError before touching the index when any input is unusable.
    """
    pack_mode = not paths
    roots = [settings.knowledge_dir / "guide"] if pack_mode else list(paths or [])
    index_questions = pack_mode if with_questions is None else with_questions

    # 1. Read and check everything first: a bad file must not leave a half-updated index.
    try:
        files = collect_guide_files(roots)
        parsed: list[tuple[ParsedGuide, str, str]] = []
        for f in files:
            guide = parse_guide(f)
            parsed.append((guide, str(f.resolve()), _fingerprint(f.read_bytes(), settings)))
        questions = load_questions(settings.knowledge_dir / "questions") if index_questions else {}
    except (GuideFileError, KnowledgeError) as exc:
        raise IngestError(str(exc)) from exc

    report = IngestReport()
    guide_store = open_collection(settings, GUIDE)
    stored = _stored_digests(guide_store)
    todo = [(g, src, d) for g, src, d in parsed if stored.get(src, ("", []))[0] != d]
    for g, src, _ in parsed:
        if g.dropped:
            report.dropped[src] = g.dropped

    # 2. Write: new chunks first, then remove the old ones, so a crash never leaves a file absent.
    new_chunks = {src: chunk_sections(g.sections, src, d, settings) for g, src, d in todo}
    pending = [c for chunks in new_chunks.values() for c in chunks]
    batches = [pending[i : i + EMBED_BATCH] for i in range(0, len(pending), EMBED_BATCH)]
    total = len(batches) + (1 if index_questions else 0)
    for i, batch in enumerate(batches):
        if progress:
            progress(i, total, f"{len(pending)} passages")
        guide_store.add_texts(
            [c.text for c in batch],
            metadatas=[c.metadata for c in batch],
            ids=[c.id for c in batch],
        )
    for _, src, _ in todo:
        keep = {c.id for c in new_chunks[src]}
        stale = [cid for cid in stored.get(src, ("", []))[1] if cid not in keep]
        if stale:
            guide_store.delete(ids=stale)
        (report.updated if src in stored else report.added).append(src)
    report.chunks_written = len(pending)
    report.unchanged = [src for _, src, d in parsed if stored.get(src, ("", []))[0] == d]

    # Files that disappeared from a directory we were asked to ingest are dropped from the index.
    current = {src for _, src, _ in parsed}
    dirs = [r.resolve() for r in roots if r.is_dir()]
    for src, (_, ids) in stored.items():
        if src not in current and any(Path(src).is_relative_to(d) for d in dirs):
            guide_store.delete(ids=ids)
            report.removed.append(src)

    if index_questions:
        if progress:
            progress(len(batches), total, "question bank")
        report.questions_indexed = _index_questions(questions, settings)
    if progress:
        progress(total, total, "done")
    return report


def _index_questions(questions: dict[str, Question], settings: Settings) -> int:
    """Replace the question collection when the bank changed; returns how many were written."""
    store = open_collection(settings, QUESTIONS)
    digest = _questions_digest(questions, settings)
    stored = _stored_digests(store)
    if stored.get(QUESTIONS_SOURCE, ("", []))[0] == digest:
        return 0
    qs = sorted(questions.values(), key=lambda q: q.id)
    ids = [f"q-{digest[:10]}-{q.id}" for q in qs]
    store.add_texts(
        [question_document(q) for q in qs],
        metadatas=[
            {
                "source": QUESTIONS_SOURCE,
                "digest": digest,
                "question_id": q.id,
                "category": q.category.value,
                "difficulty": q.difficulty,
                **persona_metadata(q.personas),
            }
            for q in qs
        ],
        ids=ids,
    )
    old = [cid for _, (_, cids) in stored.items() for cid in cids if cid not in set(ids)]
    if old:
        store.delete(ids=old)
    return len(qs)
