"""A real IMAP server (Debian's dovecot) in a temporary directory on a loopback port.

Tests about fetching mail (`manage.py fetch_mail`) point DESK_IMAP_URL at `server.url`
and put mail into the mailbox with `server.append(raw)` (a real IMAP APPEND). One user,
`desk`, with a fixed password; maildir storage under the test's temporary directory; no
TLS. Where dovecot is not installed the tests that need it are skipped with a loud
message, except in CI (CI=true), where they fail: .ci/run installs `dovecot-imapd`.
"""

from __future__ import annotations

import contextlib
import getpass
import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from workmate.testing.ports import free_port

USER = "desk"
PASSWORD = "desk-imap-secret"


def find_dovecot() -> str | None:
    return shutil.which("dovecot") or next(
        (path for path in ("/usr/sbin/dovecot",) if os.access(path, os.X_OK)), None
    )


def _config(root: Path, port: int) -> str:
    """dovecot 2.3 configuration: one static user, maildir, plain login on loopback."""
    uid, gid = _mail_owner()
    if os.getuid() == 0:
        # As root dovecot drops its helper processes to its own users (the package makes them).
        internal, login = "dovecot", "dovenull"
    else:
        internal = login = getpass.getuser()
    group = grp.getgrgid(gid).gr_name
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name}
default_login_user = {login}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{root}/mail/%u
mail_privileged_group =
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {getpass.getuser()}
    group = {group}
    mode = 0666
  }}
  unix_listener stats-writer {{
    user = {getpass.getuser()}
    group = {group}
    mode = 0666
  }}
}}
"""


def _mail_owner() -> tuple[int, int]:
    """Who owns the mail: ourselves, or as root the dovecot user (dovecot refuses uid 0)."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    entry = pwd.getpwnam("dovecot")
    return entry.pw_uid, entry.pw_gid


class IMAPServer:
    """`with IMAPServer(tmp_dir) as server:` serves `server.url` until the block ends."""

    host = "127.0.0.1"

    def __init__(self, root: Path, binary: str) -> None:
        self.root = root
        self.binary = binary
        self.port = 0
        self.config = root / "dovecot.conf"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD}@{self.host}:{self.port}/INBOX"

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        conn.login(USER, PASSWORD)
        return conn

    def append(self, raw: bytes, mailbox: str = "INBOX", flags: str = "") -> None:
        """Deliver one message into the mailbox with IMAP APPEND."""
        conn = self.connect()
        try:
            typ, data = conn.append(mailbox, flags or None, None, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def flags(self, mailbox: str = "INBOX") -> list[str]:
        """The flags of every message in the mailbox, in order (for assertions)."""
        conn = self.connect()
        try:
            typ, count = conn.select(mailbox, readonly=True)
            if typ != "OK" or count[0] in (b"0", None):
                return []
            typ, data = conn.fetch("1:*", "(FLAGS)")
            if typ != "OK" or data == [None]:
                return []
            return [item.decode() for item in data if isinstance(item, bytes)]
        finally:
            conn.logout()

    def __enter__(self) -> IMAPServer:
        uid, gid = _mail_owner()
        for name in ("run", "state", "mail", "home"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
            if name in ("mail", "home"):
                os.chown(self.root / name, uid, gid)
        # Another process may take the probed port before dovecot binds it: try again.
        for attempt in range(5):
            self.port = free_port()
            self.config.write_text(_config(self.root, self.port))
            # In the foreground (-F), as our child: stopping it is a signal and a wait.
            errors = self.root / "start.log"
            with errors.open("wb") as sink:
                self._process = subprocess.Popen(
                    [self.binary, "-F", "-c", str(self.config)],
                    stdin=subprocess.DEVNULL,
                    stdout=sink,
                    stderr=sink,
                )
            if self._wait_ready():
                return self
            self._stop()
            if attempt == 4:
                log = self.root / "dovecot.log"
                detail = log.read_text() if log.exists() else ""
                raise RuntimeError(f"dovecot did not start: {errors.read_text()}\n{detail}")
        raise AssertionError("unreachable")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            with (
                contextlib.suppress(OSError),
                socket.create_connection((self.host, self.port), timeout=1) as sock,
            ):
                if sock.recv(100).startswith(b"* OK"):
                    return True
            time.sleep(0.05)
        return False

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # The master stops its children on SIGTERM.
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __exit__(self, *exc_info: object) -> None:
        self._stop()


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"true", "1"}


@contextlib.contextmanager
def serve() -> Iterator[IMAPServer]:
    """A running server for the block; skipped (failing in CI) where dovecot is missing."""
    binary = find_dovecot()
    if binary is None:
        message = "dovecot not found: apt-get install dovecot-imapd"
        if _in_ci():
            pytest.fail(f"{message} (required when CI=true)")
        pytest.skip(f"!!! SKIPPED: {message}")
    # Its own short directory rather than pytest's: dovecot's unix sockets live under it
    # (their names are length-limited) and, run as root, dovecot's user must reach it.
    root = Path(tempfile.mkdtemp(prefix="workmate-imap-"))
    root.chmod(0o755)
    try:
        with IMAPServer(root, binary) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_server() -> Iterator[IMAPServer]:
    with serve() as server:
        yield server
