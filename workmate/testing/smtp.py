"""A tiny real SMTP server on loopback that keeps every message it is sent.

Tests about sending mail from another process (the background worker) point EMAIL_URL
at it: `smtp://127.0.0.1:<port>`. It speaks just enough SMTP for Python's smtplib and
accepts any sender and recipient; no TLS, no authentication.
"""

from __future__ import annotations

import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import pytest


@dataclass(frozen=True)
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage


class _Session(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, *lines: str) -> None:
        # A multi-line reply separates code and text with "-" on all but its last line.
        text = "".join(
            f"{line[:3]}{'-' if number < len(lines) - 1 else ' '}{line[4:]}\r\n"
            for number, line in enumerate(lines)
        )
        self.wfile.write(text.encode("ascii"))

    def handle(self) -> None:
        """Serve one connection.

        Steps: greet; then answer one command a line: remember MAIL FROM and RCPT TO,
        read DATA up to the lone "." line (undoing dot-stuffing), keep the message and
        forget the envelope; stop at QUIT or when the client goes away.
        """
        sender, recipients = "", []
        self.reply("220 localhost workmate test SMTP")
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250 localhost", "250 8BITMIME", "250 SMTPUTF8")
            elif verb == "HELO":
                self.reply("250 localhost")
            elif verb == "MAIL":
                sender, recipients = _address(command), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(_address(command))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.keep(sender, recipients, self._read_data())
                sender, recipients = "", []
                self.reply("250 OK: queued")
            elif verb == "RSET":
                sender, recipients = "", []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def _read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b".") else line)
        return b"".join(lines)


def _address(command: str) -> str:
    _verb, _colon, rest = command.partition(":")
    return rest.strip().split(" ")[0].strip("<>")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.mails: list[ReceivedMail] = []
        self._lock = threading.Lock()

    def keep(self, sender: str, recipients: list[str], data: bytes) -> None:
        message = email.message_from_bytes(data, policy=email.policy.default)
        with self._lock:
            self.mails.append(ReceivedMail(sender, list(recipients), message))  # type: ignore[arg-type]


class SMTPSink:
    """`with SMTPSink() as sink:` serves on `sink.url`; what arrives is in `sink.mails`."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"smtp://{host}:{port}"

    @property
    def mails(self) -> list[ReceivedMail]:
        return list(self._server.mails)

    def __enter__(self) -> SMTPSink:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def smtp_sink() -> Iterator[SMTPSink]:
    with SMTPSink() as sink:
        yield sink
