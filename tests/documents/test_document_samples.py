"""The sample data every upload is tried with, and the kindergartens plugin's committed template."""

from __future__ import annotations

import importlib.util
from importlib.resources import files
from pathlib import Path
from types import ModuleType

import pytest

from nastavnik.domain.documents.kinds import DOCUMENT_TITLES, default_template
from nastavnik.domain.documents.samples import ORGANISATION, SAMPLES, render_sample
from nastavnik_dev.documents import build_templates
from tests.support.office import docx_text

ROOT = Path(__file__).resolve().parents[2]
KINDERGARTENS = ROOT / "plugins" / "kindergartens"


def build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "kindergartens_build_templates", KINDERGARTENS / "scripts" / "build_templates.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("code", list(DOCUMENT_TITLES))
def test_every_standard_template_fills_with_its_sample_data(code: str) -> None:
    # The standard templates pass the check a region's upload must pass.
    assert ORGANISATION in docx_text(render_sample(code, default_template(code)))


def test_every_document_code_has_a_sample_and_a_standard_template() -> None:
    folder = Path(str(files("nastavnik.domain.documents") / "templates"))
    templates = {p.stem for p in folder.glob("*.docx")}
    assert templates == set(DOCUMENT_TITLES)
    assert set(SAMPLES) == set(DOCUMENT_TITLES)


def test_the_kindergarten_order_is_its_build_scripts_output() -> None:
    committed = (KINDERGARTENS / "src/nastavnik_kindergartens/documents/pairs_formation.docx").read_bytes()
    assert build_templates.build("pairs_formation", build_script().BUILDERS) == committed, (
        "run uv run python plugins/kindergartens/scripts/build_templates.py"
    )


def test_the_kindergarten_order_reads_as_a_preschools() -> None:
    path = KINDERGARTENS / "src/nastavnik_kindergartens/documents/pairs_formation.docx"
    text = docx_text(render_sample("pairs_formation", path.read_bytes()))
    assert "О формировании наставнических пар (групп) педагогических работников" in text
    assert "Положением о наставничестве педагогических работников МБОУ «СШ № 1»" in text
    assert "4. Контроль за исполнением приказа возложить на заместителя директора" in text
    assert "Заведующий ____________ П. И. Иванов" in text
    # The sample group: Сидорова and her two young teachers, the term 01.09.2026 – 31.05.2027.
    assert "Сидорова Галина Петровна" in text
    assert "Петров Иван Сергеевич, Ёлкина Алёна Игоревна (молодые специалисты)" in text
    assert "01.09.2026 – 31.05.2027" in text
    assert "обучающ" not in text.lower()
