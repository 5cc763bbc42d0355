"""The advisor API against its OpenAPI schema, with the pages' access rules."""

from __future__ import annotations

import pytest
from django.test import Client

from workmate.advisor import assess, samples
from workmate.advisor.models import Assessment, ImportStatus
from workmate.testing.factories import make_price_table, make_workload
from workmate.testing.openapi import assert_matches_schema, fetch_schema, token_client

pytestmark = pytest.mark.django_db
BASE = "/api/v1/advisor"
JSON = "application/json"


@pytest.fixture
def document(db):
    return fetch_schema(Client())


@pytest.fixture(autouse=True)
def table():
    make_price_table()


def call(document, client, method, path, data=None, status=200, **kw):
    if data is not None and method != "get":
        kw.setdefault("content_type", JSON)
    response = (
        getattr(client, method)(path, data, **kw)
        if data is not None
        else getattr(client, method)(path, **kw)
    )
    assert response.status_code == status, response.content
    assert_matches_schema(document, method, path, response)
    return response.json() if response.content else None


def test_assessment_lifecycle(document, architect, customer_a, django_capture_on_commit_callbacks):
    api = token_client(architect)
    created = call(
        document,
        api,
        "post",
        f"{BASE}/assessments",
        {"customer": customer_a.pk, "name": "phase 1", "comfort_factor": "1.5"},
        status=201,
    )
    assert created["settings"]["comfort_factor"] == "1.50"
    assert created["sector"] == customer_a.industry
    pk = created["id"]
    listing = call(document, api, "get", f"{BASE}/assessments")
    assert [a["id"] for a in listing["items"]] == [pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{BASE}/assessments/{pk}/imports",
            {"files": [_file("RVTools.xlsx", samples.rvtools_xlsx(samples.machines(8)))]},
        )
    assert response.status_code == 202, response.content
    assert_matches_schema(document, "post", f"{BASE}/assessments/{pk}/imports", response)
    run_id = response.json()["id"]
    run = call(document, api, "get", f"{BASE}/assessments/{pk}/imports/{run_id}")
    assert run["status"] == "preview" and run["preview"]["rows"] == 8
    with django_capture_on_commit_callbacks(execute=True):
        call(document, api, "post", f"{BASE}/assessments/{pk}/imports/{run_id}/confirm", status=202)
    run = call(document, api, "get", f"{BASE}/assessments/{pk}/imports/{run_id}")
    assert run["status"] == ImportStatus.DONE

    page = call(document, api, "get", f"{BASE}/assessments/{pk}/workloads?limit=5")
    assert len(page["items"]) == 5 and page["next_cursor"]
    rest = call(
        document, api, "get", f"{BASE}/assessments/{pk}/workloads?cursor={page['next_cursor']}"
    )
    assert len(rest["items"]) == 3
    first = page["items"][1]
    wid = first["id"]
    assert first["rules"]

    body = call(
        document,
        api,
        "put",
        f"{BASE}/assessments/{pk}/workloads/{wid}/override",
        {"verdict": "retain", "reason": "Licence bound to the host"},
    )
    assert body["chosen_verdict"] == "retain"
    assert body["override"]["reason"] == "Licence bound to the host"
    assert body["verdict"] != "retain" or body["override"]

    with django_capture_on_commit_callbacks(execute=True):
        detail = call(
            document, api, "patch", f"{BASE}/assessments/{pk}", {"pricing_model": "reserved_1y"}
        )
    assert detail["settings"]["pricing_model"] == "reserved_1y"
    kept = call(document, api, "get", f"{BASE}/assessments/{pk}/workloads/{wid}")
    assert kept["override"]["verdict"] == "retain"
    retained = call(document, api, "get", f"{BASE}/assessments/{pk}/workloads?verdict=retain")
    assert [w["id"] for w in retained["items"]] == [wid]

    edited = call(
        document,
        api,
        "patch",
        f"{BASE}/assessments/{pk}/workloads/{wid}",
        {"business_value": "none", "data_classes": ["personal"]},
    )
    assert edited["business_value"] == "none"
    bulk = call(
        document,
        api,
        "post",
        f"{BASE}/assessments/{pk}/bulk-edit",
        {"workloads": [w["id"] for w in rest["items"]], "values": {"environment": "dev"}},
    )
    assert bulk == {"changed": 3, "recomputing": False}
    cleared = call(document, api, "delete", f"{BASE}/assessments/{pk}/workloads/{wid}/override")
    assert cleared["override"] is None
    call(document, api, "get", f"{BASE}/assessments/{pk}/findings")
    rules = call(document, api, "get", f"{BASE}/rules")
    assert rules["verdict_rules"][0]["id"] == "R01-no-business-value"


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_bad_input_is_a_400_with_the_field(document, architect, assessment):
    api = token_client(architect)
    body = call(
        document,
        api,
        "patch",
        f"{BASE}/assessments/{assessment.pk}",
        {"comfort_factor": "9"},
        status=400,
    )
    assert "comfort_factor" in body["errors"]
    w = make_workload(assessment=assessment)
    body = call(
        document,
        api,
        "patch",
        f"{BASE}/assessments/{assessment.pk}/workloads/{w.pk}",
        {"cpu_p95_pct": "150"},
        status=400,
    )
    assert "over 100" in body["errors"]["cpu_p95_pct"][0]
    body = call(
        document,
        api,
        "put",
        f"{BASE}/assessments/{assessment.pk}/workloads/{w.pk}/override",
        {"verdict": "retain", "reason": ""},
        status=400,
    )
    call(
        document,
        api,
        "patch",
        f"{BASE}/assessments/{assessment.pk}",
        {"percentile": "p42"},
        status=422,
    )


def test_readers_read_but_cannot_write(document, alice, assessment):
    w = make_workload(assessment=assessment)
    assess.compute(assessment)
    api = token_client(alice)
    call(document, api, "get", f"{BASE}/assessments/{assessment.pk}")
    call(document, api, "get", f"{BASE}/assessments/{assessment.pk}/workloads/{w.pk}")
    call(document, api, "patch", f"{BASE}/assessments/{assessment.pk}", {"name": "x"}, status=403)
    call(
        document,
        api,
        "put",
        f"{BASE}/assessments/{assessment.pk}/workloads/{w.pk}/override",
        {"verdict": "retain", "reason": "x"},
        status=403,
    )
    assessment.refresh_from_db()
    assert assessment.name != "x"


def test_outsiders_get_403_on_lists_and_404_on_assessments(document, bob, assessment):
    api = token_client(bob)
    call(document, api, "get", f"{BASE}/assessments", status=403)
    call(document, api, "get", f"{BASE}/assessments/{assessment.pk}", status=404)
    call(document, api, "get", f"{BASE}/assessments/{assessment.pk}/workloads", status=404)
    call(
        document,
        api,
        "post",
        f"{BASE}/assessments",
        {"customer": assessment.customer_id, "name": "x"},
        status=403,
    )
    assert Assessment.objects.count() == 1


def test_workload_of_another_assessment_is_404(document, architect, assessment):
    stranger = make_workload()
    api = token_client(architect)
    call(
        document,
        api,
        "get",
        f"{BASE}/assessments/{assessment.pk}/workloads/{stranger.pk}",
        status=404,
    )


def test_signed_out_is_401(document, assessment):
    call(document, Client(), "get", f"{BASE}/assessments", status=401)
