"""Publishing an assessment's report to the customer's portal (issue 14 point 8).

`do_publish` freezes the report's data into a new `PublishedReport` version; the portal
reads only those snapshots, through `get_report_for_contact` (404 for a contact of another
customer, for a withdrawn report and for anything unpublished). `do_unpublish` withdraws
every version of an assessment.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import User
from workmate.advisor import access, assess, report, signals
from workmate.advisor.models import (
    Assessment,
    AssessmentEvent,
    EventKind,
    PublishedReport,
)
from workmate.desk.models import Contact


def snapshot(assessment: Assessment) -> dict[str, Any]:
    """The report's data with every workload row and the CSV export's rows, frozen."""
    data = report.build(assessment)
    rows = assessment.workloads.included().order_by("vm_name", "vcenter", "pk")
    data["rows"] = [report.workload_row(w) for w in rows.iterator(chunk_size=2000)]
    data["csv"] = list(assess.export_rows(assessment))
    return data


@transaction.atomic
def do_publish(actor: User, assessment: Assessment) -> PublishedReport:
    """Publish the assessment's current report as its next version."""
    access.check_can_edit(actor, assessment)
    # Two architects publishing at once would both take the same next version number.
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.compute_status:
        # The figures are half old, half new until the worker is done.
        raise ValidationError(
            _("The assessment is being recomputed: publish when the new figures are in.")
        )
    if not assessment.workloads.exists():
        raise ValidationError(_("There is nothing to publish yet: import an inventory first."))
    last = assessment.published_reports.aggregate(last=Max("version"))["last"] or 0
    published = PublishedReport.objects.create(
        assessment=assessment, version=last + 1, data=snapshot(assessment), published_by=actor
    )
    assessment.published_at = published.published_at
    assessment.published_by = actor
    assessment.save(update_fields=["published_at", "published_by", "updated_at"])
    AssessmentEvent.objects.create(
        assessment=assessment,
        actor=actor,
        kind=EventKind.PUBLISHED,
        data={"version": published.version},
    )
    signals.assessment_published.send(
        sender=Assessment, instance=locked, actor=actor, report=published
    )
    return published


@transaction.atomic
def do_unpublish(actor: User, assessment: Assessment) -> int:
    """Withdraw every published version from the portal; returns how many were current."""
    access.check_can_edit(actor, assessment)
    withdrawn = assessment.published_reports.current().update(withdrawn_at=timezone.now())
    if withdrawn:
        assessment.published_at = None
        assessment.published_by = None
        assessment.save(update_fields=["published_at", "published_by", "updated_at"])
        AssessmentEvent.objects.create(
            assessment=assessment, actor=actor, kind=EventKind.UNPUBLISHED, data={}
        )
    return withdrawn


def reports_for_contact(contact: Contact):
    return (
        PublishedReport.objects.for_contact(contact)
        .select_related("assessment__customer")
        .defer("data")
        .distinct()
    )


def get_report_for_contact(contact: Contact, pk: int) -> PublishedReport:
    published = (
        PublishedReport.objects.for_contact(contact)
        .select_related("assessment__customer")
        .filter(pk=pk)
        .first()
    )
    if published is None:
        raise Http404("No such report.")
    return published
