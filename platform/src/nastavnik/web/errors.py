"""Errors as RFC 9457 problem details under /api/, as Russian HTML pages elsewhere."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import structlog
from litestar import MediaType, Request, Response
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect, Template
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.tenancy import Forbidden, NotFound
from nastavnik.web.form_state import remember

log = structlog.get_logger(__name__)

TITLES = {
    400: "Неверный запрос",
    401: "Требуется вход",
    403: "Недостаточно прав",
    404: "Не найдено",
    405: "Метод не поддерживается",
    409: "Конфликт",
    413: "Слишком большой запрос",
    422: "Данные не прошли проверку",
    429: "Слишком много запросов",
    500: "Внутренняя ошибка",
    503: "Сервис временно недоступен",
}
DETAILS = {
    401: "Войдите в систему, чтобы продолжить.",
    403: "Ваша роль не позволяет выполнить это действие.",
    404: "Такой страницы или записи нет, либо у вас нет к ней доступа.",
    405: "Этот адрес не поддерживает такой запрос.",
    500: "Что-то пошло не так. Мы уже знаем об ошибке; попробуйте позже.",
}

# The core's field codes of the API, as a person reads them on a page; plugins label theirs through
# register_audit_titles. Pages read the combined labels as the template global ``field_labels``.
FIELD_LABELS = {
    "last_name": "Фамилия",
    "first_name": "Имя",
    "middle_name": "Отчество",
    "email": "Электронная почта",
    "person_ids": "Выбранные люди",
    "batch_id": "Список учётных записей",
    "category": "Категория",
    "roles": "Роли",
    "version": "Версия записи",
    "person_id": "Человек",
    "mentor_ids": "Наставники",
    "number": "Номер приказа",
    "issued_on": "Дата приказа",
    "group_ids": "Пары и группы в приказе",
    "mentee_ids": "Наставляемые",
    "form_code": "Форма наставничества",
    "kind_code": "Вид наставничества",
    "role_model_code": "Ролевая модель",
    "learners_total": "Обучающихся всего",
    "learners_10_18": "Обучающихся 10–18 лет",
    "pedagogues": "Педагогических работников",
    "young_pedagogues": "Молодых педагогов",
    "academic_year": "Учебный год",
    "municipality_id": "Муниципалитет",
    "type": "Тип организации",
    "full_name": "Наименование",
    "short_name": "Краткое наименование",
    "inn": "ИНН",
    "slug": "Адрес организации",
    "enabled": "Модуль включён",
    "settings": "Настройки модуля",
    "title": "Название",
    "starts_on": "Начало",
    "ends_on": "Окончание",
    "curator_last_name": "Фамилия куратора",
    "curator_first_name": "Имя куратора",
    "curator_email": "Электронная почта куратора",
    "timezone": "Часовой пояс",
    "admin_last_name": "Фамилия администратора",
    "admin_first_name": "Имя администратора",
    "admin_middle_name": "Отчество администратора",
    "admin_email": "Электронная почта администратора",
    "role": "Роль",
    "file": "Файл",
    "stage": "Этап",
    "kind": "Кто наставляемый",
    "birth_date": "Дата рождения",
    "class_name": "Класс",
    "profession_since": "Начало педагогической работы",
    "guardian_consent_on": "Согласие законного представителя",
    "left_on": "Дата выбытия",
    "left_reason": "Причина выбытия",
    "capacity": "Наставляемых не больше",
    "experience_years": "Стаж",
    "consent_on": "Письменное согласие наставника",
    "due_on": "Срок",
    "responsible": "Ответственный",
    "regime": "Режим наставничества",
    "polozhenie_status": "Положение о наставничестве",
    "programma_status": "Программа наставничества",
    "polozhenie_order_date": "Дата приказа о Положении",
    "programma_order_date": "Дата приказа о Программе",
    "mentee_id": "Наставляемый",
    "goal": "Цель",
    "task": "Задача",
    "result": "Результат",
    "done": "Отметка о выполнении",
    "met_on": "Дата встречи",
    "topic": "Тема",
    "content": "Содержание",
    "assignment": "Задание",
    "confirm": "Подтверждение",
    "status": "Состояние",
    "items": "Вопросы анкеты",
    "answers": "Ответы",
    "code": "Код",
    "hidden": "Скрыть для новых пар",
    "organisation_type": "Тип организации",
    "mentor_categories": "Кто может быть наставником",
    "description": "Описание",
    "template": "Шаблон документа",
    "name": "Название",
    "subject_area": "Методическое объединение, предмет или тема",
    "leader_id": "Руководитель",
    "summary": "Итоги, аналитическая справка",
    "products": "Продукты",
    "position": "Должность",
    "held_on": "Дата",
    "form": "Форма",
    "classes": "Классы, группы",
    "responsible_id": "Ответственный",
    "outcome": "Итог, решения",
    "attendees": "Присутствовали",
    "observers": "Наблюдатели",
    "learners": "Участники-обучающиеся",
    "winners": "Победители",
    "prize_winners": "Призёры",
}

INVALID_REQUEST = "Запрос содержит неверные данные."
"""The message of a value the schema refuses, whether it came as JSON or from a page form."""

# PostgreSQL refused a row under row-level security: to the client it is simply not there.
RLS_SQLSTATES = {"42501"}
NUL_SQLSTATES = {"22021", "22P05"}
"""PostgreSQL's text cannot hold U+0000 (in a string or a JSON value): a user's input, not a fault."""


def is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def error_response(
    request: Request[Any, Any, Any],
    status: int,
    detail: str | None = None,
    extra: dict[str, Any] | None = None,
    background: BackgroundTask | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    title = TITLES.get(status, "Ошибка")
    detail = detail or DETAILS.get(status, title)
    if is_api(request):
        body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
        if extra:
            body.update(extra)
        return Response(
            content=body,
            status_code=status,
            media_type="application/problem+json",
            background=background,
            headers=headers,
        )
    return Template(
        template_name="core/error.html",
        context={
            "status": status,
            "title": title,
            "detail": detail,
            "extra": extra or {},
        },
        status_code=status,
        media_type=MediaType.HTML,
        background=background,
        headers=headers,
    )


def _not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return error_response(request, 404)


def _forbidden(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A role refused: answered 403 and written to the audit log as a denied attempt."""
    return error_response(request, 403, background=BackgroundTask(record_denied, request))


