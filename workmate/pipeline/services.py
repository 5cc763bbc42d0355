"""Changes to PoCs: one function per change, shared by the pages and the API.

`check_*` validates and checks rights, `do_*` writes. Every change leaves a `PoCEvent`
on the PoC's timeline in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import CompanyDayOff, Team, User
from workmate.inbox.models import Kind
from workmate.inbox.services import notify, profile_of
from workmate.pipeline import access
from workmate.pipeline.models import (
    FORWARD,
    Decision,
    DecisionRecord,
    EventKind,
    PoC,
    PoCEvent,
    Source,
    Stage,
    SuccessCriterion,
    VendorContract,
)
from workmate.pipeline.signals import poc_decided

MIN_CRITERIA = 3
MAX_CRITERIA = 5
# The owner is reminded when this many of their working days, or fewer, are left in the
# time box (today counted).
REMIND_WORKING_DAYS_LEFT = 2


@dataclass
class CriterionIn:
    description: str
    target: str
    result: str = ""
    met: bool | None = None


def _log(poc: PoC, actor: User | None, kind: str, note: str = "", **stages: str) -> PoCEvent:
    return PoCEvent.objects.create(
        poc=poc,
        actor=actor,
        kind=kind,
        from_stage=stages.get("from_stage", ""),
        to_stage=stages.get("to_stage", ""),
        note=note[:2000],
    )


def _lock(poc: PoC) -> PoC:
    """The PoC's row, locked: two people moving the same PoC at once would both pass the
    gate of the stage they saw."""
    locked = PoC.objects.select_for_update().get(pk=poc.pk)
    poc.stage = locked.stage
    return locked


# --- Creating ------------------------------------------------------------------------------


def _check_fields(title: str, idea: str) -> dict[str, str]:
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the PoC a title.")
    if not idea.strip():
        errors["idea"] = _("Say what the idea is.")
    return errors


@transaction.atomic
def do_create_poc(
    actor: User,
    *,
    title: str,
    idea: str,
    team: Team,
    owner: User | None = None,
    source: str = Source.COLLEAGUE,
    suggested_by: User | None = None,
    proposal=None,
    contract: VendorContract | None = None,
) -> PoC:
    """Start a PoC as an idea. The actor owns it unless an owner is named."""
    access.check_can_start(actor)
    errors = _check_fields(title, idea)
    if source not in Source.values:
        errors["source"] = _("Say where the idea came from.")
    if source == Source.PROPOSAL and proposal is None:
        errors["proposal"] = _("Choose the proposal it came from.")
    if proposal is not None and PoC.objects.filter(proposal=proposal).exists():
        errors["proposal"] = _("That proposal already has a PoC.")
    owner = owner or actor
    if not access.in_division(owner):
        errors["owner"] = _("The owner must be a member of a team.")
    if errors:
        raise ValidationError(errors)
    poc = PoC.objects.create(
        title=title.strip()[:200],
        idea=idea.strip(),
        team=team,
        owner=owner,
        source=source,
        suggested_by=suggested_by,
        proposal=proposal,
        contract=contract,
        created_by=actor,
    )
    _log(poc, actor, EventKind.CREATED, to_stage=Stage.IDEA, note=source)
    return poc


def do_turn_proposal_into_poc(actor: User, proposal, *, team: Team | None = None) -> PoC:
    """ "Turn into PoC" on a Voice proposal: its title and text become the idea."""
    from workmate.accounts.models import Membership

    if team is None:
        membership = Membership.objects.filter(user=actor).select_related("team").first()
        if membership is None:
            access.check_can_start(actor)  # raises: nobody outside a team starts PoCs
        team = membership.team
    idea = proposal.problem
    if proposal.suggestion:
        idea = f"{proposal.problem}\n\n{proposal.suggestion}"
    return do_create_poc(
        actor,
        title=proposal.title,
        idea=idea,
        team=team,
        source=Source.PROPOSAL,
        suggested_by=None if proposal.is_anonymous else proposal.author,
        proposal=proposal,
    )


@transaction.atomic
def do_record_contract(
    actor: User,
    *,
    vendor: str,
    service: str,
    contracted_on: datetime.date,
    account_manager: str,
    account_manager_email: str = "",
    notes: str = "",
    team: Team,
) -> VendorContract:
    """Record a new vendor contract; NBD reviews it as a PoC idea, owned by the actor."""
    access.check_can_start(actor)
    errors = {}
    for name, value in (("vendor", vendor), ("service", service)):
        if not value.strip():
            errors[name] = _("This field is required.")
    if not account_manager.strip():
        errors["account_manager"] = _("Name the account manager.")
    if contracted_on > timezone.localdate() + datetime.timedelta(days=366):
        errors["contracted_on"] = _("That contract date is too far ahead.")
    if errors:
        raise ValidationError(errors)
    contract = VendorContract.objects.create(
        vendor=vendor.strip(),
        service=service.strip(),
        contracted_on=contracted_on,
        account_manager=account_manager.strip(),
        account_manager_email=account_manager_email.strip(),
        notes=notes.strip(),
        recorded_by=actor,
    )
    do_create_poc(
        actor,
        title=_("Review: %(vendor)s %(service)s")
        % {"vendor": contract.vendor, "service": contract.service},
        idea=notes.strip() or _("A new contract: what can the division do with it?"),
        team=team,
        source=Source.CONTRACT,
        contract=contract,
    )
    return contract


# --- Editing -------------------------------------------------------------------------------

EDITABLE = (
    "title",
    "idea",
    "believe",
    "will",
    "measured_by",
    "starts_on",
    "ends_on",
    "budget_krw",
    "actual_cost_krw",
    "owner",
    "team",
    "project",
)


@transaction.atomic
def do_update_poc(
    actor: User,
    poc: PoC,
    *,
    criteria: Sequence[CriterionIn] | None = None,
    tasks: Iterable | None = None,
    **fields: object,
) -> PoC:
    """Change a PoC's fields, success criteria (3–5, each with a target) and linked tasks."""
    access.check_can_edit(actor, poc)
    _lock(poc)
    if poc.is_closed:
        raise ValidationError(_("A PoC that is rolled out or dropped no longer changes."))
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(poc, name, value)
    errors = _check_fields(poc.title, poc.idea)
    if poc.starts_on and poc.ends_on and poc.ends_on < poc.starts_on:
        errors["ends_on"] = _("The time box ends before it starts.")
    if "owner" in fields and not access.in_division(poc.owner):
        errors["owner"] = _("The owner must be a member of a team.")
    if criteria is not None:
        criteria = [c for c in criteria if c.description.strip() or c.target.strip()]
        if not MIN_CRITERIA <= len(criteria) <= MAX_CRITERIA:
            errors["criteria"] = _("Give 3 to 5 success criteria.")
        elif any(not c.description.strip() or not c.target.strip() for c in criteria):
            errors["criteria"] = _("Each success criterion needs a description and a target.")
    if errors:
        raise ValidationError(errors)
    if fields:
        poc.save(update_fields=list(fields))
    if criteria is not None:
        poc.criteria.all().delete()
        SuccessCriterion.objects.bulk_create(
            SuccessCriterion(
                poc=poc,
                position=index,
                description=c.description.strip()[:300],
                target=c.target.strip()[:200],
                result=c.result.strip()[:200],
                met=c.met,
            )
            for index, c in enumerate(criteria)
        )
    if tasks is not None:
        poc.tasks.set(list(tasks))
    changed = sorted(fields) + (["criteria"] if criteria is not None else [])
    changed += ["tasks"] if tasks is not None else []
    if changed:
        _log(poc, actor, EventKind.EDITED, note=", ".join(changed))
    return poc


