"""The scale test's load: a mix of reads and writes over both web instances, and mail in.

    .venv/bin/python bench/scale_load.py SETUP.json OUT_DIR SECONDS URL_A URL_B SMTP_PORT

THREADS threads each pick an action by weight, as one of the seeded people, on web A or
B at random, for SECONDS; one request at a time per thread, a new connection for each
(so a killed web process costs the requests in flight, nothing more). Writes:

- OUT_DIR/writes.jsonl: every write that got its success answer (201 from the API, the
  302 of a web form, 250 from the SMTP listener), with the id the answer returned or the
  unique marker it carried. bench/scale_check.py looks each one up in the database.
- OUT_DIR/requests.jsonl: every request (time, action, web instance, status or the
  connection error), so the faults' effect can be read by the second.

Stdlib only (http.client, smtplib): nothing to install for the load tool.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import smtplib
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from email.message import EmailMessage
from email.utils import make_msgid

THREADS = int(os.environ.get("SCALE_THREADS", "6"))
TIMEOUT = 15

# action: weight
MIX = {
    "my_tasks": 18,
    "project_list": 12,
    "desk_queue": 12,
    "api_tasks": 8,
    "api_create_task": 10,
    "api_comment": 8,
    "api_create_ticket": 6,
    "web_create_task": 5,
    "web_comment": 5,
    "mail_in": 8,
}


class Load:
    def __init__(self, setup: dict, out_dir: str, bases: list[str], smtp_port: int) -> None:
        self.setup = setup
        self.bases = bases
        self.smtp_port = smtp_port
        self.lock = threading.Lock()
        self.writes = open(os.path.join(out_dir, "writes.jsonl"), "a", buffering=1)  # noqa: SIM115
        self.requests = open(os.path.join(out_dir, "requests.jsonl"), "a", buffering=1)  # noqa: SIM115
        self.counts: Counter[tuple[str, str]] = Counter()
        self.tasks: list[int] = []  # Tasks the load made through the API (to comment on).
        # (Message-ID, sender) of the mails the listener accepted (to reply to).
        self.mails: list[tuple[str, dict]] = []

    # --- Plumbing -----------------------------------------------------------------------

    def log_request(self, action: str, base: str, outcome: str) -> None:
        instance = "A" if base == self.bases[0] else "B"
        with self.lock:
            self.counts[action, outcome] += 1
            self.requests.write(
                json.dumps({"at": round(time.time(), 3), "action": action, "web": instance,
                            "outcome": outcome}) + "\n"
            )  # fmt: skip

    def log_write(self, **fields: object) -> None:
        with self.lock:
            self.writes.write(json.dumps(fields, ensure_ascii=False) + "\n")

    def http(
        self,
        action: str,
        base: str,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request on a new connection; (0, {}, b"") when it could not be made."""
        url = urllib.parse.urlsplit(base)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            result = response.status, {k.lower(): v for k, v in response.getheaders()}, data
        except (OSError, http.client.HTTPException) as error:
            self.log_request(action, base, type(error).__name__)
            return 0, {}, b""
        finally:
            connection.close()
        self.log_request(action, base, str(result[0]))
        return result

    def cookie(self, person: dict, csrf: str = "") -> str:
        value = f"{self.setup['cookie_name']}={person['session']}"
        return value + (f"; csrftoken={csrf}" if csrf else "")

    def page(self, action: str, base: str, person: dict, path: str) -> int:
        status, _, _ = self.http(action, base, "GET", path, {"Cookie": self.cookie(person)})
        return status

    def api(self, action: str, base: str, person: dict, method: str, path: str, payload=None,
            extra: dict[str, str] | None = None) -> tuple[int, dict]:  # fmt: skip
        headers = {"Authorization": f"Bearer {person['token']}"}
        body = None
        if payload is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(payload).encode()
        headers.update(extra or {})
        status, _, data = self.http(action, base, method, path, headers, body)
        try:
            return status, json.loads(data or b"null") or {}
        except ValueError:
            return status, {}

    def csrf(self, base: str, person: dict, path: str) -> str:
        """The CSRF cookie a signed-in page sets (as a browser would have it)."""
        _, headers, _ = self.http("csrf_page", base, "GET", path, {"Cookie": self.cookie(person)})
        for part in headers.get("set-cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name.endswith("csrftoken"):
                return value
        return ""

    def form(self, action: str, base: str, person: dict, path: str, page: str, fields: dict) -> int:
        token = self.csrf(base, person, page)
        if not token:
            return 0
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        headers = {
            "Cookie": self.cookie(person, token),
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": base,
            "Referer": base + page,
        }
        status, _, _ = self.http(action, base, "POST", path, headers, body)
        return status

    # --- Actions ------------------------------------------------------------------------

    def run_action(self, action: str, rng: random.Random) -> None:
        base = rng.choice(self.bases)
        people = self.setup["people"]
        person = rng.choice(people)
        project = rng.choice(self.setup["projects"])
        marker = f"scale-{uuid.uuid4().hex[:12]}"
        if action == "my_tasks":
            self.page(action, base, person, "/work/")
        elif action == "project_list":
            self.page(action, base, person, f"/work/projects/{project}/")
        elif action == "desk_queue":
            self.page(action, base, person, rng.choice(["/desk/mine/", "/desk/unassigned/"]))
        elif action == "api_tasks":
            self.api(action, base, person, "GET", f"/api/v1/tasks?project={project}")
        elif action == "api_create_task":
            status, data = self.api(action, base, person, "POST", "/api/v1/tasks",
                                    {"project_id": project, "title": marker})  # fmt: skip
            if status == 201:
                self.log_write(kind="task", id=data["id"], marker=marker, by=person["id"])
                with self.lock:
                    self.tasks.append(data["id"])
        elif action == "api_comment":
            task = self.some_task(rng)
            other = rng.choice([p for p in people if p is not person])
            status, data = self.api(action, base, person, "POST", f"/api/v1/tasks/{task}/comments",
                                    {"body": f"{marker} for @{other['handle']}"})  # fmt: skip
            if status == 201:
                self.log_write(kind="comment", id=data["id"], marker=marker, task=task,
                               by=person["id"], mentioned=other["id"])  # fmt: skip
        elif action == "api_create_ticket":
            contact = rng.choice(self.setup["contacts"])
            key = str(uuid.uuid4())
            status, data = self.api(action, base, person, "POST", "/api/v1/desk/tickets",
                                    {"customer_id": contact["customer_id"],
                                     "requester_id": contact["id"], "subject": marker},
                                    {"Idempotency-Key": key})  # fmt: skip
            if status == 201:
                self.log_write(kind="ticket", id=data["id"], marker=marker, by=person["id"])
        elif action == "web_create_task":
            page = f"/work/projects/{project}/"
            status = self.form(action, base, person, f"/work/projects/{project}/tasks/", page,
                               {"title": marker})  # fmt: skip
            if status == 302:
                self.log_write(kind="web_task", marker=marker, project=project, by=person["id"])
        elif action == "web_comment":
            task = self.some_task(rng)
            other = rng.choice([p for p in people if p is not person])
            page = f"/work/tasks/{task}/"
            status = self.form(action, base, person, f"/work/tasks/{task}/comments/", page,
                               {"body": f"{marker} for @{other['handle']}"})  # fmt: skip
            if status == 302:
                self.log_write(kind="web_comment", marker=marker, task=task, by=person["id"],
                               mentioned=other["id"])  # fmt: skip
        elif action == "mail_in":
            self.mail_in(rng, marker)

    def some_task(self, rng: random.Random) -> int:
        with self.lock:
            if self.tasks:
                return rng.choice(self.tasks[-200:])
        return self.setup["request_tasks"][rng.randrange(len(self.setup["request_tasks"]))]

    def mail_in(self, rng: random.Random, marker: str) -> None:
        with self.lock:
            earlier = rng.choice(self.mails) if self.mails and rng.random() < 0.3 else None
        # A reply comes from the contact who wrote the mail it answers: the desk rightly
        # opens a new ticket for a stranger's reply to another customer's ticket.
        contact = earlier[1] if earlier else rng.choice(self.setup["contacts"])
        message = EmailMessage()
        message["From"] = contact["email"]
        message["To"] = self.setup["support_email"]
        message_id = make_msgid(idstring=marker, domain="scale.example")
        message["Message-ID"] = message_id
        if earlier:
            message["Subject"] = f"Re: {marker}"
            message["In-Reply-To"] = earlier[0]
        else:
            message["Subject"] = marker
        message.set_content(f"{marker}\nThe server is slow again.")
        try:
            with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=TIMEOUT) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            self.log_request("mail_in", self.bases[0], type(error).__name__)
            return
        self.log_request("mail_in", self.bases[0], "250")
        reply_to = earlier[0] if earlier else ""
        self.log_write(kind="mail", message_id=message_id, marker=marker, reply_to=reply_to)
        with self.lock:
            self.mails.append((message_id, contact))

    def worker(self, seed: int, until: float) -> None:
        rng = random.Random(seed)
        actions, weights = zip(*MIX.items(), strict=True)
        while time.time() < until:
            action = rng.choices(actions, weights)[0]
            try:
                self.run_action(action, rng)
            except Exception as error:  # A bug in the load tool must not stop the run.
                self.log_request(action, self.bases[0], f"load-tool:{type(error).__name__}")


def main() -> None:
    setup_path, out_dir, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    bases, smtp_port = [sys.argv[4], sys.argv[5]], int(sys.argv[6])
    with open(setup_path) as f:
        setup = json.load(f)
    load = Load(setup, out_dir, bases, smtp_port)
    until = time.time() + seconds
    threads = [
        threading.Thread(target=load.worker, args=(n, until), daemon=True) for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"{'action':18} {'outcome':22} {'count':>6}")
    for (action, outcome), count in sorted(load.counts.items()):
        print(f"{action:18} {outcome:22} {count:6d}")


if __name__ == "__main__":
    main()
