"""The daily digest: when it is due (frozen clock, time zones, holidays), what it says, once."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from workmate.accounts.models import CompanyDayOff, WorkProfile
from workmate.inbox import digests, services
from workmate.inbox.models import Digest, InboxSettings, Kind, Notification
from workmate.testing import factories
from workmate.testing.factories import make_project, make_user
from workmate.voice import leads
from workmate.voice import services as voice
from workmate.voice.models import Area
from workmate.work.models import RequestState, Visibility, WorkRequest


def make_task(**fields):
    """A task in an org-wide project, so whoever is told about it may see it (`notify`
    tells nobody who cannot)."""
    if "project" not in fields:
        fields["project"] = make_project(visibility=Visibility.ORG)
    return factories.make_task(**fields)


SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
UTC = datetime.UTC


def seoul(month, day, hour, minute=0, year=2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SEOUL)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the clock's digest task at a frozen moment, sending after commit as the worker does."""

    def run_at(moment: datetime.datetime, to: str | None = None) -> list:
        """The mails sent (only those to `to`, when given)."""
        before = len(mail.outbox)
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            digests.send_due_digests(moment)
        return [m for m in mail.outbox[before:] if to is None or m.to == [to]]

    return run_at


def tell(person, actor, title="Rack the new switch", when=None, kind=Kind.COMMENT, **fields):
    """A notification for `person` that waits for the digest (comments go to the digest)."""
    task = fields.pop("task", None) or make_task(title=title)
    with time_machine.travel(when or seoul(9, 20, 20), tick=False):
        [notification] = services.notify(
            [person],
            kind,
            actor=actor,
            task=task,
            title=task.title,
            url=task.get_absolute_url(),
            group_key=f"task:{task.pk}",
            **fields,
        )
    return notification


def due_ids(moment):
    return [person.pk for person, _day in digests.due_people(moment)]


def test_seoul_person_gets_it_at_nine_not_before(run, alice, bob):
    held = tell(bob, alice)
    # Monday 21 September 2026.
    assert run(seoul(9, 21, 8, 59)) == []
    assert not Digest.objects.exists()

    [sent] = run(seoul(9, 21, 9, 0))

    assert sent.to == ["bob@example.com"]
    digest = Digest.objects.get(user=bob)
    assert digest.local_date == datetime.date(2026, 9, 21)
    assert digest.sent_at == seoul(9, 21, 9, 0)
    assert digest.item_count == 1
    held.refresh_from_db()
    assert held.digest == digest
    assert held.sentence() in sent.body


def test_berlin_and_los_angeles_at_their_own_nine(run, alice):
    berlin = make_user(profile={"time_zone": "Europe/Berlin", "holiday_country": "DE"})
    angeleno = make_user(profile={"time_zone": "America/Los_Angeles", "holiday_country": "US"})
    tell(berlin, alice)
    tell(angeleno, alice)
    nine_in_berlin = datetime.datetime(2026, 9, 22, 9, 0, tzinfo=BERLIN)
    nine_in_la = datetime.datetime(2026, 9, 22, 9, 0, tzinfo=LOS_ANGELES)

    assert berlin.pk not in due_ids(nine_in_berlin - datetime.timedelta(minutes=1))
    assert [m.to for m in run(nine_in_berlin)] == [[berlin.email]]
    assert angeleno.pk not in due_ids(nine_in_la - datetime.timedelta(minutes=1))
    assert [m.to for m in run(nine_in_la)] == [[angeleno.email]]
    sent = Digest.objects.filter(sent_at__isnull=False)
    assert dict(sent.values_list("user_id", "local_date")) == {
        berlin.pk: datetime.date(2026, 9, 22),
        angeleno.pk: datetime.date(2026, 9, 22),
    }


def test_late_clock_still_sends_the_days_digest(run, alice, bob):
    tell(bob, alice)
    assert len(run(seoul(9, 21, 15, 30))) == 1


def test_nothing_on_chuseok_then_the_next_working_day_with_what_was_held(run, alice, bob):
    # Chuseok 2026: Thursday 24 to Saturday 26 September; Sunday off; back on Monday 28.
    tell(bob, alice, "Before the holiday", when=seoul(9, 23, 20))
    tell(bob, alice, "During the holiday", when=seoul(9, 25, 11))
    for day in (24, 25, 26, 27):
        assert run(seoul(9, day, 9, 30)) == [], day
    assert not Digest.objects.exists()

    [sent] = run(seoul(9, 28, 9, 0), to=bob.email)

    assert "Before the holiday" in sent.body
    assert "During the holiday" in sent.body
    assert Digest.objects.get(user=bob).local_date == datetime.date(2026, 9, 28)