# --- The gates -----------------------------------------------------------------------------


def gate_errors(poc: PoC, stage: str) -> list[str]:
    """What is missing before `poc` may enter `stage`; empty when it may."""
    missing: list[str] = []
    if stage == Stage.RUNNING:
        if not (poc.believe.strip() and poc.will.strip() and poc.measured_by.strip()):
            missing.append(_("Write the hypothesis: we believe …, will …, measured by …."))
        criteria = list(poc.criteria.all())
        if not MIN_CRITERIA <= len(criteria) <= MAX_CRITERIA:
            missing.append(_("Give 3 to 5 success criteria, each with a target."))
        if not (poc.starts_on and poc.ends_on):
            missing.append(_("Set the time box: a start and an end date."))
    elif stage == Stage.DECIDED:
        # The decision record itself is written by `do_decide`, the only way in.
        if any(not c.result.strip() for c in poc.criteria.all()):
            missing.append(_("Record the measured result of every success criterion."))
    elif stage == Stage.DOCUMENTED:
        decision = getattr(poc, "decision", None)
        if decision is not None and decision.decision == Decision.NO_GO:
            missing.append(_("The decision was no-go: drop the PoC with the reason instead."))
        runbook = poc.runbook
        if runbook is None:
            missing.append(_("Link the runbook page."))
        elif not runbook.is_verified():
            missing.append(_("The runbook page must be verified by its owner first."))
    elif stage == Stage.TEMPLATED:
        if poc.project_template_id is None and poc.page_template_id is None:
            missing.append(_("Link a project template or a page template."))
    elif stage == Stage.ROLLED_OUT and not poc.adopted_by.exists():
        missing.append(_("Name the teams that adopted it."))
    return missing


