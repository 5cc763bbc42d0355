"""Per-project custom fields: defining them, setting a task's values, and filtering by them.

Views and the API call the same functions. A value is stored in the column its kind
needs; select values are also written to `text` as "\\nA\\nB\\n" so that "has option A" is
a plain `contains` lookup that works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from workmate.accounts.models import User
from workmate.work import services
from workmate.work.forms import people_who_can_see
from workmate.work.models import (
    CustomField,
    CustomFieldValue,
    FieldKind,
    Project,
    Task,
)

SELECT_KINDS = {FieldKind.SINGLE_SELECT, FieldKind.MULTI_SELECT}
MAX_OPTIONS = 50
MAX_OPTION_LENGTH = 100
# The number column holds 18 digits, 4 of them after the point.
NUMBER_LIMIT = decimal.Decimal(10) ** 14


# --- Access ----------------------------------------------------------------------------


def get_field_for_user(user: User, pk: int) -> CustomField:
    field = (
        CustomField.objects.filter(project__in=Project.objects.visible_to(user), pk=pk)
        .select_related("project", "project__team", "project__owner")
        .first()
    )
    if field is None:
        raise Http404("No such field.")
    return field


# --- Definitions -----------------------------------------------------------------------


def clean_options(kind: str, options: Iterable[str]) -> list[str]:
    """The options of a select field: trimmed, blank lines dropped, no repeats."""
    if kind not in SELECT_KINDS:
        return []
    cleaned: list[str] = []
    for option in options:
        option = option.strip()
        if option and option not in cleaned:
            if len(option) > MAX_OPTION_LENGTH:
                raise ValidationError(
                    {
                        "options": _("An option can be at most %(limit)d characters long.")
                        % {"limit": MAX_OPTION_LENGTH}
                    }
                )
            cleaned.append(option)
    if not cleaned:
        raise ValidationError({"options": _("A select field needs at least one option.")})
    if len(cleaned) > MAX_OPTIONS:
        raise ValidationError(
            {"options": _("A field can have at most %(limit)d options.") % {"limit": MAX_OPTIONS}}
        )
    return cleaned


def _clean_name(project: Project, name: str, exclude: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the field a name.")})
    clash = CustomField.objects.filter(project=project, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": _("This project already has a field with that name.")})
    return name


@transaction.atomic
def do_create_field(
    actor: User, project: Project, *, name: str, kind: str, options: Sequence[str] = ()
) -> CustomField:
    """Add a field as the project's last column."""
    services.check_can_edit(actor, project)
    if kind not in FieldKind.values:
        raise ValidationError({"kind": _("Pick a kind of field.")})
    field = CustomField(
        project=project,
        name=_clean_name(project, name),
        kind=kind,
        options=clean_options(kind, options),
    )
    last = (
        CustomField.objects.filter(project=project)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    field.position = (last or 0) + 1
    field.full_clean()
    field.save()
    return field


@transaction.atomic
def do_update_field(
    actor: User, field: CustomField, *, name: str, options: Sequence[str] | None = None
) -> CustomField:
    """Rename a field and, for selects, change its options.

    A dropped option is taken off every task that had it; the kind never changes, because
    the values already stored would not fit another kind.
    """
    services.check_can_edit(actor, field.project)
    locked = CustomField.objects.select_for_update().get(pk=field.pk)
    locked.name = _clean_name(locked.project, name, exclude=locked.pk)
    update_fields = ["name"]
    if locked.kind in SELECT_KINDS and options is not None:
        new_options = clean_options(locked.kind, options)
        dropped = set(locked.options) - set(new_options)
        locked.options = new_options
        update_fields.append("options")
        if dropped:
            for value in CustomFieldValue.objects.select_for_update().filter(field=locked):
                kept = [choice for choice in value.choices if choice not in dropped]
                if not kept:
                    value.delete()
                elif kept != value.choices:
                    value.choices = kept
                    value.text = _select_text(kept)
                    value.save(update_fields=["choices", "text"])
    locked.full_clean()
    locked.save(update_fields=update_fields)
    return locked


@transaction.atomic
def do_move_field(actor: User, field: CustomField, offset: int) -> None:
    """Move a column `offset` places left (negative) or right, renumbering the project's."""
    services.check_can_edit(actor, field.project)
    # Lock the project's fields: two people reordering at once must not end up with a tie.
    ordered = list(
        CustomField.objects.select_for_update()
        .filter(project_id=field.project_id)
        .order_by("position", "pk")
    )
    index = next(i for i, item in enumerate(ordered) if item.pk == field.pk)
    target = max(0, min(len(ordered) - 1, index + offset))
    item = ordered.pop(index)
    ordered.insert(target, item)
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


@transaction.atomic
def do_delete_field(actor: User, field: CustomField) -> None:
    """Remove a field and every task's value of it."""
    services.check_can_edit(actor, field.project)
    CustomField.objects.filter(pk=field.pk).delete()


# --- Values ----------------------------------------------------------------------------


def _select_text(choices: Sequence[str]) -> str:
    return "\n" + "\n".join(choices) + "\n" if choices else ""


def _error(message: str) -> ValidationError:
    return ValidationError({"value": message})


def parse_value(field: CustomField, raw: object) -> dict[str, object] | None:
    """Check `raw` against the field's kind; the columns to store, or None to clear.

    `raw` is what a form or JSON body sends: a string, or a list of strings for a
    multi-select.
    """
    if isinstance(raw, list | tuple):
        items = [str(item).strip() for item in raw if str(item).strip()]
    else:
        items = [str(raw).strip()] if raw is not None and str(raw).strip() else []
    if not items:
        return None
    if field.kind == FieldKind.MULTI_SELECT:
        unknown = [item for item in items if item not in field.options]
        if unknown:
            raise _error(
                _("“%(option)s” is not one of this field's options.") % {"option": unknown[0]}
            )
        chosen = [option for option in field.options if option in items]
        return {"choices": chosen, "text": _select_text(chosen)}
    if len(items) > 1:
        raise _error(_("This field takes one value."))
    item = items[0]
    if field.kind == FieldKind.TEXT:
        if len(item) > 2000:
            raise _error(_("Keep it under 2,000 characters."))
        return {"text": item}
    if field.kind == FieldKind.NUMBER:
        try:
            number = decimal.Decimal(item.replace(",", ""))
        except decimal.InvalidOperation:
            raise _error(_("Enter a number.")) from None
        if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
            raise _error(_("Enter a number."))
        return {"number": number.quantize(decimal.Decimal("0.0001"))}
    if field.kind == FieldKind.DATE:
        try:
            return {"date": datetime.date.fromisoformat(item)}
        except ValueError:
            raise _error(_("Enter a date like 2025-11-25.")) from None
    if field.kind == FieldKind.SINGLE_SELECT:
        if item not in field.options:
            raise _error(_("“%(option)s” is not one of this field's options.") % {"option": item})
        return {"choices": [item], "text": _select_text([item])}
    if field.kind == FieldKind.PERSON:
        person = (
            people_who_can_see(field.project).filter(pk=item).first() if item.isdigit() else None
        )
        if person is None:
            raise _error(_("Pick someone who can see this project."))
        return {"person": person}
    raise ValueError(f"Unknown field kind {field.kind!r}")


def display_value(field: CustomField, value: CustomFieldValue | None) -> str:
    """A value as plain text, for history lines (templates format dates themselves)."""
    if value is None:
        return ""
    if field.kind == FieldKind.NUMBER and value.number is not None:
        return format_number(value.number)
    if field.kind == FieldKind.DATE and value.date is not None:
        return value.date.isoformat()
    if field.kind in SELECT_KINDS:
        return ", ".join(value.choices)
    if field.kind == FieldKind.PERSON:
        return value.person.full_name if value.person else ""
    return value.text


def format_number(number: decimal.Decimal) -> str:
    """12.5000 → "12.5", 3.0000 → "3"."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@transaction.atomic
def do_set_value(
    actor: User, task: Task, field: CustomField, raw: object
) -> CustomFieldValue | None:
    """Set (or with a blank value, clear) one task's value of a field.

    Steps: check rights and that the field is the task's project's; parse the value; lock
    the task (two people setting the same field at once must not both insert); write,
    record history and bump the task's version when the value really changed.
    """
    services.check_can_edit(actor, task.project)
    if field.project_id != task.project_id:
        raise ValidationError({"field": _("That field belongs to another project.")})
    columns = parse_value(field, raw)
    locked = Task.objects.select_for_update().get(pk=task.pk)
    current = CustomFieldValue.objects.filter(task=locked, field=field).first()
    old_display = display_value(field, current)
    if columns is None:
        if current is None:
            return None
        current.delete()
        value = None
    else:
        value = current or CustomFieldValue(task=locked, field=field)
        for name, column in columns.items():
            setattr(value, name, column)
        value.save()
    new_display = display_value(field, value)
    if new_display == old_display:
        return value
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    task.version = locked.version
    services._log(locked, actor, "changed", field.name[:32], old_display, new_display)
    return value


# --- Columns of an imported file ---------------------------------------------------------

# An imported column becomes a single-select field when it has at most this many distinct
# values and some value repeats (a status or a priority); otherwise it is text.
IMPORT_SELECT_MAX = 20


def _reads_as(kind: str, value: str) -> bool:
    probe = CustomField(kind=kind, options=[value])
    try:
        parse_value(probe, value)
    except ValidationError:
        return False
    return True


def guess_kind(values: Sequence[str]) -> str:
    """The kind of field an imported column's non-empty values read as.

    Steps: all numbers → number; all dates like 2024-03-15 → date; a few distinct short
    one-line values, some repeated → single select; anything else → text.
    """
    if all(_reads_as(FieldKind.NUMBER, value) for value in values):
        return FieldKind.NUMBER
    if all(len(value) == 10 and _reads_as(FieldKind.DATE, value) for value in values):
        return FieldKind.DATE
    distinct = set(values)
    if (
        len(distinct) <= IMPORT_SELECT_MAX
        and len(distinct) < len(values)
        and all(len(value) <= MAX_OPTION_LENGTH and "\n" not in value for value in distinct)
    ):
        return FieldKind.SINGLE_SELECT
    return FieldKind.TEXT


def import_items(field: CustomField, raw: str) -> str | list[str]:
    """One imported cell as `parse_value` takes it: Asana writes multi-select values as
    "A, B"."""
    if field.kind == FieldKind.MULTI_SELECT:
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def fit_column(field: CustomField, values: Sequence[str]) -> list[str] | None:
    """The options `field` must gain to take an imported column's values, or None when
    the values do not fit its kind (a number field and words, a person field, too many
    options). Text, number and date fields gain nothing: [] means the column fits."""
    if field.kind == FieldKind.PERSON:
        return None  # The export names people; a person field holds accounts.
    added: list[str] = []
    if field.kind in SELECT_KINDS:
        for value in values:
            items = import_items(field, value)
            for item in items if isinstance(items, list) else [items]:
                if item not in field.options and item not in added:
                    added.append(item)
        if len(field.options) + len(added) > MAX_OPTIONS or any(
            len(item) > MAX_OPTION_LENGTH for item in added
        ):
            return None
        return added
    if field.kind == FieldKind.TEXT:
        return added
    if all(_reads_as(field.kind, value) for value in values):
        return added
    return None


# --- Filtering --------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldFilter:
    """One custom field's filter: which keys are set depends on the field's kind."""

    field: CustomField
    text: str = ""
    low: object = None
    high: object = None
    person: int | None = None

    @property
    def is_active(self) -> bool:
        return bool(self.text) or self.low is not None or self.high is not None or bool(self.person)


def filter_by_field(tasks: QuerySet[Task], wanted: FieldFilter) -> QuerySet[Task]:
    """Narrow `tasks` to those whose value of one field matches; an EXISTS per field."""
    if not wanted.is_active:
        return tasks
    field = wanted.field
    condition = Q(task=OuterRef("pk"), field=field)
    if field.kind == FieldKind.TEXT:
        condition &= Q(text__icontains=wanted.text)
    elif field.kind in SELECT_KINDS:
        condition &= Q(text__contains=f"\n{wanted.text}\n")
    elif field.kind == FieldKind.PERSON:
        condition &= Q(person_id=wanted.person)
    else:
        column = "number" if field.kind == FieldKind.NUMBER else "date"
        if wanted.low is not None:
            condition &= Q(**{f"{column}__gte": wanted.low})
        if wanted.high is not None:
            condition &= Q(**{f"{column}__lte": wanted.high})
    return tasks.filter(Exists(CustomFieldValue.objects.filter(condition)))


def narrow_tasks(
    tasks: QuerySet[Task],
    *,
    viewer: User,
    assignee: str = "",
    statuses: Sequence[str] = (),
    tag: int | None = None,
    due_from: datetime.date | None = None,
    due_to: datetime.date | None = None,
    text: str = "",
    field_filters: Sequence[FieldFilter] = (),
) -> QuerySet[Task]:
    """Apply the list page's filters; `assignee` is "", "me", "none" or a person's id."""
    if assignee == "me":
        tasks = tasks.filter(assignee=viewer)
    elif assignee == "none":
        tasks = tasks.filter(assignee__isnull=True)
    elif assignee.isdigit():
        tasks = tasks.filter(assignee_id=int(assignee))
    if statuses:
        tasks = tasks.filter(status__in=statuses)
    if tag:
        tasks = tasks.filter(Exists(Task.tags.through.objects.filter(task=OuterRef("pk"), tag=tag)))
    if due_from:
        tasks = tasks.filter(due_on__gte=due_from)
    if due_to:
        tasks = tasks.filter(due_on__lte=due_to)
    text = text.strip()
    if text:
        tasks = tasks.filter(Q(title__icontains=text) | Q(description__icontains=text))
    for wanted in field_filters:
        tasks = filter_by_field(tasks, wanted)
    return tasks
