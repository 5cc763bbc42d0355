"""The home page's section registry: how an app that does not exist yet (the library's
"pages to review") plugs its section in without the home page importing it."""

from __future__ import annotations

import copy

import pytest
from django.urls import reverse

from workmate.accounts import today


@pytest.fixture
def registry(monkeypatch):
    """The registry as the apps filled it, restored after the test."""
    providers = dict(today._providers)
    monkeypatch.setattr(today, "_providers", providers)
    return providers


def test_every_app_registers_its_sections():
    assert {
        "work.quick_add",
        "work.needs_reply",
        "work.due",
        "work.waiting_on",
        "inbox.unread",
        "desk.at_risk",
        "voice.waiting",
        "checkins.to_answer",
    } <= set(today._providers)


def test_a_new_apps_section_shows_in_its_place_for_whom_it_concerns(
    client, registry, alice, bob, tmp_path, settings
):
    (tmp_path / "library").mkdir()
    (tmp_path / "library" / "_review.html").write_text(
        '<section class="card" id="today-review">{{ data.count }} pages to review</section>'
    )
    templates = copy.deepcopy(settings.TEMPLATES)  # A new value resets the engines.
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates

    def pages_to_review(viewer: today.Viewer) -> today.Section | None:
        if not viewer.leads_a_team:
            return None
        return today.Section("", "library/_review.html", {"count": 3})

    today.register("library.review", 45, pages_to_review)
    client.force_login(alice)
    page = client.get(reverse("home")).content.decode()

    assert "3 pages to review" in page
    # Order 45: after the tasks due (40), before what the viewer waits on (50).
    assert page.find('id="today-due"') < page.find('id="today-review"')
    assert page.find('id="today-review"') < page.find('id="today-waiting-on"')

    client.force_login(bob)
    assert 'id="today-review"' not in client.get(reverse("home")).content.decode()


def test_registering_again_replaces_the_provider(registry):
    today.register("work.due", 99, lambda viewer: None)
    today.register("work.due", 41, lambda viewer: None)

    assert registry["work.due"][0] == 41
