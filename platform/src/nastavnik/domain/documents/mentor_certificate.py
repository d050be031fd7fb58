"""«Свидетельство наставника»: the courses one mentor took, issued by their organisation.

A template sees ``organisation_full_name``, ``organisation_short_name`` (in the genitive, as in every
document), ``issued_on``, ``mentor`` (a name the case filters decline: «выдано {{ mentor|dat }}»),
``gender`` (male, female or unknown), ``pronoun`` and ``passed`` («он прошёл», «она прошла» or «он(а)
прошёл(-ла)», agreeing with the mentor), ``trainings`` (each with ``course``, ``provider``, ``hours``,
``started_on``, ``finished_on`` and ``certificate_no``, possibly None), ``hours`` (all of them together),
``director`` and ``curator`` (None when nobody holds the role: the signature line stays blank).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from nastavnik.domain.documents.docx import render
from nastavnik.domain.documents.kinds import default_template
from nastavnik.domain.documents.names import Gender, PersonName
from nastavnik.domain.documents.organisation_names import organisation_genitive

TEMPLATE = "mentor_certificate"
PASSED = {Gender.MALE: ("он", "прошёл"), Gender.FEMALE: ("она", "прошла")}
UNKNOWN = ("он(а)", "прошёл(-ла)")


@dataclass(frozen=True)
class TrainingLine:
    course: str
    provider: str
    hours: int
    started_on: date
    finished_on: date
    certificate_no: str | None


@dataclass(frozen=True)
class MentorCertificateData:
    organisation_full_name: str
    organisation_short_name: str
    issued_on: date
    mentor: PersonName
    trainings: list[TrainingLine]
    director: PersonName | None
    curator: PersonName | None


def certificate_context(data: MentorCertificateData) -> dict[str, Any]:
    return {
        "organisation_full_name": data.organisation_full_name,
        "organisation_short_name": organisation_genitive(data.organisation_short_name),
        "issued_on": data.issued_on,
        "mentor": data.mentor,
        "gender": data.mentor.gender.value,
        "pronoun": PASSED.get(data.mentor.gender, UNKNOWN)[0],
        "passed": PASSED.get(data.mentor.gender, UNKNOWN)[1],
        "trainings": [asdict(line) for line in data.trainings],
        "hours": sum(line.hours for line in data.trainings),
        "director": data.director,
        "curator": data.curator,
    }


def render_mentor_certificate(data: MentorCertificateData, template: bytes | Path | None = None) -> bytes:
    """The certificate as .docx bytes; ``TemplateBroken`` if a supplied template cannot be filled."""
    return render(default_template(TEMPLATE) if template is None else template, certificate_context(data))
