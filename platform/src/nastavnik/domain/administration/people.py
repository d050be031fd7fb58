"""A staff member as an administrator types them: a name and a work e-mail, checked one way for the API, the
pages and the command line."""

from __future__ import annotations

from dataclasses import dataclass

from nastavnik.errors import FieldError
from nastavnik.models.people import clean_email

NAME_MAX = 100


@dataclass(frozen=True, slots=True)
class StaffPerson:
    last_name: str
    first_name: str
    middle_name: str | None
    email: str

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


def checked_person(
    errors: list[FieldError],
    last_name: str,
    first_name: str,
    middle_name: str | None,
    email: str,
    *,
    prefix: str = "",
) -> StaffPerson:
    """The person with spaces tidied; each mistake goes to ``errors`` under ``prefix`` + the field's name."""
    last, first = " ".join(last_name.split()), " ".join(first_name.split())
    middle = " ".join((middle_name or "").split()) or None
    if not last:
        errors.append(FieldError(f"{prefix}last_name", "укажите фамилию"))
    if not first:
        errors.append(FieldError(f"{prefix}first_name", "укажите имя"))
    for name, value in (("last_name", last), ("first_name", first), ("middle_name", middle or "")):
        if len(value) > NAME_MAX:
            errors.append(FieldError(f"{prefix}{name}", f"не длиннее {NAME_MAX} знаков"))
    address, mistake = clean_email(email)
    if address is None:
        errors.append(FieldError(f"{prefix}email", mistake or "укажите адрес электронной почты"))
    return StaffPerson(last, first, middle, address or "")
