"""Publishing to the customer's portal: a frozen snapshot per version; the customer's own
contacts read and download it, a contact of another customer gets 404, and so does
anyone for an unpublished or withdrawn report."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from workmate.advisor import publishing
from workmate.advisor.models import AssessmentEvent, EventKind, PublishedReport, Verdict
from workmate.advisor.tests.helpers_report import computed
from workmate.testing.factories import DEFAULT_PASSWORD, make_assessment, make_contact

pytestmark = pytest.mark.django_db


def portal_login(client, contact) -> None:
    response = client.post("/portal/login/", {"email": contact.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def published(client, architect, assessment):
    computed(assessment, "web01", fired_rules=["R08-rehost"])
    computed(assessment, "old01", verdict=Verdict.RETIRE, fired_rules=["R02-idle"])
    client.force_login(architect)
    response = client.post(f"/advisor/{assessment.pk}/publish/")
    assert response.status_code == 302
    client.logout()
    return PublishedReport.objects.get(assessment=assessment)


def test_publishing_freezes_a_version_and_logs_it(architect, published, assessment):
    assert published.version == 1
    assert published.published_by == architect
    assert [row["vm_name"] for row in published.data["rows"]] == ["old01", "web01"]
    assessment.refresh_from_db()
    assert assessment.published_at == published.published_at
    event = AssessmentEvent.objects.get(assessment=assessment, kind=EventKind.PUBLISHED)
    assert event.data == {"version": 1} and event.actor == architect
    # Publishing again makes version 2; both are there.
    again = publishing.do_publish(architect, assessment)
    assert again.version == 2
    assert assessment.published_reports.current().count() == 2


def test_contact_reads_and_downloads_their_report(client, contact_a, published):
    portal_login(client, contact_a)
    listing = client.get("/portal/reports/").content.decode()
    assert f"/portal/reports/{published.pk}/" in listing
    page = client.get(f"/portal/reports/{published.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "R02-idle" in html and 'data-workload="web01"' in html
    assert "/advisor/" not in html  # no link into the staff pages
    pdf = client.get(f"/portal/reports/{published.pk}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert "web01" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    rows = list(csv.reader(io.StringIO(client.get(f"/portal/reports/{published.pk}/report.csv")
                                       .content.decode("utf-8-sig"))))  # fmt: skip
    assert [row[0] for row in rows[1:]] == ["old01", "web01"]
    book = load_workbook(
        io.BytesIO(client.get(f"/portal/reports/{published.pk}/report.xlsx").content)
    )
    assert book["Workloads"]["A2"].value == "old01"


def test_the_portal_shows_the_snapshot_not_later_changes(client, contact_a, published, assessment):
    computed(assessment, "added-later")
    portal_login(client, contact_a)
    html = client.get(f"/portal/reports/{published.pk}/").content.decode()
    assert "added-later" not in html


@pytest.mark.parametrize("suffix", ["", "report.pdf", "report.csv", "report.xlsx"])
def test_contact_of_another_customer_gets_404(client, contact_b, published, suffix):
    portal_login(client, contact_b)
    assert client.get(f"/portal/reports/{published.pk}/{suffix}").status_code == 404
    assert f"/portal/reports/{published.pk}/" not in client.get("/portal/reports/").content.decode()


def test_withdrawn_and_unpublished_reports_are_404(client, architect, contact_a, published):
    other = make_assessment(customer=published.assessment.customer, architect=architect)
    computed(other, "never-published")
    client.force_login(architect)
    client.post(f"/advisor/{published.assessment.pk}/unpublish/")
    published.refresh_from_db()
    assert published.withdrawn_at is not None
    client.logout()
    portal_login(client, contact_a)
    assert client.get(f"/portal/reports/{published.pk}/").status_code == 404
    listing = client.get("/portal/reports/").content.decode()
    assert "No reports yet." in listing
    assert "never-published" not in listing


def test_signed_out_visitor_and_staff_user_are_sent_to_the_portal_sign_in(
    client, architect, published
):
    response = client.get(f"/portal/reports/{published.pk}/")
    assert response.status_code == 302 and "/portal/login/" in response["Location"]
    client.force_login(architect)  # a Workmate user is not a contact
    assert client.get(f"/portal/reports/{published.pk}/").status_code == 302


def test_a_reader_cannot_publish(client, charlie, assessment):
    computed(assessment, "web01")
    client.force_login(charlie)
    assert client.post(f"/advisor/{assessment.pk}/publish/").status_code == 403
    assert not PublishedReport.objects.exists()


def test_nothing_to_publish_says_so(client, architect, assessment):
    client.force_login(architect)
    response = client.post(f"/advisor/{assessment.pk}/publish/", follow=True)
    assert "nothing to publish" in response.content.decode()
    assert not PublishedReport.objects.exists()


def test_contact_with_two_organisations_sees_both(client, architect, published, customer_b):
    both = make_contact(published.assessment.customer, customer_b, email="two@example.net")
    other = make_assessment(customer=customer_b, architect=architect, name="Maru phase 1")
    computed(other, "shop01")
    second = publishing.do_publish(architect, other)
    portal_login(client, both)
    html = client.get("/portal/reports/").content.decode()
    assert f"/portal/reports/{published.pk}/" in html and f"/portal/reports/{second.pk}/" in html
    assert "Maru Market" in html  # whose report it is, with several organisations


def test_read_only_lead_gets_403_on_publish(client, assessment):
    from workmate.testing.factories import add_member, make_team, make_user

    computed(assessment, "web01")
    lead = make_user(email="lead@example.com")
    add_member(make_team(code="OPS", name="Operations"), lead, "lead")
    client.force_login(lead)
    assert client.post(f"/advisor/{assessment.pk}/publish/").status_code == 403
    assert not PublishedReport.objects.exists()


def test_publishing_waits_for_a_running_recompute(client, architect, assessment):
    computed(assessment, "web01")
    assessment.compute_status = "running"
    assessment.save(update_fields=["compute_status"])
    client.force_login(architect)
    response = client.post(f"/advisor/{assessment.pk}/publish/", follow=True)
    assert "being recomputed" in response.content.decode()
    assert not PublishedReport.objects.exists()
