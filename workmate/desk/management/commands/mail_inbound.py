"""`manage.py mail_inbound`: the desk's SMTP listener (aiosmtpd) for the support address.

Point the MX (or the mail relay's transport for the support address) here. Every
message is stored before the server answers 250, so a crash or a database error means
the sender's server keeps the message and retries: nothing accepted is ever lost.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from workmate.desk import mailin

logger = logging.getLogger(__name__)


class InboundHandler:
    """aiosmtpd handler: hand each message to `mailin.ingest`, then answer."""

    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes or settings.DESK_INBOUND_MAX_BYTES

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or envelope.content or b""
        raw = data if isinstance(data, bytes) else str(data).encode("utf-8", "surrogateescape")
        if len(raw) > self.max_bytes:
            return "552 5.3.4 Message too big for the support desk"
        # The null sender (MAIL FROM:<>) marks a bounce; aiosmtpd may hand it over as "<>".
        mail_from = (envelope.mail_from or "").strip()
        if mail_from == "<>":
            mail_from = ""
        try:
            # One database thread for all sessions (thread_sensitive): Django's connections
            # are per thread, and SQLite takes one writer at a time anyway.
            await sync_to_async(store, thread_sensitive=True)(raw, mail_from)
        except Exception:
            logger.exception("Could not store an inbound mail; the sender will retry")
            return "451 4.3.0 Could not store the message, try again later"
        return "250 2.0.0 Message stored"


def store(raw: bytes, mail_from: str) -> None:
    # Like a request: drop a connection that broke or aged out before and after the work.
    close_old_connections()
    try:
        mailin.ingest(raw, "smtp", envelope_from=mail_from)
    finally:
        close_old_connections()


def make_controller(host: str, port: int, max_bytes: int | None = None) -> Controller:
    """The listener, ready to `.start()` (in its own thread) and `.stop()`."""
    limit = max_bytes or settings.DESK_INBOUND_MAX_BYTES
    return Controller(
        InboundHandler(limit),
        hostname=host,
        port=port,
        # aiosmtpd itself refuses anything bigger with 552, before reading it all.
        data_size_limit=limit,
        enable_SMTPUTF8=True,
        ready_timeout=10,
    )


class Command(BaseCommand):
    help = "Receive the support desk's e-mail over SMTP and turn it into tickets."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=settings.DESK_INBOUND_HOST)
        parser.add_argument("--port", type=int, default=settings.DESK_INBOUND_PORT)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        controller = make_controller(host, port)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_args: stop.set())
        controller.start()
        self.stdout.write(f"Receiving desk mail on {host}:{port}")
        try:
            stop.wait()
        finally:
            controller.stop()
        self.stdout.write("Stopped.")
