"""What the desk tells higher apps (e.g. the levels ledger), sent inside the transaction of
the change. Keyword arguments: `instance` (the ticket), `actor` (a user or None, e.g. a
contact solving in the portal) and those named below; sender=Ticket."""

from __future__ import annotations

from django.dispatch import Signal

# A ticket was opened (from mail, the portal, an agent or the API); actor None for a contact.
ticket_created = Signal()
# A ticket's status changed; old (the previous status code).
ticket_status_changed = Signal()
# A ticket's assignee and/or team changed; changes=[(field, old, new)...].
ticket_assigned = Signal()
# A ticket's priority changed; old (the previous priority).
ticket_priority_changed = Signal()
# An agent replied publicly or wrote an internal note; entry (its TicketEntry).
ticket_replied = Signal()
# The customer wrote on their ticket; entry (its TicketEntry); actor None.
ticket_customer_replied = Signal()
# A ticket moved to solved (or closed without being solved first).
ticket_solved = Signal()
# The customer rated a solved ticket; rating ("good"/"bad"), previous (None the first time).
ticket_rated = Signal()
# A ticket with an SLA was solved by its resolution target / after it.
sla_met = Signal()
sla_missed = Signal()
# An escalated ticket was solved; handler is the LE/SE it was escalated to.
escalation_handled = Signal()
