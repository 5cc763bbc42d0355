"""The shell context: the product's modules that exist, as links; the nav shows only what works."""

from __future__ import annotations

from django.test import RequestFactory
from django.urls import resolve, reverse

from workmate.accounts import context_processors


def test_modules_without_a_url_yet_are_left_out(monkeypatch):
    monkeypatch.setattr(
        context_processors,
        "MODULES",
        [("people", "People", "directory"), ("nowhere", "Nowhere", "nowhere:home")],
    )
    request = RequestFactory().get(reverse("directory"))
    request.resolver_match = resolve(reverse("directory"))

    nav = context_processors.shell(request)["nav_modules"]

    assert nav == [{"key": "people", "label": "People", "url": "/people/", "active": False}]


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

    assert [module["key"] for module in nav] == [
        "work",
        "desk",
        "voice",
        "library",
        "pipeline",
        "levels",
        "reviews",
        "advisor",
        "automation",
        "webhooks",
        "success",
    ]
    assert not any(module["active"] for module in nav)


def test_pages_render_the_modules_that_exist_and_nothing_else(client, alice):
    client.force_login(alice)

    page = client.get(reverse("home")).content.decode()

    labels = (
        "Work",
        "Desk",
        "Voice",
        "Library",
        "Pipeline",
        "Levels",
        "Reviews",
        "Advisor",
        "Automation",
        "Customers",
    )
    assert all(f">{label}<" in page for label in labels)
    assert "Not available yet" not in page
