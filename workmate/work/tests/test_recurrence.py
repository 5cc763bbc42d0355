"""Recurring tasks: the next due date of each rule, and completing a task creating the next."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from workmate.accounts.models import CompanyDayOff, WorkProfile
from workmate.testing.factories import make_project, make_user
from workmate.work import recurrence, services
from workmate.work.models import Frequency, Priority, Recurrence, Tag, Task, TaskStatus
from workmate.work.recurrence import last_working_day, next_due

D = datetime.date


@pytest.fixture
def hours(team):
    """The team's calendar: Monday to Friday, Korean public holidays off."""
    return team.working_hours(frozenset())


def rule(frequency: str, **fields) -> Recurrence:
    fields.setdefault("skip_holidays", True)
    return Recurrence(frequency=frequency, **fields)


# --- The next due date -----------------------------------------------------------------------


def test_weekly_mon_wed_fri_chain(hours):
    every = rule(Frequency.WEEKLY, weekdays=[0, 2, 4])
    chain = [D(2026, 11, 23)]  # a Monday
    for _ in range(4):
        chain.append(next_due(every, chain[-1], hours))

    assert chain == [
        D(2026, 11, 23),
        D(2026, 11, 25),
        D(2026, 11, 27),
        D(2026, 11, 30),
        D(2026, 12, 2),
    ]


def test_weekly_every_second_week_jumps_a_week_after_its_last_day(hours):
    every = rule(Frequency.WEEKLY, weekdays=[1, 3], interval=2)

    assert next_due(every, D(2026, 11, 24), hours) == D(2026, 11, 26)
    assert next_due(every, D(2026, 11, 26), hours) == D(2026, 12, 8)


def test_monthly_day_31_in_february_uses_its_last_day(hours):
    every = rule(Frequency.MONTHLY_DAY, day_of_month=31, skip_holidays=False)

    assert next_due(every, D(2026, 1, 31), hours) == D(2026, 2, 28)
    # The short month does not stick: March is back on the 31st.
    assert next_due(every, D(2026, 2, 28), hours) == D(2026, 3, 31)
    assert next_due(every, D(2028, 1, 31), hours) == D(2028, 2, 29)


def test_monthly_day_on_a_weekend_moves_to_the_next_working_day(hours):
    every = rule(Frequency.MONTHLY_DAY, day_of_month=31)

    # 28 Feb 2026 is a Saturday, 2 March the substitute holiday for 삼일절 (Sunday 1 March).
    assert next_due(every, D(2026, 1, 31), hours) == D(2026, 3, 3)


def test_last_working_day_of_a_month_ending_on_a_weekend(hours):
    every = rule(Frequency.MONTHLY_LAST_WORKING_DAY)

    # August 2025 ends on a Sunday; September 2025 on a Tuesday.
    assert last_working_day(hours, 2025, 8) == D(2025, 8, 29)
    assert next_due(every, D(2025, 8, 29), hours) == D(2025, 9, 30)
    # January 2026 ends on a Saturday.
    assert next_due(every, D(2025, 12, 31), hours) == D(2026, 1, 30)


def test_last_working_day_skips_a_company_day_off(team):
    calendar = team.working_hours(frozenset({D(2026, 4, 30)}))
    every = rule(Frequency.MONTHLY_LAST_WORKING_DAY)

    assert next_due(every, D(2026, 3, 31), calendar) == D(2026, 4, 29)


def test_daily_skips_chuseok(hours):
    every = rule(Frequency.DAILY)

    # 3–9 October 2025: 개천절, 추석 with its substitute day, and 한글날.
    assert next_due(every, D(2025, 10, 2), hours) == D(2025, 10, 10)


def test_daily_without_skipping_lands_on_the_holiday(hours):
    every = rule(Frequency.DAILY, skip_holidays=False)

    assert next_due(every, D(2025, 10, 2), hours) == D(2025, 10, 3)


# --- Completing a recurring task ---------------------------------------------------------------


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Operations", team=team, owner=alice)


@pytest.fixture
def recurring(project, alice, bob):
    section = services.do_create_section(alice, project, name="Routine")
    task = services.do_create_task(
        alice,
        project,
        title="Monthly backup report",
        description="Attach the report.",
        section=section,
        priority=Priority.HIGH,
        start_on=D(2025, 8, 27),
        due_on=D(2025, 8, 29),
    )
    Task.objects.filter(pk=task.pk).update(assignee=bob)
    task.refresh_from_db()
    task.tags.add(Tag.objects.create(name="ops"))
    task.followers.add(bob)
    recurrence.do_set_recurrence(alice, task, frequency=Frequency.MONTHLY_LAST_WORKING_DAY)
    return task


