"""The report's data and its page: counts per chosen verdict, costs of what moves, findings
with the workloads they touch, exclusions and data-quality warnings; the page for readers
and editors, 404 for outsiders, a constant query count for the paginated workload table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workmate.advisor import report
from workmate.advisor.models import ImportRun, ImportStatus, Readiness, SizingBasis, Verdict
from workmate.advisor.tests.helpers_report import computed
from workmate.testing.factories import add_member, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory(assessment):
    computed(assessment, "web01")
    computed(
        assessment,
        "db01",
        verdict=Verdict.REPLATFORM,
        fired_rules=["R05-database"],
        findings=[
            {"id": "F-FIN-KOREA", "refused": {"target": "us-east-1"}},
            {"id": "F-FIN-PROCEDURE"},
        ],
        monthly_on_demand_usd=Decimal("200.00"),
        monthly_reserved_usd=None,
        monthly_storage_usd=Decimal("10.00"),
    )
    computed(
        assessment,
        "old01",
        verdict=Verdict.RETIRE,
        fired_rules=["R02-idle"],
        sizing_basis=SizingBasis.AS_ON_PREMISES,
        confidence="low",
    )
    computed(
        assessment,
        "mystery",
        readiness=Readiness.UNKNOWN,
        os_family="",
        verdict="",
        instance_type="",
        monthly_on_demand_usd=None,
        monthly_reserved_usd=None,
        monthly_storage_usd=None,
        sizing_basis="",
        os_tools="",
    )
    computed(assessment, "tmpl-golden", readiness=Readiness.EXCLUDED, is_template=True, verdict="")
    computed(
        assessment,
        "app02",
        override_verdict=Verdict.RETAIN,
        override_reason="Runs the mainframe bridge; stays until 2027.",
        findings=[{"id": "F-FIN-KOREA"}],
    )
    return assessment


def test_counts_follow_the_chosen_verdict_and_costs_only_what_moves(inventory):
    data = report.build(inventory)
    counts = {item["verdict"]: item["count"] for item in data["counts"]}
    assert counts == {
        "retire": 1, "retain": 1, "rehost": 1, "relocate": 0,
        "replatform": 1, "repurchase": 0, "refactor": 0,
    }  # fmt: skip
    assert data["total"] == 6
    assert data["assessed"] == 5
    assert data["overridden"] == 1
    # web01 (90 + 1.83) and db01 (200 + 10); db01 has no reserved price, so on demand counts.
    assert data["costs"] == {
        "on_demand": "301.83",
        "reserved": "271.83",
        "storage": "11.83",
        "priced": 2,
    }


def test_findings_list_the_workloads_they_touch_and_warnings_name_the_gaps(inventory):
    ImportRun.objects.create(
        assessment=inventory,
        status=ImportStatus.DONE,
        refusals=[{"row": 7, "file": "inv.csv", "vm_name": "bad01", "reason": "CPUs missing"}],
    )
    data = report.build(inventory)
    assert data["findings"] == [
        {"id": "F-FIN-KOREA", "names": ["app02", "db01"], "count": 2, "more": 0},
        {"id": "F-FIN-PROCEDURE", "names": ["db01"], "count": 1, "more": 0},
    ]
    assert data["excluded"] == [{"vm_name": "tmpl-golden", "reason": "template"}]
    assert data["warnings"]["unknown_os"]["names"] == ["mystery"]
    assert data["warnings"]["missing_utilisation"]["names"] == ["old01"]
    assert data["warnings"]["refused_rows"] == [
        {"row": 7, "file": "inv.csv", "vm_name": "bad01", "reason": "CPUs missing"}
    ]
    assert data["assumptions"]["hours_per_month"] == 730
    assert data["assumptions"]["region"] == "ap-northeast-2"
    assert data["next_steps"] == [
        "fin-checklist", "utilisation", "unknown-os", "refused", "retire", "replatform", "project",
    ]  # fmt: skip


def test_report_page_shows_verdicts_reasons_and_overrides(client, architect, inventory):
    client.force_login(architect)
    response = client.get(f"/advisor/{inventory.pk}/report/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="verdict-counts"' in html
    assert "R05-database" in html
    # The rule's sentence and the finding's title, legal basis and what it refused.
    assert "Runs a database engine: replatform it to a managed database" in html
    assert "Financial data stays in Korea" in html
    assert "Electronic Financial Supervisory Regulation" in html
    assert "target region us-east-1 refused" in html
    assert "Runs the mainframe bridge; stays until 2027." in html
    assert "730" in html
    assert 'id="chart-verdicts"' in html
    assert '<dd id="cost-on-demand">$301.83</dd>' in html
    assert "tmpl-golden" in html  # under excluded items
    assert f"/advisor/{inventory.pk}/workloads/" in html  # override links for an editor


def test_a_reader_sees_the_report_without_edit_controls(client, charlie, inventory):
    lead = make_user(email="lead@example.com")
    add_member(make_team(code="OPS", name="Operations"), lead, "lead")
    for reader in (charlie, lead):
        client.force_login(reader)
        response = client.get(f"/advisor/{inventory.pk}/report/")
        assert response.status_code == 200
        assert f"/advisor/{inventory.pk}/workloads/" not in response.content.decode()
        assert 'id="publish"' not in response.content.decode()


def test_wrong_method_is_refused(client, architect, inventory):
    client.force_login(architect)
    assert client.post(f"/advisor/{inventory.pk}/report/").status_code == 405
    assert client.get(f"/advisor/{inventory.pk}/publish/").status_code == 405


def test_table_filters_by_chosen_verdict_and_htmx_gets_only_the_table(client, architect, inventory):
    client.force_login(architect)
    response = client.get(
        f"/advisor/{inventory.pk}/report/?verdict=retain",
        headers={"HX-Request": "true", "HX-Target": "workload-table"},
    )
    html = response.content.decode()
    assert 'data-workload="app02"' in html
    assert 'data-workload="web01"' not in html
    assert 'id="report-summary"' not in html


def _page_queries(client, assessment, django_assert_num_queries, count):
    with django_assert_num_queries(count):
        assert client.get(f"/advisor/{assessment.pk}/report/?page=2").status_code == 200


def test_workload_table_query_count_does_not_grow_with_rows(
    client, architect, assessment, django_assert_num_queries
):
    for number in range(60):
        computed(assessment, f"vm{number:03d}", findings=[{"id": "F-FIN-KOREA"}])
    client.force_login(architect)
    _page_queries(client, assessment, django_assert_num_queries, 8)
    for number in range(60, 160):
        computed(assessment, f"vm{number:03d}", override_verdict="retain", override_reason="x")
    _page_queries(client, assessment, django_assert_num_queries, 8)


def test_licensing_splits_windows_by_licence_and_not_linux(assessment):
    computed(assessment, "lin-byol", license="byol")
    computed(assessment, "lin01")
    computed(assessment, "win-byol", os_family="windows", license="byol")
    computed(assessment, "win-inc", os_family="windows", license="included")
    computed(assessment, "win-blank", os_family="windows", license="")
    assert report.build(assessment)["licensing"] == [
        {"os": "linux", "license": "", "count": 2},
        {"os": "windows", "license": "byol", "count": 1},
        {"os": "windows", "license": "included", "count": 2},
    ]
