"""The regional monitoring report (.xlsx) and the short analytic note (.docx), produced by the worker.

Both are built from one snapshot's stored figures (the region's latest for the academic year when the
report was requested): a row per organisation, sums per municipality and for the region, each
indicator with its numerator, denominator, value and target. Figures only, never a person. Text cells
go through ``safe_cell``: no cell can start a formula.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import docx
import structlog
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.domain.statistics import reading as r
from nastavnik.domain.statistics.definitions import GROUPS, LEARNERS_COVERED, Indicator, Kind
from nastavnik.domain.statistics.figures import NO_DATA, Figure
from nastavnik.domain.statistics.indicators import indicators as catalogue
from nastavnik.domain.statistics.jobs import is_transient, retry_later
from nastavnik.domain.statistics.models import ReportStatus, StatOrgSnapshot, StatReport
from nastavnik.models.reference import Municipality, Organisation, Region
from nastavnik.plugins import Plugins
from nastavnik.runtime import Runtime
from nastavnik.spreadsheets import safe_cell
from nastavnik.words import plural_form

log = structlog.get_logger(__name__)


@dataclass
class OrgLine:
    short_name: str
    full_name: str
    inn: str
    org_type: str
    values: r.Values


@dataclass
class MunicipalitySection:
    name: str
    values: r.Values
    organisations: list[OrgLine] = field(default_factory=list)


@dataclass
class ReportData:
    region_name: str
    timezone: str
    academic_year: int
    as_of: date
    computed_at: datetime
    org_type_title: str
    indicators: list[Indicator]
    targets: dict[str, float]
    region: r.Values
    municipalities: list[MunicipalitySection]

    @property
    def columns(self) -> list[Indicator]:
        return [i for i in self.indicators if i.kind is not Kind.BREAKDOWN]

    def figure(self, values: r.Values, indicator: Indicator) -> Figure:
        return values.get(indicator.key) or Figure(indicator, 0, None, target=self.targets.get(indicator.key))


async def load(db: AsyncSession, plugins: Plugins, report: StatReport) -> ReportData:
    """The report's figures, read as the aggregator (every organisation of the region)."""
    region = await db.get(Region, report.region_id)
    assert region is not None
    assert report.as_of is not None
    indicators = catalogue(plugins)
    by_key = {i.key: i for i in indicators}
    targets = await r.targets_of(db, region.id, indicators)
    key = r.AreaKey("region", region.id, report.org_type)
    snapshot = await r.latest_area_snapshot(db, key, report.academic_year)
    computed_at = snapshot.computed_at if snapshot else clock.now_in(region.timezone)
    region_values = await r.area_values(db, key, report.academic_year, report.as_of, by_key, targets)
    municipalities = {
        mid: MunicipalitySection(name, values)
        for mid, name, values in await r.municipality_values(
            db, region.id, report.org_type, report.academic_year, report.as_of, by_key, targets
        )
    }
    query = (
        select(
            StatOrgSnapshot.org_id,
            StatOrgSnapshot.municipality_id,
            Organisation.short_name,
            Organisation.full_name,
            Organisation.inn,
            StatOrgSnapshot.org_type,
        )
        .join(Organisation, Organisation.id == StatOrgSnapshot.org_id)
        .join(Municipality, Municipality.id == StatOrgSnapshot.municipality_id)
        .where(
            StatOrgSnapshot.region_id == region.id,
            StatOrgSnapshot.academic_year == report.academic_year,
            StatOrgSnapshot.as_of == report.as_of,
            Organisation.status == "active",
        )
        .order_by(Municipality.name, Organisation.short_name)
    )
    if report.org_type:
        query = query.where(StatOrgSnapshot.org_type == report.org_type)
    rows = (await db.execute(query)).all()
    values = await r.org_values(
        db, [row[0] for row in rows], report.academic_year, report.as_of, by_key, targets, headline_only=True
    )
    for org_id, municipality_id, short_name, full_name, inn, org_type in rows:
        section = municipalities.get(municipality_id)
        if section is None:
            continue
        section.organisations.append(
            OrgLine(short_name, full_name, inn, org_type, values.get(org_id, r.Values()))
        )
    types = plugins.organisation_types()
    return ReportData(
        region_name=region.name,
        timezone=region.timezone,
        academic_year=report.academic_year,
        as_of=report.as_of,
        computed_at=computed_at,
        org_type_title=types[report.org_type].title if report.org_type in types else "все",
        indicators=indicators,
        targets=targets,
        region=region_values,
        municipalities=[s for s in municipalities.values() if s.organisations],
    )


