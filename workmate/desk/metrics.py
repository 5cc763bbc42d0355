"""The desk's figures for /metrics (registered in apps.py; workmate/ops/metrics.py).

Read from the database on each scrape, so every web process reports the whole desk:
mail received (by channel and outcome), mail the desk sent (public replies and
acknowledgements: each carries the Message-ID it went out with), and the tickets whose
SLA is breached now.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from workmate.desk.models import EntryKind, InboundMessage, Ticket, TicketEntry


class DeskCollector:
    def collect(self) -> Iterable[Metric]:
        received = CounterMetricFamily(
            "workmate_desk_mail_received",
            "Mail that reached the desk, by channel (smtp, imap) and what became of it.",
            labels=["channel", "outcome"],
        )
        rows = InboundMessage.objects.order_by().values_list("channel", "status")
        for channel, status, count in rows.annotate(count=Count("id")):
            received.add_metric([channel, status], count)
        yield received

        sent = CounterMetricFamily(
            "workmate_desk_mail_sent",
            "Mail the desk sent: public replies and acknowledgements of new tickets.",
            labels=["kind"],
        )
        # Only sent mail has a Message-ID; the partial index on it keeps this small.
        rows = (
            TicketEntry.objects.exclude(message_id="")
            .filter(kind__in=[EntryKind.REPLY, EntryKind.EVENT])
            .order_by()
            .values_list("kind")
            .annotate(count=Count("id"))
        )
        by_kind = dict(rows)
        sent.add_metric(["reply"], by_kind.get(EntryKind.REPLY, 0))
        sent.add_metric(["acknowledgement"], by_kind.get(EntryKind.EVENT, 0))
        yield sent

        breached = GaugeMetricFamily(
            "workmate_desk_sla_breached_tickets",
            "Open tickets past their first-response or resolution target now.",
        )
        breached.add_metric([], Ticket.objects.breached().count())
        yield breached
