"""Turn guide files (Markdown with or without front matter, plain or scraped text) into sections.

A section is the unit the report points a candidate to ("study: Class imbalance") and the unit
retrieval filters on. The knowledge pack's own files carry their metadata in front matter; a
user's file gets sections from its headings, and a scraped web page first loses its junk: CMS
placeholders, sentences about pictures that did not survive the scrape, and truncated teasers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from interviewer.knowledge import split_front_matter
from interviewer.schema import SectionMeta, slugify

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text"}
MAX_FILE_BYTES = 20 * 1024 * 1024


class GuideFileError(ValueError):
    """A guide file cannot be used; the message names the file and says what to do."""


@dataclass(frozen=True)
class GuideSection:
    """One section of a guide, ready to be chunked."""

    id: str
    title: str
    topic: str
    personas: tuple[str, ...] | None  # None: every persona may use it
    body: str  # Markdown, without the section's own title line


@dataclass
class ParsedGuide:
    """A guide file turned into sections, with what was thrown away and why."""

    path: Path
    sections: list[GuideSection]
    dropped: list[str] = field(default_factory=list)


# --- reading ---------------------------------------------------------------------------------


def read_text(path: Path) -> str:
    """Read a guide file as text, refusing what is not text with a message that says why."""
    if not path.exists():
        raise GuideFileError(f"{path}: no such file")
    if not path.is_file():
        raise GuideFileError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise GuideFileError(f"{path}: the file is empty")
    if size > MAX_FILE_BYTES:
        raise GuideFileError(
            f"{path}: {size // (1024 * 1024)} MB is too large for a guide (limit 20 MB)"
        )
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise GuideFileError(f"{path}: looks like a binary file, not text (.md or .txt expected)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GuideFileError(
            f"{path}: not UTF-8 text (byte {exc.start}); convert it first, "
            f"e.g. `iconv -f latin1 -t utf-8 {path.name} > {path.stem}.utf8{path.suffix}`"
        ) from exc
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * min(len(text), 8192):
        raise GuideFileError(f"{path}: looks like a binary file, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- cleaning scraped pages -----------------------------------------------------------------

_JUNK_LINE = re.compile(
    r"^(unknown module\b|module not found\b|\[?(image|img|photo|picture|figure)\]?\s*[:\]]?$"
    r"|skip to (main )?content$|advertisement$|share (this|on)\b|accept (all )?cookies)",
    re.IGNORECASE,
)
# Sentences that talk about a picture or widget the scrape did not keep.
_MISSING_VISUAL = re.compile(
    r"\b(visual|image|picture|photo|figure|chart|graph|diagram|timeline|table|infographic|video"
    r"|data|widget)\s+(above|below)\b|\b(shown|pictured|illustrated|depicted)\s+(above|below)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_TRUNCATED = re.compile(r"(\.\.\.|\u2026)\s*$")


def clean_scraped_text(text: str) -> tuple[str, list[str]]:
    """Remove junk lines, truncated teasers and sentences about missing visuals.

    Returns the cleaned text and a description of everything removed, so ingest can report it.
    """
    kept: list[str] = []
    dropped: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            kept.append("")
            continue
        if _JUNK_LINE.search(line):
            dropped.append(f"junk line: {line[:80]}")
            continue
        if _TRUNCATED.search(line) and len(line) > 40:
            dropped.append(f"truncated teaser: {line[:80]}")
            continue
        if _MISSING_VISUAL.search(line):
            sentences = _SENTENCE.split(line)
            good = [s for s in sentences if not _MISSING_VISUAL.search(s)]
            for s in sentences:
                if _MISSING_VISUAL.search(s):
                    dropped.append(f"refers to a missing visual: {s[:80]}")
            line = " ".join(good)
            if not line:
                continue
        kept.append(raw.rstrip() if raw.strip() == line else line)
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return cleaned, dropped


# --- headings in plain text -----------------------------------------------------------------

_NUMBERED_HEADING = re.compile(r"^\d{1,2}[.)]\s+(?P<title>[A-Z][^\n]{2,90})$")
_END_PUNCT = (".", "!", "?", ":", ";", ",")


def _is_numbered_heading(line: str) -> str | None:
    m = _NUMBERED_HEADING.match(line)
    # A numbered title may be a question ("1. What is ...?"); a numbered list item is a sentence.
    if (m and not line.endswith(_END_PUNCT)) or (m and line.endswith("?") and len(line) <= 80):
        return m.group("title").strip()
    return None


def _is_subheading(line: str, next_line: str | None) -> bool:
    """A short title-like line followed by longer text: a heading that lost its markup."""
    words = line.split()
    return (
        0 < len(words) <= 10
        and len(line) <= 70
        and line[0].isupper()
        and not line.endswith(_END_PUNCT)
        and not line.startswith(("-", "*", "\u2022", "Q:", "A:"))
        and next_line is not None
        and len(next_line) > len(line)
    )


def plain_text_to_markdown(text: str) -> str:
    """Mark up headings in plain text: numbered titles become `#`, short title lines `##`."""
    lines = [ln.strip() for ln in text.split("\n")]
    out: list[str] = []
    for i, line in enumerate(lines):
        if not line:
            out.append("")
            continue
        nxt = next((ln for ln in lines[i + 1 :] if ln), None)
        title = _is_numbered_heading(line)
        if title:
            out.extend(["", f"# {title}", ""])
        elif _is_subheading(line, nxt):
            out.extend(["", f"## {line}", ""])
        else:
            out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


# --- sections -------------------------------------------------------------------------------

_TOPIC_HINTS: list[tuple[str, str]] = [
    (r"what is an? |\brole\b|responsibilit|requirement|qualification", "role"),
    (r"merge request|code review|\breview\b|notebook", "code_review"),
    (r"mlops|production|deploy|monitor|drift|latency|pipeline", "mlops"),
    (r"fundamental|machine learning|model|overfit|metric|transformer", "ml_fundamentals"),
    (r"communicat|cross-functional|stakeholder|collaborat", "communication"),
    (r"async|remote", "async_work"),
    (r"value|credit", "values"),
    (r"behavio", "behavioural"),
]


def guess_topic(title: str) -> str:
    """A coarse topic for a section without metadata, from the words of its title."""
    for pattern, topic in _TOPIC_HINTS:
        if re.search(pattern, title, re.IGNORECASE):
            return topic
    return "general"


def _split_markdown(markdown: str, fallback_title: str) -> list[tuple[str, str]]:
    """Split Markdown into (title, body) at its top heading level.

    With a single `#` title the document's sections are its `##` headings; otherwise `#`.
    """
    h1 = re.findall(r"^# (.+)$", markdown, re.MULTILINE)
    level = "##" if len(h1) <= 1 and re.search(r"^## ", markdown, re.MULTILINE) else "#"
    pattern = re.compile(rf"^{level} (.+)$", re.MULTILINE)
    parts: list[tuple[str, str]] = []
    matches = list(pattern.finditer(markdown))
    preamble = markdown[: matches[0].start()] if matches else markdown
    preamble = re.sub(r"^# .+$", "", preamble, flags=re.MULTILINE).strip()
    if preamble:
        doc_title = h1[0].strip() if len(h1) == 1 and level == "##" else fallback_title
        parts.append((doc_title, preamble))
    ends = [m.start() for m in matches[1:]] + ([len(markdown)] if matches else [])
    for m, end in zip(matches, ends, strict=True):
        body = markdown[m.end() : end].strip()
        if body:
            parts.append((m.group(1).strip(), body))
    return parts


def parse_guide(path: Path) -> ParsedGuide:
    """Read one guide file and return its sections; raises GuideFileError when unusable."""
    text = read_text(path)
    is_markdown = path.suffix.lower() in {".md", ".markdown"}
    if is_markdown:
        try:
            meta_raw, body = split_front_matter(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise GuideFileError(f"{path}: front matter is not valid YAML ({exc})") from exc
        if meta_raw is not None:
            try:
                meta = SectionMeta.model_validate(meta_raw)
            except ValidationError as exc:
                fields = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
                raise GuideFileError(f"{path}: bad front matter ({fields})") from exc
            body = re.sub(r"\A# .+\n", "", body.strip()).strip()
            if not body:
                raise GuideFileError(f"{path}: the section has no text")
            return ParsedGuide(
                path,
                [GuideSection(meta.id, meta.title, meta.topic.value, tuple(meta.personas), body)],
            )
    cleaned, dropped = clean_scraped_text(text)
    markdown = cleaned if is_markdown else plain_text_to_markdown(cleaned)
    stem = slugify(path.stem, 24)
    sections: list[GuideSection] = []
    seen: set[str] = set()
    for title, body in _split_markdown(markdown, path.stem.replace("-", " ").replace("_", " ")):
        sid = f"{stem}-{slugify(title, 40)}"
        n = 2
        while sid in seen:
            sid = f"{stem}-{slugify(title, 40)}-{n}"
            n += 1
        seen.add(sid)
        sections.append(GuideSection(sid, title, guess_topic(title), None, body))
    if not sections:
        raise GuideFileError(f"{path}: no usable text left after removing junk lines")
    return ParsedGuide(path, sections, dropped)


def collect_guide_files(paths: list[Path]) -> list[Path]:
    """Expand files and directories into the guide files to read, in a stable order."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES
            )
            if not found:
                raise GuideFileError(
                    f"{p}: no guide files in this directory (looked for .md, .markdown, .txt)"
                )
            files.extend(found)
        elif not p.exists():
            raise GuideFileError(f"{p}: no such file or directory")
        elif p.suffix.lower() not in TEXT_SUFFIXES:
            raise GuideFileError(f"{p}: unsupported file type {p.suffix!r}; use .md or .txt")
        else:
            files.append(p)
    return files
