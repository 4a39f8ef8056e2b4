"""Personas are validated data: the shipped ones load; a bad file names its problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.config import Settings
from interviewer.personas import PersonaError, get_persona, load_persona_file, load_personas


def test_the_three_personas_load() -> None:
    personas = load_personas(Settings().personas_dir)
    assert set(personas) >= {"ml_expert", "backend_engineer", "recruiter"}


def test_unknown_key_is_an_error_naming_the_field(tmp_path: Path) -> None:
    f = tmp_path / "coach.yaml"
    f.write_text(
        "id: coach\nname: C\nrole: Coach\ndescription: d\naudience: non_technical\nmood: grumpy\n",
        encoding="utf-8",
    )
    with pytest.raises(PersonaError, match=r"coach.yaml.*mood"):
        load_persona_file(f)


def test_bad_value_and_mismatched_id(tmp_path: Path) -> None:
    f = tmp_path / "coach.yaml"
    f.write_text(
        "id: coach\nname: C\nrole: R\ndescription: d\naudience: aliens\n", encoding="utf-8"
    )
    with pytest.raises(PersonaError, match="audience"):
        load_persona_file(f)
    g = tmp_path / "other.yaml"
    g.write_text(
        "id: coach\nname: C\nrole: R\ndescription: d\naudience: ml_expert\n", encoding="utf-8"
    )
    with pytest.raises(PersonaError, match="must match the file name"):
        load_persona_file(g)


def test_unknown_persona_lists_the_choices() -> None:
    with pytest.raises(PersonaError, match="backend_engineer, ml_expert, recruiter"):
        get_persona(Settings().personas_dir, "pirate")
