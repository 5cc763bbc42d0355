from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from workmate.pipeline.models import PoC, Source, Stage, VendorContract
from workmate.work.models import ProjectStatusUpdate

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_pipeline_once():
    call_command("seed_demo", stdout=StringIO())

    stages = set(PoC.objects.values_list("stage", flat=True))
    assert {Stage.IDEA, Stage.RUNNING, Stage.DROPPED} <= stages
    # Decided, and rolled out when the library's demo has a verified runbook.
    assert stages & {Stage.DECIDED, Stage.ROLLED_OUT}
    assert {Source.PROPOSAL, Source.CONTRACT} <= set(PoC.objects.values_list("source", flat=True))
    assert VendorContract.objects.get().poc.stage == Stage.IDEA
    assert PoC.objects.get(stage=Stage.RUNNING).criteria.count() == 3
    assert ProjectStatusUpdate.objects.count() == 3
    pocs = PoC.objects.count()

    call_command("seed_demo", stdout=StringIO())
    assert PoC.objects.count() == pocs
    assert ProjectStatusUpdate.objects.count() == 3