def test_completing_creates_the_next_with_everything_copied(recurring, alice, bob):
    services.do_complete_task(alice, recurring)

    successor = Task.objects.exclude(pk=recurring.pk).get()
    assert successor.title == "Monthly backup report"
    assert successor.description == "Attach the report."
    assert successor.section == recurring.section
    assert successor.assignee == bob
    assert successor.priority == Priority.HIGH
    assert successor.status == TaskStatus.OPEN
    assert successor.due_on == D(2025, 9, 30)
    assert successor.start_on == D(2025, 9, 28)
    assert [tag.name for tag in successor.tags.all()] == ["ops"]
    assert set(successor.followers.all()) == {alice, bob}
    assert Recurrence.objects.get().task == successor


def test_double_completion_creates_one_successor(recurring, alice):
    services.do_complete_task(alice, recurring)
    services.do_complete_task(alice, recurring)
    services.do_update_task(alice, recurring, {"status": TaskStatus.DONE})

    assert Task.objects.count() == 2
    assert Recurrence.objects.count() == 1


def test_reopening_and_completing_the_old_task_again_creates_nothing(recurring, alice):
    services.do_complete_task(alice, recurring)
    services.do_update_task(alice, recurring, {"status": TaskStatus.OPEN})
    services.do_complete_task(alice, recurring)

    assert Task.objects.count() == 2


def test_completing_a_plain_task_creates_nothing(project, alice):
    task = services.do_create_task(alice, project, title="Once")

    services.do_complete_task(alice, task)

    assert Task.objects.count() == 1


def test_the_assignee_calendar_decides_the_skip(project, alice):
    """A person whose working week is Sunday–Thursday gets a Sunday due date."""
    person = make_user(full_name="Dana Noor")
    WorkProfile.objects.filter(user=person).update(work_days=[6, 0, 1, 2, 3], holiday_country="")
    task = services.do_create_task(alice, project, title="Sync", due_on=D(2026, 11, 26))
    Task.objects.filter(pk=task.pk).update(assignee=person)
    recurrence.do_set_recurrence(alice, task, frequency=Frequency.DAILY)

    services.do_complete_task(alice, task)

    assert Task.objects.get(recurrence__isnull=False).due_on == D(2026, 11, 29)


def test_unassigned_task_uses_the_team_calendar_and_company_days_off(project, alice):
    CompanyDayOff.objects.create(date=D(2026, 11, 27), name="Foundation day")
    task = services.do_create_task(alice, project, title="Sync", due_on=D(2026, 11, 26))
    recurrence.do_set_recurrence(alice, task, frequency=Frequency.DAILY)

    services.do_complete_task(alice, task)

    assert Task.objects.get(recurrence__isnull=False).due_on == D(2026, 11, 30)


@time_machine.travel(datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_without_due_date_counts_from_today(project, alice):
    task = services.do_create_task(alice, project, title="Standup notes")
    recurrence.do_set_recurrence(alice, task, frequency=Frequency.WEEKLY, weekdays=[4])

    services.do_complete_task(alice, task)

    assert Task.objects.get(recurrence__isnull=False).due_on == D(2026, 11, 27)


# --- Setting and removing the rule ----------------------------------------------------------


def test_weekly_needs_a_weekday(project, alice):
    task = services.do_create_task(alice, project, title="Sync")

    with pytest.raises(services.ValidationError) as error:
        recurrence.do_set_recurrence(alice, task, frequency=Frequency.WEEKLY, weekdays=[])

    assert "weekdays" in error.value.message_dict
    assert not Recurrence.objects.exists()


def test_changing_the_rule_keeps_one_and_drops_unused_parts(project, alice):
    task = services.do_create_task(alice, project, title="Sync")
    recurrence.do_set_recurrence(alice, task, frequency=Frequency.WEEKLY, weekdays=[0])

    recurrence.do_set_recurrence(alice, task, frequency=Frequency.MONTHLY_DAY, day_of_month=15)

    rule = Recurrence.objects.get()
    assert (rule.frequency, rule.day_of_month, rule.weekdays) == (Frequency.MONTHLY_DAY, 15, [])


def test_a_viewer_cannot_set_a_rule(project, alice, charlie):
    task = services.do_create_task(alice, project, title="Sync")

    with pytest.raises(services.PermissionDenied):
        recurrence.do_set_recurrence(charlie, task, frequency=Frequency.DAILY)

    assert not Recurrence.objects.exists()


def test_bulk_completion_goes_through_the_hook(recurring, project, alice):
    other = services.do_create_task(alice, project, title="Plain")

    services.do_bulk_update(alice, [recurring, other], {"status": TaskStatus.DONE})

    assert Task.objects.count() == 3
    successor = Task.objects.get(recurrence__isnull=False)
    assert (successor.title, successor.due_on) == ("Monthly backup report", D(2025, 9, 30))
