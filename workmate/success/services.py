"""Meetings, feedback, themes and routing: every change SE makes, for the pages and the API.

`check_*` validates and checks rights; `do_*` writes, in a transaction. Notifications go
through the inbox (`notify`), mail to contacts after the commit, so a rolled-back change
tells nobody.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from workmate.accounts.models import Membership, Team, User
from workmate.desk.models import Contact, Customer, Satisfaction, Ticket
from workmate.inbox.models import Kind
from workmate.inbox.services import notify
from workmate.success import access
from workmate.success.models import (
    OPEN_STATES,
    ActionItem,
    FeedbackArea,
    FeedbackItem,
    FeedbackRoute,
    FeedbackSource,
    FeedbackState,
    Importance,
    Meeting,
    MeetingKind,
    RouteKind,
    Theme,
)
from workmate.work.models import Project, ProjectRole, Task, Visibility

# --- The customer's project ------------------------------------------------------------


def _team(code: str, label: str) -> Team:
    team = Team.objects.filter(code=code).first()
    if team is None:
        raise ValidationError(_("There is no %(team)s team to send this to.") % {"team": label})
    return team


def account_project(actor: User, customer: Customer) -> Project:
    """The SE team's project for this customer, where action items and SD/LE tasks live;
    made the first time it is needed, owned by an SE (the actor, or the SE owner)."""
    from workmate.success.models import AccountProfile
    from workmate.work.services import do_create_project

    profile, _created = AccountProfile.objects.select_for_update().get_or_create(customer=customer)
    if profile.project_id and not profile.project.is_archived:
        return profile.project
    se = _team(settings.SUCCESS_TEAM, settings.SUCCESS_TEAM)
    members = set(Membership.objects.filter(team=se).values_list("user_id", flat=True))
    owner = actor if actor.pk in members else customer.se_owner
    if owner is None or owner.pk not in members:
        raise ValidationError(
            _("This customer has no project yet and no SE owner: an SE starts it by asking first.")
        )
    project = do_create_project(
        owner,
        name=_("Customer: %(name)s") % {"name": customer.name},
        team=se,
        visibility=Visibility.TEAM,
        description=_("Action items and follow-ups for %(name)s.") % {"name": customer.name},
    )
    profile.project = project
    profile.save(update_fields=["project"])
    return project


def _let_in(project: Project, person: User, role: str) -> None:
    """Let someone outside SE see the one project of this customer's work they are asked to
    do (as a viewer) or where they ask (an editor: a lead routing feedback)."""
    from workmate.work.services import can_edit_project, can_view_project, do_add_project_member

    if role == ProjectRole.EDITOR and can_edit_project(person, project):
        return
    if role == ProjectRole.VIEWER and can_view_project(person, project):
        return
    do_add_project_member(project.owner, project, person, role)


def ask(
    actor: User,
    customer: Customer,
    *,
    title: str,
    description: str,
    assignee: User,
    message: str,
    reply_by: datetime.datetime | None = None,
) -> Task:
    """A task in the customer's project, asked of `assignee` as a request with a reply-by
    (their usual one in working hours unless one is chosen), through work's own service."""
    from workmate.work.services import do_create_task

    project = account_project(actor, customer)
    _let_in(project, actor, ProjectRole.EDITOR)
    if assignee != actor:
        _let_in(project, assignee, ProjectRole.VIEWER)
    return do_create_task(
        actor,
        project,
        title=title,
        description=description,
        assignee=assignee,
        request_message=message if assignee != actor else "",
        request_reply_by=reply_by if assignee != actor else None,
    )


# --- Feedback --------------------------------------------------------------------------


@dataclass
class FeedbackInput:
    words: str
    area: str = FeedbackArea.SERVICE
    importance: str = Importance.MEDIUM
    contact: Contact | None = None
    theme: Theme | None = None
    internal_note: str = ""
    is_idea: bool = False


