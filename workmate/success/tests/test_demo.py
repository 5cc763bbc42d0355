from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from workmate.success.models import AccountProfile, FeedbackItem, FeedbackState, Meeting, RouteKind

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_accounts_and_feedback_once():
    call_command("seed_demo", stdout=StringIO())

    assert AccountProfile.objects.count() == 5
    assert Meeting.objects.count() == 2
    states = set(FeedbackItem.objects.values_list("state", flat=True))
    assert {FeedbackState.NEW, FeedbackState.TO_ANSWER, FeedbackState.ANSWERED} <= states
    kinds = set(FeedbackItem.objects.values_list("route__kind", flat=True))
    assert {RouteKind.PROPOSAL, RouteKind.POC, RouteKind.NO_ACTION} <= kinds
    assert FeedbackItem.objects.filter(words__startswith="Restoring").exists()  # English too
    items = FeedbackItem.objects.count()

    call_command("seed_demo", stdout=StringIO())
    assert FeedbackItem.objects.count() == items
