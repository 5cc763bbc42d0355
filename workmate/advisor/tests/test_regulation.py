"""Korean regulation findings per sector, and which workloads each touches."""

from __future__ import annotations

import pytest

from workmate.advisor import assess
from workmate.advisor.models import CsapCertifiedService
from workmate.testing.factories import make_price_table, make_workload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tables():
    make_price_table()
    make_price_table(region="us-east-1")


def run(**kw):
    w = make_workload(**kw)
    assess.compute(w.assessment)
    w.refresh_from_db()
    return w


def ids(w):
    return [f["id"] for f in w.findings]


def test_finance_credit_data_outside_korea_is_refused_and_placed_in_seoul(assessment):
    w = run(
        assessment=assessment,
        sector="finance",
        data_classes=["credit"],
        target_region="us-east-1",
        dr_region="ap-northeast-1",
    )
    assert ids(w) == ["F-FIN-KOREA", "F-FIN-PROCEDURE"]
    assert w.findings[0]["refused"] == {"target": "us-east-1", "dr": "ap-northeast-1"}
    # Still assessed, in the Korean region.
    assert w.region == "ap-northeast-2"
    assert w.instance_type
    assert w.monthly_compute_usd is not None
    assert w.readiness == "conditional"


def test_finance_unique_id_in_seoul_has_the_checklist_but_nothing_refused(assessment):
    w = run(assessment=assessment, sector="finance", data_classes=["unique_id"])
    assert ids(w) == ["F-FIN-KOREA", "F-FIN-PROCEDURE"]
    assert "refused" not in w.findings[0]
    assert w.readiness == "ready"


def test_finance_without_credit_or_id_data_has_no_finding(assessment):
    w = run(assessment=assessment, sector="finance", data_classes=["public_only"])
    assert ids(w) == []


def test_the_sector_defaults_to_the_assessments(assessment):
    assessment.sector = "finance"
    assessment.save()
    w = run(assessment=assessment, data_classes=["credit"], target_region="us-east-1")
    assert "F-FIN-KOREA" in ids(w)


def test_what_if_region_outside_korea_is_refused_for_finance(assessment):
    assessment.region = "us-east-1"
    assessment.save()
    fin = run(assessment=assessment, sector="finance", data_classes=["credit"])
    other = run(assessment=assessment, sector="retail")
    assert fin.region == "ap-northeast-2"
    assert fin.findings[0]["refused"] == {"target": "us-east-1"}
    assert other.region == "us-east-1"


def test_public_csap_high_is_retained(assessment):
    w = run(assessment=assessment, sector="public", csap_tier="high")
    assert ids(w) == ["F-PUB-CSAP-HIGH"]
    assert w.verdict == "retain"


def test_public_csap_medium_lists_services_certified_at_that_tier_or_higher(assessment):
    CsapCertifiedService.objects.create(tier="medium", provider="Cloud A", service="IaaS")
    CsapCertifiedService.objects.create(tier="high", provider="Cloud B", service="IaaS")
    CsapCertifiedService.objects.create(tier="low", provider="Cloud C", service="SaaS")
    w = run(assessment=assessment, sector="public", csap_tier="medium")
    assert w.findings == [
        {
            "id": "F-PUB-CSAP-CERTIFIED",
            "tier": "medium",
            "services": ["Cloud A IaaS", "Cloud B IaaS"],
        }
    ]
    low = run(assessment=assessment, sector="public", csap_tier="low")
    assert low.findings[0]["services"] == ["Cloud A IaaS", "Cloud B IaaS", "Cloud C SaaS"]


def test_public_without_tier_asks_for_it(assessment):
    assert ids(run(assessment=assessment, sector="public")) == ["F-PUB-CSAP-UNKNOWN"]


def test_medical_records_stay_in_korea_with_controls(assessment):
    w = run(
        assessment=assessment, sector="healthcare", data_classes=["medical"], dr_region="us-west-2"
    )
    assert ids(w) == ["F-MED-KOREA"]
    assert w.findings[0]["refused"] == {"dr": "us-west-2"}


def test_personal_data_abroad_is_a_cross_border_transfer(assessment):
    w = run(
        assessment=assessment, sector="retail", data_classes=["personal"], dr_region="us-east-1"
    )
    assert w.findings == [{"id": "F-PIPA-CROSS-BORDER", "regions": {"dr": "us-east-1"}}]
    assert w.region == "ap-northeast-2"
    home = run(assessment=assessment, sector="retail", data_classes=["personal"])
    assert ids(home) == []


def test_findings_page_data_lists_the_workloads_each_touches(assessment):
    a = make_workload(
        assessment=assessment, vm_name="core-bank", sector="finance", data_classes=["credit"]
    )
    make_workload(assessment=assessment, vm_name="web", sector="retail")
    c = make_workload(
        assessment=assessment, vm_name="crm", data_classes=["personal"], target_region="us-east-1"
    )
    assess.compute(assessment)
    got = {f.id: names for f, names in assess.findings_by_id(assessment)}
    assert got == {
        "F-FIN-KOREA": [(a.pk, "core-bank")],
        "F-FIN-PROCEDURE": [(a.pk, "core-bank")],
        "F-PIPA-CROSS-BORDER": [(c.pk, "crm")],
    }