def test_nothing_on_seollal(run, alice, bob):
    # Seollal 2026: Monday 16 to Wednesday 18 February.
    tell(bob, alice, when=seoul(2, 13, 19))
    for day in (16, 17, 18):
        assert run(seoul(2, day, 10)) == []
    assert len(run(seoul(2, 19, 9))) == 1


def test_person_abroad_keeps_their_own_holidays_in_their_own_zone(run, alice):
    # Working from Berlin but on the Korean calendar: no digest on Chuseok, Berlin time.
    abroad = make_user(profile={"time_zone": "Europe/Berlin", "holiday_country": "KR"})
    local = make_user(profile={"time_zone": "Europe/Berlin", "holiday_country": "DE"})
    tell(abroad, alice)
    tell(local, alice)
    chuseok_nine = datetime.datetime(2026, 9, 24, 9, 0, tzinfo=BERLIN)

    assert [m.to for m in run(chuseok_nine)] == [[local.email]]

    # 07:00 on Monday 28 in Berlin is 14:00 in Seoul: still too early for them.
    assert run(datetime.datetime(2026, 9, 28, 7, 0, tzinfo=BERLIN)) == []
    assert [m.to for m in run(datetime.datetime(2026, 9, 28, 9, 0, tzinfo=BERLIN))] == [
        [abroad.email]
    ]


def test_company_day_off_and_weekend_send_nothing(run, alice, bob):
    CompanyDayOff.objects.create(date=datetime.date(2026, 9, 22), name="Foundation day")
    tell(bob, alice)
    assert run(seoul(9, 19, 10)) == []  # Saturday
    assert run(seoul(9, 22, 10)) == []  # company day off
    assert len(run(seoul(9, 23, 10))) == 1


def test_digest_time_follows_the_working_day_or_the_chosen_time(run, alice, bob):
    late_starter = make_user(profile={"work_start": datetime.time(10, 30)})
    early = make_user()
    InboxSettings.objects.create(user=early, digest_time=datetime.time(7, 15))
    for person in (bob, late_starter, early):
        tell(person, alice)

    assert [m.to for m in run(seoul(9, 21, 7, 15))] == [[early.email]]
    assert [m.to for m in run(seoul(9, 21, 9, 0))] == [[bob.email]]
    assert run(seoul(9, 21, 10, 29)) == []
    assert [m.to for m in run(seoul(9, 21, 10, 30))] == [[late_starter.email]]


def test_no_digest_when_there_is_nothing_to_say(run, bob, django_assert_max_num_queries):
    assert run(seoul(9, 21, 9)) == []

    digest = Digest.objects.get(user=bob)
    assert (digest.item_count, digest.sent_at) == (0, None)
    # The day is recorded, so the next minutes do not look at bob again.
    assert bob.pk not in due_ids(seoul(9, 21, 9, 1))
    with django_assert_max_num_queries(3):
        assert run(seoul(9, 21, 9, 1)) == []


def test_read_archived_in_app_and_mailed_notifications_are_not_repeated(run, alice, bob):
    services.do_set_channel(bob, Kind.ASSIGNED, "in_app")
    keep = tell(bob, alice, "Keep me")
    read = tell(bob, alice, "Read already")
    archived = tell(bob, alice, "Archived already")
    tell(bob, alice, "Only in the app", kind=Kind.ASSIGNED)
    mailed = tell(bob, alice, "Mailed already")
    services.do_mark_read(bob, [read])
    services.do_archive(bob, [archived])
    Notification.objects.filter(pk=mailed.pk).update(emailed_at=seoul(9, 20, 21))

    [sent] = run(seoul(9, 21, 9))

    assert "Keep me" in sent.body
    for title in ("Read already", "Archived already", "Only in the app", "Mailed already"):
        assert title not in sent.body
    assert list(Notification.objects.filter(digest__isnull=False)) == [keep]


