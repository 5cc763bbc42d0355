"""Sending: the SSRF guard on the resolved address, the timeout, signatures the library
verifies on the raw body, and no redirect followed."""

from __future__ import annotations

import datetime
import json
import socket
import zoneinfo

import pytest

from workmate.webhooks import signing, transport


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.8/hook",
        "http://192.168.1.20/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fd00:ec2::254]/hook",
        "http://0.0.0.0/hook",
        "http://localhost:9/hook",
    ],
)
def test_internal_addresses_are_refused_at_send_time(settings, url):
    settings.WEBHOOKS_ALLOWED_HOSTS = []

    response = transport.post(url, b"{}", {})

    assert response.status is None
    assert "inside the network" in response.error


def test_a_name_that_resolves_inside_is_refused(settings, monkeypatch):
    """DNS rebinding: the name looked fine when saved, and resolves to loopback now."""
    settings.WEBHOOKS_ALLOWED_HOSTS = []
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kw: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))],
    )

    with pytest.raises(transport.Refused, match=r"hooks\.example\.com resolves"):
        transport.resolve("https://hooks.example.com/in")


def test_one_internal_answer_among_public_ones_is_enough_to_refuse(settings, monkeypatch):
    settings.WEBHOOKS_ALLOWED_HOSTS = []
    answers = [("93.184.216.34", 443), ("10.1.2.3", 443)]
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kw: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", a) for a in answers],
    )

    with pytest.raises(transport.Refused):
        transport.resolve("https://mixed.example.com/in")


def test_a_public_address_passes_and_is_the_one_connected_to(settings, monkeypatch):
    settings.WEBHOOKS_ALLOWED_HOSTS = []
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kw: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))
        ],
    )

    assert transport.resolve("https://hooks.example.com/in") == (
        "hooks.example.com",
        443,
        "93.184.216.34",
    )


@pytest.mark.parametrize(
    "url", ["ftp://hooks.example.com/", "file:///etc/passwd", "https://user:pw@hooks.example.com/"]
)
def test_other_schemes_and_credentials_are_refused(url):
    with pytest.raises(transport.Refused):
        transport.check_url(url)


def test_unknown_host_is_a_failure_not_a_crash(monkeypatch):
    def no_such_host(host, port, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # No real lookup: a resolver without network may take long to say no.
    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)

    response = transport.post("http://no-such-host.invalid/hook", b"{}", {})

    assert response.status is None
    assert "does not resolve" in response.error


def test_signed_post_verifies_with_the_library_on_the_raw_body(receiver):
    secret = signing.new_secret()
    receiver.expect("plain", secret)
    body = json.dumps({"type": "task.created", "data": {"title": "서버 점검"}}, ensure_ascii=False)
    headers = signing.headers("msg_1", body, [secret], datetime.datetime.now(datetime.UTC))

    response = transport.post(
        receiver.url("plain"), body.encode(), {"Content-Type": "application/json", **headers}
    )

    assert response.status == 200
    assert response.body == "answer 200 from plain"
    [got] = receiver.got("plain")
    assert got.body == body.encode()
    assert got.verified_with == [secret]
    assert got.headers["webhook-id"] == "msg_1"


def test_during_a_rotation_both_secrets_sign(receiver):
    old, new = signing.new_secret(), signing.new_secret()
    receiver.expect("rotating", old, new)
    headers = signing.headers("msg_2", "{}", [new, old], datetime.datetime.now(datetime.UTC))

    transport.post(receiver.url("rotating"), b"{}", headers)

    assert len(headers["webhook-signature"].split(" ")) == 2
    assert receiver.got("rotating")[0].verified_with == [old, new]


def test_a_time_in_another_zone_is_signed_as_the_same_instant(receiver):
    """standardwebhooks 1.1.0 replaces a datetime's zone instead of converting it."""
    secret = signing.new_secret()
    receiver.expect("seoul", secret)
    seoul = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Seoul"))
    headers = signing.headers("msg_3", "{}", [secret], seoul)

    transport.post(receiver.url("seoul"), b"{}", headers)

    assert headers["webhook-timestamp"] == str(int(seoul.timestamp()))
    assert receiver.got("seoul")[0].verified_with == [secret]


def test_redirects_are_not_followed(receiver):
    receiver.answer("moved", 302, Location="http://169.254.169.254/")

    response = transport.post(receiver.url("moved"), b"{}", {})

    assert response.status == 302
    assert not response.ok
    assert len(receiver.got("moved")) == 1


def test_no_answer_within_the_timeout_is_a_failure(receiver, monkeypatch):
    monkeypatch.setattr(transport, "TIMEOUT_SECONDS", 0.2)
    receiver.delays["stuck"] = 10.0  # far past the timeout, so load cannot blur the two

    response = transport.post(receiver.url("stuck"), b"{}", {})

    assert response.status is None
    assert response.duration_ms < 5000
    assert response.error


def test_retry_after_is_read(receiver):
    receiver.answer("busy", 429, Retry_After="120")

    response = transport.post(receiver.url("busy"), b"{}", {})

    assert (response.status, response.retry_after) == (429, "120")
