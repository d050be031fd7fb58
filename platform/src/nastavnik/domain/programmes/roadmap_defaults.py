"""The default roadmap of a programme: the platform's per regime, or the one its region keeps instead.

Each line is drawn from a stage of the target model (Р-145 for learners; the recommendations of letter
АЗ-1128/08 for pedagogical workers) with who is responsible by role and the document or result it leaves.
Due dates are relative to the academic year (``month`` 1 is September, 12 is August; ``day`` of that
month, the month's last day where it has fewer), so one list serves every year. A region that keeps its
own list for a regime (``RegionRoadmapItem``, edited in ``region_roadmap``) replaces the platform's for
that regime as a whole; a region without one leaves its organisations the platform's.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.programmes.models import RegionRoadmapItem
from nastavnik.types import Regime

ACADEMIC_MONTHS = (
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
)
"""The months of an academic year in order: ``month`` 1 is September."""

HEAD = "руководитель ОО"
CURATOR = "куратор"


@dataclass(frozen=True, slots=True)
class DefaultLine:
    stage: int
    month: int
    day: int
    title: str
    responsible: str
    result: str

    def due_on(self, start_year: int) -> date:
        """The line's date in the academic year that starts in September of ``start_year``."""
        calendar_month = (self.month + 7) % 12 + 1
        year = start_year if calendar_month >= 9 else start_year + 1
        return date(year, calendar_month, min(self.day, calendar.monthrange(year, calendar_month)[1]))


