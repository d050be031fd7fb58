"""The kinds of notification, with their Russian wording and the parameters each one needs.

A producer passes exactly the kind's ``params`` (strings) to :func:`~.outbox.notify`; the subject and the
body are :meth:`str.format` templates over them. A region may reword a kind (its own subject and body,
checked to use only these placeholders); the code stays.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class NotificationKind:
    code: str
    title: str
    """What the preferences page calls it."""
    subject: str
    body: str
    params: tuple[str, ...]
    """The placeholders ``subject`` and ``body`` may use; the producer passes each of them."""
    audience: str
    """Who receives it (for the preferences page and the documentation)."""


def _kind(
    code: str, title: str, subject: str, body: str, params: tuple[str, ...], audience: str
) -> NotificationKind:
    return NotificationKind(code, title, subject, body, params, audience)


KINDS: dict[str, NotificationKind] = {
    k.code: k
    for k in (
        # params: questionnaire_title, days
        _kind(
            "questionnaire_unanswered",
            "Анкета без ответа",
            "Анкета «{questionnaire_title}» ждёт ответа",
            "Анкета «{questionnaire_title}» назначена вам и остаётся без ответа уже {days} дн."
            " Заполнить её можно в разделе «Анкеты».",
            ("questionnaire_title", "days"),
            "участник, которому назначена анкета",
        ),
        # params: questionnaire_title, days (the curator's one-click reminder)
        _kind(
            "questionnaire_reminder",
            "Напоминание куратора об анкете",
            "Напоминание: заполните анкету «{questionnaire_title}»",
            "Куратор программы наставничества напоминает: анкета «{questionnaire_title}» ждёт вашего"
            " ответа ({days} дн.).",
            ("questionnaire_title", "days"),
            "участник, не ответивший на анкету",
        ),
        # params: task_title, due_date
        _kind(
            "plan_task_due",
            "Срок задачи плана",
            "Через 3 дня срок задачи «{task_title}»",
            "Срок задачи «{task_title}» индивидуального плана — {due_date}.",
            ("task_title", "due_date"),
            "наставник и наставляемый пары",
        ),
        # params: task_title, due_date
        _kind(
            "plan_task_overdue",
            "Просроченная задача плана",
            "Задача «{task_title}» просрочена",
            "Срок задачи «{task_title}» индивидуального плана истёк {due_date}, а задача не отмечена"
            " выполненной.",
            ("task_title", "due_date"),
            "наставник и наставляемый пары",
        ),
        # params: item_title, due_date
        _kind(
            "roadmap_item_due",
            "Срок мероприятия дорожной карты",
            "Срок мероприятия «{item_title}» — {due_date}",
            "Подходит срок мероприятия дорожной карты «{item_title}»: {due_date}.",
            ("item_title", "due_date"),
            "куратор и ответственный за мероприятие",
        ),
        # params: mentor_name, mentee_name, order_number, order_date
        _kind(
            "pair_formed",
            "Сформирована пара",
            "Сформирована наставническая пара",
            "Приказом № {order_number} от {order_date} сформирована наставническая пара:"
            " наставник {mentor_name}, наставляемый {mentee_name}.",
            ("mentor_name", "mentee_name", "order_number", "order_date"),
            "наставник и наставляемый",
        ),
        # params: mentor_name, mentee_name
        _kind(
            "pair_completed",
            "Наставничество завершено",
            "Наставничество завершено",
            "Наставничество в паре «{mentor_name} — {mentee_name}» завершено. Спасибо за работу!",
            ("mentor_name", "mentee_name"),
            "наставник и наставляемый",
        ),
        # params: mentor_name, mentee_name, reason
        _kind(
            "pair_ended_early",
            "Наставничество прекращено досрочно",
            "Наставничество прекращено досрочно",
            "Наставничество в паре «{mentor_name} — {mentee_name}» прекращено досрочно. Причина: {reason}.",
            ("mentor_name", "mentee_name", "reason"),
            "наставник, наставляемый и куратор",
        ),
        # params: club_name, topic, date
        _kind(
            "club_meeting_tomorrow",
            "Заседание клуба завтра",
            "Завтра заседание клуба «{club_name}»",
            "Завтра, {date}, заседание клуба «{club_name}». Тема: {topic}.",
            ("club_name", "topic", "date"),
            "участники клуба",
        ),
        # params: stage_title
        _kind(
            "stage_waiting",
            "Этап ждёт куратора",
            "Этап «{stage_title}» ждёт ваших действий",
            "Этап программы наставничества «{stage_title}» ждёт действий куратора.",
            ("stage_title",),
            "куратор",
        ),
        # params: login_hint
        _kind(
            "account_created",
            "Создана учётная запись",
            "Для вас создана учётная запись",
            "Для вас создана учётная запись на платформе наставничества. Логин: {login_hint}.",
            ("login_hint",),
            "человек, которому создана учётная запись",
        ),
    )
}


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a template uses; raises ValueError on a malformed one (an unpaired brace)."""
    names = set()
    for _literal, field, spec, conversion in string.Formatter().parse(template):
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise ValueError(field)
        names.add(field)
    return names


def render(template: str, params: Mapping[str, object]) -> str:
    """Fill ``template``; a placeholder the producer did not pass shows as an empty string, never an error."""

    class _Lenient(dict[str, str]):
        def __missing__(self, key: str) -> str:
            return ""

    try:
        return template.format_map(_Lenient({k: str(v) for k, v in params.items()}))
    except (ValueError, IndexError, AttributeError):
        return template