def test_sections_say_what_is_new_what_needs_a_reply_and_what_is_waiting(run, alice, bob):
    project = make_project(owner=alice, visibility=Visibility.ORG)
    overdue = make_task(project=project, title="Renew the certificate")
    later = make_task(project=project, title="Review the runbook")
    asked = make_task(project=project, title="Patch the firewall")
    done = make_task(project=project, title="Already answered")
    WorkRequest.objects.create(task=later, requester=alice, assignee=bob, reply_by=seoul(9, 22, 14))
    WorkRequest.objects.create(
        task=overdue, requester=alice, assignee=bob, reply_by=seoul(9, 18, 17)
    )
    WorkRequest.objects.create(
        task=done,
        requester=alice,
        assignee=bob,
        reply_by=seoul(9, 18, 17),
        state=RequestState.ANSWERED,
    )
    WorkRequest.objects.create(task=asked, requester=bob, assignee=alice, reply_by=seoul(9, 23, 9))
    tell(bob, alice, task=later)
    tell(bob, alice, task=later, when=seoul(9, 20, 21))

    [sent] = run(seoul(9, 21, 9), to=bob.email)

    body = sent.body
    reply, rest = body.split("Needs your reply")[1].split("New since your last digest")
    new, waiting = rest.split("Waiting on others")
    # Needs your reply: by reply-by, the overdue one first and marked, times in Seoul.
    assert reply.index("Renew the certificate") < reply.index("Review the runbook")
    assert "Renew the certificate [Overdue]" in reply
    assert "Review the runbook [Overdue]" not in reply
    assert "From Alice Kim, reply by 2026-09-22 (Tue) 14:00 KST" in reply
    assert "Already answered" not in body
    # New: both comments on one task are one group.
    assert new.count("* Review the runbook\n") == 1
    assert new.count("Alice Kim commented on Review the runbook") == 2
    assert "Asked Alice Kim, reply by 2026-09-23 (Wed) 09:00 KST" in waiting
    assert "Patch the firewall" in waiting
    assert "Proposals waiting" not in body  # bob leads nothing
    assert Digest.objects.get(user=bob).item_count == 2 + 2 + 1


def test_reply_by_is_shown_in_the_readers_own_zone(run, alice):
    berliner = make_user(
        full_name="Berta Berlin", profile={"time_zone": "Europe/Berlin", "holiday_country": "DE"}
    )
    task = make_task(title="Check the backups")
    WorkRequest.objects.create(
        task=task, requester=alice, assignee=berliner, reply_by=seoul(9, 22, 17)
    )
    [sent] = run(datetime.datetime(2026, 9, 22, 9, 0, tzinfo=BERLIN), to=berliner.email)
    assert "reply by 2026-09-22 (Tue) 10:00 CEST" in sent.body


def test_leads_see_proposals_waiting_but_never_an_anonymous_author(run, alice, bob):
    charlie = make_user(email="dora@example.com", full_name="Dora Secret")
    with time_machine.travel(seoul(9, 10, 10), tick=False):
        voice.do_post_proposal(
            charlie,
            title="Quieter meeting rooms",
            problem="Too loud.",
            area=Area.WORKPLACE,
            anonymous=True,
        )
        named = voice.do_post_proposal(
            charlie, title="Standing desks", problem="Backs hurt.", area=Area.WORKPLACE
        )
    tell(bob, alice)

    sent = {m.to[0]: m for m in run(seoul(9, 21, 9))}

    lead_mail = sent["alice@example.com"]
    body = lead_mail.body
    html = lead_mail.alternatives[0].content
    assert "Proposals waiting for an answer" in body
    assert "Quieter meeting rooms" in body and "Standing desks" in body
    assert leads.proposal_url(named) in body
    # Posted Thursday 10 September 10:00: 62 working hours by Monday 21 at 09:00.
    assert "No answer for 6 working days" in body
    for text in (body, html, lead_mail.subject):
        assert "Dora" not in text
        assert "dora@example.com" not in text
    # Bob leads nothing: his digest has no proposals.
    assert "Proposals waiting" not in sent["bob@example.com"].body


def test_links_are_absolute_and_html_and_text_alternatives_are_sent(run, settings, alice, bob):
    settings.SITE_URL = "https://workmate.example"
    task = make_task(title="Swap the UPS battery")
    WorkRequest.objects.create(task=task, requester=alice, assignee=bob, reply_by=seoul(9, 22, 9))
    tell(bob, alice, task=task, urgent_reason="The UPS is beeping.")

    [sent] = run(seoul(9, 21, 9), to=bob.email)

    task_url = f"https://workmate.example/work/tasks/{task.pk}/"
    assert task_url in sent.body
    assert "https://workmate.example/inbox/preferences/" in sent.body
    assert "Marked urgent: The UPS is beeping." in sent.body
    [(html, mimetype)] = sent.alternatives
    assert mimetype == "text/html"
    assert f'href="{task_url}"' in html
    assert 'href="https://workmate.example/inbox/preferences/"' in html
    assert 'href="/' not in html
    assert sent.subject == "Your Workmate digest for 2026-09-21: 2 items"


