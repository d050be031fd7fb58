"""«Дорожная карта внедрения целевой модели наставничества»: a programme's roadmap as .docx.

``render_roadmap`` fills the default template (built by ``nastavnik_dev.documents.build_roadmap_template``)
or one a plugin or the region supplies instead (``services.fill`` chooses). A template sees the
attributes of ``RoadmapData`` (its heading as every document has it, ``organisation_short_name`` in the
genitive), the stages each with its lines in the roadmap's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from nastavnik.domain.documents.docx import render
from nastavnik.domain.documents.heading import DocumentHeading, heading_context
from nastavnik.domain.documents.kinds import default_template

ROADMAP = "roadmap"


@dataclass(frozen=True)
class RoadmapLine:
    title: str
    due_on: date
    responsible: str
    result: str
    done: bool


@dataclass(frozen=True)
class RoadmapStage:
    number: int
    title: str
    lines: list[RoadmapLine]


@dataclass(frozen=True)
class RoadmapData(DocumentHeading):
    regime_title: str  # «наставничество обучающихся»
    # The Программа наставничества the roadmap belongs to: its approving order, blank where unknown.
    order_number: str | None
    order_on: date | None
    stages: list[RoadmapStage]


def render_roadmap(data: RoadmapData, template: bytes | Path | None = None) -> bytes:
    """The roadmap as .docx bytes; ``TemplateBroken`` if a supplied template cannot be filled."""
    context = {**heading_context(data), "stages": data.stages}
    return render(default_template(ROADMAP) if template is None else template, context)
