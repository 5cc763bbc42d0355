"""Levels: who may see what, editing the ladder, placing people, curating the ledger,
glue work and its confirmation. The HTML views and the API call these.

Who sees a person's ledger and level: the person, the leads of the teams they belong to,
and executives (`org_role` executive; staff status or the superuser flag alone give
nothing). Everyone reads the ladder. Only the person curates their entries.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from workmate.accounts.models import Membership, OrgRole, Team, TeamRole, User
from workmate.inbox.models import Kind
from workmate.inbox.services import notify
from workmate.levels import ledger
from workmate.levels.models import (
    GLUE_MAX_LENGTH,
    IMPACT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Competency,
    ConfirmationState,
    EntryKind,
    Expectation,
    Flavour,
    GlueConfirmation,
    LadderVersion,
    LedgerEntry,
    Level,
    LevelChange,
    LevelChangeSource,
    PersonLevel,
    Track,
)

# How far back a glue-work entry may be dated.
GLUE_MAX_AGE = datetime.timedelta(days=366)

# --- Access ----------------------------------------------------------------------------


def is_executive(user: User) -> bool:
    """Executives by role only: an administrator (staff) reads no one's ledger."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.org_role == OrgRole.EXECUTIVE
    )


def led_team_ids(user: User) -> QuerySet:
    return Membership.objects.filter(user=user, role=TeamRole.LEAD).values("team_id")


def can_see_person(viewer: User, person: User) -> bool:
    """The person, a lead of one of their teams, or an executive."""
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return False
    if viewer.pk == person.pk or is_executive(viewer):
        return True
    return Membership.objects.filter(user=person, team_id__in=led_team_ids(viewer)).exists()


def get_person_for_viewer(viewer: User, pk: int) -> User:
    person = User.objects.filter(pk=pk, is_active=True).first()
    if person is None or not can_see_person(viewer, person):
        raise Http404("No such person.")
    return person


def teams_for_viewer(viewer: User) -> QuerySet[Team]:
    """The teams whose totals and members' ledgers the viewer reads: all for executives,
    the teams they lead for leads, none for anyone else."""
    if is_executive(viewer):
        return Team.objects.all()
    return Team.objects.filter(pk__in=led_team_ids(viewer))


def get_team_for_viewer(viewer: User, pk: int) -> Team:
    team = teams_for_viewer(viewer).filter(pk=pk).first()
    if team is None:
        raise Http404("No such team.")
    return team


def check_executive(user: User) -> None:
    if not is_executive(user):
        raise PermissionDenied(_("Only executives change the ladder and people's levels."))


# --- The ladder ------------------------------------------------------------------------


@dataclass
class LadderLevel:
    level: Level
    # (competency, general expectation, the flavour's expectation or None)
    rows: list[tuple[Competency, Expectation | None, Expectation | None]]


@dataclass
class LadderView:
    version: LadderVersion
    tracks: list[Track]
    track: Track | None
    flavours: list[Flavour]
    flavour: Flavour | None
    competencies: list[Competency]
    levels: list[LadderLevel] = field(default_factory=list)


def get_version(number: int | None = None) -> LadderVersion | None:
    """The current ladder, or version `number` (404 when there is no such version)."""
    if number is None:
        return LadderVersion.objects.current()
    version = LadderVersion.objects.filter(number=number).first()
    if version is None:
        raise Http404("No such ladder version.")
    return version


def ladder_view(version: LadderVersion, track_code: str = "", flavour_code: str = "") -> LadderView:
    """One track of a version, each level with its expectations per competency (and the
    chosen flavour's reading beside the general one). Six queries whatever the size."""
    tracks = list(version.tracks.all())
    track = next((t for t in tracks if t.code == track_code), tracks[0] if tracks else None)
    flavours = list(version.flavours.all())
    flavour = next((f for f in flavours if f.code == flavour_code), None)
    competencies = list(version.competencies.all())
    view = LadderView(version, tracks, track, flavours, flavour, competencies)
    if track is None:
        return view
    levels = list(Level.objects.filter(track=track).order_by("number"))
    expectations = Expectation.objects.filter(level__in=levels).filter(
        Q(flavour__isnull=True) | Q(flavour=flavour)
    )
    general: dict[tuple[int, int], Expectation] = {}
    flavoured: dict[tuple[int, int], Expectation] = {}
    for item in expectations:
        target = general if item.flavour_id is None else flavoured
        target[(item.level_id, item.competency_id)] = item
    for level in levels:
        rows = [
            (c, general.get((level.pk, c.pk)), flavoured.get((level.pk, c.pk)))
            for c in competencies
        ]
        view.levels.append(LadderLevel(level, rows))
    return view


