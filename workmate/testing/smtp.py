"""A real SMTP server (aiosmtpd) on loopback that keeps every message it is sent.

Tests about sending mail take `smtp_backend`, which points Django's SMTP backend at it,
or, when the sender is another process (the background worker), pass `smtp_sink.url`
(`smtp://127.0.0.1:<port>`) as its EMAIL_URL. It accepts any sender and recipient; no TLS, no
authentication. Setting `refusing = True` makes it answer every message with a
permanent failure, for tests of what happens when sending fails.
"""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from workmate.testing.ports import free_port


@dataclass(frozen=True)
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage


class _Keeper:
    """The aiosmtpd handler: parse each message and keep it (or refuse it)."""

    def __init__(self) -> None:
        self.mails: list[ReceivedMail] = []
        self.refusing = False
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refusing:
            return "554 Transaction failed (refused by the test)"
        data = envelope.original_content or envelope.content
        raw = data if isinstance(data, bytes) else str(data).encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self._lock:
            self.mails.append(
                ReceivedMail(
                    str(envelope.mail_from),
                    list(envelope.rcpt_tos),
                    message,  # type: ignore[arg-type]
                )
            )
        return "250 Message accepted for delivery"


def start_on_free_port(make_controller: Callable[[int], Controller]) -> Controller:
    """Start the controller `make_controller(port)` makes, on a free loopback port."""
    # Another process may take the probed port before the server binds it: try again.
    for attempt in range(5):
        controller = make_controller(free_port())
        try:
            controller.start()
        except (OSError, RuntimeError):
            if attempt == 4:
                raise
            continue
        return controller
    raise AssertionError("unreachable")


class SMTPSink:
    """`with SMTPSink() as sink:` serves on `sink.url`; what arrives is in `sink.mails`."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self._keeper = _Keeper()
        self.port = 0
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def mails(self) -> list[ReceivedMail]:
        return list(self._keeper.mails)

    @property
    def refusing(self) -> bool:
        return self._keeper.refusing

    @refusing.setter
    def refusing(self, value: bool) -> None:
        self._keeper.refusing = value

    def __enter__(self) -> SMTPSink:
        self._controller = start_on_free_port(
            lambda port: Controller(self._keeper, hostname=self.host, port=port, ready_timeout=10)
        )
        self.port = self._controller.port
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_sink() -> Iterator[SMTPSink]:
    with SMTPSink() as sink:
        yield sink


def use_sink(settings, sink: SMTPSink) -> None:
    """Point Django's own SMTP backend at `sink` (plain SMTP: no TLS, no login)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False


@pytest.fixture
def smtp_backend(settings, smtp_sink: SMTPSink) -> SMTPSink:
    """Django's own SMTP backend, pointed at the loopback server; links in mails go to
    https://workmate.example."""
    use_sink(settings, smtp_sink)
    settings.SITE_URL = "https://workmate.example"
    return smtp_sink
