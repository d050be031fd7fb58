"""Russian personal names in the six grammatical cases, for the documents the platform fills.

Declension follows the petrovich rules (pytrovich). The rules need the person's gender; a
patronymic tells it for certain, the first name usually does. Where neither does, a surname
is declined only if its male and female declensions agree («Белых», «Саша» are safe; «Ковальчук»
is not and stays as written), because a wrongly declined surname in an order is worse than an
undeclined one. Nothing here raises on a strange name: the nominative is the fallback.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, cached_property
from typing import Protocol

from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, Gender as PetrovichGender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker

logger = logging.getLogger(__name__)


class GrammaticalCase(StrEnum):
    NOMINATIVE = "nominative"  # именительный: кто?
    GENITIVE = "genitive"  # родительный: кого?
    DATIVE = "dative"  # дательный: кому?
    ACCUSATIVE = "accusative"  # винительный: кого?
    INSTRUMENTAL = "instrumental"  # творительный: кем?
    PREPOSITIONAL = "prepositional"  # предложный: о ком?


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"  # the rules cannot tell (Саша Белых): decline only what is safe either way


_PETROVICH_CASE: dict[GrammaticalCase, Case] = {
    GrammaticalCase.NOMINATIVE: Case.NOMINATIVE,
    GrammaticalCase.GENITIVE: Case.GENITIVE,
    GrammaticalCase.DATIVE: Case.DATIVE,
    GrammaticalCase.ACCUSATIVE: Case.ACCUSATIVE,
    GrammaticalCase.INSTRUMENTAL: Case.INSTRUMENTAL,
    GrammaticalCase.PREPOSITIONAL: Case.PREPOSITIONAL,
}

_PETROVICH_GENDER: dict[Gender, PetrovichGender] = {
    Gender.MALE: PetrovichGender.MALE,
    Gender.FEMALE: PetrovichGender.FEMALE,
}

# Turkic patronymics are written «Лутфияр кызы», «Эльчин оглы» (or «Эльчин-оглы»): the particle
# tells the gender and stays in lower case whatever the input looked like. Only the father's name
# before it declines, as a man's first name («Руслана Эльчина оглы»); the particle never does.
_FEMALE_PARTICLES = frozenset({"кызы", "гызы", "қызы"})
_MALE_PARTICLES = frozenset({"оглы", "улы", "уулу", "оғлу"})
_PARTICLES = _FEMALE_PARTICLES | _MALE_PARTICLES
_PARTICLE_AT_END = re.compile(r"^(?P<father>.+?)(?P<joint>[ -])(?P<particle>\w+)$")

_SPACES = re.compile(r"\s+")
_SPACED_HYPHEN = re.compile(r"\s*-\s*")


@cache
def _maker() -> PetrovichDeclinationMaker:
    # Parsing and indexing the rules takes a noticeable moment: once per process, on first use.
    return PetrovichDeclinationMaker()


@cache
def _detector() -> PetrovichGenderDetector:
    return PetrovichGenderDetector()


def _normalise_word(word: str, *, particle: bool = False) -> str:
    """One hyphen-free word in the style of a normal name: «ИВАНОВ», «иванов» → «Иванов».

    ``particle``: the word may be a patronymic's particle («ОГЛЫ» → «оглы»); only a patronymic's
    words after the first may be one, so a surname such as «Гусейн-Оглы» keeps its capital.
    """
    lowered = word.lower()
    if particle and lowered in _PARTICLES:
        return lowered
    # Mixed case someone typed on purpose («ДеЛонг») is kept; only all-upper or all-lower is fixed.
    if word.isupper() or word.islower():
        return word[:1].upper() + word[1:].lower()
    return word


def normalise_name_part(text: str | None, *, patronymic: bool = False) -> str:
    """A name part with single spaces, tight hyphens, composed «ё» and title-cased words.

    ``patronymic``: a Turkic particle after the first word is written in lower case.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)  # «е» + combining diaeresis is one «ё»
    text = _SPACES.sub(" ", text).strip()
    text = _SPACED_HYPHEN.sub("-", text).strip("-")
    pieces = [word.split("-") for word in text.split(" ")]
    return " ".join(
        "-".join(
            _normalise_word(piece, particle=patronymic and (i, j) != (0, 0)) for j, piece in enumerate(word)
        )
        for i, word in enumerate(pieces)
    )


def _turkic(middle_name: str) -> tuple[str, str, str] | None:
    """(father's name, joint, particle) of «Эльчин оглы» or «Эльчин-оглы»; None for any other."""
    found = _PARTICLE_AT_END.match(middle_name)
    if found is None or found["particle"].lower() not in _PARTICLES:
        return None
    return found["father"], found["joint"], found["particle"]


def _gender_by_patronymic(middle_name: str) -> Gender | None:
    lowered = middle_name.lower()
    turkic = _turkic(lowered)
    if turkic is not None:
        return Gender.FEMALE if turkic[2] in _FEMALE_PARTICLES else Gender.MALE
    if lowered.endswith(("вна", "чна")):  # Петровна, Ильинична, Фоминична
        return Gender.FEMALE
    if lowered.endswith("ич"):  # Петрович, Ильич
        return Gender.MALE
    return None


