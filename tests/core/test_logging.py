"""Logs are JSON lines in production and readable lines in development."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from nastavnik.logging import configure_logging
from nastavnik.settings import Mode, Settings


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_production_logs_are_json(restore_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(mode=Mode.PRODUCTION))
    logging.getLogger("nastavnik.test").warning("проверка %s", "журнала")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["event"] == "проверка журнала"
    assert record["level"] == "warning"
    assert record["logger"] == "nastavnik.test"
    assert "timestamp" in record


def test_development_logs_are_readable(restore_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(mode=Mode.DEVELOPMENT))
    logging.getLogger("nastavnik.test").warning("читаемая строка")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert "читаемая строка" in line
    assert not line.startswith("{")