def competency_names(version: LadderVersion | None = None) -> dict[str, str]:
    """Competency code -> name (in the active language) of the current ladder."""
    version = version or LadderVersion.objects.current()
    if version is None:
        return {}
    return {c.code: c.name for c in version.competencies.all()}


def competency_choices() -> list[tuple[str, str]]:
    names = competency_names()
    if not names:
        # No ladder yet: the default codes still let entries be sorted.
        names = {
            code: code.replace("_", " ").capitalize() for code in ledger.DEFAULT_COMPETENCY.values()
        }
    return list(names.items())


@dataclass
class _Copy:
    version: LadderVersion
    tracks: dict[str, Track]
    competencies: dict[str, Competency]
    flavours: dict[str, Flavour]
    levels: dict[tuple[str, int], Level]


def _publish_copy(current: LadderVersion, actor: User, note: str) -> _Copy:
    """A new version with everything of `current` copied; the caller applies its change.

    The version number comes from the locked current row, so two executives publishing at
    once make versions n+1 and n+2 instead of colliding.
    """
    locked = LadderVersion.objects.select_for_update().get(pk=current.pk)
    latest = LadderVersion.objects.current()
    if latest is not None and latest.pk != locked.pk:
        raise ValidationError(_("The ladder changed meanwhile. Look at it again."), code="stale")
    version = LadderVersion.objects.create(
        number=locked.number + 1, published_by=actor, note=note, published_at=timezone.now()
    )

    def clone(rows, **changes):
        copies = []
        for row in rows:
            row.pk = None
            for name, value in changes.items():
                setattr(row, name, value(row) if callable(value) else value)
            copies.append(row)
        return copies

    tracks = {
        t.code: t for t in Track.objects.bulk_create(clone(locked.tracks.all(), version=version))
    }
    competencies = {
        c.code: c
        for c in Competency.objects.bulk_create(clone(locked.competencies.all(), version=version))
    }
    flavours = {
        f.code: f
        for f in Flavour.objects.bulk_create(clone(locked.flavours.all(), version=version))
    }
    old_levels = list(Level.objects.filter(track__version=locked).select_related("track"))
    old_level_keys = {level.pk: (level.track.code, level.number) for level in old_levels}
    new_levels = Level.objects.bulk_create(
        clone(old_levels, track=lambda row: tracks[row.track.code])
    )
    levels = {(level.track.code, level.number): level for level in new_levels}
    old_competencies = dict(locked.competencies.values_list("pk", "code"))
    old_flavours = dict(locked.flavours.values_list("pk", "code"))
    expectations = list(Expectation.objects.filter(level__track__version=locked))
    for item in expectations:
        item.pk = None
        item.level = levels[old_level_keys[item.level_id]]
        item.competency = competencies[old_competencies[item.competency_id]]
        item.flavour = flavours[old_flavours[item.flavour_id]] if item.flavour_id else None
    Expectation.objects.bulk_create(expectations)
    return _Copy(version, tracks, competencies, flavours, levels)


