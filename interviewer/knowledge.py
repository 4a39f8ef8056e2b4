"""Load and validate the knowledge pack: guide sections, question bank and glossary.

The pack lives in plain files a user can edit (`knowledge/guide/*.md`, `knowledge/questions/*.yaml`,
`knowledge/glossary.yaml`). Loading checks each record's shape; `check_pack` checks what no single
record can: ids are unique and every reference points at something that exists.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from interviewer.schema import GlossaryTerm, KnowledgePack, Question, Section, SectionMeta


class KnowledgeError(ValueError):
    """A knowledge-pack file is missing or malformed; the message names the file and field."""


FRONT_MATTER = "---"

#: libyaml's parser when PyYAML was built with it: the pack loads about ten times faster.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse YAML safely (plain data only: no tags that build Python objects)."""
    return yaml.load(text, Loader=_LOADER)


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """Split a Markdown document into its YAML front matter (or None) and its body."""
    if not text.startswith(FRONT_MATTER + "\n"):
        return None, text
    end = text.find("\n" + FRONT_MATTER, len(FRONT_MATTER))
    if end == -1:
        return None, text
    meta = load_yaml(text[len(FRONT_MATTER) + 1 : end]) or {}
    if not isinstance(meta, dict):
        raise KnowledgeError("front matter must be a mapping of keys to values")
    body = text[end + len(FRONT_MATTER) + 1 :].lstrip("\n")
    return meta, body


def _describe(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(top level)"
        parts.append(f"{where}: {e['msg']}")
    return "; ".join(parts)


def _read_yaml_list(path: Path) -> list[Any]:
    if not path.is_file():
        raise KnowledgeError(f"{path}: file not found")
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, list):
        raise KnowledgeError(f"{path}: expected a list of entries at the top level")
    return data


def load_sections(guide_dir: Path) -> dict[str, Section]:
    """Read every `*.md` section with front matter under `guide_dir`, keyed by section id."""
    sections: dict[str, Section] = {}
    for path in sorted(guide_dir.glob("*.md")):
        try:
            meta_raw, body = split_front_matter(path.read_text(encoding="utf-8"))
            if meta_raw is None:
                raise KnowledgeError("missing front matter (id, title, topic, personas)")
            meta = SectionMeta.model_validate(meta_raw)
        except ValidationError as exc:
            raise KnowledgeError(f"{path}: {_describe(exc)}") from exc
        except (KnowledgeError, yaml.YAMLError, UnicodeDecodeError) as exc:
            raise KnowledgeError(f"{path}: {exc}") from exc
        if meta.id in sections:
            raise KnowledgeError(f"{path}: duplicate section id {meta.id!r}")
        sections[meta.id] = Section(meta=meta, body=body.strip(), path=str(path))
    return sections


def load_questions(path: Path) -> dict[str, Question]:
    """Read the question bank (one YAML file, or a directory of them), keyed by question id."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise KnowledgeError(f"{path}: no question files (*.yaml) found")
    questions: dict[str, Question] = {}
    for file in files:
        for i, raw in enumerate(_read_yaml_list(file)):
            try:
                q = Question.model_validate(raw)
            except ValidationError as exc:
                ident = raw.get("id", f"entry {i}") if isinstance(raw, dict) else f"entry {i}"
                raise KnowledgeError(f"{file}: question {ident}: {_describe(exc)}") from exc
            if q.id in questions:
                raise KnowledgeError(f"{file}: duplicate question id {q.id!r}")
            questions[q.id] = q
    return questions


def load_glossary(path: Path) -> dict[str, GlossaryTerm]:
    """Read the glossary, keyed by lower-cased term."""
    terms: dict[str, GlossaryTerm] = {}
    for i, raw in enumerate(_read_yaml_list(path)):
        try:
            t = GlossaryTerm.model_validate(raw)
        except ValidationError as exc:
            ident = raw.get("term", f"entry {i}") if isinstance(raw, dict) else f"entry {i}"
            raise KnowledgeError(f"{path}: term {ident}: {_describe(exc)}") from exc
        key = t.term.lower()
        if key in terms:
            raise KnowledgeError(f"{path}: duplicate glossary term {t.term!r}")
        terms[key] = t
    return terms


def load_pack(knowledge_dir: Path) -> KnowledgePack:
    """Load the whole pack from a directory laid out like the project's `knowledge/`."""
    return KnowledgePack(
        sections=load_sections(knowledge_dir / "guide"),
        questions=load_questions(knowledge_dir / "questions"),
        glossary=load_glossary(knowledge_dir / "glossary.yaml"),
    )


@lru_cache(maxsize=4)
def cached_pack(knowledge_dir: Path) -> KnowledgePack:
    """The pack for a directory, loaded once per process (files are read-only at run time)."""
    return load_pack(knowledge_dir)


def check_pack(pack: KnowledgePack, persona_ids: set[str]) -> list[str]:
    """Cross-reference checks; returns human-readable problems (empty when the pack is sound)."""
    problems: list[str] = []
    for sec in pack.sections.values():
        for p in sec.meta.personas:
            if p not in persona_ids:
                problems.append(f"section {sec.meta.id}: unknown persona {p!r}")
        if not sec.body.strip():
            problems.append(f"section {sec.meta.id}: empty body")
    for q in pack.questions.values():
        for p in q.personas:
            if p not in persona_ids:
                problems.append(f"question {q.id}: unknown persona {p!r}")
        for s in q.sections:
            if s not in pack.sections:
                problems.append(f"question {q.id}: unknown section {s!r}")
        for tp in q.talking_points:
            if not tp.key_terms:
                problems.append(f"question {q.id}: talking point {tp.id} has no key terms")
    seen: dict[str, str] = {}
    for t in pack.glossary.values():
        for form in t.surface_forms():
            if form in seen and seen[form] != t.term:
                problems.append(f"glossary: {form!r} is claimed by {seen[form]!r} and {t.term!r}")
            seen.setdefault(form, t.term)
    return problems
