"""One e-mail over SMTP: composing it (Cyrillic intact, RFC 8058 one-click unsubscribe) and telling a
permanent refusal from a temporary failure."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib

from nastavnik import clock
from nastavnik.settings import Settings


@dataclass(frozen=True, slots=True)
class Letter:
    to: str
    subject: str
    body: str
    message_id: str
    """Without the angle brackets: ``notification-<id>@<domain>``."""
    unsubscribe_url: str


@dataclass(frozen=True, slots=True)
class SendResult:
    sent: bool
    permanent: bool = False
    reason: str = ""
    """In Russian, recorded on the notification."""


def mail_domain(settings: Settings) -> str:
    address = parseaddr(settings.mail_from)[1]
    return address.rpartition("@")[2] or "nastavnik.local"


def compose(settings: Settings, letter: Letter) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = Address(addr_spec=letter.to)
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = f"<{letter.message_id}>"
    message["Auto-Submitted"] = "auto-generated"
    # RFC 8058: a mail client's «unsubscribe» button posts to the link, no page, no sign-in.
    message["List-Unsubscribe"] = f"<{letter.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(letter.body, charset="utf-8")
    return message


def _failure(code: int, text: str) -> SendResult:
    permanent = code >= 500
    what = "почтовый сервер отказал" if permanent else "почтовый сервер временно не принял письмо"
    return SendResult(sent=False, permanent=permanent, reason=f"{what}: {code} {text}".strip())


async def send(settings: Settings, message: EmailMessage) -> SendResult:
    """Deliver ``message``; never raises for the server's answer or an unreachable server."""
    assert settings.smtp_host is not None
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_user,
            password=password,
            use_tls=settings.smtp_ssl,
            start_tls=None if settings.smtp_starttls and not settings.smtp_ssl else False,
            timeout=settings.smtp_timeout,
            tls_context=ssl.create_default_context() if settings.smtp_ssl or settings.smtp_starttls else None,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        refused = exc.recipients[0] if exc.recipients else None
        return _failure(refused.code, refused.message) if refused else _failure(550, "")
    except aiosmtplib.SMTPResponseException as exc:
        return _failure(exc.code, exc.message)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        return SendResult(sent=False, reason=f"почтовый сервер недоступен: {exc.__class__.__name__}")
    return SendResult(sent=True)
