"""What the task detail's recurrence, time log and checklist parts need, fetched in place.

The task page is built by another view; these tags let its included partials fetch their
own few rows, so the page and the views that re-render one part share one template.
A view that re-renders a part with errors passes its bound form in the context.
"""

from __future__ import annotations

from django import template
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from workmate.accounts.models import WEEKDAY_CHOICES
from workmate.work import services
from workmate.work.models import Frequency, Recurrence, Task
from workmate.work.rhythm_forms import ChecklistForm, RecurrenceForm, TimeLogForm
from workmate.work.timelogs import format_minutes, today_for

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """Minutes as "1h 30m"."""
    return format_minutes(minutes)


def describe_rule(rule: Recurrence) -> str:
    """A rule in words: "Every 2 weeks on Mon, Wed · skips days off"."""
    interval = rule.interval
    if rule.frequency == Frequency.DAILY:
        text = _("Every day") if interval == 1 else _("Every %(n)d days") % {"n": interval}
    elif rule.frequency == Frequency.WEEKLY:
        names = dict(WEEKDAY_CHOICES)
        days = ", ".join(str(names[day]) for day in sorted(rule.weekdays))
        if interval == 1:
            text = _("Every week on %(days)s") % {"days": days}
        else:
            text = _("Every %(n)d weeks on %(days)s") % {"n": interval, "days": days}
    elif rule.frequency == Frequency.MONTHLY_DAY:
        names = {"day": rule.day_of_month, "n": interval}
        if interval == 1:
            text = _("Every month on day %(day)s") % names
        else:
            text = _("Every %(n)d months on day %(day)s") % names
    elif interval == 1:
        text = _("Every month on its last working day")
    else:
        text = _("Every %(n)d months on the last working day") % {"n": interval}
    if rule.skip_holidays:
        text = _("%(rule)s · skips days off") % {"rule": text}
    return text


def _can_edit(context: template.Context, task: Task) -> bool:
    if "can_edit" in context:
        return bool(context["can_edit"])
    return services.can_edit_project(context["request"].user, task.project)


def _can_work(context: template.Context, task: Task) -> bool:
    if "can_work" in context:
        return bool(context["can_work"])
    return services.can_work_on(context["request"].user, task)


@register.simple_tag(takes_context=True)
def recurrence_panel(context: template.Context, task: Task) -> dict[str, object]:
    rule = Recurrence.objects.filter(task=task).first()
    return {
        "rule": rule,
        "summary": describe_rule(rule) if rule else "",
        "can_edit": _can_edit(context, task),
        "form": context.get("recurrence_form")
        or RecurrenceForm.for_rule(rule, prefix="recurrence"),
    }


@register.simple_tag(takes_context=True)
def timelog_panel(context: template.Context, task: Task) -> dict[str, object]:
    user = context["request"].user
    entries = list(task.time_logs.select_related("user", "customer").order_by("-worked_on", "-pk"))
    totals = task.time_logs.aggregate(
        total=Sum("minutes"), billable=Sum("minutes", filter=Q(billable=True))
    )
    return {
        "entries": entries,
        "total": totals["total"] or 0,
        "billable": totals["billable"] or 0,
        "can_edit": _can_work(context, task),
        "user_id": user.pk,
        "form": context.get("timelog_form")
        or TimeLogForm(prefix="time", initial={"worked_on": today_for(user)}),
    }


@register.simple_tag(takes_context=True)
def checklist_panel(context: template.Context, task: Task) -> dict[str, object]:
    user = context["request"].user
    form = context.get("checklist_form") or ChecklistForm(user=user, prefix="checklist")
    choices = list(form.fields["template"].queryset) if _can_edit(context, task) else []
    return {"form": form, "has_choices": bool(choices), "can_edit": bool(choices)}
