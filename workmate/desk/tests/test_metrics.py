"""The desk's figures at /metrics: mail in and out, and tickets past their SLA."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from workmate.desk import mailin, services
from workmate.desk.tests.test_mailin import compose
from workmate.testing.factories import make_ticket

pytestmark = pytest.mark.django_db
TOKEN = "desk-metrics"


def scrape(client, settings) -> dict[tuple[str, tuple], float]:
    settings.METRICS_TOKEN = TOKEN
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
        if sample.name.startswith("workmate_desk_")
    }


def test_mail_in_and_out_and_breaches_are_counted(
    client,
    settings,
    alice,
    customer_a,
    contact_a,
    policy,
    django_capture_on_commit_callbacks,
):
    empty = scrape(client, settings)
    assert empty[("workmate_desk_sla_breached_tickets", ())] == 0
    assert empty[("workmate_desk_mail_sent_total", (("kind", "reply"),))] == 0

    # A customer writes in (the desk acknowledges the new ticket), a stranger's automatic
    # reply is held back, and an agent answers the ticket.
    with django_capture_on_commit_callbacks(execute=True):
        mailin.ingest(compose())
        mailin.ingest(
            compose(sender="robot@nowhere.example", headers={"Auto-Submitted": "auto-replied"})
        )
    ticket = customer_a.tickets.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.do_reply(alice, ticket, "Restarted the agent.")
    # A second ticket whose first response is long overdue.
    make_ticket(
        customer=customer_a,
        requester=contact_a,
        created_at=timezone.now() - datetime.timedelta(days=10),
    )

    figures = scrape(client, settings)
    received = "workmate_desk_mail_received_total"
    assert figures[(received, (("channel", "smtp"), ("outcome", "ticket")))] == 1
    assert figures[(received, (("channel", "smtp"), ("outcome", "auto_reply")))] == 1
    assert figures[("workmate_desk_mail_sent_total", (("kind", "reply"),))] == 1
    assert figures[("workmate_desk_mail_sent_total", (("kind", "acknowledgement"),))] == 1
    assert figures[("workmate_desk_sla_breached_tickets", ())] == 1
