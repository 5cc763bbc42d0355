"""The demo (issue 14 point 11): a bank, a city hall and an online market, each imported
through the advisor's import and computed; the bank's report is on its portal."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from workmate.advisor.models import Assessment, PublishedReport
from workmate.desk.models import Contact

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_three_computed_assessments_once(client):
    call_command("seed_demo", stdout=StringIO())

    assessments = {a.customer.industry: a for a in Assessment.objects.select_related("customer")}
    assert set(assessments) == {"finance", "public", "retail"}
    bank = assessments["finance"]
    assert bank.workloads.count() == 17
    assert bank.price_date is not None
    assert not bank.workloads.filter(readiness="").exists()  # every workload computed
    # The bank's inventory asks for regions abroad: refused, placed in Seoul.
    card = bank.workloads.get(vm_name="card-auth01")
    assert card.region == "ap-northeast-2"
    assert {f["id"] for f in card.findings} >= {"F-FIN-KOREA", "F-FIN-PROCEDURE"}
    assert card.override_verdict == "retain" and card.verdict == "rehost"
    assert bank.workloads.get(vm_name="cbk-db01").verdict == "replatform"
    assert bank.workloads.get(vm_name="rpt-legacy01").verdict == "retire"
    assert bank.imports.get().refusals[0]["vm_name"] == "ibk-web99"
    city = assessments["public"]
    assert city.workloads.get(vm_name="haengjeong-db01").verdict == "retain"
    market = assessments["retail"]
    order_db = market.workloads.get(vm_name="order-db01")
    assert "F-PIPA-CROSS-BORDER" in {f["id"] for f in order_db.findings}
    assert market.workloads.get(vm_name="shop-web01").instance_type

    published = PublishedReport.objects.get()
    assert published.assessment == bank
    assert published.data["costs"]["on_demand"] != "0.00"

    call_command("seed_demo", stdout=StringIO())
    assert Assessment.objects.count() == 3
    assert PublishedReport.objects.count() == 1

    # A contact of the bank reads it on the portal.
    contact = Contact.objects.filter(customers=bank.customer).first()
    contact.set_password("demo-pass-123")
    contact.save(update_fields=["password"])
    response = client.post("/portal/login/", {"email": contact.email, "password": "demo-pass-123"})
    assert response.status_code == 302
    html = client.get(f"/portal/reports/{published.pk}/").content.decode()
    assert "card-auth01" in html
