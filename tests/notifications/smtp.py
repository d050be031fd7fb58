"""A real SMTP server on loopback (aiosmtpd), recording what it was sent; some addresses are refused."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

REFUSED = "refused"
"""An address whose local part starts with it is refused for good (550)."""
BUSY = "busy"
"""… and with this one, temporarily (451)."""


@dataclass
class Received:
    to: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())


@dataclass
class Recorder:
    received: list[Received] = field(default_factory=list)
    first_seen: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    hold_first: bool = False
    """Keep the first message's «250» until ``release`` (the worker is killed meanwhile)."""

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith(REFUSED):
            return "550 5.1.1 Mailbox does not exist"
        if address.startswith(BUSY):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), message))
        if self.hold_first and not self.first_seen.is_set():
            self.first_seen.set()
            # Blocks this server's loop on purpose: the client waits for the answer while it is killed.
            self.release.wait(30)
        return "250 Message accepted"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.to]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    def __init__(self) -> None:
        self.recorder = Recorder()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=_free_port())

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.recorder.release.set()
        self.controller.stop()

    @property
    def port(self) -> int:
        return int(self.controller.port)
