"""«Благодарственное письмо» to every mentor of a completed pair: one .docx, a page per mentor.

A template sees ``organisation_full_name``, ``organisation_short_name`` (it reads after
«Администрация», so it is given in the genitive where that is safe; an abbreviation stays as
written), ``academic_year_title``,
``issued_on``, ``director`` and ``letters``; each letter has ``mentor`` (a name the case filters
decline), ``mentees`` (the people of the mentor's completed pairs), ``address`` («Галина
Петровна», as the greeting names a person), ``gender`` (male, female or unknown) and
``female``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

from nastavnik.domain.documents.docx import render
from nastavnik.domain.documents.names import Gender, PersonName
from nastavnik.domain.documents.organisation_names import organisation_genitive

TEMPLATE = "thank_you_letters"


@dataclass(frozen=True)
class Letter:
    mentor: PersonName
    mentees: list[PersonName]


@dataclass(frozen=True)
class LettersData:
    organisation_full_name: str
    organisation_short_name: str
    academic_year_title: str
    issued_on: date
    director: PersonName | None
    letters: list[Letter]


def default_template() -> bytes:
    return (files("nastavnik.domain.documents") / "templates" / f"{TEMPLATE}.docx").read_bytes()


def _letter(letter: Letter) -> dict[str, Any]:
    mentor = letter.mentor
    return {
        "mentor": mentor,
        "mentees": letter.mentees,
        # A greeting names the first name and the patronymic; a person without one, by first name.
        "address": " ".join(part for part in (mentor.first_name, mentor.middle_name or "") if part),
        "gender": mentor.gender.value,
        "female": mentor.gender is Gender.FEMALE,
    }


def letters_context(data: LettersData) -> dict[str, Any]:
    return {
        "organisation_full_name": data.organisation_full_name,
        "organisation_short_name": organisation_genitive(data.organisation_short_name),
        "academic_year_title": data.academic_year_title,
        "issued_on": data.issued_on,
        "director": data.director,
        "letters": [_letter(letter) for letter in data.letters],
    }


def render_letters(data: LettersData, template: bytes | Path | None = None) -> bytes:
    """The letters as .docx bytes; ``TemplateBroken`` if a supplied template cannot be filled."""
    return render(default_template() if template is None else template, letters_context(data))
