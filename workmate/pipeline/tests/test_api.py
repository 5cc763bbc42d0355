"""The pipeline API against its own schema: list, read, start, change, move, decide, drop."""

from __future__ import annotations

import pytest
from django.test import Client

from workmate.pipeline.models import PoC, Stage
from workmate.pipeline.tests.conftest import make_page_template, make_poc, verify
from workmate.testing.factories import make_page, make_space
from workmate.testing.openapi import assert_matches_schema, fetch_schema, token_client

JSON = "application/json"
ROOT = "/api/v1/pipeline/pocs"


@pytest.fixture
def document(db):
    return fetch_schema(Client())


def call(document, client, method, path, data=None):
    if method == "GET":
        response = client.get(path, data or {})
    else:
        response = getattr(client, method.lower())(path, data or {}, content_type=JSON)
    assert_matches_schema(document, method, path, response)
    return response


CRITERIA = [
    {"description": f"Criterion {n}", "target": f"target {n}", "result": f"r{n}", "met": True}
    for n in range(3)
]


def test_the_whole_way_through_the_api(document, nina, nbd, team):
    api = token_client(nina)

    created = call(
        document, api, "POST", ROOT, {"title": "Edge cache", "idea": "CDN", "team_id": nbd.pk}
    )
    assert created.status_code == 201
    poc_id = created.json()["id"]
    url = f"{ROOT}/{poc_id}"

    refused = call(document, api, "POST", f"{url}/advance", {"to_stage": "running"})
    assert refused.status_code == 400
    assert "Set the time box: a start and an end date." in refused.json()["detail"]

    patched = call(
        document,
        api,
        "PATCH",
        url,
        {
            "believe": "a CDN",
            "will": "cut latency",
            "measured_by": "p95",
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-27",
            "budget_krw": 5_000_000,
            "criteria": CRITERIA,
        },
    )
    assert patched.status_code == 200
    assert patched.json()["hypothesis"]["will"] == "cut latency"
    assert call(document, api, "POST", f"{url}/advance", {"to_stage": "running"}).status_code == 200

    decision = {
        "context": "Slow images",
        "options": ["CDN", "Bigger servers"],
        "decision": "go",
        "outcome": "CDN",
        "consequences": "A new bill",
        "revisit_on": "2027-06-01",
    }
    decided = call(document, api, "POST", f"{url}/decision", decision)
    assert decided.status_code == 200
    assert decided.json()["decision"]["options"] == ["CDN", "Bigger servers"]

    page = verify(make_page(space=make_space(team=nbd), owner=nina, title="CDN 런북"), nina)
    body = {"to_stage": "documented", "runbook_page_id": page.pk}
    assert call(document, api, "POST", f"{url}/advance", body).status_code == 200
    template = make_page_template(nina)
    body = {"to_stage": "templated", "page_template_id": template.pk}
    assert call(document, api, "POST", f"{url}/advance", body).status_code == 200
    body = {"to_stage": "rolled_out", "adopted_team_ids": [team.pk, nbd.pk]}
    done = call(document, api, "POST", f"{url}/advance", body)

    assert done.status_code == 200
    data = done.json()
    assert (data["stage"], sorted(data["adopted_by"])) == ("rolled_out", ["NBD", "TE"])
    assert [(e["from_stage"], e["to_stage"]) for e in data["timeline"] if e["kind"] == "moved"] == [
        ("idea", "running"),
        ("running", "decided"),
        ("decided", "documented"),
        ("documented", "templated"),
        ("templated", "rolled_out"),
    ]
    assert PoC.objects.get().stage == Stage.ROLLED_OUT


def test_list_filters_and_pages(document, nina, nbd, team, bob, django_assert_max_num_queries):
    for index in range(5):
        make_poc(nina, nbd if index % 2 else team, title=f"PoC {index}")
    api = token_client(bob)

    first = call(document, api, "GET", ROOT, {"limit": 2})
    second = call(document, api, "GET", ROOT, {"limit": 2, "cursor": first.json()["next_cursor"]})
    nbd_only = call(document, api, "GET", ROOT, {"team": "nbd"})

    ids = [item["id"] for item in first.json()["items"] + second.json()["items"]]
    assert len(set(ids)) == 4
    assert {item["team_code"] for item in nbd_only.json()["items"]} == {"NBD"}
    with django_assert_max_num_queries(9):
        call(document, api, "GET", ROOT, {"limit": 50})


def test_a_reader_gets_403_an_outsider_404(document, nina, nbd, bob, charlie):
    poc = make_poc(nina, nbd)
    url = f"{ROOT}/{poc.pk}"

    assert call(document, token_client(bob), "GET", url).status_code == 200
    denied = call(document, token_client(bob), "POST", f"{url}/drop", {"reason": "no"})
    assert denied.status_code == 403
    assert call(document, token_client(charlie), "GET", url).status_code == 404
    assert call(document, token_client(charlie), "GET", ROOT).json()["items"] == []
    poc.refresh_from_db()
    assert poc.stage == Stage.IDEA


def test_bad_input_is_a_clear_error(document, nina, nbd):
    poc = make_poc(nina, nbd)
    api = token_client(nina)
    url = f"{ROOT}/{poc.pk}"

    too_few = call(document, api, "PATCH", url, {"criteria": CRITERIA[:2]})
    assert too_few.status_code == 400 and "criteria" in too_few.json()["errors"]
    assert call(document, api, "PATCH", url, {"budget_krw": -1}).status_code == 422
    unknown = call(document, api, "PATCH", url, {"task_ids": [999999]})
    assert unknown.status_code == 400 and "task_ids" in unknown.json()["errors"]
    bad_stage = call(document, api, "POST", f"{url}/advance", {"to_stage": "flying"})
    assert bad_stage.status_code == 422
    assert not poc.criteria.exists()


def test_a_private_runbook_cannot_be_linked_by_an_outsider_to_its_space(document, nina, nbd):
    from workmate.library.models import SpaceKind

    secret = make_space(kind=SpaceKind.PRIVATE, team=None)
    page = verify(make_page(space=secret, owner=nina), nina)
    poc = make_poc(nina, nbd)
    PoC.objects.filter(pk=poc.pk).update(stage=Stage.DECIDED)

    response = call(
        document,
        token_client(nina),
        "POST",
        f"{ROOT}/{poc.pk}/advance",
        {"to_stage": "documented", "runbook_page_id": page.pk},
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"runbook_page_id": ["No such page."]}