def check_feedback(customer: Customer, data: FeedbackInput, source: str) -> None:
    errors = {}
    if not data.words.strip():
        errors["words"] = _("Write what the customer said.")
    if source not in FeedbackSource.values:
        errors["source"] = _("Say where it came from.")
    if data.area not in FeedbackArea.values:
        errors["area"] = _("Pick an area.")
    if data.importance not in Importance.values:
        errors["importance"] = _("Say how important it is to them.")
    if data.contact is not None and not data.contact.memberships.filter(customer=customer).exists():
        errors["contact"] = _("That contact is not one of this customer's.")
    if data.theme is not None and data.theme.merged_into_id:
        errors["theme"] = _("That theme was merged: choose the one it went into.")
    if errors:
        raise ValidationError(errors)


def _create_feedback(
    actor: User | None, customer: Customer, data: FeedbackInput, source: str, **links: object
) -> FeedbackItem:
    check_feedback(customer, data, source)
    return FeedbackItem.objects.create(
        customer=customer,
        contact=data.contact,
        words=data.words.strip(),
        source=source,
        area=data.area,
        importance=data.importance,
        theme=data.theme,
        internal_note=data.internal_note.strip(),
        is_idea=data.is_idea,
        created_by=actor,
        **links,
    )


@transaction.atomic
def do_capture_feedback(
    actor: User, customer: Customer, data: FeedbackInput, source: str
) -> FeedbackItem:
    """Record what a customer said outside a meeting (a ticket, a mail, a survey)."""
    access.check_can_edit(actor, customer)
    if source == FeedbackSource.MEETING:
        raise ValidationError({"source": _("Feedback from a meeting is recorded with it.")})
    return _create_feedback(actor, customer, data, source)


@transaction.atomic
def do_portal_feedback(contact: Contact, customer: Customer, data: FeedbackInput) -> FeedbackItem:
    """A contact's own feedback or idea from the portal; their SE owner hears of it."""
    if not contact.memberships.filter(customer=customer).exists():
        raise ValidationError(_("You do not belong to that organisation."))
    data.contact, data.theme, data.internal_note = contact, None, ""
    item = _create_feedback(None, customer, data, FeedbackSource.PORTAL)
    _tell_owner(
        item,
        lambda: _("%(customer)s sent feedback in the portal") % {"customer": customer.name},
        f"success-portal:{item.pk}",
    )
    return item


def feedback_from_bad_rating(satisfaction: Satisfaction) -> FeedbackItem | None:
    """A bad CSAT rating with a comment becomes a feedback item, once per rating."""
    ticket = satisfaction.ticket
    comment = satisfaction.comment.strip()
    if satisfaction.rating != "bad" or not comment or ticket.customer_id is None:
        return None
    item, created = FeedbackItem.objects.get_or_create(
        satisfaction=satisfaction,
        defaults={
            "customer_id": ticket.customer_id,
            "contact_id": ticket.requester_id,
            "words": comment,
            "source": FeedbackSource.SURVEY,
            "area": FeedbackArea.SUPPORT,
            "importance": Importance.HIGH,
            "ticket": ticket,
        },
    )
    if created:
        _tell_owner(
            item,
            lambda: _("Bad rating with a comment on ticket #%(number)s") % {"number": ticket.pk},
            f"success-csat:{item.pk}",
        )
    return item if created else None


# --- Meetings --------------------------------------------------------------------------


@dataclass
class ActionInput:
    title: str
    assignee: User
    reply_by: datetime.datetime | None = None