def _move(poc: PoC, actor: User, to_stage: str, note: str = "") -> None:
    from_stage = poc.stage
    poc.stage = to_stage
    poc.stage_changed_at = timezone.now()
    poc.save(update_fields=["stage", "stage_changed_at"])
    _log(poc, actor, EventKind.MOVED, note, from_stage=from_stage, to_stage=to_stage)


@transaction.atomic
def do_advance(
    actor: User,
    poc: PoC,
    to_stage: str,
    *,
    runbook=None,
    project_template=None,
    page_template=None,
    adopted_by: Iterable[Team] | None = None,
) -> PoC:
    """Move a PoC one step forward, after linking what that step needs.

    Steps: check rights; lock the PoC; refuse anything but the next stage (deciding goes
    through `do_decide`); link the runbook, template or adopting teams given; check the
    gate, refusing with every missing thing named (the links are rolled back with it).
    """
    access.check_can_edit(actor, poc)
    _lock(poc)
    expected = poc.next_stage()
    if expected is None:
        raise ValidationError(
            _("This PoC is %(stage)s; it does not move any more.")
            % {"stage": poc.get_stage_display()}
        )
    if to_stage == Stage.DECIDED:
        raise ValidationError(_("A PoC is decided by writing its decision record."))
    if to_stage != expected:
        raise ValidationError(
            _("A PoC that is %(stage)s can only move to %(next)s.")
            % {"stage": poc.get_stage_display(), "next": Stage(expected).label}
        )
    if runbook is not None:
        poc.runbook = runbook
        poc.save(update_fields=["runbook"])
    if project_template is not None or page_template is not None:
        fields = []
        if project_template is not None:
            poc.project_template = project_template
            fields.append("project_template")
        if page_template is not None:
            poc.page_template = page_template
            fields.append("page_template")
        poc.save(update_fields=fields)
    if adopted_by is not None:
        poc.adopted_by.set(list(adopted_by))
    missing = gate_errors(poc, to_stage)
    if missing:
        raise ValidationError(missing)
    _move(poc, actor, to_stage)
    return poc


@transaction.atomic
def do_decide(
    actor: User,
    poc: PoC,
    *,
    context: str,
    options: str,
    decision: str,
    outcome: str,
    consequences: str,
    revisit_on: datetime.date | None,
) -> DecisionRecord:
    """Write the PoC's decision record (MADR) and move it from running to decided.

    Sends `poc_decided` in the same transaction.
    """
    access.check_can_edit(actor, poc)
    _lock(poc)
    if poc.stage != Stage.RUNNING:
        raise ValidationError(_("Only a running PoC is decided."))
    errors: dict[str, str] = {}
    if not context.strip():
        errors["context"] = _("Describe the context and the problem.")
    option_lines = [line for line in options.splitlines() if line.strip(" -*\t")]
    if len(option_lines) < 2:
        errors["options"] = _("List at least two options considered, one per line.")
    if decision not in Decision.values:
        errors["decision"] = _("Choose go or no-go.")
    if not outcome.strip():
        errors["outcome"] = _("Say which option was chosen and why.")
    if not consequences.strip():
        errors["consequences"] = _("Write the consequences, good and bad.")
    if revisit_on is None:
        errors["revisit_on"] = _("Choose a date to revisit the decision.")
    elif revisit_on <= timezone.localdate():
        errors["revisit_on"] = _("The revisit date must be in the future.")
    if errors:
        raise ValidationError(errors)
    missing = gate_errors(poc, Stage.DECIDED)
    if missing:
        raise ValidationError(missing)
    record = DecisionRecord.objects.create(
        poc=poc,
        context=context.strip(),
        options=options.strip(),
        decision=decision,
        outcome=outcome.strip(),
        consequences=consequences.strip(),
        revisit_on=revisit_on,
        decided_by=actor,
    )
    _move(poc, actor, Stage.DECIDED, note=decision)
    poc_decided.send(sender=PoC, instance=poc, actor=actor)
    return record


