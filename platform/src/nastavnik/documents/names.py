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

from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, NamePart
from pytrovich.enums import Gender as PetrovichGender
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

# Turkic patronymics are written «Лутфияр кызы», «Али оглы»: the particle tells the gender and
# stays in lower case whatever the input looked like.
_FEMALE_PARTICLES = frozenset({"кызы", "гызы", "қызы"})
_MALE_PARTICLES = frozenset({"оглы", "улы", "уулу", "оғлу"})
_LOWER_CASE_WORDS = _FEMALE_PARTICLES | _MALE_PARTICLES

_SPACES = re.compile(r"\s+")
_SPACED_HYPHEN = re.compile(r"\s*-\s*")


@cache
def _maker() -> PetrovichDeclinationMaker:
    # Parsing and indexing the rules takes a noticeable moment: once per process, on first use.
    return PetrovichDeclinationMaker()


@cache
def _detector() -> PetrovichGenderDetector:
    return PetrovichGenderDetector()


def _normalise_word(word: str) -> str:
    """One hyphen-free word in the style of a normal name: «ИВАНОВ», «иванов» → «Иванов»."""
    lowered = word.lower()
    if lowered in _LOWER_CASE_WORDS:
        return lowered
    # Mixed case someone typed on purpose («ДеЛонг») is kept; only all-upper or all-lower is fixed.
    if word.isupper() or word.islower():
        return word[:1].upper() + word[1:].lower()
    return word


def normalise_name_part(text: str | None) -> str:
    """A name part with single spaces, tight hyphens, composed «ё» and title-cased words."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)  # «е» + combining diaeresis is one «ё»
    text = _SPACES.sub(" ", text).strip()
    text = _SPACED_HYPHEN.sub("-", text).strip("-")
    return " ".join("-".join(_normalise_word(piece) for piece in word.split("-")) for word in text.split(" "))


def _gender_by_patronymic(middle_name: str) -> Gender | None:
    lowered = middle_name.lower()
    words = lowered.split(" ")
    if words[-1] in _FEMALE_PARTICLES:
        return Gender.FEMALE
    if words[-1] in _MALE_PARTICLES:
        return Gender.MALE
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


def _initial(word: str) -> str:
    """«Галина» → «Г.», «Анна-Мария» → «А.-М.»."""
    return "-".join(f"{piece[0].upper()}." for piece in word.split(" ")[0].split("-") if piece)


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
        object.__setattr__(self, "middle_name", normalise_name_part(self.middle_name) or None)

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
        target = _PETROVICH_CASE[case]
        try:
            gender = self.gender
            if gender is Gender.UNKNOWN:
                as_male = _maker().make(part, PetrovichGender.MALE, target, value)
                as_female = _maker().make(part, PetrovichGender.FEMALE, target, value)
                declined = as_male if as_male == as_female else value
            else:
                declined = _maker().make(part, _PETROVICH_GENDER[gender], target, value)
        except Exception:  # unknown shapes of names must fall back, never fail a document
            logger.debug("declension failed for %r (%s)", value, case, exc_info=True)
            return value
        return declined if isinstance(declined, str) and declined else value

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
