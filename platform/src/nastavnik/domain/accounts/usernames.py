"""Logins people can read off a sheet and type: the transliterated name and a short random suffix.

Transliteration follows the table Russian passports use (order of the Ministry of Internal Affairs,
after ICAO Doc 9303): «Соколова Мария» → ``sokolova.m``, then a suffix such as ``.k7p2`` keeps the
login unique in the realm and hard to guess from the name alone.
"""

from __future__ import annotations

import secrets

TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
# No 0/o, 1/l/i: a suffix is copied by hand from paper.
SUFFIX_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
SUFFIX_LENGTH = 4
LAST_NAME_MAX = 30


def transliterate(text: str) -> str:
    """Latin letters for a Russian name; Latin letters and digits pass, everything else becomes ``-``."""
    out = []
    for char in text.lower():
        if char in TRANSLIT:
            out.append(TRANSLIT[char])
        elif char.isascii() and char.isalnum():
            out.append(char)
        else:
            out.append("-")
    return "-".join(part for part in "".join(out).split("-") if part)


def username_base(last_name: str, first_name: str) -> str:
    """``sokolova.m`` for «Соколова Мария»; a name with nothing to transliterate gives ``user``."""
    last = transliterate(last_name)[:LAST_NAME_MAX].strip("-")
    first = transliterate(first_name)[:1]
    if not last:
        return "user"
    return f"{last}.{first}" if first else last


def username_candidate(base: str) -> str:
    suffix = "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))
    return f"{base}.{suffix}"
