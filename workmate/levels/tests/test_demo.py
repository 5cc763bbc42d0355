from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from workmate.accounts.models import User
from workmate.levels.models import GlueConfirmation, LadderVersion, LedgerEntry, PersonLevel

pytestmark = pytest.mark.django_db


def test_seed_demo_publishes_the_ladder_places_people_and_fills_ledgers_once():
    call_command("seed_demo", stdout=StringIO())

    assert LadderVersion.objects.count() == 1
    seoyeon = User.objects.get(email__startswith="seoyeon.lee")
    level = PersonLevel.objects.get(person=seoyeon)
    assert (level.track_code, level.number, level.flavour_code) == ("ic", 3, "TE")
    assert seoyeon.level_changes.count() == 2
    assert LedgerEntry.objects.filter(person=seoyeon, starred=True).exists()
    assert GlueConfirmation.objects.filter(state="confirmed").count() == 1
    lead = User.objects.get(email__startswith="minjun.kim")
    assert PersonLevel.objects.get(person=lead).track_code == "lead"
    counts = (LedgerEntry.objects.count(), PersonLevel.objects.count())

    call_command("seed_demo", stdout=StringIO())
    assert (LedgerEntry.objects.count(), PersonLevel.objects.count()) == counts
    assert LadderVersion.objects.count() == 1
