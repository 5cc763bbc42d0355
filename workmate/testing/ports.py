"""A free loopback port for test servers (SMTP sinks, the inbound listener, dovecot)."""

from __future__ import annotations

import socket


def free_port() -> int:
    # Servers that connect to their own port once started (aiosmtpd's Controller) or are
    # configured before they bind (dovecot) need the real number up front rather than 0;
    # the kernel picks one that is free right now. Another process may take it before the
    # server binds it: callers try again with a new one.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
