"""What check-ins tell higher apps (e.g. the levels ledger), sent inside the transaction of
the change. Keyword arguments: `instance`, `actor`."""

from __future__ import annotations

from django.dispatch import Signal

# A person sent their answers: sender=CheckinResponse, instance=the response.
checkin_sent = Signal()
