"""How success follows the work it routed and the desk's ratings (connected in apps.py).

Each receiver runs inside the sender's transaction, so the state change commits or rolls
back with the answer, decision or completion that caused it.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from workmate.success import services

# Proposal statuses that are not yet a decision the customer can hear about.
NOT_YET = {"new", "under_review"}


def on_proposal_answered(sender, instance, actor=None, answer=None, **kwargs) -> None:
    if answer is None or answer.to_status in NOT_YET:
        return
    routes = services.routes_waiting(proposal=instance)
    if routes:
        outcome = f"{answer.get_to_status_display()}: {answer.body}"
        services.mark_decided(routes, outcome, actor)


def on_poc_decided(sender, instance, actor=None, **kwargs) -> None:
    routes = services.routes_waiting(poc=instance)
    if routes:
        decision = instance.decision
        outcome = f"{decision.get_decision_display()}: {decision.outcome}"
        services.mark_decided(routes, outcome, actor)


def on_task_completed(sender, instance, actor=None, **kwargs) -> None:
    routes = services.routes_waiting(task=instance)
    if routes:
        with translation.override("en"):
            outcome = _("Task done: %(title)s") % {"title": instance.title}
        services.mark_decided(routes, outcome, actor)


def on_ticket_rated(sender, instance, actor=None, rating=None, **kwargs) -> None:
    if rating != "bad":
        return
    from workmate.desk.models import Satisfaction

    satisfaction = Satisfaction.objects.select_related("ticket").filter(ticket=instance).first()
    if satisfaction is not None:
        services.feedback_from_bad_rating(satisfaction)


def connect() -> None:
    from workmate.desk.signals import ticket_rated
    from workmate.inbox import visibility
    from workmate.pipeline.signals import poc_decided
    from workmate.success.access import visible_customers
    from workmate.voice.signals import proposal_answered
    from workmate.work.signals import task_completed

    proposal_answered.connect(on_proposal_answered, dispatch_uid="success_proposal_answered")
    poc_decided.connect(on_poc_decided, dispatch_uid="success_poc_decided")
    task_completed.connect(on_task_completed, dispatch_uid="success_task_completed")
    ticket_rated.connect(on_ticket_rated, dispatch_uid="success_ticket_rated")
    # Who may still read a notification about a customer (workmate/inbox/visibility.py).
    visibility.register("customer", visible_customers)

    # The proposal page says it came from customers (their words only to those who may
    # see the customer).
    from workmate.success.views import proposal_panel
    from workmate.voice import panels

    panels.register("success.customers", proposal_panel)
