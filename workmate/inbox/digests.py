"""The daily digest: once a working day, at each person's own local time, one e-mail.

It goes out from the person's digest time until the end of their working day, never in
their quiet hours; a day missed (the clock was down at night) is merged into the next.

It carries what is new (notifications not yet mailed), what needs the person's reply
(their open requests, by reply-by), what they are waiting on (requests they sent) and,
for leads, the Voice proposals still waiting for an answer. Whatever was held back
outside working hours or in quiet hours arrives here, so a person who reads only their
digest misses nothing that needed them.

Sending is idempotent: the unique `Digest(user, local_date)` row claims the day, and
the notifications it carries point at it, in one transaction; the mail goes out after
that commits. A failed send releases the claim (the row goes, the notifications are
pending again) so the next clock tick sends it; a claim left behind by a worker that
died mid-send is released once it is STALE_CLAIM old.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from workmate.accounts.models import CompanyDayOff, Membership, OrgRole, User, WorkProfile
from workmate.accounts.templatetags.workmate import when
from workmate.inbox import visibility
from workmate.inbox.models import Digest, InboxSettings, Kind, Notification
from workmate.lib.mail import render_plain, subject_line
from workmate.lib.urls import absolute_url
from workmate.lib.workcalendar import WorkingHours

logger = logging.getLogger(__name__)

# A claim this old with no mail sent belongs to a worker that died while sending.
STALE_CLAIM = datetime.timedelta(minutes=15)
# A digest time chosen after the working day's end is honoured for this long after it.
EVENING_WINDOW = datetime.timedelta(hours=1)
# Per group only the newest few lines are written out; the rest are counted.
GROUP_LINES = 5
# Groups beyond this many are counted and left to the inbox.
MAX_GROUPS = 40
# Kinds that ask something of the reader: their groups come first.
NEEDS_YOU = frozenset(
    {
        Kind.REQUEST,
        Kind.MENTION,
        Kind.REPLY_BY_SOON,
        Kind.REPLY_BY_PASSED,
        Kind.CHECKIN,
        Kind.REVIEW,
        Kind.CUSTOMER,
    }
)
# People are read in chunks so that `IN (...)` lists stay short on every database.
CHUNK = 500


# --- What a digest says ------------------------------------------------------------------


@dataclass
class Group:
    """Notifications about one thing (a task, a ticket), newest first."""

    key: str
    title: str
    url: str
    notifications: list[Notification]

    @property
    def needs_you(self) -> bool:
        return any(n.kind in NEEDS_YOU or n.urgent for n in self.notifications)

    @property
    def shown(self) -> list[Notification]:
        return self.notifications[:GROUP_LINES]

    @property
    def more(self) -> int:
        return max(0, len(self.notifications) - GROUP_LINES)


@dataclass
class Line:
    """One notification as written in the mail, in the reader's language and zone."""

    text: str
    at: str
    urgent_reason: str


@dataclass
class RequestLine:
    title: str
    url: str
    other: str  # Who asked (needs your reply) or who was asked (waiting on others).
    reply_by: datetime.datetime
    overdue: bool


@dataclass
class ProposalLine:
    """Only what a lead needs to find the proposal: never who wrote it."""

    title: str
    url: str
    age_days: int


@dataclass
class DigestContent:
    person: User
    now: datetime.datetime
    groups: list[Group] = field(default_factory=list)
    needs_reply: list[RequestLine] = field(default_factory=list)
    waiting_on: list[RequestLine] = field(default_factory=list)
    proposals: list[ProposalLine] = field(default_factory=list)

    @property
    def notification_ids(self) -> list[int]:
        return [n.pk for group in self.groups for n in group.notifications]

    @property
    def new_count(self) -> int:
        return sum(len(group.notifications) for group in self.groups)

    @property
    def shown_groups(self) -> list[Group]:
        return self.groups[:MAX_GROUPS]

    @property
    def more_groups(self) -> int:
        return max(0, len(self.groups) - MAX_GROUPS)

    @property
    def item_count(self) -> int:
        return self.new_count + len(self.needs_reply) + len(self.waiting_on) + len(self.proposals)

    @property
    def is_empty(self) -> bool:
        return self.item_count == 0


