"""The taxpayer number (ИНН) and its check digits, by the algorithm of the Federal Tax Service (ФНС).

A legal entity's ИНН has 10 digits, the last a check digit over the first nine; an individual's (an
individual entrepreneur's) has 12, the last two check digits. Organisations of the platform are legal
entities; an enterprise a college works with may be either (``valid_inn``, public for plugins).
"""

from __future__ import annotations

LEGAL_ENTITY_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INDIVIDUAL_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INDIVIDUAL_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def with_inn_check_digit(first_nine: str) -> str:
    """A legal entity's 10-digit ИНН: nine digits and the check digit of the ФНС algorithm."""
    return first_nine + _check_digit(first_nine, LEGAL_ENTITY_WEIGHTS)


def with_individual_inn_check_digits(first_ten: str) -> str:
    """An individual's 12-digit ИНН: ten digits and the two check digits of the ФНС algorithm."""
    eleven = first_ten + _check_digit(first_ten, INDIVIDUAL_WEIGHTS_11)
    return eleven + _check_digit(eleven, INDIVIDUAL_WEIGHTS_12)


def valid_inn(inn: str, *, individual: bool = True) -> bool:
    """Whether ``inn`` is an ИНН with correct check digits: 10 digits of a legal entity, or, unless
    ``individual`` is false, 12 digits of an individual entrepreneur. Only ASCII digits count."""
    if not (inn.isascii() and inn.isdigit()):
        return False
    if len(inn) == 10:
        return with_inn_check_digit(inn[:9]) == inn
    return individual and len(inn) == 12 and with_individual_inn_check_digits(inn[:10]) == inn
