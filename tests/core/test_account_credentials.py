"""Logins people type from paper and one-time passwords that are sealed for one person only."""

from __future__ import annotations

import re
import uuid

from pydantic import SecretStr

from nastavnik.domain.accounts import one_time_passwords
from nastavnik.domain.accounts.usernames import transliterate, username_base, username_candidate
from nastavnik.settings import Settings


def test_names_are_transliterated_as_in_passports() -> None:
    assert transliterate("Щукина-Ёлкина") == "shchukina-elkina"
    assert transliterate("Юрьев") == "iurev"
    assert transliterate("Хабибуллина Зульфия") == "khabibullina-zulfiia"
    assert username_base("Соколова", "Мария") == "sokolova.m"
    assert username_base("O'Brien", "Шон") == "o-brien.s"
    assert username_base("Ли", "") == "li"
    assert username_base("李", "明") == "user"


def test_a_login_gets_a_suffix_without_lookalikes() -> None:
    logins = {username_candidate("sokolova.m") for _ in range(200)}
    assert all(re.fullmatch(r"sokolova\.m\.[2-9a-hjkmnp-z]{4}", login) for login in logins)
    assert len(logins) > 190  # random: 31**4 = 923,521 suffixes


def test_one_time_passwords_are_long_mixed_and_unambiguous() -> None:
    passwords = [one_time_passwords.generate() for _ in range(200)]
    for password in passwords:
        assert re.fullmatch(r"[A-HJ-NP-Za-km-z2-9]{12}", password)
        assert re.search(r"[A-Z]", password)
        assert re.search(r"[a-z]", password)
        assert re.search(r"\d", password)
    assert len(set(passwords)) == 200


def test_a_sealed_password_opens_only_for_its_person_and_key() -> None:
    settings = Settings(secret_key=SecretStr("k" * 40))
    org, batch, person, other = (uuid.uuid4() for _ in range(4))
    sealed = one_time_passwords.seal(settings, org, batch, person, "Xk7mPq3rWz9t")
    assert b"Xk7mPq3rWz9t" not in sealed
    assert one_time_passwords.unseal(settings, org, batch, person, sealed) == "Xk7mPq3rWz9t"
    assert one_time_passwords.unseal(settings, org, batch, other, sealed) is None
    assert (
        one_time_passwords.unseal(Settings(secret_key=SecretStr("z" * 40)), org, batch, person, sealed)
        is None
    )
    assert one_time_passwords.unseal(settings, org, batch, person, b"not base64!") is None
