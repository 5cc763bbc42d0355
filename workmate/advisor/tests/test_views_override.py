"""The architect's judgement on the report: override one workload's verdict or target with
a reason (both kept and shown), go back to the computed result, and change the what-if
settings, which recomputes the whole assessment without losing the overrides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workmate.advisor import assess
from workmate.advisor.models import AssessmentEvent, EventKind
from workmate.testing.factories import make_price_table, make_workload

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed_assessment(assessment):
    make_price_table()
    utilisation = {
        "perf_days": 30,
        "cpu_p95_pct": Decimal("50"),
        "mem_p95_pct": Decimal("50"),
        "cpu_avg_pct": Decimal("20"),
        "mem_avg_pct": Decimal("30"),
    }
    make_workload(assessment=assessment, vm_name="web01", cpus=8, memory_mib=16384, **utilisation)
    make_workload(assessment=assessment, vm_name="web02", cpus=2, memory_mib=4096, **utilisation)
    assess.compute(assessment)
    return assessment


def _override_url(assessment, name: str) -> str:
    workload = assessment.workloads.get(vm_name=name)
    return f"/advisor/{assessment.pk}/workloads/{workload.pk}/override/"


def test_override_is_kept_through_a_what_if_recompute(
    client, architect, computed_assessment, django_capture_on_commit_callbacks
):
    client.force_login(architect)
    web01 = computed_assessment.workloads.get(vm_name="web01")
    assert (web01.verdict, web01.instance_type) == ("rehost", "m6i.2xlarge")
    response = client.post(
        _override_url(computed_assessment, "web01") + "?page=1",
        {"verdict": "replatform", "instance_type": "r6i.large", "region": "",
         "reason": "The customer moves this app to containers.", "page": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"].endswith(
        f"/advisor/{computed_assessment.pk}/report/?page=1#workload-table"
    )
    web01.refresh_from_db()
    assert (web01.override_verdict, web01.override_instance_type) == ("replatform", "r6i.large")
    assert web01.overridden_by == architect
    # The costs follow the chosen target: r6i.large at 0.15 an hour.
    assert web01.monthly_on_demand_usd == Decimal("109.50")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/advisor/{computed_assessment.pk}/what-if/",
            {"region": "ap-northeast-2", "percentile": "p95", "comfort_factor": "1.00",
             "pricing_model": "reserved_1y", "allowed_families_text": "m6i, r6i"},
        )  # fmt: skip
    assert response.status_code == 302
    computed_assessment.refresh_from_db()
    assert computed_assessment.comfort_factor == Decimal("1.00")
    assert computed_assessment.allowed_families == ["m6i", "r6i"]
    assert computed_assessment.compute_status == ""
    web01.refresh_from_db()
    # Recomputed: 8 × 50 % × 1.0 = 4 vCPUs, 8 GiB → m6i.xlarge; the override stays.
    assert web01.needed_vcpu == Decimal("4.00")
    assert web01.instance_type == "m6i.xlarge"
    assert (web01.override_verdict, web01.override_instance_type) == ("replatform", "r6i.large")
    assert web01.override_reason == "The customer moves this app to containers."
    assert AssessmentEvent.objects.filter(
        assessment=computed_assessment, kind=EventKind.SETTINGS
    ).exists()
    html = client.get(f"/advisor/{computed_assessment.pk}/report/").content.decode()
    assert "The customer moves this app to containers." in html
    assert "computed: Rehost" in html
    assert "computed: m6i.xlarge" in html


def test_override_needs_a_reason_and_changes_nothing_without_one(
    client, architect, computed_assessment
):
    client.force_login(architect)
    url = _override_url(computed_assessment, "web02")
    response = client.post(url, {"verdict": "retire", "reason": "  "})
    assert response.status_code == 400
    assert "Say why you override the computed result." in response.content.decode()
    response = client.post(url, {"instance_type": "not a type", "reason": "x"})
    assert response.status_code == 400
    response = client.post(url, {"reason": "only a reason"})
    assert response.status_code == 400
    assert not computed_assessment.workloads.overridden().exists()


def test_back_to_the_computed_result(client, architect, computed_assessment):
    client.force_login(architect)
    url = _override_url(computed_assessment, "web02")
    client.post(url, {"verdict": "retain", "reason": "Licence server"})
    assert computed_assessment.workloads.overridden().count() == 1
    page = client.get(url)
    assert 'id="clear-override"' in page.content.decode()
    client.post(url, {"clear": "1"})
    web02 = computed_assessment.workloads.get(vm_name="web02")
    assert (web02.override_verdict, web02.override_reason) == ("", "")
    assert AssessmentEvent.objects.filter(kind=EventKind.OVERRIDE_CLEARED).count() == 1


def test_what_if_refuses_bad_values_and_keeps_the_settings(client, architect, computed_assessment):
    client.force_login(architect)
    response = client.post(
        f"/advisor/{computed_assessment.pk}/what-if/",
        {"region": "seoul", "percentile": "p95", "comfort_factor": "9",
         "pricing_model": "on_demand", "allowed_families_text": "m6i, <b>"},
    )  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not an AWS region code" in html
    assert "is not an instance family" in html
    computed_assessment.refresh_from_db()
    assert computed_assessment.region == "ap-northeast-2"
    assert computed_assessment.comfort_factor == Decimal("1.30")


def test_outsider_404_and_reader_403(client, charlie, alice, computed_assessment):
    url = _override_url(computed_assessment, "web01")
    for person, status in ((charlie, 404), (alice, 403)):
        client.force_login(person)
        assert client.get(url).status_code == status
        assert client.post(url, {"verdict": "retire", "reason": "x"}).status_code == status
        assert client.get(f"/advisor/{computed_assessment.pk}/what-if/").status_code == status
    assert not computed_assessment.workloads.overridden().exists()


def test_a_workload_of_another_assessment_is_404(client, architect, computed_assessment):
    other = make_workload(vm_name="elsewhere")
    client.force_login(architect)
    url = f"/advisor/{computed_assessment.pk}/workloads/{other.pk}/override/"
    assert client.get(url).status_code == 404
