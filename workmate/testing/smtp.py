"""A real SMTP server (aiosmtpd) on loopback that keeps every message it is sent.

Tests about sending mail point Django's SMTP backend at it (`EMAIL_HOST`/`EMAIL_PORT`),
or, when the sender is another process (the background worker), EMAIL_URL:
`smtp://127.0.0.1:<port>`. It accepts any sender and recipient; no TLS, no
authentication. Setting `refusing = True` makes it answer every message with a
permanent failure, for tests of what happens when sending fails.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


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


def _free_port() -> int:
    # aiosmtpd's Controller connects to its own port once started, so it needs the real
    # number up front rather than 0; the kernel picks one that is free right now.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
        # Another process may take the probed port before the server binds it: try again.
        for attempt in range(5):
            self.port = _free_port()
            controller = Controller(
                self._keeper, hostname=self.host, port=self.port, ready_timeout=10
            )
            try:
                controller.start()
            except (OSError, RuntimeError):
                if attempt == 4:
                    raise
                continue
            self._controller = controller
            return self
        raise AssertionError("unreachable")

    def __exit__(self, *exc_info: object) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_sink() -> Iterator[SMTPSink]:
    with SMTPSink() as sink:
        yield sink