def group_notifications(notifications: Iterable[Notification]) -> list[Group]:
    """Group by what they are about; groups that ask something of the reader come first,
    then the most recently active. Within a group, newest first."""
    groups: dict[str, Group] = {}
    for n in sorted(notifications, key=lambda n: (n.created_at, n.pk), reverse=True):
        group = groups.get(n.group_key)
        if group is None:
            groups[n.group_key] = Group(n.group_key, n.title, absolute_url(n.url), [n])
        else:
            group.notifications.append(n)
    return sorted(groups.values(), key=lambda g: not g.needs_you)  # sorted() is stable.


# --- Calendars ---------------------------------------------------------------------------


def _calendar_key(profile: WorkProfile) -> tuple:
    return (
        profile.time_zone,
        tuple(sorted(profile.work_days)),
        profile.work_start,
        profile.work_end,
        profile.holiday_country or None,
    )


class _Calendars:
    """One WorkingHours per distinct profile setting (300 people share a handful)."""

    def __init__(self) -> None:
        self.days_off = CompanyDayOff.objects.dates()
        self._cache: dict[tuple, WorkingHours] = {}

    def of(self, profile: WorkProfile) -> WorkingHours:
        key = _calendar_key(profile)
        hours = self._cache.get(key)
        if hours is None:
            hours = self._cache[key] = profile.working_hours(self.days_off)
        return hours


def _profile(person: User) -> WorkProfile:
    try:
        return person.profile
    except WorkProfile.DoesNotExist:
        return WorkProfile.objects.get_or_create(user=person)[0]


def _digest_time(person: User, profile: WorkProfile) -> datetime.time:
    try:
        chosen = person.inbox_settings.digest_time
    except InboxSettings.DoesNotExist:
        chosen = None
    return chosen or profile.work_start


def _in_digest_window(
    local: datetime.datetime, digest_time: datetime.time, profile: WorkProfile
) -> bool:
    """Whether a digest may go out at `local` (the person's wall clock) on a working day.

    The window opens at the digest time and closes at the end of the working day, so a clock
    that comes back at night sends nothing then. A digest time chosen before the working day
    opens it early (the person asked for it); one chosen at or after the end of the working
    day keeps it open for EVENING_WINDOW, or it could never be sent. Quiet hours always win.
    """
    now = local.time()
    if now < digest_time:
        return False
    end = profile.work_end  # None: the working day ends at midnight.
    if end is not None and digest_time >= end:
        late = datetime.datetime.combine(local.date(), digest_time) + EVENING_WINDOW
        end = late.time() if late.date() == local.date() else None
    if end is not None and now >= end:
        return False
    return not profile.is_quiet_at(local)


def local_date_of(person: User, now: datetime.datetime) -> datetime.date:
    return now.astimezone(_profile(person).zone).date()


# --- Who is due --------------------------------------------------------------------------


def due_people(now: datetime.datetime) -> list[tuple[User, datetime.date]]:
    """People whose digest is due now, each with their local date.

    Steps:
    1. Read every active person with their profile and inbox settings (one query).
    2. For each, take their local date and time in their own zone; skip days that are not
       working days of their own calendar (weekdays, their holiday country, company days
       off) and moments outside the day's digest window (see `_in_digest_window`): before
       their digest time, after their working day, in their quiet hours. A digest missed
       that way (the clock was down, quiet hours) goes at the next moment of the window,
       or else the day is never claimed and what it held goes with the next working day's.
    3. Skip people whose day is already claimed (one query over the Digest rows of the
       local dates in play), unless the claim is stale: a worker died while sending it.
    """
    calendars = _Calendars()
    people = list(
        User.objects.filter(is_active=True)
        .select_related("profile", "inbox_settings")
        .order_by("pk")
    )
    candidates: list[tuple[User, datetime.date]] = []
    for person in people:
        profile = _profile(person)
        local = now.astimezone(profile.zone)
        if not _in_digest_window(local, _digest_time(person, profile), profile):
            continue
        if not calendars.of(profile).is_working_day(local.date()):
            continue
        candidates.append((person, local.date()))
    if not candidates:
        return []
    dates = {day for _person, day in candidates}
    stale_before = now - STALE_CLAIM
    claimed = set(
        Digest.objects.filter(local_date__in=dates)
        .exclude(sent_at__isnull=True, item_count__gt=0, created_at__lt=stale_before)
        .values_list("user_id", "local_date")
    )
    return [(person, day) for person, day in candidates if (person.pk, day) not in claimed]