def test_in_the_readers_language(run, alice):
    korean = make_user(language="ko", full_name="김민수")
    tell(korean, alice, "서버 점검")

    [sent] = run(seoul(9, 21, 9))

    with translation.override("ko"):
        expected = translation.ngettext(
            "Your Workmate digest for %(date)s: %(counter)s item",
            "Your Workmate digest for %(date)s: %(counter)s items",
            1,
        ) % {"date": "2026-09-21", "counter": 1}
    assert sent.subject == expected
    assert "2026-09-21 (월)" in sent.body  # Django's own Korean weekday names
    assert 'lang="ko"' in sent.alternatives[0].content


def test_sent_once_a_day_however_often_the_clock_runs(run, alice, bob):
    tell(bob, alice, "Monday news")
    assert len(run(seoul(9, 21, 9))) == 1
    tell(bob, alice, "Monday afternoon news", when=seoul(9, 21, 14))
    for minute in (1, 2, 30):
        assert run(seoul(9, 21, 9, minute)) == []
    assert run(seoul(9, 21, 17)) == []
    assert Digest.objects.filter(user=bob).count() == 1

    [tuesday] = run(seoul(9, 22, 9))
    assert "Monday afternoon news" in tuesday.body
    assert "Monday news" not in tuesday.body.replace("Monday afternoon news", "")


def test_send_digest_twice_for_the_same_day_sends_one_mail(
    alice, bob, django_capture_on_commit_callbacks
):
    tell(bob, alice)
    moment = seoul(9, 21, 9)
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        first = digests.send_digest(bob.pk, datetime.date(2026, 9, 21), moment)
        second = digests.send_digest(bob.pk, datetime.date(2026, 9, 21), moment)
    assert first is not None and second is None
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_sent_by_the_next_run(alice, bob, monkeypatch):
    # Committed rows, as in the worker: the mail goes out when the claim commits.
    held = tell(bob, alice)

    def refuse(self, *args, **kwargs):
        raise OSError("SMTP server went away")

    with monkeypatch.context() as patch, time_machine.travel(seoul(9, 21, 9), tick=False):
        patch.setattr("django.core.mail.EmailMessage.send", refuse)
        assert digests.send_due_digests(seoul(9, 21, 9)) == 0

    # The claim was given back: no row for the day, the notification is pending again.
    assert not Digest.objects.filter(user=bob).exists()
    held.refresh_from_db()
    assert held.digest is None
    with time_machine.travel(seoul(9, 21, 9, 1), tick=False):
        assert digests.send_due_digests(seoul(9, 21, 9, 1)) == 1
    [sent] = mail.outbox
    assert sent.to == [bob.email]
    assert held.title in sent.body
    held.refresh_from_db()
    assert held.digest.sent_at == seoul(9, 21, 9, 1)


def test_a_claim_left_by_a_dead_worker_is_sent_later(run, alice, bob):
    held = tell(bob, alice)
    with time_machine.travel(seoul(9, 21, 9), tick=False):
        # A worker claimed the day and died before sending.
        dead = Digest.objects.create(user=bob, local_date=datetime.date(2026, 9, 21), item_count=1)
        Notification.objects.filter(pk=held.pk).update(digest=dead)

    assert run(seoul(9, 21, 9, 5)) == []  # It may still be sending.
    [sent] = run(seoul(9, 21, 9, 20))

    assert held.title in sent.body
    digest = Digest.objects.get(user=bob)
    assert digest.sent_at is not None
    held.refresh_from_db()
    assert held.digest == digest


def test_inactive_people_get_nothing(run, alice, bob):
    tell(bob, alice)
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert run(seoul(9, 21, 9)) == []


def test_building_many_digests_takes_a_fixed_number_of_queries(
    alice, django_assert_max_num_queries
):
    people = [make_user() for _ in range(6)]
    for person in people:
        tell(person, alice)
        tell(person, alice)
    # Three of them ask who may still see the tasks (workmate/work/visibility.py).
    with django_assert_max_num_queries(9):
        contents = digests.build_digests(people, seoul(9, 21, 9))
    assert {c.new_count for c in contents.values()} == {2}


# --- The window: working hours, never quiet hours, a missed day merged into the next ------


