from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from workmate.accounts.models import User
from workmate.automation.demo import seed_automation_demo
from workmate.automation.models import Rule

pytestmark = pytest.mark.django_db


def test_seed_demo_writes_the_demo_rules_once():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 1, 0, tzinfo=datetime.UTC)):
        call_command("seed_demo", stdout=StringIO())
    rules = {rule.name: rule for rule in Rule.objects.select_related("owner", "team")}
    assert len(rules) == 3
    desk = rules["엔터프라이즈 고객의 P1 → 근무 중인 팀장에게 배정"]
    assert (desk.scope, desk.team.code, desk.object_type) == ("team", "TE", "ticket")
    assert desk.actions[0] == {"type": "assign", "params": {"person": "on_duty_lead"}}
    people = {user.email.split("@")[0]: user for user in User.objects.all()}
    assert seed_automation_demo(people) == 0
    assert Rule.objects.count() == 3