# --- Building ----------------------------------------------------------------------------


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _lead_ids(people: Sequence[User]) -> set[int]:
    """Who of `people` answers Voice proposals: team leads, executives and staff (as
    `voice.services.is_lead` says), in one query."""
    ids = {
        p.pk for p in people if p.org_role in {OrgRole.EXECUTIVE, OrgRole.STAFF} or p.is_superuser
    }
    for chunk in _chunks([p.pk for p in people]):
        ids.update(
            Membership.objects.leads().filter(user_id__in=chunk).values_list("user_id", flat=True)
        )
    return ids


def build_digests(people: Sequence[User], now: datetime.datetime) -> dict[int, DigestContent]:
    """Every person's digest content with a fixed number of queries, however many people.

    Steps: read all their pending notifications (with the actor, for the sentence), drop
    those about what their reader can no longer see (a fixed number of queries per
    kind) and group them per person; read all open requests they are asked or have asked; read the
    Voice waiting list once if any of them leads.
    """
    from workmate.voice import leads
    from workmate.work.models import WorkRequest

    contents = {p.pk: DigestContent(person=p, now=now) for p in people}
    pending: dict[int, list[Notification]] = {p.pk: [] for p in people}
    requests: list = []
    for chunk in _chunks(list(contents)):
        rows = (
            Notification.objects.pending_digest()
            .awake(now)
            .filter(recipient_id__in=chunk, created_at__lte=now)
            .defer("excerpt")
            # A few hundred actors are shared by thousands of rows: read each once.
            .prefetch_related(Prefetch("actor", User.objects.only("pk", "full_name")))
            .order_by()  # Grouped and sorted in Python; the database need not sort.
        )
        rows = list(rows)
        # Written while they could see it, but not for someone who since lost access.
        gone = visibility.hidden_ids(rows, {pk: contents[pk].person for pk in chunk})
        for n in rows:
            if n.pk not in gone:
                pending[n.recipient_id].append(n)
        requests.extend(
            WorkRequest.objects.open()
            .filter(Q(assignee_id__in=chunk) | Q(requester_id__in=chunk))
            .select_related("task", "assignee", "requester")
            .order_by("reply_by", "pk")
        )
    for person_id, rows in pending.items():
        contents[person_id].groups = group_notifications(rows)
    for request in requests:
        url = absolute_url(request.task.get_absolute_url())
        overdue = request.reply_by < now
        if request.assignee_id in contents:
            contents[request.assignee_id].needs_reply.append(
                RequestLine(
                    request.task.title, url, request.requester.full_name, request.reply_by, overdue
                )
            )
        if request.requester_id in contents:
            contents[request.requester_id].waiting_on.append(
                RequestLine(
                    request.task.title, url, request.assignee.full_name, request.reply_by, overdue
                )
            )
    lead_ids = _lead_ids(people)
    if lead_ids:
        waiting = [
            ProposalLine(row.proposal.title, leads.proposal_url(row.proposal), row.age_days)
            for row in leads.waiting_for_answer(now)
        ]
        for person_id in lead_ids:
            contents[person_id].proposals = list(waiting)
    return contents


def build_digest(person: User, now: datetime.datetime) -> DigestContent:
    """One person's digest content: new, needs your reply, waiting on others, proposals."""
    return build_digests([person], now)[person.pk]


# --- The message -------------------------------------------------------------------------


def digest_message(content: DigestContent, local_date: datetime.date) -> EmailMultiAlternatives:
    """The e-mail in the person's language, times in their own zone, links absolute."""
    person = content.person
    context = {
        "digest": content,
        "person": person,
        "local_date": local_date,
        "inbox_url": absolute_url(reverse("inbox:home")),
        "preferences_url": absolute_url(reverse("inbox:preferences")),
    }
    with translation.override(person.language or None), timezone.override(_profile(person).zone):
        # Each sentence is written once here rather than in both templates.
        context["groups"] = [
            (
                group,
                [
                    Line(
                        n.sentence(),
                        when(timezone.localtime(n.created_at)),
                        n.urgent_reason,
                    )
                    for n in group.shown
                ],
            )
            for group in content.shown_groups
        ]
        subject = render_plain("inbox/email/digest_subject.txt", context)
        body = render_plain("inbox/email/digest.txt", context)
        html = render_to_string("inbox/email/digest.html", context)
    message = EmailMultiAlternatives(
        subject_line(subject), body, settings.DEFAULT_FROM_EMAIL, [person.email]
    )
    message.attach_alternative(html, "text/html")
    return message


