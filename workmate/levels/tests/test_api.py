"""The levels API from outside: the ladder for everyone, one's own level and ledger only
(no route reads another person's), glue work with its confirmation, curation."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from workmate.inbox.models import Notification
from workmate.levels.models import EntryKind, GlueConfirmation, LedgerEntry
from workmate.levels.services import do_edit_expectation, record_level_change
from workmate.levels.tests.conftest import add_entry
from workmate.testing.openapi import assert_matches_schema, fetch_schema, token_client

pytestmark = pytest.mark.django_db

EVERYONE = ["self", "teammate", "other_member", "lead", "other_lead", "executive", "admin"]


@pytest.fixture
def document(db):
    return fetch_schema(Client())


@pytest.fixture
def bobs(cast, ladder):
    entry = add_entry(cast["self"], title="Secret migration plan", url="/work/tasks/1/")
    record_level_change(cast["self"], track_code="ic", number=3, reason="Hired as senior")
    return entry


@pytest.mark.parametrize("who", EVERYONE)
def test_each_reads_only_their_own_ledger_and_level(cast, bobs, document, who):
    api = token_client(cast[who])
    response = api.get("/api/v1/levels/me/ledger")
    assert response.status_code == 200
    assert_matches_schema(document, "GET", "/api/v1/levels/me/ledger", response)
    titles = [item["title"] for item in response.json()["items"]]
    assert titles == (["Secret migration plan"] if who == "self" else [])

    level = api.get("/api/v1/levels/me/level")
    assert_matches_schema(document, "GET", "/api/v1/levels/me/level", level)
    assert level.json()["number"] == (3 if who == "self" else None)


@pytest.mark.parametrize("who", ["teammate", "lead", "executive", "admin"])
def test_nobody_curates_someone_elses_entry(cast, bobs, who):
    api = token_client(cast[who])
    response = api.patch(
        f"/api/v1/levels/me/ledger/{bobs.pk}", {"hidden": True}, content_type="application/json"
    )
    assert response.status_code == 404
    bobs.refresh_from_db()
    assert not bobs.hidden


def test_the_ladder_as_it_stood(cast, ladder, document):
    do_edit_expectation(
        cast["executive"],
        track_code="ic",
        number=3,
        competency_code="delivery",
        text_en="Ships projects of a quarter.",
        text_ko="분기 단위 프로젝트를 해냅니다.",
        note="Bigger scope",
    )
    api = token_client(cast["teammate"])

    def delivery_l3(body):
        track = next(t for t in body["tracks"] if t["code"] == "ic")
        level = next(lv for lv in track["levels"] if lv["number"] == 3)
        return next(
            e["text_en"]
            for e in level["expectations"]
            if e["competency"] == "delivery" and e["flavour"] is None
        )

    current = api.get("/api/v1/levels/ladder")
    assert_matches_schema(document, "GET", "/api/v1/levels/ladder", current)
    assert current.json()["version"] == 2
    assert delivery_l3(current.json()) == "Ships projects of a quarter."
    first = api.get("/api/v1/levels/ladder?version=1").json()
    assert delivery_l3(first).startswith("Delivers projects of a few weeks")
    assert {f["code"] for f in first["flavours"]} == {"TE", "LE", "SE", "SD", "NBD"}
    assert api.get("/api/v1/levels/ladder?version=9").status_code == 404
    versions = api.get("/api/v1/levels/ladder/versions")
    assert_matches_schema(document, "GET", "/api/v1/levels/ladder/versions", versions)
    assert [v["number"] for v in versions.json()["items"]] == [2, 1]


def test_adding_glue_work_asks_the_colleague_through_the_inbox(cast, ladder, document):
    api = token_client(cast["self"])
    response = api.post(
        "/api/v1/levels/me/ledger/glue",
        {
            "title": "Mentored Dave through his first on-call week",
            "description": "Paired on three night pages.",
            "occurred_on": datetime.date.today().isoformat(),
            "colleague_id": cast["teammate"].pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert_matches_schema(document, "POST", "/api/v1/levels/me/ledger/glue", response)
    body = response.json()
    assert body["kind"] == EntryKind.GLUE
    assert body["competency"] == "collaboration"
    assert body["confirmation"] == {
        "colleague": "Dave Jung",
        "state": "asked",
        "answered_at": None,
    }
    [note] = Notification.objects.filter(recipient=cast["teammate"])
    assert note.group_key == f"glue:{GlueConfirmation.objects.get().pk}"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "", "description": "x"}, "title"),
        ({"title": "Talk", "description": "  "}, "description"),
        ({"title": "Talk", "description": "x", "competency": "charisma"}, "competency"),
        ({"title": "Talk", "description": "x", "colleague_id": 999999}, "colleague_id"),
        ({"title": "Talk", "description": "x", "occurred_on": "2999-01-01"}, "occurred_on"),
    ],
)
def test_bad_glue_is_refused_and_writes_nothing(cast, ladder, payload, field):
    api = token_client(cast["self"])
    body = {"occurred_on": datetime.date.today().isoformat(), **payload}
    response = api.post("/api/v1/levels/me/ledger/glue", body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not LedgerEntry.objects.exists()


def test_asking_oneself_to_confirm_is_refused(cast, ladder):
    api = token_client(cast["self"])
    response = api.post(
        "/api/v1/levels/me/ledger/glue",
        {
            "title": "Talk",
            "description": "At the meetup",
            "occurred_on": datetime.date.today().isoformat(),
            "colleague_id": cast["self"].pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "colleague" in response.json()["errors"]
    assert not LedgerEntry.objects.exists()


def test_curating_through_the_api(cast, bobs, document):
    api = token_client(cast["self"])
    response = api.patch(
        f"/api/v1/levels/me/ledger/{bobs.pk}",
        {
            "starred": True,
            "impact": "Cut the migration window to one night",
            "competency": "ownership",
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    assert_matches_schema(document, "PATCH", f"/api/v1/levels/me/ledger/{bobs.pk}", response)
    bobs.refresh_from_db()
    assert (bobs.starred, bobs.competency, bobs.competency_chosen) == (True, "ownership", True)
    assert bobs.impact == "Cut the migration window to one night"
    assert bobs.title == "Secret migration plan"  # the recorded facts stay


def test_filters_and_paging(cast, ladder):
    for number in range(3):
        add_entry(cast["self"], title=f"Task {number}")
    add_entry(cast["self"], EntryKind.TICKET_SOLVED, title="Ticket")
    api = token_client(cast["self"])
    solved = api.get("/api/v1/levels/me/ledger?kind=ticket_solved").json()["items"]
    assert [item["title"] for item in solved] == ["Ticket"]
    first = api.get("/api/v1/levels/me/ledger?limit=2").json()
    second = api.get(f"/api/v1/levels/me/ledger?limit=2&cursor={first['next_cursor']}").json()
    titles = [i["title"] for i in first["items"] + second["items"]]
    assert sorted(titles) == ["Task 0", "Task 1", "Task 2", "Ticket"]
    assert api.get("/api/v1/levels/me/ledger?kind=bogus").status_code == 422


def test_the_schema_keeps_the_ledgers_kinds_apart_from_the_desks(document):
    schemas = document["components"]["schemas"]
    # Before, both enums were "EntryKind" and the ledger's replaced the desk's timeline kinds.
    named = [name for name, schema in schemas.items() if "task_completed" in schema.get("enum", [])]
    assert named == ["LedgerEntryKind"]