@transaction.atomic
def do_record_meeting(
    actor: User,
    customer: Customer,
    *,
    held_on: datetime.date,
    kind: str,
    title: str,
    notes: str = "",
    contacts: Iterable[Contact] = (),
    colleagues: Iterable[User] = (),
    actions: Sequence[ActionInput] = (),
    feedback: Sequence[FeedbackInput] = (),
) -> Meeting:
    """A meeting with its attendees, its action items (each a task asked of someone, with a
    reply-by) and the feedback heard in it, all written or none."""
    access.check_can_edit(actor, customer)
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the meeting a title.")
    if kind not in MeetingKind.values:
        errors["kind"] = _("Pick the kind of meeting.")
    if held_on > timezone.localdate() + datetime.timedelta(days=1):
        errors["held_on"] = _("Record a meeting once it has taken place.")
    contacts = list(contacts)
    mine = set(customer.contacts.values_list("pk", flat=True))
    if any(contact.pk not in mine for contact in contacts):
        errors["contacts"] = _("Attendees must be this customer's contacts.")
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        customer=customer,
        held_on=held_on,
        kind=kind,
        title=title.strip(),
        notes=notes.strip(),
        created_by=actor,
    )
    meeting.contacts.set(contacts)
    meeting.colleagues.set(list(colleagues))
    for action in actions:
        task = ask(
            actor,
            customer,
            title=action.title,
            description=_("From the meeting “%(title)s” with %(customer)s on %(day)s.")
            % {"title": meeting.title, "customer": customer.name, "day": held_on.isoformat()},
            assignee=action.assignee,
            message=action.title,
            reply_by=action.reply_by,
        )
        ActionItem.objects.create(
            meeting=meeting, title=action.title.strip(), assignee=action.assignee, task=task
        )
    for data in feedback:
        _create_feedback(actor, customer, data, FeedbackSource.MEETING, meeting=meeting)
    return meeting


# --- Themes ----------------------------------------------------------------------------


def check_can_manage_themes(user: User) -> None:
    if not access.is_success_staff(user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("SE, leads and executives group feedback into themes."))


