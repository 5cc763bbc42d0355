"""The scale test's outgoing mail server: every message Workmate sends, one JSON line each.

    .venv/bin/python bench/scale_sink.py PORT OUT.jsonl

Workmate's EMAIL_URL points here (smtp://127.0.0.1:PORT), so the invariants can count
what each person was sent (bench/scale_check.py). Runs until TERM.
"""

from __future__ import annotations

import email
import email.policy
import json
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, path: str) -> None:
        self.file = open(path, "a", buffering=1)  # noqa: SIM115 (open for the process's life)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        line = {
            "at": time.time(),
            "to": [address.lower() for address in envelope.rcpt_tos],
            "subject": str(message.get("Subject", "")),
            "message_id": str(message.get("Message-ID", "")),
        }
        with self.lock:
            self.file.write(json.dumps(line, ensure_ascii=False) + "\n")
        return "250 OK"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Recorder(path), hostname="127.0.0.1", port=port)
    controller.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()


if __name__ == "__main__":
    main()
