"""What the desk tells higher apps (e.g. the levels ledger), sent inside the transaction of
the change. Keyword arguments: `instance` (the ticket), `actor` (a user or None, e.g. a
contact solving in the portal) and those named below; sender=Ticket."""

from __future__ import annotations

from django.dispatch import Signal

# A ticket moved to solved (or closed without being solved first).
ticket_solved = Signal()
# The customer rated a solved ticket; rating ("good"/"bad"), previous (None the first time).
ticket_rated = Signal()
# A ticket with an SLA was solved by its resolution target / after it.
sla_met = Signal()
sla_missed = Signal()
# An escalated ticket was solved; handler is the LE/SE it was escalated to.
escalation_handled = Signal()