@transaction.atomic
def do_create_theme(actor: User, *, name: str, description: str = "") -> Theme:
    check_can_manage_themes(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the theme a name.")})
    return Theme.objects.create(name=name, description=description.strip(), created_by=actor)


@transaction.atomic
def do_set_theme(actor: User, item: FeedbackItem, theme: Theme | None) -> FeedbackItem:
    access.check_can_edit(actor, item.customer)
    if theme is not None and theme.merged_into_id:
        raise ValidationError({"theme": _("That theme was merged: choose the one it went into.")})
    item.theme = theme
    item.save(update_fields=["theme"])
    return item


@transaction.atomic
def do_merge_theme(actor: User, theme: Theme, into: Theme) -> Theme:
    """Move every item of `theme` into `into`; `theme` stays as a pointer to it."""
    check_can_manage_themes(actor)
    # Lock both (in id order): two people merging the pair both ways at once would loop.
    locked = {t.pk: t for t in Theme.objects.select_for_update().filter(pk__in=[theme.pk, into.pk])}
    if theme.pk == into.pk:
        raise ValidationError({"into": _("A theme cannot be merged into itself.")})
    theme, into = locked[theme.pk], locked[into.pk]
    if theme.merged_into_id:
        raise ValidationError(_("This theme was already merged."))
    if into.merged_into_id:
        raise ValidationError({"into": _("That theme was merged: choose the one it went into.")})
    FeedbackItem.objects.filter(theme=theme).update(theme=into)
    Theme.objects.filter(merged_into=theme).update(merged_into=into)
    theme.merged_into = into
    theme.save(update_fields=["merged_into"])
    return into


@transaction.atomic
def do_split_theme(actor: User, theme: Theme, *, name: str, items: Iterable[FeedbackItem]) -> Theme:
    """Move the chosen items of `theme` into a new theme."""
    check_can_manage_themes(actor)
    items = list(items)
    if not items:
        raise ValidationError({"items": _("Choose the items to move.")})
    if any(item.theme_id != theme.pk for item in items):
        raise ValidationError({"items": _("Only this theme's items can be split off.")})
    new = do_create_theme(actor, name=name)
    FeedbackItem.objects.filter(pk__in=[item.pk for item in items]).update(theme=new)
    return new


# --- Routing ---------------------------------------------------------------------------


@dataclass
class RouteInput:
    kind: str
    title: str = ""
    description: str = ""
    assignee: User | None = None
    reason: str = ""


def check_route(actor: User, items: Sequence[FeedbackItem], data: RouteInput) -> None:
    for item in items:
        access.check_can_edit(actor, item.customer)
    if not items:
        raise ValidationError(_("There is no open feedback to route."))
    for item in items:
        if item.is_closed:
            raise ValidationError(
                _("This feedback was answered and is closed: it cannot be routed.")
            )
        if item.state != FeedbackState.NEW:
            raise ValidationError(_("This feedback was already routed."))
    errors = {}
    if data.kind not in RouteKind.values:
        errors["kind"] = _("Choose where it goes.")
    elif data.kind == RouteKind.NO_ACTION:
        if not data.reason.strip():
            errors["reason"] = _("Say why no action is taken.")
    else:
        if not data.title.strip():
            errors["title"] = _("Give it a title.")
        if not data.description.strip():
            errors["description"] = _("Say what the team should know.")
        if data.kind in (RouteKind.LE, RouteKind.SD):
            code = settings.ADVISOR_TEAM if data.kind == RouteKind.LE else settings.SUCCESS_SD_TEAM
            if data.assignee is None:
                errors["assignee"] = _("Choose whom to ask.")
            elif not Membership.objects.filter(user=data.assignee, team__code=code).exists():
                errors["assignee"] = _("Choose someone in the %(team)s team.") % {"team": code}
    if errors:
        raise ValidationError(errors)


def _route_target(actor: User, customer: Customer, data: RouteInput) -> dict[str, object]:
    """Make the proposal, PoC or task the items go to, through its own app's service."""
    if data.kind == RouteKind.PROPOSAL:
        from workmate.voice.models import Area
        from workmate.voice.services import do_post_proposal

        proposal = do_post_proposal(
            actor,
            title=data.title,
            problem=data.description,
            area=Area.CUSTOMERS,
        )
        return {"proposal": proposal}
    if data.kind == RouteKind.POC:
        from workmate.pipeline.models import Source
        from workmate.pipeline.services import do_create_poc

        poc = do_create_poc(
            actor,
            title=data.title,
            idea=data.description,
            team=_team(settings.PIPELINE_TEAM, settings.PIPELINE_TEAM),
            source=Source.COLLEAGUE,
            suggested_by=actor,
        )
        return {"poc": poc}
    if data.kind in (RouteKind.LE, RouteKind.SD):
        task = ask(
            actor,
            customer,
            title=data.title,
            description=data.description,
            assignee=data.assignee,  # type: ignore[arg-type]
            message=data.description,
        )
        return {"task": task}
    return {}


@transaction.atomic
def do_route(actor: User, items: Sequence[FeedbackItem], data: RouteInput) -> list[FeedbackRoute]:
    """Send feedback items (one, or a theme's open ones) to one piece of work.

    Steps: lock the items (two SEs routing the same item at once must not both succeed);
    check; make the proposal, PoC or task; write one route per item. "No action" is
    decided at once: the SE owner is then to tell the customer why.
    """
    locked = list(
        # Only the items' rows: PostgreSQL cannot lock the nullable side of the owner's join.
        FeedbackItem.objects.select_for_update(of=("self",))
        .select_related("customer", "customer__se_owner")
        .filter(pk__in=[item.pk for item in items])
        .order_by("pk")
    )
    check_route(actor, locked, data)
    if data.kind in (RouteKind.LE, RouteKind.SD) and len({i.customer_id for i in locked}) > 1:
        # A proposal or PoC serves a theme across customers; a task is one customer's.
        raise ValidationError(
            {"kind": _("A task is for one customer: route each customer's items on its own.")}
        )
    target = _route_target(actor, locked[0].customer, data)
    now = timezone.now()
    decided = data.kind == RouteKind.NO_ACTION
    routes = []
    for item in locked:
        routes.append(
            FeedbackRoute.objects.create(
                item=item,
                kind=data.kind,
                reason=data.reason.strip(),
                outcome=data.reason.strip() if decided else "",
                routed_by=actor,
                routed_at=now,
                decided_at=now if decided else None,
                **target,
            )
        )
        item.state = FeedbackState.TO_ANSWER if decided else FeedbackState.ROUTED
        item.ready_at = now if decided else None
        item.save(update_fields=["state", "ready_at"])
        if decided:
            _ask_owner_to_answer(item, actor)
    return routes


def open_theme_items(theme: Theme) -> list[FeedbackItem]:
    return list(theme.items.filter(state=FeedbackState.NEW).select_related("customer"))


# --- Following the routed work ---------------------------------------------------------


def _owner_of(item: FeedbackItem) -> list[User]:
    """Who tells the customer: the SE owner, or (without one) whoever routed the item."""
    owner = item.customer.se_owner
    if owner is not None and owner.is_active:
        return [owner]
    route = getattr(item, "route", None)
    return [route.routed_by] if route is not None and route.routed_by else []


def _tell_owner(item: FeedbackItem, title, dedupe_key: str, actor: User | None = None) -> None:
    notify(
        _owner_of(item),
        Kind.CUSTOMER,
        title=title,
        url=reverse("success:feedback", args=[item.pk]),
        group_key=f"customer:{item.customer_id}",
        actor=actor,
        dedupe_key=dedupe_key,
    )


def _ask_owner_to_answer(item: FeedbackItem, actor: User | None) -> None:
    name = item.customer.name
    _tell_owner(
        item,
        lambda: _("Tell %(customer)s what became of their feedback") % {"customer": name},
        f"success-ready:{item.pk}",
        actor,
    )


def mark_decided(routes: Iterable[FeedbackRoute], outcome: str, actor: User | None) -> int:
    """The routed work was decided: record the outcome and ask each SE owner to answer.
    Items already answered stay closed. Safe to run twice (decided routes are skipped)."""
    now = timezone.now()
    count = 0
    for route in routes:
        if route.decided_at is not None:
            continue
        route.decided_at, route.outcome = now, outcome
        route.save(update_fields=["decided_at", "outcome"])
        item = route.item
        if item.state == FeedbackState.ROUTED:
            item.state, item.ready_at = FeedbackState.TO_ANSWER, now
            item.save(update_fields=["state", "ready_at"])
            _ask_owner_to_answer(item, actor)
            count += 1
    return count


def routes_waiting(**target: object) -> list[FeedbackRoute]:
    return list(
        FeedbackRoute.objects.select_for_update(of=("self",))
        .select_related("item", "item__customer", "item__customer__se_owner", "routed_by")
        .filter(decided_at__isnull=True, **target)
    )


# --- Answering the customer ------------------------------------------------------------


@transaction.atomic
def do_answer(actor: User, item: FeedbackItem, answer: str) -> FeedbackItem:
    """Write what the customer reads in the portal; it is mailed to the contact too."""
    access.check_can_edit(actor, item.customer)
    locked = FeedbackItem.objects.select_for_update().get(pk=item.pk)
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer the customer will read.")})
    if locked.state not in OPEN_STATES:
        raise ValidationError(_("This feedback was already answered."))
    locked.answer, locked.answered_at, locked.answered_by = answer, timezone.now(), actor
    locked.state = FeedbackState.ANSWERED
    locked.save(update_fields=["answer", "answered_at", "answered_by", "state"])
    if locked.contact_id:
        from workmate.success.tasks import send_answer_email

        item_id = locked.pk
        transaction.on_commit(lambda: send_answer_email.enqueue(item_id=item_id))
    item.state, item.answer, item.answered_at = locked.state, locked.answer, locked.answered_at
    return locked


def send_answer_mail(item_id: int) -> bool:
    """Mail the contact the answer (never the internal note): the worker's half."""
    from workmate.success.mail import mail_answer

    item = (
        FeedbackItem.objects.select_related("contact", "customer")
        .filter(pk=item_id, state=FeedbackState.ANSWERED)
        .first()
    )
    if item is None or item.contact is None or not item.contact.is_active:
        return False
    with translation.override(item.contact.language):
        mail_answer(item)
    return True


def ticket_feedback_links(ticket: Ticket) -> list[FeedbackItem]:
    return list(FeedbackItem.objects.filter(ticket=ticket))
