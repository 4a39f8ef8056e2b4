"""Load and validate interviewer personas from `personas/*.yaml`.

A persona is data, not code: a user adds one by dropping a YAML file in the folder. A malformed file
is an error that names the file and the field, never a persona with silently ignored settings.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from interviewer.knowledge import load_yaml
from interviewer.schema import Persona


class PersonaError(ValueError):
    """A persona file is missing or malformed; the message names the file and the field."""


def load_persona_file(path: Path) -> Persona:
    """Read and validate one persona file."""
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PersonaError(f"{path}: cannot read persona ({exc})") from exc
    if not isinstance(raw, dict):
        raise PersonaError(f"{path}: a persona file must be a mapping of fields to values")
    try:
        persona = Persona.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in exc.errors()
        )
        raise PersonaError(f"{path}: {problems}") from exc
    if persona.id != path.stem:
        raise PersonaError(f"{path}: id {persona.id!r} must match the file name {path.stem!r}")
    return persona


def load_personas(personas_dir: Path) -> dict[str, Persona]:
    """Every persona in the folder, keyed by id, in file-name order."""
    files = sorted(personas_dir.glob("*.yaml")) + sorted(personas_dir.glob("*.yml"))
    if not files:
        raise PersonaError(f"{personas_dir}: no persona files (*.yaml) found")
    return {p.id: p for p in (load_persona_file(f) for f in files)}


@lru_cache(maxsize=4)
def cached_personas(personas_dir: Path) -> dict[str, Persona]:
    """The personas of a folder, loaded once per process."""
    return load_personas(personas_dir)


def get_persona(personas_dir: Path, persona_id: str) -> Persona:
    """One persona by id, with an error that lists the ones that exist."""
    personas = cached_personas(personas_dir)
    if persona_id not in personas:
        raise PersonaError(
            f"unknown persona {persona_id!r}; choose one of: {', '.join(sorted(personas))}"
        )
    return personas[persona_id]
