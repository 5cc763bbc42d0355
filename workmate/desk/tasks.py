"""Background work for the desk; each task takes ids and is safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from workmate.desk import mailin, mailout

# --- Mail ------------------------------------------------------------------------------


@task()
def send_reply(entry_id: int) -> bool:
    """Mail an agent's public reply to the requester (never a note); once."""
    return mailout.send_reply(entry_id)


@task()
def send_ticket_ack(ticket_id: int) -> bool:
    """Acknowledge a ticket that a contact's mail opened; once, never to robots."""
    return mailout.send_ticket_ack(ticket_id)


@task()
def fetch_mail() -> dict[str, int]:
    """Periodic: ingest the support mailbox's unread mail when DESK_IMAP_URL is set."""
    if not settings.DESK_IMAP_URL:
        return {}
    return dict(mailin.fetch_imap(settings.DESK_IMAP_URL))


# --- Escalations (desk-agent) ----------------------------------------------------------


@task()
def escalate_tickets() -> int:
    """Periodic: raise the escalations that are due (P1 unacknowledged, SLA breached)."""
    from workmate.desk import escalation

    return escalation.run_escalations()


# --- Portal and satisfaction (desk-portal) ---------------------------------------------


@task()
def send_portal_password_email(contact_id: int, invite: bool = False) -> bool:
    """Mail a contact the link to set their portal password (an invitation or a reset)."""
    from workmate.desk import portal_auth

    return portal_auth.send_password_email(contact_id, invite=invite)


@task()
def send_csat_email(ticket_id: int) -> bool:
    """Ask the requester of a solved ticket how we did (good / bad links)."""
    from workmate.desk import csat

    return csat.send_survey_email(ticket_id)


@task()
def close_solved_tickets() -> int:
    """Periodic: close tickets solved DESK_AUTO_CLOSE_DAYS ago without a customer reply."""
    from workmate.desk import csat

    return csat.do_close_solved_tickets()


# --- Report aggregates (workmate/desk/stats.py) ------------------------------------------


@task()
def roll_up_desk_stats() -> int:
    """Periodic: store the report figures of closed days and of days touched since."""
    from workmate.desk import stats

    return stats.roll_up()


@task()
def compact_desk_active_counts() -> int:
    """Periodic: fold the dashboard's active-count ledger into one row per combination."""
    from workmate.desk import stats

    return stats.compact_active_counts()


@task()
def compact_desk_sla_counts() -> int:
    """Periodic: fold the dashboard's SLA moments passed into one row per kind and agent."""
    from workmate.desk import stats

    return stats.compact_sla_counts()