PERCENT_FORMAT = "0.0%"
SCORE_FORMAT = "0.00"


def _figure_cells(figure: Figure) -> list[Any]:
    """Numerator, denominator, value: numbers as numbers (a share as a fraction shown with a % format),
    «нет данных» as text, never a formula."""
    kind = figure.indicator.kind
    if kind is Kind.COUNT:
        return [figure.numerator]
    value = figure.value
    if kind is Kind.AVERAGE:
        value_cell = round(value, 2) if value is not None else safe_cell(figure.text)
        return [figure.respondents if figure.respondents is not None else NO_DATA, value_cell]
    shown: Any = round(value / 100, 4) if value is not None else safe_cell(figure.text)
    return [figure.numerator, figure.denominator if figure.denominator is not None else NO_DATA, shown]


def _value_formats(data: ReportData) -> dict[int, str]:
    """1-based column → number format of the indicators' value columns (after the four name columns)."""
    formats, column = {}, 5
    for indicator in data.columns:
        if indicator.kind is Kind.COUNT:
            column += 1
        elif indicator.kind is Kind.AVERAGE:
            formats[column + 1] = SCORE_FORMAT
            column += 2
        else:
            formats[column + 2] = PERCENT_FORMAT
            column += 3
    return formats


def _format_row(sheet: Any, formats: dict[int, str]) -> None:
    for column, number_format in formats.items():
        cell = sheet.cell(row=sheet.max_row, column=column)
        if isinstance(cell.value, int | float):
            cell.number_format = number_format


def _headers(data: ReportData) -> tuple[list[str], list[str]]:
    top, sub = ["Муниципалитет", "Организация", "Тип", "ИНН"], ["", "", "", ""]
    for indicator in data.columns:
        target = data.targets.get(indicator.key)
        if indicator.kind is Kind.COUNT:
            top += [indicator.title]
            sub += ["число"]
        elif indicator.kind is Kind.AVERAGE:
            top += [indicator.title, ""]
            sub += ["ответивших", "средний балл"]
        else:
            top += [indicator.title, "", ""]
            goal = f" (цель {target:g})" if target is not None else ""
            sub += ["числитель", "знаменатель", f"значение, %{goal}"]
    return top, sub


