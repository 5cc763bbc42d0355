from __future__ import annotations

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from workmate.levels.models import LevelChange
from workmate.reviews.models import (
    FeedbackRequest,
    PayScale,
    ReviewCycle,
    Salary,
    SalaryStatus,
    SelfReviewItem,
)
from workmate.reviews.tests.conftest import seoul


@pytest.mark.django_db
def test_seed_demo_sets_up_pay_and_a_closed_and_an_open_cycle_once():
    # A Wednesday morning, so the open cycle's feedback requests have time to run.
    with time_machine.travel(seoul(2026, 12, 2, 10), tick=False):
        call_command("seed_demo", stdout=StringIO())
        past = ReviewCycle.objects.get(name="2026 상반기")
        current = ReviewCycle.objects.get(name="2026 하반기")
        assert past.is_closed and past.results_shared()
        assert not current.is_closed
        assert PayScale.objects.count() == 1
        assert Salary.objects.filter(status=SalaryStatus.APPROVED).count() >= 8
        assert SelfReviewItem.objects.filter(participant__cycle=current).exists()
        assert FeedbackRequest.objects.filter(participant__cycle=current).count() >= 4
        # The past cycle's promotion went to the level history with its cycle and reason.
        changes = LevelChange.objects.filter(source_ref=f"reviews.cycle:{past.pk}")
        assert changes.exists() and all(change.reason for change in changes)
        # Every level change proposes pay; nothing changed pay itself.
        proposed = Salary.objects.filter(status=SalaryStatus.PROPOSED, cycle=past)
        assert proposed.count() == changes.count()
        counts = (ReviewCycle.objects.count(), Salary.objects.count(), LevelChange.objects.count())

        call_command("seed_demo", stdout=StringIO())

        again = (ReviewCycle.objects.count(), Salary.objects.count(), LevelChange.objects.count())
        assert again == counts
