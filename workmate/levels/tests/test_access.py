"""Who sees a person's ledger and level, tried from outside for every page: the person,
their team's leads and executives; nobody else (teammates, other teams and their leads,
an administrator with staff status and the superuser flag) — not by page, export or admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.levels.models import LedgerEntry, LevelChange
from workmate.levels.services import record_level_change
from workmate.levels.tests.conftest import add_entry

pytestmark = pytest.mark.django_db

ALLOWED = {"self", "lead", "executive"}
EVERYONE = ["self", "teammate", "other_member", "lead", "other_lead", "executive", "admin"]

PERSON_PAGES = [
    "levels:person",
    "levels:person_ledger",
    "levels:person_brag",
    "levels:person_brag_print",
    "levels:person_brag_markdown",
]


@pytest.fixture
def bobs_entry(cast, ladder):
    entry = add_entry(cast["self"], title="Secret migration plan", url="/work/tasks/1/")
    LedgerEntry.objects.filter(pk=entry.pk).update(starred=True)
    record_level_change(cast["self"], track_code="ic", number=3, reason="Hired as senior")
    return entry


@pytest.mark.parametrize("page", PERSON_PAGES)
@pytest.mark.parametrize("who", EVERYONE)
def test_a_persons_pages(client, cast, bobs_entry, page, who):
    client.force_login(cast[who])
    response = client.get(reverse(page, args=[cast["self"].pk]))
    if who in ALLOWED:
        assert response.status_code == 200
        assert "Secret migration plan" in response.text or page == "levels:person"
    else:
        assert response.status_code == 404
        assert "Secret migration plan" not in response.text


@pytest.mark.parametrize("who", EVERYONE)
def test_own_pages_show_only_the_viewers_own_entries(client, cast, bobs_entry, who):
    client.force_login(cast[who])
    for page in ("levels:ledger", "levels:brag", "levels:brag_print", "levels:brag_markdown"):
        response = client.get(reverse(page))
        assert response.status_code == 200
        assert ("Secret migration plan" in response.text) == (who == "self"), page


@pytest.mark.parametrize("who", EVERYONE)
def test_curating_is_for_the_person_alone(client, cast, bobs_entry, who):
    client.force_login(cast[who])
    response = client.post(reverse("levels:curate", args=[bobs_entry.pk]), {"hidden": "true"})
    bobs_entry.refresh_from_db()
    if who == "self":
        assert response.status_code == 302
        assert bobs_entry.hidden
    else:
        # A lead or an executive reads the entry but may not change it.
        assert response.status_code == (403 if who in ALLOWED else 404)
        assert not bobs_entry.hidden


@pytest.mark.parametrize("who", EVERYONE)
def test_a_teams_page(client, cast, bobs_entry, team, who):
    client.force_login(cast[who])
    response = client.get(reverse("levels:team", args=[team.pk]))
    if who in {"lead", "executive"}:
        assert response.status_code == 200
        assert "Bob Lee" in response.text
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("who", EVERYONE)
def test_setting_a_level_is_for_executives(client, cast, bobs_entry, who):
    client.force_login(cast[who])
    url = reverse("levels:person", args=[cast["self"].pk])
    response = client.post(url, {"track": "ic", "number": "4", "reason": "Promoted"})
    promoted = LevelChange.objects.filter(person=cast["self"], number=4).exists()
    if who == "executive":
        assert response.status_code == 302
        assert promoted
    else:
        assert response.status_code == (403 if who in ALLOWED else 404)
        assert not promoted


@pytest.mark.parametrize("who", EVERYONE)
def test_everyone_reads_the_ladder_and_only_executives_edit_it(client, cast, ladder, who):
    client.force_login(cast[who])
    assert client.get(reverse("levels:ladder")).status_code == 200
    assert client.get(reverse("levels:versions")).status_code == 200
    edit = reverse("levels:edit_expectation") + "?track=ic&level=3&competency=delivery"
    response = client.post(edit, {"text_en": "Ships.", "text_ko": "배포합니다."})
    if who == "executive":
        assert response.status_code == 302
        assert ladder.__class__.objects.count() == 2
    else:
        assert response.status_code == 403
        assert ladder.__class__.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/admin/levels/ledgerentry/",
        "/admin/levels/glueconfirmation/",
        "/admin/levels/levelchange/",
        "/admin/levels/personlevel/",
    ],
)
def test_the_admin_shows_no_ledger_or_levels(client, cast, bobs_entry, path):
    client.force_login(cast["admin"])
    assert client.get("/admin/").status_code == 200
    response = client.get(path)
    assert response.status_code == 404
    assert "Secret migration plan" not in client.get("/admin/").text


def test_anonymous_visitors_are_sent_to_sign_in(client, cast, bobs_entry):
    for url in (
        reverse("levels:home"),
        reverse("levels:ledger"),
        reverse("levels:person_ledger", args=[cast["self"].pk]),
    ):
        assert client.get(url).status_code == 302


def test_wrong_method(client, cast, bobs_entry):
    client.force_login(cast["self"])
    assert client.post(reverse("levels:ledger")).status_code == 405
    assert client.get(reverse("levels:curate", args=[bobs_entry.pk])).status_code == 405