def build_xlsx(data: ReportData, plugins: Plugins) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Мониторинг"
    tz = ZoneInfo(data.timezone)
    sheet.append([safe_cell(f"Мониторинг реализации целевой модели наставничества: {data.region_name}")])
    sheet.append(
        [
            safe_cell(
                f"Учебный год {data.academic_year}/{data.academic_year + 1}; показатели на "
                f"{data.as_of:%d.%m.%Y}, рассчитаны {data.computed_at.astimezone(tz):%d.%m.%Y %H:%M};"
                f" организации: {data.org_type_title}"
            )
        ]
    )
    sheet.append([])
    top, sub = _headers(data)
    sheet.append([safe_cell(c) for c in top])
    sheet.append([safe_cell(c) for c in sub])
    for cell in (*sheet[4], *sheet[5]):
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    types = plugins.organisation_types()
    formats = _value_formats(data)
    for section in data.municipalities:
        for line in section.organisations:
            row: list[Any] = [
                safe_cell(section.name),
                safe_cell(line.short_name),
                safe_cell(types[line.org_type].title if line.org_type in types else line.org_type),
                safe_cell(line.inn),
            ]
            for indicator in data.columns:
                row += _figure_cells(data.figure(line.values, indicator))
            sheet.append(row)
            _format_row(sheet, formats)
        total = [
            safe_cell(f"Итого: {section.name}"),
            safe_cell(f"организаций: {len(section.organisations)}"),
            "",
            "",
        ]
        for indicator in data.columns:
            total += _figure_cells(data.figure(section.values, indicator))
        sheet.append(total)
        _format_row(sheet, formats)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    organisations = sum(len(s.organisations) for s in data.municipalities)
    total = [
        safe_cell(f"Итого по региону: {data.region_name}"),
        safe_cell(f"организаций: {organisations}"),
        "",
        "",
    ]
    for indicator in data.columns:
        total += _figure_cells(data.figure(data.region, indicator))
    sheet.append(total)
    _format_row(sheet, formats)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C6"
    for index in range(1, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 28 if index <= 2 else 14
    _definitions_sheet(book, data)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _definitions_sheet(book: Workbook, data: ReportData) -> None:
    sheet = book.create_sheet("Показатели и цели")
    sheet.append(
        [
            safe_cell(h)
            for h in ("Показатель", "Определение", "Цель", "По региону", "Расчёт", "Организаций в расчёте")
        ]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for indicator in data.columns:
        figure = data.figure(data.region, indicator)
        target = data.targets.get(indicator.key)
        sheet.append(
            [
                safe_cell(indicator.title),
                safe_cell(indicator.description),
                target / 100 if target is not None else "",
                _region_value(figure),
                safe_cell(figure.detail),
                figure.reporting if figure.reporting is not None else "",
            ]
        )
        row = sheet.max_row
        sheet.cell(row=row, column=3).number_format = PERCENT_FORMAT
        if isinstance(sheet.cell(row=row, column=4).value, int | float):
            sheet.cell(row=row, column=4).number_format = {
                Kind.SHARE: PERCENT_FORMAT,
                Kind.AVERAGE: SCORE_FORMAT,
            }.get(indicator.kind, "0")
    for column, width in zip("ABCDEF", (40, 70, 10, 16, 20, 14), strict=True):
        sheet.column_dimensions[column].width = width


def _region_value(figure: Figure) -> Any:
    value = figure.value
    if value is None:
        return safe_cell(figure.text)
    if figure.indicator.kind is Kind.SHARE:
        return round(value / 100, 4)
    if figure.indicator.kind is Kind.AVERAGE:
        return round(value, 2)
    return figure.numerator


def _share_sentence(data: ReportData, figure: Figure) -> str:
    if figure.indicator.kind is Kind.AVERAGE and not figure.respondents:
        return f"{figure.indicator.title}: ответов пока нет."
    if figure.value is None:
        return f"{figure.indicator.title}: {figure.text}."
    sentence = f"{figure.indicator.title}: {figure.text}"
    if figure.detail:
        sentence += f" ({figure.detail})"
    target = data.targets.get(figure.indicator.key)
    if target is not None:
        reached = "достигнута" if figure.value >= target else "не достигнута"
        sentence += f" при цели {target:g} % — цель {reached}"
    if figure.reporting is not None:
        sentence += f"; в расчёте организаций: {figure.reporting}"
    return sentence + "."


def build_docx(data: ReportData) -> bytes:
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    document.add_heading("Аналитическая справка о реализации целевой модели наставничества", level=1)
    document.add_paragraph(
        f"{data.region_name}. Учебный год {data.academic_year}/{data.academic_year + 1}, показатели на "
        f"{data.as_of:%d.%m.%Y}. Организации: {data.org_type_title}. Справка содержит только сводные "
        "показатели, без персональных данных."
    )
    organisations = sum(len(s.organisations) for s in data.municipalities)
    municipalities = len(data.municipalities)
    document.add_paragraph(
        f"В расчёт вошли: {organisations} "
        f"{plural_form(organisations, 'организация', 'организации', 'организаций')} из {municipalities} "
        f"{plural_form(municipalities, 'муниципалитета', 'муниципалитетов', 'муниципалитетов')}."
    )
    document.add_heading("Основные показатели", level=2)
    unavailable = []
    for indicator in data.columns:
        figure = data.figure(data.region, indicator)
        if indicator.kind is Kind.COUNT:
            document.add_paragraph(f"{indicator.title}: {figure.text}.", style="List Bullet")
        elif indicator.key not in data.region.figures:
            unavailable.append(indicator)
        else:
            document.add_paragraph(_share_sentence(data, figure), style="List Bullet")
    groups = data.region.breakdowns.get(GROUPS, [])
    if groups:
        document.add_heading("Наставнические пары и группы", level=2)
        total = data.region.get(GROUPS)
        by_status = [f for f in groups if f.breakdown.startswith("status:")]
        parts = ", ".join(f"{f.breakdown_title} — {f.text}" for f in by_status)
        document.add_paragraph(f"Всего пар и групп: {total.text if total else '0'}; из них {parts}.")
    learners = next((i for i in data.indicators if i.key == LEARNERS_COVERED), None)
    coverage = [(s.name, data.figure(s.values, learners)) for s in data.municipalities] if learners else []
    ranked = sorted(
        ((name, f) for name, f in coverage if f.value is not None), key=lambda t: -(t[1].value or 0)
    )
    if ranked:
        document.add_heading("Муниципалитеты: охват обучающихся 10–18 лет", level=2)
        if len(ranked) > 1 and ranked[0][1].text == ranked[-1][1].text:
            # All equal: naming one «наибольший» and another «наименьший» would invent a difference.
            document.add_paragraph(f"Охват во всех муниципалитетах одинаков: {ranked[0][1].text}.")
        else:
            document.add_paragraph(f"Наибольший охват: {ranked[0][0]} — {ranked[0][1].text}.")
            if len(ranked) > 1:
                document.add_paragraph(f"Наименьший охват: {ranked[-1][0]} — {ranked[-1][1].text}.")
        missing = [name for name, f in coverage if f.value is None]
        if missing:
            document.add_paragraph("Нет данных о численности: " + ", ".join(missing) + ".")
        target = data.targets.get(LEARNERS_COVERED)
        if target is not None:
            behind = [name for name, f in ranked if (f.value or 0) < target]
            document.add_paragraph(
                f"Ниже цели {target:g} %: "
                + (", ".join(behind) if behind else "таких муниципалитетов нет")
                + "."
            )
    if unavailable:
        document.add_heading("Нет данных", level=2)
        for indicator in unavailable:
            # Nothing computed: nothing recorded yet in the period (not that such data is not kept).
            reason = (
                "ответов пока нет" if indicator.kind is Kind.AVERAGE else "данных за этот период пока нет"
            )
            document.add_paragraph(f"{indicator.title}: {reason}.", style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


async def _progress(db: AsyncSession, report_id: uuid.UUID, **values: Any) -> None:
    await db.execute(update(StatReport).where(StatReport.id == report_id).values(**values))
    await db.commit()


async def report_job(ctx: dict[str, Any], report_id: str) -> str:
    """Build the report in steps, recording progress; a transient failure is tried again."""
    runtime: Runtime = ctx["runtime"]
    rid = uuid.UUID(report_id)
    try:
        async with runtime.aggregator_sessions() as db:
            report = await db.get(StatReport, rid)
            if report is None or report.status == ReportStatus.DONE:
                return "nothing to do"
            await _progress(db, rid, status=ReportStatus.RUNNING, progress=10, message="Собираем показатели")
            report = await db.get(StatReport, rid, populate_existing=True)
            assert report is not None
            data = await load(db, runtime.plugins, report)
            await _progress(db, rid, progress=40, message="Готовим таблицу мониторинга")
            workbook = build_xlsx(data, runtime.plugins)
            await _progress(db, rid, progress=70, message="Готовим аналитическую справку")
            note = build_docx(data)
            await _progress(
                db,
                rid,
                status=ReportStatus.DONE,
                progress=100,
                message="Готово",
                xlsx=workbook,
                docx=note,
                finished_at=func.now(),
            )
    except Exception as exc:
        if is_transient(exc):
            raise retry_later(ctx) from exc
        log.exception("statistics report failed", report_id=report_id)
        async with runtime.aggregator_sessions() as db:
            await _progress(
                db,
                rid,
                status=ReportStatus.FAILED,
                message="Не удалось подготовить отчёт: ошибка записана в журнал сервера.",
                finished_at=func.now(),
            )
        return "failed"
    return "done"
