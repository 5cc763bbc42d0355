"""Reminders to SE owners, in their working time, through the inbox (on the clock).

Steps (`remind`, every minute; each reminder once, by its dedupe key):
1. Renewal approaching: an account renewing within one of SUCCESS_RENEWAL_REMIND_DAYS
   (e.g. 90 and 30 days): one reminder per threshold crossed.
2. No meeting: a customer whose last meeting (or, never met, its start as a customer) is
   older than SUCCESS_MEETING_GAP_DAYS for its tier: once per last meeting.
3. Feedback unanswered: an open item older than SUCCESS_ANSWER_WORKING_DAYS working days
   of the owner's own calendar: once per item.
Only owners at work at `now` are reminded; the clock comes back every minute, so a
reminder lands at the start of their working time.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from workmate.accounts.models import CompanyDayOff
from workmate.desk.models import Customer
from workmate.inbox.models import Kind
from workmate.inbox.services import notify, profile_of
from workmate.lib.workcalendar import WorkingHours
from workmate.success.models import OPEN_STATES, AccountProfile, FeedbackItem, Meeting


def _send(owner, title, customer: Customer, url: str, key: str) -> int:
    with transaction.atomic():
        return len(
            notify(
                [owner],
                Kind.CUSTOMER,
                title=title,
                url=url,
                group_key=f"customer:{customer.pk}",
                dedupe_key=key,
            )
        )


def _working_days(hours: WorkingHours, start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end`."""
    days, day = 0, start + datetime.timedelta(days=1)
    while day <= end:
        days += hours.is_working_day(day)
        day += datetime.timedelta(days=1)
    return days


def remind(now: datetime.datetime) -> dict[str, int]:
    days_off = CompanyDayOff.objects.dates()
    calendars: dict[int, tuple[WorkingHours, datetime.date] | None] = {}

    def at_work(owner) -> datetime.date | None:
        """The owner's local date when they are at work now, else None."""
        if owner.pk not in calendars:
            profile = profile_of(owner)
            hours = profile.working_hours(days_off)
            calendars[owner.pk] = (
                (hours, profile.local_now(now).date()) if hours.is_working_at(now) else None
            )
        found = calendars[owner.pk]
        return found[1] if found else None

    sent: Counter[str] = Counter()
    customers = Customer.objects.filter(se_owner__is_active=True).select_related(
        "se_owner__profile"
    )
    by_id = {customer.pk: customer for customer in customers}

    # 1. Renewals.
    thresholds = sorted(settings.SUCCESS_RENEWAL_REMIND_DAYS)
    if thresholds:
        horizon = now.date() + datetime.timedelta(days=thresholds[-1] + 1)
        renewing = AccountProfile.objects.filter(
            customer_id__in=by_id, renewal_on__isnull=False, renewal_on__lte=horizon
        )
        for profile in renewing:
            customer = by_id[profile.customer_id]
            today = at_work(customer.se_owner)
            if today is None:
                continue
            left = (profile.renewal_on - today).days
            crossed = [d for d in thresholds if 0 <= left <= d]
            if not crossed:
                continue

            def title(customer=customer, left=left) -> str:
                return _("%(customer)s renews in %(days)s days") % {
                    "customer": customer.name,
                    "days": left,
                }

            key = f"success-renewal:{customer.pk}:{profile.renewal_on.isoformat()}:{crossed[0]}"
            url = reverse("success:account", args=[customer.pk])
            sent["renewal"] += _send(customer.se_owner, title, customer, url, key)

    # 2. No meeting for too long, by tier.
    last = dict(
        Meeting.objects.filter(customer_id__in=by_id)
        .values("customer_id")
        .annotate(last=Max("held_on"))
        .values_list("customer_id", "last")
    )
    for customer in by_id.values():
        gap = settings.SUCCESS_MEETING_GAP_DAYS.get(customer.tier)
        if not gap:
            continue
        since = last.get(customer.pk) or customer.created_at.date()
        if (now.date() - since).days < gap:
            continue
        today = at_work(customer.se_owner)
        if today is None or (today - since).days < gap:
            continue

        def title(customer=customer, days=(today - since).days) -> str:
            return _("No meeting with %(customer)s for %(days)s days") % {
                "customer": customer.name,
                "days": days,
            }

        key = f"success-meeting:{customer.pk}:{since.isoformat()}"
        url = reverse("success:account", args=[customer.pk])
        sent["meeting"] += _send(customer.se_owner, title, customer, url, key)

    # 3. Feedback unanswered for N working days (at least N calendar days old).
    n = settings.SUCCESS_ANSWER_WORKING_DAYS
    old = FeedbackItem.objects.filter(
        customer_id__in=by_id,
        state__in=OPEN_STATES,
        created_at__lte=now - datetime.timedelta(days=n),
    ).order_by("created_at")
    for item in old:
        customer = by_id[item.customer_id]
        today = at_work(customer.se_owner)
        if today is None:
            continue
        hours = calendars[customer.se_owner.pk][0]  # type: ignore[index]
        received = item.created_at.astimezone(zoneinfo.ZoneInfo(hours.time_zone)).date()
        if _working_days(hours, received, today) < n:
            continue

        def title(customer=customer, days=n) -> str:
            return _("Feedback from %(customer)s unanswered for %(days)s working days") % {
                "customer": customer.name,
                "days": days,
            }

        key = f"success-unanswered:{item.pk}"
        url = reverse("success:feedback", args=[item.pk])
        sent["unanswered"] += _send(customer.se_owner, title, customer, url, key)
    return {kind: count for kind, count in sent.items() if count}
