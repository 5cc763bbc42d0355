"""The levels API: the ladder (read, for everyone), one's own level and ledger (read,
curate, add glue work). Nobody reads another person's ledger or level here: leads and
executives use the pages, which check who they lead.

Each route calls the same service function as the pages (`workmate.levels.services`);
errors are raised and turned into JSON by the handlers in `workmate.api`.
"""

from __future__ import annotations

import datetime
import enum
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from workmate.accounts.models import User
from workmate.levels import services
from workmate.levels.models import (
    GLUE_MAX_LENGTH,
    IMPACT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ConfirmationState,
    EntryKind,
    Expectation,
    LadderVersion,
    LedgerEntry,
    Level,
    LevelChangeSource,
    PersonLevel,
)
from workmate.lib.apitypes import Id
from workmate.work.api import READ_ERRORS, WRITE_ERRORS, PageParams, paginate

router = Router(tags=["levels"])

# The entry kinds under a name of their own in the schema: the desk's ticket timeline has
# an `EntryKind` too, and two components of one name would overwrite each other.
LedgerEntryKind = enum.Enum(  # type: ignore[misc]
    "LedgerEntryKind", {value: value for value in EntryKind.values}, type=str
)


# --- Schemas ---------------------------------------------------------------------------


class CompetencyOut(Schema):
    code: str
    name_en: str
    name_ko: str
    description_en: str
    description_ko: str


class FlavourOut(Schema):
    code: str
    name_en: str
    name_ko: str


class ExpectationOut(Schema):
    competency: str = Field(..., description="The competency's code.")
    flavour: str | None = Field(..., description="A flavour's code; null for the general one.")
    text_en: str
    text_ko: str


class LevelOut(Schema):
    number: int
    title_en: str
    title_ko: str
    summary_en: str
    summary_ko: str
    expectations: list[ExpectationOut]


class TrackOut(Schema):
    code: str
    name_en: str
    name_ko: str
    levels: list[LevelOut]


class LadderOut(Schema):
    version: int
    published_at: datetime.datetime
    note: str
    competencies: list[CompetencyOut]
    flavours: list[FlavourOut]
    tracks: list[TrackOut]


class VersionOut(Schema):
    number: int
    published_at: datetime.datetime
    note: str


class VersionPage(Schema):
    items: list[VersionOut]
    next_cursor: str | None


class LevelChangeOut(Schema):
    track: str
    number: int
    flavour: str
    previous_number: int | None
    effective_at: datetime.datetime
    reason: str
    source: LevelChangeSource


class MyLevelOut(Schema):
    track: str | None
    number: int | None
    flavour: str | None
    since: datetime.datetime | None
    history: list[LevelChangeOut]


class ConfirmationOut(Schema):
    colleague: str = Field(..., description="The colleague's name.")
    state: ConfirmationState
    answered_at: datetime.datetime | None


class LedgerEntryOut(Schema):
    id: int
    kind: LedgerEntryKind
    competency: str = Field(..., description="A competency code of the ladder.")
    competency_chosen: bool = Field(..., description="Whether you chose it (else the default).")
    title: str
    url: str = Field(..., description="Where the entry's object is; empty when it has none.")
    occurred_at: datetime.datetime
    recorded_at: datetime.datetime
    details: dict[str, Any] = Field(..., description="Facts of the event (on_time, rating...).")
    corrects_id: int | None
    description: str
    starred: bool
    impact: str
    hidden: bool
    confirmation: ConfirmationOut | None


class EntryPage(Schema):
    items: list[LedgerEntryOut]
    next_cursor: str | None


class LedgerFilters(PageParams):
    kind: LedgerEntryKind | None = None
    competency: str | None = Field(None, max_length=32)


class GlueIn(Schema):
    title: str = Field(..., max_length=TITLE_MAX_LENGTH)
    description: str = Field(..., max_length=GLUE_MAX_LENGTH)
    occurred_on: datetime.date
    competency: str = Field("", max_length=32)
    colleague_id: Id | None = Field(None, description="Ask this colleague to confirm it.")


class EntryPatch(Schema):
    competency: str = Field(None, max_length=32)
    starred: bool = Field(None)
    impact: str = Field(None, max_length=IMPACT_MAX_LENGTH)
    hidden: bool = Field(None)


# --- Building the output ---------------------------------------------------------------


def _ladder_out(version: LadderVersion) -> dict[str, Any]:
    levels = list(
        Level.objects.filter(track__version=version).order_by("track__position", "number")
    )
    expectations: dict[int, list[dict[str, Any]]] = {}
    for item in Expectation.objects.filter(level__in=levels).select_related(
        "competency", "flavour"
    ):
        expectations.setdefault(item.level_id, []).append(
            {
                "competency": item.competency.code,
                "flavour": item.flavour.code if item.flavour else None,
                "text_en": item.text_en,
                "text_ko": item.text_ko,
            }
        )
    by_track: dict[int, list[dict[str, Any]]] = {}
    for level in levels:
        by_track.setdefault(level.track_id, []).append(
            {
                "number": level.number,
                "title_en": level.title_en,
                "title_ko": level.title_ko,
                "summary_en": level.summary_en,
                "summary_ko": level.summary_ko,
                "expectations": expectations.get(level.pk, []),
            }
        )
    return {
        "version": version.number,
        "published_at": version.published_at,
        "note": version.note,
        "competencies": list(version.competencies.all()),
        "flavours": list(version.flavours.all()),
        "tracks": [
            {
                "code": t.code,
                "name_en": t.name_en,
                "name_ko": t.name_ko,
                "levels": by_track.get(t.pk, []),
            }
            for t in version.tracks.all()
        ],
    }