L = DefaultLine
LEARNERS: tuple[DefaultLine, ...] = (
    L(1, 1, 2, "Издание приказа о внедрении целевой модели наставничества", HEAD,
      "приказ о внедрении целевой модели наставничества"),
    L(1, 1, 2, "Назначение куратора внедрения целевой модели наставничества", HEAD,
      "приказ о назначении куратора"),
    L(1, 1, 10, "Разработка и утверждение Положения о наставничестве", f"{CURATOR}, {HEAD}",
      "Положение о наставничестве, приказ об утверждении"),
    L(1, 1, 10, "Разработка и утверждение Программы наставничества и дорожной карты", f"{CURATOR}, {HEAD}",
      "Программа наставничества, дорожная карта"),
    L(1, 1, 15, "Информирование педагогов, обучающихся и родителей (законных представителей) о программе"
      " наставничества", CURATOR, "протокол педагогического совета, информация на сайте"),
    L(2, 1, 20, "Анкетирование обучающихся, сбор запросов (трудностей) потенциальных наставляемых",
      f"{CURATOR}, классные руководители", "анкеты, перечень запросов"),
    L(2, 1, 25, "Получение согласий родителей (законных представителей) на участие несовершеннолетних"
      " в программе", "классные руководители", "согласия родителей (законных представителей)"),
    L(2, 1, 30, "Формирование базы наставляемых", CURATOR, "база наставляемых"),
    L(3, 1, 30, "Анкетирование потенциальных наставников из числа педагогов, обучающихся, выпускников"
      " и представителей работодателей", CURATOR, "анкеты наставников"),
    L(3, 2, 5, "Получение письменного согласия наставников", CURATOR, "письменные согласия наставников"),
    L(3, 2, 5, "Формирование базы наставников", CURATOR, "база наставников"),
    L(4, 2, 10, "Отбор наставников по итогам собеседования", f"{CURATOR}, {HEAD}",
      "протокол отбора наставников"),
    L(4, 2, 20, "Обучение наставников", CURATOR, "программа обучения, документы об обучении наставников"),
    L(5, 2, 25, "Групповая встреча наставников и наставляемых", CURATOR, "протокол встречи"),
    L(5, 2, 31, "Формирование наставнических пар (групп)", CURATOR,
      "приказ о формировании наставнических пар (групп)"),
    L(5, 2, 31, "Назначение наставников", HEAD, "приказ о назначении наставника"),
    L(6, 3, 15, "Разработка индивидуальных планов развития наставляемых", "наставники",
      "индивидуальные планы развития"),
    L(6, 6, 15, "Промежуточная встреча и анкетирование участников программы", CURATOR,
      "анкеты, справка о промежуточных итогах"),
    L(6, 8, 15, "Мониторинг хода программы: встречи пар и групп, журналы наставников",
      f"{CURATOR}, наставники", "журналы наставников, справка"),
    L(7, 9, 15, "Итоговое анкетирование наставников и наставляемых", CURATOR,
      "анкеты, результаты мониторинга"),
    L(7, 9, 25, "Подведение итогов программы наставничества", CURATOR,
      "отчёт о реализации программы наставничества"),
    L(7, 9, 31, "Итоговое мероприятие: награждение наставников, представление лучших практик",
      f"{HEAD}, {CURATOR}", "приказ о поощрении наставников, благодарственные письма"),
    L(7, 10, 10, "Обновление баз наставников и наставляемых, анализ и корректировка программы"
      " на следующий учебный год", CURATOR, "обновлённые базы наставников и наставляемых"),
)  # fmt: skip
PEDAGOGUES: tuple[DefaultLine, ...] = (
    L(1, 1, 2, "Издание приказа о внедрении системы (целевой модели) наставничества педагогических"
      " работников", HEAD, "приказ о внедрении системы наставничества"),
    L(1, 1, 2, "Назначение куратора наставнической деятельности", HEAD, "приказ о назначении куратора"),
    L(1, 1, 10, "Разработка и утверждение Положения о системе наставничества педагогических работников",
      f"{CURATOR}, {HEAD}", "Положение о наставничестве (с учётом мнения первичной профсоюзной организации)"),
    L(1, 1, 10, "Разработка и утверждение Программы наставничества педагогических работников и дорожной"
      " карты", f"{CURATOR}, {HEAD}", "Программа наставничества, дорожная карта"),
    L(2, 1, 12, "Выявление молодых специалистов (стаж до 3 лет) и педагогов, впервые принятых на работу"
      " или на новую должность", CURATOR, "список наставляемых"),
    L(2, 1, 15, "Диагностика профессиональных затруднений педагогов",
      f"{CURATOR}, руководители методических объединений", "результаты диагностики затруднений"),
    L(2, 1, 16, "Формирование базы наставляемых", CURATOR, "база наставляемых"),
    L(3, 1, 18, "Формирование базы наставников из числа опытных педагогов", CURATOR, "база наставников"),
    L(3, 1, 18, "Получение письменного согласия педагогов на осуществление наставничества", CURATOR,
      "письменные согласия наставников"),
    L(4, 1, 20, "Отбор наставников с учётом их компетенций и запросов наставляемых", f"{HEAD}, {CURATOR}",
      "решение об отборе наставников"),
    L(4, 2, 31, "Обучение наставников", CURATOR, "документы об обучении наставников"),
    L(5, 1, 25, "Формирование наставнических пар (групп)", CURATOR,
      "приказ о формировании наставнических пар (групп)"),
    L(5, 1, 25, "Назначение наставников, дополнительные соглашения к трудовым договорам", HEAD,
      "приказ о назначении наставника, дополнительные соглашения"),
    L(6, 2, 10, "Разработка индивидуальных планов развития наставляемых", "наставники, наставляемые",
      "индивидуальные планы развития"),
    L(6, 5, 25, "Промежуточный мониторинг: анкетирование наставников и наставляемых", CURATOR,
      "анкеты, справка о промежуточных итогах"),
    L(6, 7, 20, "Взаимопосещение уроков (занятий), открытые уроки молодых педагогов",
      "наставники, руководители методических объединений", "справка по итогам посещения уроков"),
    L(7, 9, 15, "Итоговое анкетирование наставников и наставляемых", CURATOR,
      "анкеты, результаты мониторинга"),
    L(7, 9, 25, "Подведение итогов программы наставничества", CURATOR,
      "отчёт о реализации программы наставничества"),
    L(7, 10, 10, "Поощрение наставников, представление лучших практик", HEAD,
      "приказ о поощрении наставников, благодарственные письма"),
    L(7, 10, 20, "Обновление баз наставников и наставляемых, анализ и корректировка программы"
      " на следующий учебный год", CURATOR, "обновлённые базы наставников и наставляемых"),
)  # fmt: skip
STANDARD: dict[str, tuple[DefaultLine, ...]] = {Regime.LEARNERS: LEARNERS, Regime.PEDAGOGUES: PEDAGOGUES}
"""The platform's default roadmap by regime."""


def as_line(row: RegionRoadmapItem) -> DefaultLine:
    return DefaultLine(row.stage, row.month, row.day, row.title, row.responsible, row.result)


async def region_lines(db: AsyncSession, region_id: uuid.UUID, regime: str) -> list[DefaultLine]:
    """The region's own list for the regime, in its order; empty when the region keeps none."""
    t = RegionRoadmapItem
    rows = await db.scalars(
        select(t).where(t.region_id == region_id, t.regime == regime).order_by(t.position)
    )
    return [as_line(row) for row in rows]


async def default_lines(
    db: AsyncSession, region_id: uuid.UUID, regime: str
) -> tuple[list[DefaultLine], bool]:
    """The default roadmap the region's organisations get for ``regime``, and whether it is the region's."""
    own = await region_lines(db, region_id, regime)
    return (own, True) if own else (list(STANDARD.get(regime, ())), False)