def _detect(**parts: str) -> Gender:
    try:
        found = _detector().detect(**parts)  # type: ignore[no-untyped-call]  # pytrovich leaves it untyped
    except Exception:  # a third-party rule engine: a strange name must not break a document
        logger.debug("gender detection failed for %r", parts, exc_info=True)
        return Gender.UNKNOWN
    if found == PetrovichGender.MALE:
        return Gender.MALE
    if found == PetrovichGender.FEMALE:
        return Gender.FEMALE
    return Gender.UNKNOWN


def _make(part: NamePart, gender: Gender, case: GrammaticalCase, value: str) -> str | None:
    """pytrovich's declension of one word, or None where it fails or gives nothing."""
    try:
        declined = _maker().make(part, _PETROVICH_GENDER[gender], _PETROVICH_CASE[case], value)
    except Exception:  # unknown shapes of names must fall back, never fail a document
        logger.debug("declension failed for %r (%s)", value, case, exc_info=True)
        return None
    return declined if isinstance(declined, str) and declined else None


def _initial(word: str) -> str:
    """«Галина» → «Г.», «Анна-Мария» → «А.-М.»."""
    return "-".join(f"{piece[0].upper()}." for piece in word.split(" ")[0].split("-") if piece)


class HasName(Protocol):
    """A record of a person as the platform keeps it: the three parts of the name, the patronymic optional."""

    @property
    def last_name(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def middle_name(self) -> str | None: ...


def name_of(person: HasName) -> PersonName:
    """The name of a person's record, to be declined in a document."""
    return PersonName(person.last_name, person.first_name, person.middle_name)


@dataclass(frozen=True)
class PersonName:
    """A person's name as written in the nominative; the parts are normalised on creation."""

    last_name: str
    first_name: str
    middle_name: str | None = None  # the patronymic; many people have none

    def __post_init__(self) -> None:
        # Frozen, so normalisation goes through object.__setattr__: two spellings of one name
        # («  ИВАНОВ » and «Иванов») are then one value.
        object.__setattr__(self, "last_name", normalise_name_part(self.last_name))
        object.__setattr__(self, "first_name", normalise_name_part(self.first_name))
        middle = normalise_name_part(self.middle_name, patronymic=True)
        object.__setattr__(self, "middle_name", middle or None)

    def __str__(self) -> str:
        return self.full()

    @cached_property
    def gender(self) -> Gender:
        if self.middle_name:
            by_patronymic = _gender_by_patronymic(self.middle_name)
            if by_patronymic is not None:
                return by_patronymic
        # The first name is the better witness: many surnames (Черных, Шевченко) tell nothing.
        if self.first_name:
            by_first_name = _detect(firstname=self.first_name)
            if by_first_name is not Gender.UNKNOWN:
                return by_first_name
        if self.last_name:
            return _detect(lastname=self.last_name)
        return Gender.UNKNOWN

    def _decline(self, part: NamePart, value: str, case: GrammaticalCase) -> str:
        if not value or case is GrammaticalCase.NOMINATIVE:
            return value
        if part is NamePart.LASTNAME and "-" in value:
            # A double surname is two surnames: each declines (or not) by its own rules, so
            # «Иванова-Ковальчук» gives «Ивановой-Ковальчук» whatever the rules make of the whole.
            return "-".join(self._decline(part, piece, case) for piece in value.split("-"))
        if part is NamePart.MIDDLENAME:
            turkic = _turkic(value)
            if turkic is not None:
                father, joint, particle = turkic
                first, _, rest = father.partition(" ")
                declined = _make(NamePart.FIRSTNAME, Gender.MALE, case, first) or first
                return " ".join(w for w in (declined, rest) if w) + joint + particle
        gender = self.gender
        if gender is Gender.UNKNOWN:
            as_male = _make(part, Gender.MALE, case, value)
            as_female = _make(part, Gender.FEMALE, case, value)
            return as_male if as_male is not None and as_male == as_female else value
        return _make(part, gender, case, value) or value

    def last(self, case: GrammaticalCase = GrammaticalCase.NOMINATIVE) -> str:
        return self._decline(NamePart.LASTNAME, self.last_name, GrammaticalCase(case))

    def full(self, case: GrammaticalCase = GrammaticalCase.NOMINATIVE) -> str:
        """«Сидорову Галину Петровну» for the accusative of «Сидорова Галина Петровна»."""
        case = GrammaticalCase(case)
        parts = [
            self._decline(NamePart.LASTNAME, self.last_name, case),
            self._decline(NamePart.FIRSTNAME, self.first_name, case),
            self._decline(NamePart.MIDDLENAME, self.middle_name or "", case),
        ]
        return " ".join(part for part in parts if part)

    def initials(self) -> str:
        """«Г. П.»: first name and patronymic initials; empty when there is no first name."""
        return " ".join(_initial(part) for part in (self.first_name, self.middle_name or "") if part)

    def short(self, case: GrammaticalCase = GrammaticalCase.NOMINATIVE) -> str:
        """«Сидоровой Г. П.»: the surname in the case, the initials after it."""
        return " ".join(part for part in (self.last(case), self.initials()) if part)

    def initials_first(self) -> str:
        """«Г. П. Сидорова», as under a signature."""
        return " ".join(part for part in (self.initials(), self.last_name) if part)
