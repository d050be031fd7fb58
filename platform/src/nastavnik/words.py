"""Russian words that agree with a number; shared by pages and generated documents."""

from __future__ import annotations


def plural_form(n: int, one: str, few: str, many: str) -> str:
    """The noun form that agrees with ``n``: 1, 21, 101 пара; 2–4, 22 пары; 5–20, 11–14, 111 пар."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