# --- Sending -----------------------------------------------------------------------------


def release_stale_claims(people: Sequence[User], now: datetime.datetime) -> int:
    """Give back the days claimed by workers that died before sending; returns how many."""
    released = 0
    for chunk in _chunks([p.pk for p in people]):
        with transaction.atomic():
            stale = list(
                Digest.objects.filter(
                    user_id__in=chunk,
                    sent_at__isnull=True,
                    item_count__gt=0,
                    created_at__lt=now - STALE_CLAIM,
                ).values_list("pk", flat=True)
            )
            if stale:
                _release(stale)
                released += len(stale)
    return released


def _release(digest_ids: list[int]) -> None:
    """Put a claimed day back: its notifications are pending again, its row goes."""
    with transaction.atomic():
        Notification.objects.filter(digest_id__in=digest_ids).update(digest=None)
        Digest.objects.filter(pk__in=digest_ids, sent_at__isnull=True).delete()


def send_digest(
    person_id: int,
    local_date: datetime.date,
    now: datetime.datetime | None = None,
    *,
    content: DigestContent | None = None,
) -> Digest | None:
    """Send one person's digest for one local date, at most once; returns the day's new row.

    Steps:
    1. Without prepared `content`, release the person's stale claims and build it.
    2. In one transaction, claim the day by creating the unique Digest row (someone else
       holding it means it is done or in progress: return None) and point the pending
       notifications at it. If some of them were read or mailed meanwhile, the section is
       rebuilt from what was really attached.
    3. Nothing to say: the row stays with item_count 0 and no mail, so the day is not
       checked again.
    4. After commit: render and send; mark `sent_at`. If sending fails, release the claim
       and re-raise, so that the next run (or a retry of the task) sends it.
    """
    now = now or timezone.now()
    if content is None:
        person = (
            User.objects.select_related("profile", "inbox_settings")
            .filter(pk=person_id, is_active=True)
            .first()
        )
        if person is None:
            return None
        release_stale_claims([person], now)
        content = build_digest(person, now)
    person = content.person
    with transaction.atomic():
        try:
            with transaction.atomic():
                digest = Digest.objects.create(
                    user=person, local_date=local_date, created_at=timezone.now()
                )
        except IntegrityError:
            return None  # Another run claimed this day already.
        ids = content.notification_ids
        if ids:
            attached = 0
            for chunk in _chunks(ids):
                attached += (
                    Notification.objects.pending_digest()
                    .filter(pk__in=chunk, recipient=person)
                    .update(digest=digest)
                )
            if attached != len(ids):
                # Some were read, archived or mailed since the content was built.
                content.groups = group_notifications(
                    Notification.objects.filter(digest=digest).select_related("actor")
                )
        digest.item_count = content.item_count
        digest.save(update_fields=["item_count"])
        if not content.is_empty:
            transaction.on_commit(lambda: _deliver(digest, content, local_date))
    return digest


def _deliver(digest: Digest, content: DigestContent, local_date: datetime.date) -> None:
    try:
        digest_message(content, local_date).send()
    except Exception:
        _release([digest.pk])
        raise
    sent_at = timezone.now()
    Digest.objects.filter(pk=digest.pk).update(sent_at=sent_at)
    digest.sent_at = sent_at


def send_due_digests(now: datetime.datetime | None = None) -> int:
    """Send every digest that is due (the clock's task); returns how many mails went out.

    The content of all due people is built with a fixed number of queries; each person is
    then claimed and sent on their own, so one failing address does not stop the rest (it
    is logged, its claim released, and it is tried again on the next tick).
    """
    now = now or timezone.now()
    due = due_people(now)
    if not due:
        return 0
    people = [person for person, _day in due]
    release_stale_claims(people, now)
    contents = build_digests(people, now)
    sent = 0
    for person, local_date in due:
        try:
            digest = send_digest(person.pk, local_date, now, content=contents[person.pk])
        except Exception:
            logger.exception("Digest for person %s on %s was not sent.", person.pk, local_date)
            continue
        if digest is not None and digest.sent_at is not None:
            sent += 1
    return sent
