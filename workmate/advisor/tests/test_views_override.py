"""The architect's judgement as the report shows it: an override made on the workload page
and a what-if made on the assessment page (workmate/advisor/views.py) both reach the
report; the override survives the recompute and the report shows computed and chosen."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workmate.advisor import assess
from workmate.testing.factories import make_price_table, make_workload

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed_assessment(assessment):
    make_price_table()
    make_workload(
        assessment=assessment, vm_name="web01", cpus=8, memory_mib=16384, perf_days=30,
        cpu_p95_pct=Decimal("50"), mem_p95_pct=Decimal("50"),
        cpu_avg_pct=Decimal("20"), mem_avg_pct=Decimal("30"),
    )  # fmt: skip
    assess.compute(assessment)
    return assessment


def test_override_through_the_ui_is_kept_through_a_what_if_and_shown_in_the_report(
    client, architect, computed_assessment, django_capture_on_commit_callbacks
):
    client.force_login(architect)
    web01 = computed_assessment.workloads.get(vm_name="web01")
    assert (web01.verdict, web01.instance_type) == ("rehost", "m6i.2xlarge")
    report_url = f"/advisor/{computed_assessment.pk}/report/"
    # The report's table leads the editor to the workload's override form.
    override_link = f"/advisor/{computed_assessment.pk}/workloads/{web01.pk}/#override"
    assert override_link in client.get(report_url).content.decode()

    client.post(
        f"/advisor/{computed_assessment.pk}/workloads/{web01.pk}/override/",
        {"verdict": "replatform", "instance_type": "r6i.large", "region": "",
         "reason": "The customer moves this app to containers."},
    )  # fmt: skip
    web01.refresh_from_db()
    assert (web01.override_verdict, web01.override_instance_type) == ("replatform", "r6i.large")
    assert web01.monthly_on_demand_usd == Decimal("109.50")  # r6i.large at 0.15 × 730

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/advisor/{computed_assessment.pk}/settings/",
            {"name": computed_assessment.name, "sector": "finance", "region": "ap-northeast-2",
             "percentile": "p95", "comfort_factor": "1.00", "pricing_model": "reserved_1y",
             "allowed_families": "m6i, r6i"},
        )  # fmt: skip
    web01.refresh_from_db()
    # Recomputed: 8 × 50 % × 1.0 = 4 vCPUs, 8 GiB → m6i.xlarge; the override stays.
    assert web01.needed_vcpu == Decimal("4.00")
    assert web01.instance_type == "m6i.xlarge"
    assert (web01.override_verdict, web01.override_instance_type) == ("replatform", "r6i.large")

    html = client.get(report_url).content.decode()
    assert "The customer moves this app to containers." in html
    assert "computed: Rehost" in html
    assert "computed: m6i.xlarge" in html
    assert "Reserved, 1 year, no upfront" in html  # the pricing model in the assumptions
    data_row = html[html.index('data-workload="web01"') :]
    assert "r6i.large" in data_row[: data_row.index("</tr>")]