def _clean_text(value: str, field_name: str, *, required: bool = True, limit: int = 2000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field_name: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError(
            {field_name: _("At most %(max)s characters.") % {"max": limit}}, code="max_length"
        )
    return value


def _current_or_refuse() -> LadderVersion:
    current = LadderVersion.objects.current()
    if current is None:
        raise ValidationError(_("There is no ladder yet."))
    return current


@transaction.atomic
def do_edit_expectation(
    actor: User,
    *,
    track_code: str,
    number: int,
    competency_code: str,
    flavour_code: str = "",
    text_en: str,
    text_ko: str = "",
    note: str = "",
) -> LadderVersion:
    """Publish a new ladder version in which one expectation reads differently."""
    check_executive(actor)
    text_en = _clean_text(text_en, "text_en")
    text_ko = _clean_text(text_ko, "text_ko", required=False)
    note = _clean_text(note, "note", required=False, limit=200)
    current = _current_or_refuse()
    copy = _publish_copy(current, actor, note)
    level = copy.levels.get((track_code, number))
    competency = copy.competencies.get(competency_code)
    flavour = copy.flavours.get(flavour_code) if flavour_code else None
    if level is None or competency is None or (flavour_code and flavour is None):
        raise ValidationError(_("That cell is not on the ladder."))
    Expectation.objects.update_or_create(
        level=level,
        competency=competency,
        flavour=flavour,
        defaults={"text_en": text_en, "text_ko": text_ko},
    )
    return copy.version


@transaction.atomic
def do_edit_level(
    actor: User,
    *,
    track_code: str,
    number: int,
    title_en: str,
    title_ko: str = "",
    summary_en: str = "",
    summary_ko: str = "",
    note: str = "",
) -> LadderVersion:
    """Publish a new ladder version in which a level's title or scope reads differently."""
    check_executive(actor)
    title_en = _clean_text(title_en, "title_en", limit=100)
    title_ko = _clean_text(title_ko, "title_ko", required=False, limit=100)
    summary_en = _clean_text(summary_en, "summary_en", required=False)
    summary_ko = _clean_text(summary_ko, "summary_ko", required=False)
    note = _clean_text(note, "note", required=False, limit=200)
    copy = _publish_copy(_current_or_refuse(), actor, note)
    level = copy.levels.get((track_code, number))
    if level is None:
        raise ValidationError(_("That level is not on the ladder."))
    level.title_en, level.title_ko = title_en, title_ko
    level.summary_en, level.summary_ko = summary_en, summary_ko
    level.save(update_fields=["title_en", "title_ko", "summary_en", "summary_ko"])
    return copy.version


# --- People's levels -------------------------------------------------------------------


def check_level(track_code: str, number: int, flavour_code: str = "") -> None:
    """That the current ladder has this track, level and flavour."""
    version = _current_or_refuse()
    if not Level.objects.filter(
        track__version=version, track__code=track_code, number=number
    ).exists():
        raise ValidationError({"number": _("That level is not on the ladder.")})
    if flavour_code and not version.flavours.filter(code=flavour_code).exists():
        raise ValidationError({"flavour": _("That flavour is not on the ladder.")})


def record_level_change(
    person: User,
    *,
    track_code: str,
    number: int,
    reason: str,
    flavour_code: str = "",
    changed_by: User | None = None,
    source: str = LevelChangeSource.DECISION,
    source_ref: str = "",
    effective_at: datetime.datetime | None = None,
) -> LevelChange:
    """Write a level change and the person's current level, without a rights check: for
    `do_set_level` and for apps that check their own rights (a review cycle's result)."""
    reason = _clean_text(reason, "reason")
    check_level(track_code, number, flavour_code)
    with transaction.atomic():
        # Two decisions at once: the lock orders them, each history row sees its previous.
        current = PersonLevel.objects.select_for_update().filter(person=person).first()
        now = timezone.now()
        change = LevelChange.objects.create(
            person=person,
            track_code=track_code,
            number=number,
            flavour_code=flavour_code,
            previous_number=current.number if current else None,
            effective_at=effective_at or now,
            reason=reason,
            source=source if current else LevelChangeSource.INITIAL,
            source_ref=source_ref,
            changed_by=changed_by,
            recorded_at=now,
        )
        PersonLevel.objects.update_or_create(
            person=person,
            defaults={
                "track_code": track_code,
                "number": number,
                "flavour_code": flavour_code,
                "since": change.effective_at,
            },
        )
    return change


def do_set_level(
    actor: User,
    person: User,
    *,
    track_code: str,
    number: int,
    reason: str,
    flavour_code: str = "",
) -> LevelChange:
    check_executive(actor)
    return record_level_change(
        person,
        track_code=track_code,
        number=number,
        flavour_code=flavour_code,
        reason=reason,
        changed_by=actor,
    )


# --- The ledger ------------------------------------------------------------------------


def ledger_entries(person: User) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.of(person).select_related(
        "corrects", "confirmation", "confirmation__colleague"
    )


def kind_counts(person: User) -> list[tuple[str, int]]:
    """How many entries of each kind: context inside one person's ledger, in the order of
    the kinds (never sorted by the numbers)."""
    counts = Counter(
        dict(
            LedgerEntry.objects.of(person)
            .values_list("kind")
            .annotate(n=Count("id"))
            .values_list("kind", "n")
        )
    )
    return [(label, counts[value]) for value, label in EntryKind.choices if counts[value]]


def team_totals(team: Team, since: datetime.datetime | None = None) -> list[tuple[str, int]]:
    """Entries of the team's members by kind, summed for the team: no per-person numbers."""
    rows = LedgerEntry.objects.filter(
        person__in=Membership.objects.filter(team=team).values("user_id")
    ).since(since)
    counts = dict(rows.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return [(label, counts[value]) for value, label in EntryKind.choices if counts.get(value)]


def get_entry_for_viewer(viewer: User, pk: int) -> LedgerEntry:
    entry = LedgerEntry.objects.select_related("person").filter(pk=pk).first()
    if entry is None or not can_see_person(viewer, entry.person):
        raise Http404("No such entry.")
    return entry


def check_own_entry(actor: User, entry: LedgerEntry) -> None:
    if entry.person_id != actor.pk:
        raise PermissionDenied(_("Only the person whose ledger it is curates it."))


def check_competency(code: str) -> str:
    if code not in dict(competency_choices()):
        raise ValidationError({"competency": _("Choose a competency of the ladder.")})
    return code


@transaction.atomic
def do_curate_entry(
    actor: User,
    entry: LedgerEntry,
    *,
    competency: str | None = None,
    starred: bool | None = None,
    impact: str | None = None,
    hidden: bool | None = None,
) -> LedgerEntry:
    """The person's choices about one of their entries: its competency, a star, an impact
    line, hidden as noise. The recorded facts stay as the system wrote them."""
    check_own_entry(actor, entry)
    fields = []
    if competency is not None and competency != entry.competency:
        entry.competency = check_competency(competency)
        entry.competency_chosen = True
        fields += ["competency", "competency_chosen"]
    if starred is not None and starred != entry.starred:
        entry.starred = starred
        fields.append("starred")
    if impact is not None:
        impact = _clean_text(impact, "impact", required=False, limit=IMPACT_MAX_LENGTH)
        if impact != entry.impact:
            entry.impact = impact
            fields.append("impact")
    if hidden is not None and hidden != entry.hidden:
        entry.hidden = hidden
        fields.append("hidden")
    if fields:
        entry.save(update_fields=fields)
    return entry


def _glue_url(confirmation: GlueConfirmation) -> str:
    return reverse("levels:confirmation", args=[confirmation.pk])


@transaction.atomic
def do_add_glue(
    actor: User,
    *,
    title: str,
    description: str,
    occurred_on: datetime.date,
    competency: str = "",
    colleague: User | None = None,
) -> LedgerEntry:
    """Write a glue-work entry (work the system cannot see); with `colleague`, ask them
    through the inbox to confirm it."""
    title = _clean_text(title, "title", limit=TITLE_MAX_LENGTH)
    description = _clean_text(description, "description", limit=GLUE_MAX_LENGTH)
    competency = check_competency(competency or ledger.DEFAULT_COMPETENCY[EntryKind.GLUE])
    today = timezone.localdate()
    if occurred_on > today:
        raise ValidationError({"occurred_on": _("Glue work is recorded once it happened.")})
    if occurred_on < today - GLUE_MAX_AGE:
        raise ValidationError({"occurred_on": _("That is more than a year ago.")})
    if colleague is not None:
        if colleague.pk == actor.pk:
            raise ValidationError({"colleague": _("Ask a colleague, not yourself.")})
        if not colleague.is_active:
            raise ValidationError({"colleague": _("That person can no longer confirm.")})
    moment = datetime.datetime.combine(
        occurred_on, datetime.time(12), timezone.get_current_timezone()
    )
    entry = LedgerEntry.objects.create(
        person=actor,
        kind=EntryKind.GLUE,
        competency=competency,
        competency_chosen=True,
        title=title,
        description=description,
        occurred_at=min(moment, timezone.now()),
    )
    if colleague is not None:
        confirmation = GlueConfirmation.objects.create(entry=entry, colleague=colleague)
        notify(
            [colleague],
            Kind.REQUEST,
            title=lambda: (
                _("%(name)s asks you to confirm: %(title)s")
                % {"name": actor.full_name, "title": title}
            ),
            url=_glue_url(confirmation),
            group_key=f"glue:{confirmation.pk}",
            actor=actor,
            excerpt=description,
        )
    return entry


def get_confirmation_for(actor: User, pk: int) -> GlueConfirmation:
    """A confirmation request, for the colleague asked (404 for anyone else)."""
    confirmation = (
        GlueConfirmation.objects.select_related("entry", "entry__person", "colleague")
        .filter(pk=pk, colleague=actor)
        .first()
    )
    if confirmation is None:
        raise Http404("No such confirmation.")
    return confirmation


def confirmations_asked_of(user: User) -> QuerySet[GlueConfirmation]:
    return GlueConfirmation.objects.filter(colleague=user).select_related("entry", "entry__person")


@transaction.atomic
def do_answer_confirmation(
    actor: User, confirmation: GlueConfirmation, *, confirmed: bool, note: str = ""
) -> GlueConfirmation:
    if confirmation.colleague_id != actor.pk:
        raise Http404("No such confirmation.")
    note = _clean_text(note, "note", required=False, limit=500)
    # Two tabs answering at once: only the first answer counts.
    locked = GlueConfirmation.objects.select_for_update().get(pk=confirmation.pk)
    if locked.state != ConfirmationState.ASKED:
        raise ValidationError(_("You already answered this."))
    locked.state = ConfirmationState.CONFIRMED if confirmed else ConfirmationState.DECLINED
    locked.answered_at = timezone.now()
    locked.note = note
    locked.save(update_fields=["state", "answered_at", "note"])
    entry = confirmation.entry
    notify(
        [entry.person],
        Kind.REPLY,
        title=lambda: (
            (
                _("%(name)s confirmed: %(title)s")
                if confirmed
                else _("%(name)s did not confirm: %(title)s")
            )
            % {"name": actor.full_name, "title": entry.title}
        ),
        url=reverse("levels:ledger"),
        group_key=f"glue:{locked.pk}",
        actor=actor,
        excerpt=note,
    )
    return locked


def visible_glue(pairs) -> set[tuple[int, int]]:
    """For the inbox: a glue confirmation is seen by the colleague asked and the person
    whose entry it is, nobody else (`inbox/visibility.py`)."""
    wanted = {object_id for _person, object_id in pairs}
    owners = {
        pk: (colleague_id, person_id)
        for pk, colleague_id, person_id in GlueConfirmation.objects.filter(
            pk__in=wanted
        ).values_list("pk", "colleague_id", "entry__person_id")
    }
    return {
        (person.pk, object_id)
        for person, object_id in pairs
        if person.pk in owners.get(object_id, ())
    }


# --- The brag document -----------------------------------------------------------------


@dataclass
class BragGroup:
    code: str
    name: str
    entries: list[LedgerEntry]


def brag_groups(
    person: User,
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    starred_only: bool = True,
) -> list[BragGroup]:
    """The person's entries grouped by competency in the ladder's order (starred only by
    default, hidden never), each group newest first."""
    rows = LedgerEntry.objects.of(person).visible().select_related("confirmation")
    if starred_only:
        rows = rows.starred()
    zone = timezone.get_current_timezone()
    if since is not None:
        rows = rows.filter(occurred_at__gte=datetime.datetime.combine(since, datetime.time(), zone))
    if until is not None:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time(), zone)
        rows = rows.filter(occurred_at__lt=end)
    names = dict(competency_choices())
    groups: dict[str, BragGroup] = {code: BragGroup(code, name, []) for code, name in names.items()}
    for entry in rows.order_by("-occurred_at", "-id"):
        group = groups.setdefault(
            entry.competency, BragGroup(entry.competency, entry.competency, [])
        )
        group.entries.append(entry)
    return [group for group in groups.values() if group.entries]


def md_escape(text: str) -> str:
    """Text safe inside a Markdown list item or link label."""
    special = "\\`*_[]<>#|"
    cleaned = " ".join(str(text).split())
    return "".join(f"\\{ch}" if ch in special else ch for ch in cleaned)


def brag_markdown(person: User, groups: list[BragGroup], site_url: str) -> str:
    lines = [f"# {md_escape(_('Brag document'))}: {md_escape(person.full_name)}", ""]
    for group in groups:
        lines += [f"## {md_escape(group.name)}", ""]
        for entry in group.entries:
            label = md_escape(entry.title)
            url = entry.data.get("url", "") if isinstance(entry.data, dict) else ""
            item = f"[{label}]({site_url}{url})" if url else label
            lines.append(
                f"- {entry.occurred_at.astimezone(timezone.get_current_timezone()):%Y-%m-%d} "
                f"{md_escape(entry.get_kind_display())}: {item}"
            )
            if entry.impact:
                lines.append(f"  - {md_escape(entry.impact)}")
            if entry.kind == EntryKind.GLUE and entry.description:
                lines.append(f"  - {md_escape(entry.description)}")
        lines.append("")
    return "\n".join(lines)
