"""Personas are validated data: the shipped ones load; a bad file names its problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from interviewer.config import Settings
from interviewer.personas import PersonaError, get_persona, load_persona_file, load_personas

VALID: dict[str, Any] = {
    "id": "coach",
    "name": "C",
    "role": "Coach",
    "description": "A friendly coach.",
    "audience": "non_technical",
    "known_domains": ["general-business"],
    "unfamiliar_budget": 0.02,
    "weights": {"clarity": 1, "jargon": 1, "depth": 1, "structure": 1},
    "categories": {"behavioural": 2, "values": 1},
    "followups": {"plain_words": "everyday_words"},
    "opening": ["Hi, I'm your coach."],
    "closing": ["Thanks!"],
}


def write(tmp_path: Path, name: str = "coach", **changes: Any) -> Path:
    data = {**VALID, **changes}
    f = tmp_path / f"{name}.yaml"
    f.write_text(yaml.safe_dump(data), encoding="utf-8")
    return f


def test_the_three_personas_load() -> None:
    personas = load_personas(Settings().personas_dir)
    assert set(personas) >= {"ml_expert", "backend_engineer", "recruiter"}


def test_a_dropped_in_file_is_a_new_persona(tmp_path: Path) -> None:
    write(tmp_path)
    assert load_personas(tmp_path)["coach"].audience == "non_technical"


def test_unknown_key_is_an_error_naming_the_field(tmp_path: Path) -> None:
    with pytest.raises(PersonaError, match=r"coach.yaml.*mood"):
        load_persona_file(write(tmp_path, mood="grumpy"))


def test_bad_value_and_mismatched_id(tmp_path: Path) -> None:
    with pytest.raises(PersonaError, match="audience"):
        load_persona_file(write(tmp_path, audience="aliens"))
    with pytest.raises(PersonaError, match=r"weights\.depth"):
        load_persona_file(write(tmp_path, weights={"clarity": 1, "jargon": 1, "structure": 1}))
    with pytest.raises(PersonaError, match="must match the file name"):
        load_persona_file(write(tmp_path, name="other"))


def test_bad_category_and_follow_up_mode_are_named(tmp_path: Path) -> None:
    with pytest.raises(PersonaError, match="categories"):
        load_persona_file(write(tmp_path, categories={"cooking": 1}))
    with pytest.raises(PersonaError, match=r"followups\.plain_words"):
        load_persona_file(write(tmp_path, followups={"plain_words": "shout"}))
    with pytest.raises(PersonaError, match=r"phrases\.probe"):
        load_persona_file(write(tmp_path, phrases={"probe": "not a list"}))


def test_unknown_persona_lists_the_choices() -> None:
    with pytest.raises(PersonaError, match="backend_engineer, ml_expert, recruiter"):
        get_persona(Settings().personas_dir, "pirate")
