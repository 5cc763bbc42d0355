"""Sending one HTTP POST to a webhook URL, refusing addresses inside the network.

A webhook URL is typed by a person, so without care it could make the server call its
own admin ports, the database's neighbours or the cloud's metadata service (SSRF). The
check is made on the address the name resolves to *at send time*, and the connection
is made to that very address (the name is not looked up again), so a name that resolves
to a public address when the endpoint is saved and to 127.0.0.1 later (DNS rebinding)
is still refused. An administrator may allow named hosts (WEBHOOKS_ALLOWED_HOSTS), e.g.
a chat server on the office network; tests allow loopback that way.

Redirects are not followed (a redirect could point inside); a 3xx counts as a failure.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
import time
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 10.0
EXCERPT_BYTES = 2000

# Cloud metadata services that are reachable at addresses `is_global` does not already
# call internal (the others, 169.254.169.254 and fd00:ec2::254, are link-local/private).
METADATA_ADDRESSES = {
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("192.0.0.192"),  # Oracle Cloud (classic)
}


class Refused(Exception):
    """The URL may not be called: said in the reader's language."""


@dataclasses.dataclass
class Response:
    status: int | None
    body: str
    duration_ms: int
    error: str = ""
    retry_after: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def allowed_hosts() -> set[str]:
    return {host.lower().strip("[]") for host in settings.WEBHOOKS_ALLOWED_HOSTS}


def is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local (metadata), multicast, reserved or unspecified."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast or address in METADATA_ADDRESSES


def check_url(url: str) -> None:
    """Refuse a URL that is not http(s) with a host (cheap, no lookup: for forms)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise Refused(_("Give an http:// or https:// address."))
    if parts.username or parts.password:
        raise Refused(_("Leave the user name and password out of the address."))
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return
    if is_internal(literal) and parts.hostname.lower() not in allowed_hosts():
        raise Refused(_("Addresses inside the network are not allowed for webhooks."))


def resolve(url: str) -> tuple[str, int, str]:
    """(host name, port, the vetted address to connect to), or Refused.

    Every address the name resolves to must be outside the network, unless the host is
    allowed by name: one internal answer among public ones is enough to refuse.
    """
    check_url(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused(_("The host name %(host)s does not resolve.") % {"host": host}) from None
    addresses = [ipaddress.ip_address(answer[4][0].split("%")[0]) for answer in answers]
    if not addresses:
        raise Refused(_("The host name %(host)s does not resolve.") % {"host": host})
    if host.lower() not in allowed_hosts() and any(is_internal(a) for a in addresses):
        raise Refused(
            _("%(host)s resolves to an address inside the network; webhooks may not call it.")
            % {"host": host}
        )
    return host, port, str(addresses[0])


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST `body` to `url` within TIMEOUT_SECONDS, to the address vetted by `resolve`.

    Never raises for network trouble: a refusal, a timeout or a reset comes back as a
    Response without a status and with the error said.
    """
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        host, port, address = resolve(url)
    except Refused as refusal:
        return Response(status=None, body="", duration_ms=elapsed(), error=str(refusal))
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    timeout = urllib3.Timeout(total=TIMEOUT_SECONDS)
    pool: urllib3.HTTPConnectionPool
    if parts.scheme == "https":
        # Connect to the vetted address but check the certificate for the name.
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if ":" in host and not netloc.startswith("["):
        netloc = f"[{host}]" if parts.port is None else f"[{host}]:{parts.port}"
    try:
        with pool:
            answer = pool.urlopen(
                "POST",
                path,
                body=body,
                headers={"Host": netloc, "User-Agent": "Workmate-Webhooks/1", **headers},
                redirect=False,
                preload_content=False,
                assert_same_host=False,
            )
            excerpt = answer.read(EXCERPT_BYTES, decode_content=True)
            answer.release_conn()
    except urllib3.exceptions.HTTPError as error:
        message = str(error.reason if hasattr(error, "reason") else error) or type(error).__name__
        if isinstance(error, urllib3.exceptions.TimeoutError | urllib3.exceptions.ReadTimeoutError):
            message = _("No answer within %(seconds)d s.") % {"seconds": TIMEOUT_SECONDS}
        return Response(status=None, body="", duration_ms=elapsed(), error=message[:500])
    return Response(
        status=answer.status,
        body=excerpt.decode("utf-8", "replace"),
        duration_ms=elapsed(),
        retry_after=answer.headers.get("Retry-After"),
    )
