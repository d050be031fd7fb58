"""Russian names in the six cases: literal expectations a teacher would check an order against."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from nastavnik.domain.documents import names
from nastavnik.domain.documents.names import Gender, GrammaticalCase, PersonName

NOM = GrammaticalCase.NOMINATIVE
GEN = GrammaticalCase.GENITIVE
DAT = GrammaticalCase.DATIVE
ACC = GrammaticalCase.ACCUSATIVE
INS = GrammaticalCase.INSTRUMENTAL
PRE = GrammaticalCase.PREPOSITIONAL


@pytest.mark.parametrize(
    ("last", "first", "middle", "case", "expected"),
    [
        # a woman, all six cases
        ("Сидорова", "Галина", "Петровна", NOM, "Сидорова Галина Петровна"),
        ("Сидорова", "Галина", "Петровна", GEN, "Сидоровой Галины Петровны"),
        ("Сидорова", "Галина", "Петровна", DAT, "Сидоровой Галине Петровне"),
        ("Сидорова", "Галина", "Петровна", ACC, "Сидорову Галину Петровну"),
        ("Сидорова", "Галина", "Петровна", INS, "Сидоровой Галиной Петровной"),
        ("Сидорова", "Галина", "Петровна", PRE, "Сидоровой Галине Петровне"),
        # a man, all six cases
        ("Петров", "Павел", "Иванович", NOM, "Петров Павел Иванович"),
        ("Петров", "Павел", "Иванович", GEN, "Петрова Павла Ивановича"),
        ("Петров", "Павел", "Иванович", DAT, "Петрову Павлу Ивановичу"),
        ("Петров", "Павел", "Иванович", ACC, "Петрова Павла Ивановича"),
        ("Петров", "Павел", "Иванович", INS, "Петровым Павлом Ивановичем"),
        ("Петров", "Павел", "Иванович", PRE, "Петрове Павле Ивановиче"),
        # double surnames: each part declines
        ("Салтыков-Щедрин", "Михаил", "Евграфович", GEN, "Салтыкова-Щедрина Михаила Евграфовича"),
        ("Салтыков-Щедрин", "Михаил", "Евграфович", INS, "Салтыковым-Щедриным Михаилом Евграфовичем"),
        ("Римская-Корсакова", "Анна", "Петровна", ACC, "Римскую-Корсакову Анну Петровну"),
        # ё stays ё, and «Пётр» loses it where Russian does
        ("Королёв", "Сергей", "Павлович", DAT, "Королёву Сергею Павловичу"),
        ("Семёнов", "Фёдор", None, GEN, "Семёнова Фёдора"),
        ("Дурново", "Пётр", "Николаевич", GEN, "Дурново Петра Николаевича"),
        # no patronymic
        ("Ёлкина", "Алёна", None, INS, "Ёлкиной Алёной"),
        # indeclinable surnames
        ("Шевченко", "Тарас", "Григорьевич", DAT, "Шевченко Тарасу Григорьевичу"),
        ("Шевченко", "Анна", "Ивановна", INS, "Шевченко Анной Ивановной"),
        ("Черных", "Ольга", "Сергеевна", GEN, "Черных Ольги Сергеевны"),
        ("Черных", "Иван", "Сергеевич", PRE, "Черных Иване Сергеевиче"),
        ("Дурново", "Пётр", "Николаевич", INS, "Дурново Петром Николаевичем"),
        # a consonant-final surname declines for a man, not for a woman
        ("Ковальчук", "Мария", "Ивановна", GEN, "Ковальчук Марии Ивановны"),
        ("Ковальчук", "Мария", "Ивановна", DAT, "Ковальчук Марии Ивановне"),
        ("Ковальчук", "Олег", "Иванович", GEN, "Ковальчука Олега Ивановича"),
        ("Ковальчук", "Олег", "Иванович", INS, "Ковальчуком Олегом Ивановичем"),
        # soft signs, fleeting vowels, -ична and -ич patronymics
        ("Кузьмина", "Любовь", "Ильинична", ACC, "Кузьмину Любовь Ильиничну"),
        ("Кузьмина", "Любовь", "Ильинична", INS, "Кузьминой Любовью Ильиничной"),
        ("Ильин", "Никита", "Ильич", INS, "Ильиным Никитой Ильичом"),
        ("Лебедь", "Александр", "Иванович", GEN, "Лебедя Александра Ивановича"),
        ("Гусь", "Лев", "Ильич", DAT, "Гусю Льву Ильичу"),
        ("Толстая", "Софья", "Андреевна", PRE, "Толстой Софье Андреевне"),
        # Turkic patronymics: the father's name declines as a man's first name, the particle never
        ("Эльчин", "Руслан", "Эльчин оглы", GEN, "Эльчина Руслана Эльчина оглы"),
        ("Алиев", "Руслан", "Эльчин оглы", INS, "Алиевым Русланом Эльчином оглы"),
        ("Алиев", "Руслан", "Эльчин-оглы", DAT, "Алиеву Руслану Эльчину-оглы"),
        ("Алиева", "Арзу", "Лутфияр кызы", DAT, "Алиевой Арзу Лутфияру кызы"),
        ("Гасанова", "Лейла", "Эльчин гызы", GEN, "Гасановой Лейлы Эльчина гызы"),
        ("Нурланов", "Бауыржан", "Ерлан улы", ACC, "Нурланова Бауыржана Ерлана улы"),
        ("Асанов", "Бакыт", "Эрлан уулу", GEN, "Асанова Бакыта Эрлана уулу"),
        ("Мамедов", "Рашид", "Али оглы", GEN, "Мамедова Рашида Али оглы"),
        # each part of a double surname declines as a surname of its own
        ("Иванова-Ковальчук", "Мария", "Петровна", GEN, "Ивановой-Ковальчук Марии Петровны"),
        ("Ковальчук-Иванова", "Мария", "Петровна", INS, "Ковальчук-Ивановой Марией Петровной"),
        ("Шевченко-Петров", "Олег", "Ильич", GEN, "Шевченко-Петрова Олега Ильича"),
        ("Петров-Водкин", "Кузьма", "Сергеевич", DAT, "Петрову-Водкину Кузьме Сергеевичу"),
        # ё everywhere it is written
        ("Ковалёв", "Артём", "Семёнович", INS, "Ковалёвым Артёмом Семёновичем"),
        ("Соловьёва", "Алёна", "Фёдоровна", GEN, "Соловьёвой Алёны Фёдоровны"),
    ],
)
def test_full_name_in_case(
    last: str, first: str, middle: str | None, case: GrammaticalCase, expected: str
) -> None:
    assert PersonName(last, first, middle).full(case) == expected


def test_the_order_sentence() -> None:
    mentor = PersonName("Сидорова", "Галина", "Петровна")
    sentence = f"назначить наставником {mentor.full(GrammaticalCase.ACCUSATIVE)}"
    assert sentence == "назначить наставником Сидорову Галину Петровну"


def test_case_may_be_given_as_text() -> None:
    assert PersonName("Сидорова", "Галина", "Петровна").full("dative") == "Сидоровой Галине Петровне"  # type: ignore[arg-type]


def test_short_and_initials() -> None:
    name = PersonName("Сидорова", "Галина", "Петровна")
    assert name.short(GEN) == "Сидоровой Г. П."
    assert name.short() == "Сидорова Г. П."
    assert name.initials_first() == "Г. П. Сидорова"
    assert PersonName("Семёнов", "Фёдор").short(DAT) == "Семёнову Ф."
    assert PersonName("Салтыков-Щедрин", "Михаил", "Евграфович").initials_first() == "М. Е. Салтыков-Щедрин"
    assert PersonName("Ковальчук", "Анна-Мария").initials_first() == "А.-М. Ковальчук"


def test_capitalisation_and_spaces_are_normalised() -> None:
    assert PersonName("СИДОРОВА", "ГАЛИНА", "ПЕТРОВНА").full(ACC) == "Сидорову Галину Петровну"
    assert PersonName("сидорова", "галина", "петровна").full(NOM) == "Сидорова Галина Петровна"
    odd = PersonName("  салтыков -  ЩЕДРИН ", " михаил", "  евграфович  ")
    assert odd.full(GEN) == "Салтыкова-Щедрина Михаила Евграфовича"
    assert odd == PersonName("Салтыков-Щедрин", "Михаил", "Евграфович")
    assert PersonName("АЛИЕВА", "АРЗУ", "ЛУТФИЯР  КЫЗЫ").full(NOM) == "Алиева Арзу Лутфияр кызы"
    assert PersonName("алиев", "руслан", "ЭЛЬЧИН - ОГЛЫ").full(GEN) == "Алиева Руслана Эльчина-оглы"
    # a particle is lower case only in a patronymic: a surname or a first name keeps its capital
    assert PersonName("ГУСЕЙН-ОГЛЫ", "АХМЕД", "РАШИД ОГЛЫ").full(NOM) == "Гусейн-Оглы Ахмед Рашид оглы"
    assert PersonName("Гусейн-Оглы", "Ахмед", "Рашид оглы").full(GEN) == "Гусейна-Оглы Ахмеда Рашида оглы"
    assert PersonName("ДеЛонг", "Анна").last_name == "ДеЛонг"  # deliberate mixed case is kept


def test_combining_diaeresis_is_one_letter() -> None:
    name = PersonName("Корол\u0435\u0308в", "П\u0435\u0308тр", "Сергеевич")
    assert name.last_name == "Королёв"
    assert name.full(GEN) == "Королёва Петра Сергеевича"


def test_empty_patronymic_is_none() -> None:
    assert PersonName("Семёнов", "Фёдор", "  ").middle_name is None
    assert PersonName("Семёнов", "Фёдор", "").full(INS) == "Семёновым Фёдором"


def test_gender() -> None:
    assert PersonName("Черных", "Ольга", "Сергеевна").gender is Gender.FEMALE
    assert PersonName("Черных", "Олег", "Сергеевич").gender is Gender.MALE
    assert PersonName("Алиева", "Арзу", "Лутфияр кызы").gender is Gender.FEMALE
    assert PersonName("Мамедов", "Рашид", "Али оглы").gender is Gender.MALE
    assert PersonName("Алиев", "Руслан", "Эльчин-оглы").gender is Gender.MALE
    assert PersonName("Гасанова", "Лейла", "Эльчин гызы").gender is Gender.FEMALE
    assert PersonName("Ковальчук", "Мария").gender is Gender.FEMALE  # by the first name
    assert PersonName("Иванова", "Саша").gender is Gender.FEMALE  # by the surname
    assert PersonName("Ковальчук", "Саша").gender is Gender.UNKNOWN


def test_unknown_gender_declines_only_what_is_safe() -> None:
    # «Ковальчук» would decline only for a man: with no way to tell, it stays as written.
    assert PersonName("Ковальчук", "Саша").full(GEN) == "Ковальчук Саши"
    assert PersonName("Белых", "Женя").full(DAT) == "Белых Жене"


def test_unknown_names_fall_back_to_the_nominative() -> None:
    assert PersonName("Smith", "John").full(GEN) == "Smith John"
    assert PersonName("", "").full(DAT) == ""
    assert PersonName("", "").short(DAT) == ""
    assert PersonName("Иванов", "").full(GEN) == "Иванова"


@given(
    st.text(max_size=30),
    st.text(max_size=30),
    st.none() | st.text(max_size=30),
    st.sampled_from(GrammaticalCase),
)
def test_never_raises(last: str, first: str, middle: str | None, case: GrammaticalCase) -> None:
    name = PersonName(last, first, middle)
    parts = [part for part in (name.last_name, name.first_name, name.middle_name or "") if part]
    # The nominative is the name as given (normalised); no case loses or invents a part.
    assert name.full() == " ".join(parts)
    assert bool(name.full(case)) == bool(parts)
    assert name.short(case).startswith(name.last(case))
    assert name.initials_first().endswith(name.last_name)
    assert name.initials_first().startswith(name.initials())


def test_rule_engines_are_built_once() -> None:
    assert names._maker() is names._maker()
    assert names._detector() is names._detector()
