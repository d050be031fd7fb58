"""An organisation's name where a document reads it in the genitive («Положением о наставничестве …»,
«Администрация …»).

A name led by an abbreviation or a quoted proper name («МБОУ «Гимназия № 2»», «“Радуга”») is an
apposition and stays exactly as written: declining the quoted part («МБОУ «Гимназии № 2»») is the
mistake the documents must not make. A name led by a common noun («Гимназия № 2», «Средняя школа
№ 1», «Детский сад «Солнышко»») declines its leading adjectives and noun, and only when the noun
is one of the kinds of institution known below; anything else is left as written, because a
wrongly declined name in an order is worse than an undeclined one.
"""

from __future__ import annotations

import re

# The institution's noun in the nominative → the genitive.
_NOUNS = {
    "школа": "школы",
    "гимназия": "гимназии",
    "лицей": "лицея",
    "колледж": "колледжа",
    "техникум": "техникума",
    "училище": "училища",
    "интернат": "интерната",
    "центр": "центра",
    "сад": "сада",
    "учреждение": "учреждения",
    "академия": "академии",
    "корпус": "корпуса",
    "комплекс": "комплекса",
    "организация": "организации",
}
# Adjective endings, nominative → genitive («средняя» → «средней», «детский» → «детского»).
_ADJECTIVE_ENDINGS = (
    ("ая", "ой"),
    ("яя", "ей"),
    ("ый", "ого"),
    ("ой", "ого"),
    ("ий", "его"),  # «средний» → «среднего»; «детский» is fixed below
    ("ое", "ого"),
    ("ее", "его"),
)
# After к, г, х, ж, ш, ч, щ the «-ий» adjective takes «-ого» («детского», «городского»).
_HARD_BEFORE_II = re.compile(r"[кгхжшчщ]ий$")
_ABBREVIATION = re.compile(r"^[А-ЯЁA-Z]{2,}$")


def _match_case(original: str, declined: str) -> str:
    if original.isupper() and len(original) > 1:
        return declined.upper()
    if original[:1].isupper():
        return declined[:1].upper() + declined[1:]
    return declined


def _noun(word: str) -> str | None:
    """«школа-интернат» → «школы-интерната»; None if a piece is not a known institution."""
    pieces = word.lower().split("-")
    if not all(piece in _NOUNS for piece in pieces):
        return None
    return _match_case(word, "-".join(_NOUNS[piece] for piece in pieces))


def _adjective(word: str) -> str | None:
    lowered = word.lower()
    if len(lowered) < 4 or not lowered.isalpha():
        return None
    if _HARD_BEFORE_II.search(lowered):
        return _match_case(word, lowered[:-2] + "ого")
    for ending, genitive in _ADJECTIVE_ENDINGS:
        if lowered.endswith(ending):
            return _match_case(word, lowered[: -len(ending)] + genitive)
    return None


def organisation_genitive(name: str) -> str:
    """The name as it reads after «Положением о наставничестве»: declined only where that is safe."""
    words = name.split(" ")
    if not words or not words[0] or _ABBREVIATION.match(words[0]) or not words[0][:1].isalpha():
        return name  # «МБОУ «Гимназия № 2»», «“Радуга”», «№ 5»: an apposition, as written
    declined: list[str] = []
    for n, word in enumerate(words):
        noun = _noun(word)
        if noun is not None:
            return " ".join([*declined, noun, *words[n + 1 :]])
        adjective = _adjective(word)
        if adjective is None:
            return name  # not «adjectives + a known noun»: leave the name as its owner wrote it
        declined.append(adjective)
    return name
