"""Feedback reports: counts by group per month, time to answer, share answered, chart, CSV."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from workmate.success.models import FeedbackItem, Theme
from workmate.success.reports import build
from workmate.testing.factories import make_customer

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 3, 0, tzinfo=datetime.UTC)


def _item(customer, created, answered_days=None, theme=None):
    fields = {}
    if answered_days is not None:
        fields = {
            "state": "answered",
            "answer": "a",
            "answered_at": created + datetime.timedelta(days=answered_days),
        }
    return FeedbackItem.objects.create(
        customer=customer,
        words="w",
        source="mail",
        area="service",
        theme=theme,
        created_at=created,
        **fields,
    )


@pytest.fixture
def data(owned_a):
    other = make_customer(name="Gaon Games", industry="gaming", tier="enterprise")
    theme = Theme.objects.create(name="Reporting")
    oct_ = datetime.datetime(2026, 10, 5, tzinfo=datetime.UTC)
    nov = datetime.datetime(2026, 11, 3, tzinfo=datetime.UTC)
    for days in (1, 2, 3, 4, 10):
        _item(owned_a, oct_, days, theme)
    _item(other, nov, None, theme)
    _item(other, nov)
    return owned_a, other


def test_counts_time_to_answer_and_share(data):
    report = build(FeedbackItem.objects.all(), "theme", 3, NOW)
    assert [m.isoformat() for m in report.months] == ["2026-09-01", "2026-10-01", "2026-11-01"]
    assert report.rows[0] == ("Reporting", [0, 5, 1], 6)
    assert report.total == 7 and report.answered == 5 and report.share_answered == 71
    assert report.median_days == 3.0 and report.p90_days == 10.0


@pytest.mark.parametrize(
    "group,label", [("customer", "Gaon Games"), ("industry", "Gaming"), ("tier", "Enterprise")]
)
def test_groups(data, group, label):
    report = build(FeedbackItem.objects.all(), group, 3, NOW)
    assert label in [row[0] for row in report.rows]


def test_page_chart_and_csv(client, sam, data):
    client.force_login(sam)
    page = client.get(reverse("success:reports"), {"group": "customer", "months": "12"})
    body = page.content.decode()
    assert "<svg" in body and "Gaon Games" in body
    response = client.get(reverse("success:reports_csv"), {"group": "tier"})
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("Group,")
    assert any(line.startswith("Enterprise,") for line in text.splitlines())


def test_reports_only_count_customers_the_reader_sees(client, leo, data, charlie):
    client.force_login(charlie)
    assert client.get(reverse("success:reports")).status_code == 403
    assert client.get(reverse("success:reports_csv")).status_code == 403


def test_bad_query_falls_back(client, sam, data):
    client.force_login(sam)
    response = client.get(reverse("success:reports"), {"group": "<x>", "months": "999"})
    assert response.status_code == 200
