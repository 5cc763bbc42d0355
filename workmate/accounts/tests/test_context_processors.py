"""The shell context: the product's modules, live ones as links and the rest as coming."""

from __future__ import annotations

from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from workmate.accounts import context_processors


def test_modules_without_a_url_yet_are_shown_as_coming(monkeypatch):
    monkeypatch.setattr(
        context_processors,
        "MODULES",
        [("people", "People", "directory"), ("nowhere", "Nowhere", "nowhere:home")],
    )
    request = RequestFactory().get(reverse("directory"))
    request.resolver_match = resolve(reverse("directory"))

    nav = context_processors.shell(request)["nav_modules"]

    assert nav == [
        {"key": "people", "label": "People", "url": "/people/", "active": False},
        {"key": "nowhere", "label": "Nowhere", "url": "", "active": False},
    ]


def test_the_module_of_the_current_page_is_active(monkeypatch):
    monkeypatch.setattr(context_processors, "MODULES", [("admin", "Admin", "admin:index")])
    request = RequestFactory().get("/admin/")
    request.resolver_match = resolve("/admin/")

    (module,) = context_processors.shell(request)["nav_modules"]

    assert (module["url"], module["active"]) == ("/admin/", True)


def test_requests_that_resolved_nowhere_still_get_a_menu():
    request = RequestFactory().get("/no/such/page/")
    request.resolver_match = None

    nav = context_processors.shell(request)["nav_modules"]

    assert [module["key"] for module in nav] == [key for key, *_ in context_processors.MODULES]
    assert not any(module["active"] for module in nav)


def test_pages_render_every_module(client, alice):
    client.force_login(alice)

    page = client.get(reverse("home")).content.decode()

    with translation.override("en"):
        labels = [str(label) for _key, label, _url in context_processors.MODULES]
    assert all(f">{label}<" in page for label in labels)