def test_a_clock_back_at_night_sends_nothing_and_the_next_morning_carries_it_once(run, alice, bob):
    # The clock was down on Friday 6 November 2026 from 08:00 to 23:00, past bob's 09:00.
    held = tell(bob, alice, "Held since Thursday", when=seoul(11, 5, 20))
    assert run(seoul(11, 6, 23)) == []
    assert run(seoul(11, 6, 23, 16)) == []
    assert run(seoul(11, 6, 18)) == []  # The working day ends at 18:00.
    assert not Digest.objects.filter(user=bob).exists()
    # Nor over the weekend, nor on Monday before nine.
    assert run(seoul(11, 7, 10)) == []
    assert run(seoul(11, 8, 10)) == []
    assert run(seoul(11, 9, 8, 59)) == []

    [sent] = run(seoul(11, 9, 9), to=bob.email)

    digest = Digest.objects.get(user=bob)
    assert digest.local_date == datetime.date(2026, 11, 9)
    held.refresh_from_db()
    assert held.digest == digest
    assert digest.item_count == 1
    assert held.sentence() in sent.body
    assert run(seoul(11, 9, 9, 1)) == []


def test_a_late_clock_inside_the_working_day_still_sends(run, alice, bob):
    tell(bob, alice)
    assert len(run(seoul(9, 21, 17, 59))) == 1


def test_quiet_hours_over_the_digest_time_send_it_when_they_end(run, alice, bob):
    WorkProfile.objects.filter(user=bob).update(
        quiet_start=datetime.time(22), quiet_end=datetime.time(10)
    )
    tell(bob, alice)

    assert run(seoul(9, 21, 9)) == []
    assert run(seoul(9, 21, 9, 59)) == []
    assert len(run(seoul(9, 21, 10))) == 1


def test_quiet_hours_until_the_end_of_the_day_hold_it_for_the_next_working_day(run, alice, bob):
    # Quiet from 08:00 to 20:00, past the end of the working day: Monday's digest cannot go.
    WorkProfile.objects.filter(user=bob).update(
        quiet_start=datetime.time(8), quiet_end=datetime.time(20)
    )
    tell(bob, alice, "Waiting for a quiet-free moment")
    for hour in (9, 12, 17):
        assert run(seoul(9, 21, hour)) == []
    assert run(seoul(9, 21, 21)) == []  # Not quiet any more, but the working day is over.
    assert not Digest.objects.filter(user=bob).exists()


def test_a_digest_time_chosen_after_the_working_day_is_kept_for_an_hour(run, alice, bob):
    InboxSettings.objects.create(user=bob, digest_time=datetime.time(19, 30))
    tell(bob, alice, "Evening reader")
    assert run(seoul(9, 21, 19, 29)) == []
    assert run(seoul(9, 22, 20, 30)) == []  # Tuesday: the hour has passed, the clock was down.
    assert len(run(seoul(9, 21, 19, 30))) == 1


def test_a_digest_time_before_the_working_day_is_honoured_but_not_after_it(run, alice, bob):
    InboxSettings.objects.create(user=bob, digest_time=datetime.time(7))
    tell(bob, alice)
    assert run(seoul(9, 21, 6, 59)) == []
    assert run(seoul(9, 21, 18, 30)) == []
    assert len(run(seoul(9, 22, 7))) == 1


def test_a_holiday_morning_sends_nothing_even_after_a_missed_day(run, alice, bob):
    # Wednesday 23 September missed (clock down); Chuseok from Thursday 24: nothing until 28.
    held = tell(bob, alice, "Before Chuseok", when=seoul(9, 23, 8))
    assert run(seoul(9, 23, 22)) == []
    assert run(seoul(9, 24, 9)) == []
    assert not Digest.objects.filter(user=bob).exists()
    assert len(run(seoul(9, 28, 9), to=bob.email)) == 1
    held.refresh_from_db()
    assert held.digest.local_date == datetime.date(2026, 9, 28)
    assert Digest.objects.filter(user=bob).count() == 1


def test_lines_from_last_year_say_the_year(run, alice):
    korean = make_user(language="ko", full_name="김민수")
    tell(korean, alice, "연말 점검", when=seoul(12, 31, 20))
    tell(korean, alice, "새해 점검", when=seoul(1, 4, 8, year=2027))

    [sent] = run(seoul(1, 4, 9, year=2027))

    assert "2026년 12월 31일 (목) 20:00" in sent.body
    assert "1월 4일 (월) 08:00" in sent.body
    assert "2027년" not in sent.body.split("새해 점검")[1].splitlines()[0]