async def record_denied(request: Request[Any, Any, Any]) -> None:
    from nastavnik import audit
    from nastavnik.db.scope import NO_SCOPE, scoped_session
    from nastavnik.web.deps import client_ip, identity_of, runtime_of

    runtime = runtime_of(request)
    try:
        async with scoped_session(runtime.app_sessions, NO_SCOPE) as db:
            await audit.record(
                db,
                actor_identity_id=identity_of(request),
                org_id=None,
                action="read" if request.method == "GET" else "update",
                object_type=audit.ObjectKind.ROUTE,
                object_id=f"{request.method} {request.url.path}"[:200],
                outcome="denied",
                client_ip=client_ip(request),
            )
            await db.commit()
    except Exception:
        log.exception("could not audit a denied request", path=request.url.path)


def _not_authenticated(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if is_api(request):
        return error_response(request, 401)
    return Redirect(path=f"/login?next={quote(request.url.path)}")


def _back_to_the_form(
    request: Request[Any, Any, Any], message: str, errors: list[FieldError]
) -> Response[Any] | None:
    """A refused page form goes back to its page, filled in, messages beside fields (web/form_state.py)."""
    if is_api(request):
        return None
    back = remember(request, message, errors)
    return Redirect(path=back, status_code=303) if back else None


def _conflict(request: Request[Any, Any, Any], exc: Conflict) -> Response[Any]:
    return _back_to_the_form(request, exc.message, exc.errors) or error_response(
        request, 409, exc.message, {"field": exc.field} if exc.field else None
    )


def _invalid(request: Request[Any, Any, Any], exc: InvalidInput) -> Response[Any]:
    return _back_to_the_form(request, exc.message, exc.errors) or error_response(
        request, 422, exc.message, {"errors": exc.as_json()}
    )


# msgspec's words for a value outside its schema's bounds, e.g. "Expected `int` <= 2100".
_BOUND = re.compile(r"Expected `(\w+)`(?: of length)? (<=|>=|<|>) (-?\d+)")
_BOUND_WORDS = {"<=": "не больше", ">=": "не меньше", "<": "меньше", ">": "больше"}
_EXPECTED = re.compile(r"Expected `([\w |-]+)`, got")
_TYPE_WORDS = {
    "int": "целое число",
    "float": "число",
    "str": "текст",
    "bool": "да или нет (true/false)",
    "array": "список",
    "object": "объект",
    "uuid": "идентификатор (UUID)",
    "date": "дата (ГГГГ-ММ-ДД)",
    "datetime": "дата и время",
}
_FIELD = re.compile(r"(unknown|missing required) field `([^`]+)`")
_INVALID = {
    "Invalid RFC3339 encoded date": "date",
    "Invalid RFC3339 encoded datetime": "datetime",
    "Invalid UUID": "uuid",
}


def field_problem(key: str, message: str) -> FieldError:
    """A field and a Russian reading of one of msgspec's validation messages about it."""
    if field := _FIELD.search(message):
        # About a field inside the value: name that field, not the whole body.
        inner = field.group(2) if key in ("", "data") else f"{key}.{field.group(2)}"
        return FieldError(inner, "такого поля нет" if field.group(1) == "unknown" else "обязательное поле")
    if bound := _BOUND.search(message):
        kind, op, limit = bound.groups()
        if "of length" in message:
            return FieldError(key, f"{'знаков' if kind == 'str' else 'элементов'} {_BOUND_WORDS[op]} {limit}")
        return FieldError(key, f"{_BOUND_WORDS[op]} {limit}")
    if invalid := _INVALID.get(message.strip()):
        return FieldError(key, f"ожидается {_TYPE_WORDS[invalid]}")
    if expected := _EXPECTED.search(message):
        words = [_TYPE_WORDS[t.strip()] for t in expected.group(1).split("|") if t.strip() in _TYPE_WORDS]
        if words:
            return FieldError(key, "ожидается " + " или ".join(words))
    return FieldError(key, "неверное значение")


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """A well-formed request whose values break the schema (a type, a bound): 422, each field named.

    A body that cannot be decoded at all is Litestar's ClientException, a 400 (see ``_http``)."""
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            key = _client_name(request, str(item.get("key") or item.get("source") or ""))
            errors.append(field_problem(key, str(item.get("message") or "")))
    return _back_to_the_form(request, INVALID_REQUEST, errors) or error_response(
        request, 422, INVALID_REQUEST, {"errors": [e.as_json() for e in errors]}
    )


def _client_name(request: Request[Any, Any, Any], key: str) -> str:
    """The name the client sent a parameter under (``page``), not the handler's own (``page_no``), whether
    the handler or a dependency of it (a dashboard's query) reads it."""
    try:
        handler = request.route_handler
        providers = handler.resolve_dependencies().values()
        signatures = [handler.parsed_fn_signature, *(p.parsed_fn_signature for p in providers)]
    except Exception:  # no handler resolved for this request
        return key
    parameter = next((s.parameters[key] for s in signatures if key in s.parameters), None)
    definition = getattr(parameter, "kwarg_definition", None)
    return str(getattr(definition, "query", None) or getattr(definition, "name", None) or key)


def _stale(request: Request[Any, Any, Any], exc: StaleDataError) -> Response[Any]:
    return error_response(
        request, 409, "Запись уже изменил другой пользователь. Обновите страницу и повторите."
    )


def _database(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(
        getattr(exc.orig, "__cause__", None), "sqlstate", None
    )
    if sqlstate in RLS_SQLSTATES:
        # Expected when a request reaches for another organisation's rows; logged, as it may also be a bug.
        log.warning("refused by the database", path=request.url.path, error=str(exc.orig)[:200])
        return error_response(request, 404)
    if sqlstate in NUL_SQLSTATES:
        # Whatever field carried it, the transaction is rolled back: nothing of the request is written.
        log.info("a text with U+0000 refused", path=request.url.path)
        return error_response(
            request,
            422,
            "В тексте есть недопустимый нулевой символ (U+0000): такой текст сохранить нельзя."
            " Уберите его (обычно он попадает при копировании из другой программы) и повторите.",
        )
    log.exception("database error", path=request.url.path)
    return error_response(request, 500)


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code == 404:
        return error_response(request, 404)
    if exc.status_code >= 500:
        log.error("http error", path=request.url.path, status=exc.status_code, detail=exc.detail)
        return error_response(request, exc.status_code)
    if exc.status_code == 403 and "csrf" in str(exc.detail).lower():
        return error_response(
            request, 403, "Форма устарела или отправлена не с этой страницы. Обновите страницу."
        )
    # The headers it carries are part of the answer, e.g. «Allow» on a 405 (RFC 9110).
    return error_response(
        request,
        exc.status_code,
        TITLES.get(exc.status_code) and DETAILS.get(exc.status_code),
        headers=exc.headers or None,
    )


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error", path=request.url.path)
    return error_response(request, 500)


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    NotFound: _not_found,
    Forbidden: _forbidden,
    NotAuthorizedException: _not_authenticated,
    Conflict: _conflict,
    InvalidInput: _invalid,
    ValidationException: _validation,
    StaleDataError: _stale,
    DBAPIError: _database,
    HTTPException: _http,
    Exception: _internal,
}