def _entry_out(entry: LedgerEntry) -> dict[str, Any]:
    data = dict(entry.data) if isinstance(entry.data, dict) else {}
    url = str(data.pop("url", ""))
    confirmation = getattr(entry, "confirmation", None)
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "competency": entry.competency,
        "competency_chosen": entry.competency_chosen,
        "title": entry.title,
        "url": url,
        "occurred_at": entry.occurred_at,
        "recorded_at": entry.recorded_at,
        "details": data,
        "corrects_id": entry.corrects_id,
        "description": entry.description,
        "starred": entry.starred,
        "impact": entry.impact,
        "hidden": entry.hidden,
        "confirmation": None
        if confirmation is None
        else {
            "colleague": confirmation.colleague.full_name,
            "state": confirmation.state,
            "answered_at": confirmation.answered_at,
        },
    }


def _own_entry(user: User, entry_id: int) -> LedgerEntry:
    entry = services.ledger_entries(user).filter(pk=entry_id).first()
    if entry is None:
        raise Http404("No such entry.")
    return entry


# --- Routes ----------------------------------------------------------------------------


@router.get("/ladder", response={200: LadderOut, **READ_ERRORS}, summary="The ladder")
def ladder(request: HttpRequest, version: Id | None = None) -> dict[str, Any]:
    """The current ladder, or `version` (as it stood when a review cycle opened, say):
    tracks, levels, competencies, flavours and every expectation, in English and Korean."""
    found = services.get_version(version)
    if found is None:
        raise Http404("No ladder yet.")
    return _ladder_out(found)


@router.get("/ladder/versions", response={200: VersionPage, **READ_ERRORS})
def ladder_versions(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Every published version of the ladder, newest first."""
    return paginate(
        LadderVersion.objects.all(), cursor=page.cursor, limit=page.limit, keys=("-number",)
    )


@router.get("/me/level", response={200: MyLevelOut, **READ_ERRORS}, summary="My level")
def my_level(request: HttpRequest) -> dict[str, Any]:
    """Your level now and every change to it, newest first."""
    user = request.auth
    level = PersonLevel.objects.filter(person=user).first()
    history = [
        {
            "track": change.track_code,
            "number": change.number,
            "flavour": change.flavour_code,
            "previous_number": change.previous_number,
            "effective_at": change.effective_at,
            "reason": change.reason,
            "source": change.source,
        }
        for change in user.level_changes.all()
    ]
    return {
        "track": level.track_code if level else None,
        "number": level.number if level else None,
        "flavour": level.flavour_code if level else None,
        "since": level.since if level else None,
        "history": history,
    }


@router.get("/me/ledger", response={200: EntryPage, **READ_ERRORS}, summary="My ledger")
def my_ledger(request: HttpRequest, filters: Query[LedgerFilters]) -> dict[str, Any]:
    """Your ledger entries, newest first; filter by `kind` or `competency`."""
    rows = services.ledger_entries(request.auth)
    if filters.kind:
        rows = rows.filter(kind=filters.kind.value)
    if filters.competency:
        rows = rows.filter(competency=filters.competency)
    page = paginate(rows, cursor=filters.cursor, limit=filters.limit, keys=("-occurred_at", "-id"))
    return {"items": [_entry_out(e) for e in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/me/ledger/glue", response={201: LedgerEntryOut, **WRITE_ERRORS})
def add_glue(request: HttpRequest, payload: GlueIn) -> Status[dict[str, Any]]:
    """Add glue work (mentoring, a night-time incident call, a talk) to your ledger; with
    `colleague_id`, that colleague is asked through their inbox to confirm it."""
    colleague = None
    if payload.colleague_id is not None:
        colleague = User.objects.filter(pk=payload.colleague_id, is_active=True).first()
        if colleague is None:
            raise ValidationError({"colleague_id": _("There is no such colleague.")})
    entry = services.do_add_glue(
        request.auth,
        title=payload.title,
        description=payload.description,
        occurred_on=payload.occurred_on,
        competency=payload.competency,
        colleague=colleague,
    )
    return Status(201, _entry_out(_own_entry(request.auth, entry.pk)))


@router.patch("/me/ledger/{entry_id}", response={200: LedgerEntryOut, **WRITE_ERRORS})
def curate(request: HttpRequest, entry_id: Id, payload: EntryPatch) -> dict[str, Any]:
    """Curate one of your entries: its competency, a star, an impact line, hidden as noise.
    What the entry records is never changed."""
    entry = _own_entry(request.auth, entry_id)
    changes = payload.dict(exclude_unset=True)
    services.do_curate_entry(request.auth, entry, **changes)
    return _entry_out(_own_entry(request.auth, entry_id))
