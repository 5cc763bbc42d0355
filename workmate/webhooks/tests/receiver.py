"""A real HTTP receiver on loopback for the webhook tests, started once per module.

Each path is a mailbox: `/<name>` answers what the test asked for it (`answer(name, 500)`,
410, 429 with Retry-After, or a delay) and keeps every request it got, with its raw body,
and whether that body verified with the `standardwebhooks` library under each secret the
test registered for the path (`expect(name, secret)`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


@dataclasses.dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified_with: list[str]  # The registered secrets the signature verified under.

    @property
    def message_id(self) -> str:
        return self.headers.get("webhook-id", "")


class Receiver:
    def __init__(self) -> None:
        self.received: dict[str, list[Received]] = {}
        self.answers: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.secrets: dict[str, list[str]] = {}
        self.delays: dict[str, float] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                name = self.path.strip("/").split("?")[0]
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                verified = []
                for secret in receiver.secrets.get(name, []):
                    try:
                        Webhook(secret).verify(body, headers, json_parse=False)
                    except WebhookVerificationError:
                        continue
                    verified.append(secret)
                with receiver.lock:
                    receiver.received.setdefault(name, []).append(
                        Received(self.path, headers, body, verified)
                    )
                    queue = receiver.answers.get(name) or []
                    status, extra = queue.pop(0) if len(queue) > 1 else (queue or [(200, {})])[0]
                if delay := receiver.delays.get(name):
                    time.sleep(delay)
                self.send_response(status)
                for key, value in extra.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                # The sender may have given up waiting (a timeout test).
                with contextlib.suppress(OSError):
                    self.wfile.write(f"answer {status} from {name}".encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def answer(self, name: str, *statuses: int, **headers: str) -> None:
        """Answer the next requests to `name` with these statuses; the last one sticks."""
        extra = {key.replace("_", "-"): value for key, value in headers.items()}
        self.answers[name] = [(status, extra) for status in statuses]

    def expect(self, name: str, *secrets: str) -> None:
        self.secrets[name] = list(secrets)

    def got(self, name: str) -> list[Received]:
        with self.lock:
            return list(self.received.get(name, []))

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