@transaction.atomic
def do_drop(actor: User, poc: PoC, *, reason: str) -> PoC:
    """Drop a PoC at any point before it is rolled out, with the reason."""
    access.check_can_edit(actor, poc)
    _lock(poc)
    if poc.is_closed:
        raise ValidationError(
            _("This PoC is %(stage)s; it cannot be dropped.") % {"stage": poc.get_stage_display()}
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it is dropped.")})
    from_stage = poc.stage
    poc.stage = Stage.DROPPED
    poc.dropped_reason = reason
    poc.stage_changed_at = timezone.now()
    poc.save(update_fields=["stage", "dropped_reason", "stage_changed_at"])
    _log(poc, actor, EventKind.DROPPED, reason, from_stage=from_stage, to_stage=Stage.DROPPED)
    return poc


def stage_index(stage: str) -> int:
    return FORWARD.index(Stage(stage)) if stage in FORWARD else -1


# --- Reminders -----------------------------------------------------------------------------


def _working_days_left(hours, today: datetime.date, ends_on: datetime.date) -> int:
    days = 0
    day = today
    while day <= ends_on:
        days += hours.is_working_day(day)
        day += datetime.timedelta(days=1)
    return days


def remind_time_boxes(now: datetime.datetime) -> int:
    """Remind owners of running PoCs whose time box is ending or over, in their working time.

    Steps:
    1. Running PoCs whose time box ends within two weeks, or ended (one query).
    2. For each, in the owner's calendar: skip unless the owner is at work now (the clock
       comes back every minute, so the reminder lands at the start of their working
       time); "ending": at most REMIND_WORKING_DAYS_LEFT working days left, today
       counted; "over": their local date is past the end.
    3. Notify through the inbox, once per PoC and end date (the dedupe key), so a
       repeated tick writes nothing and a time box that is extended reminds again.
    Returns how many notifications were written.
    """
    days_off = CompanyDayOff.objects.dates()
    horizon = now.date() + datetime.timedelta(days=14)
    running = (
        PoC.objects.running()
        .filter(ends_on__isnull=False, ends_on__lte=horizon)
        .select_related("owner__profile")
    )
    written = 0
    for poc in running:
        profile = profile_of(poc.owner)
        hours = profile.working_hours(days_off)
        if not hours.is_working_at(now):
            continue
        today = profile.local_now(now).date()
        if today > poc.ends_on:
            kind, key = Kind.REPLY_BY_PASSED, f"poc-over:{poc.pk}:{poc.ends_on.isoformat()}"

            def title(poc=poc) -> str:
                return _("PoC time box is over: %(title)s — write the decision") % {
                    "title": poc.title
                }
        elif _working_days_left(hours, today, poc.ends_on) <= REMIND_WORKING_DAYS_LEFT:
            kind, key = Kind.REPLY_BY_SOON, f"poc-ending:{poc.pk}:{poc.ends_on.isoformat()}"

            def title(poc=poc) -> str:
                return _("PoC time box ends %(day)s: %(title)s") % {
                    "day": poc.ends_on.isoformat(),
                    "title": poc.title,
                }
        else:
            continue
        with transaction.atomic():
            written += len(
                notify(
                    [poc.owner],
                    kind,
                    title=title,
                    url=poc.get_absolute_url(),
                    group_key=f"poc:{poc.pk}",
                    dedupe_key=key,
                )
            )
    return written
