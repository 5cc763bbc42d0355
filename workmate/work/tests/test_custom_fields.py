"""Custom field services: defining fields, setting values with type checks, filtering."""

from __future__ import annotations

import datetime
import decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from workmate.testing.factories import make_project, make_task, make_user
from workmate.work import fields
from workmate.work.models import (
    Activity,
    CustomField,
    CustomFieldValue,
    FieldKind,
    Task,
    Visibility,
)


@pytest.fixture(autouse=True)
def _english():
    # Messages are compared in English; the default language is Korean.
    with translation.override("en"):
        yield


@pytest.fixture
def project(team, alice, bob):
    return make_project(name="Migration", team=team, owner=alice)


@pytest.fixture
def org_project(team, alice):
    return make_project(name="Handbook", team=team, owner=alice, visibility=Visibility.ORG)


def field(project, kind=FieldKind.TEXT, name=None, options=(), position=0):
    return CustomField.objects.create(
        project=project, name=name or kind, kind=kind, options=list(options), position=position
    )


# --- Definitions -----------------------------------------------------------------------


def test_create_field_goes_last_with_clean_options(project, bob):
    field(project, position=4)

    created = fields.do_create_field(
        bob,
        project,
        name=" Environment ",
        kind=FieldKind.SINGLE_SELECT,
        options=["Prod", " ", "Staging ", "Prod"],
    )

    created.refresh_from_db()
    assert (created.name, created.options, created.position) == (
        "Environment",
        ["Prod", "Staging"],
        5,
    )


def test_non_select_fields_keep_no_options(project, bob):
    created = fields.do_create_field(bob, project, name="Hours", kind="number", options=["x"])

    assert created.options == []


@pytest.mark.parametrize(
    ("name", "kind", "options", "key"),
    [
        ("  ", FieldKind.TEXT, [], "name"),
        ("Size", "colour", [], "kind"),
        ("Size", FieldKind.MULTI_SELECT, ["", " "], "options"),
        ("Size", FieldKind.SINGLE_SELECT, ["x" * 101], "options"),
    ],
)
def test_create_field_refuses_bad_input(project, bob, name, kind, options, key):
    with pytest.raises(ValidationError) as caught:
        fields.do_create_field(bob, project, name=name, kind=kind, options=options)

    assert key in caught.value.message_dict
    assert not CustomField.objects.exists()


def test_names_are_unique_per_project_ignoring_case(project, bob):
    field(project, name="Customer")
    make_other = field(make_project(team=project.team), name="Size")

    with pytest.raises(ValidationError) as caught:
        fields.do_create_field(bob, project, name="customer", kind=FieldKind.TEXT)

    assert "already has a field" in caught.value.message_dict["name"][0]
    # Another project's name is no clash.
    fields.do_create_field(bob, project, name=make_other.name, kind=FieldKind.TEXT)


def test_read_only_viewer_cannot_define_fields(org_project, charlie):
    with pytest.raises(PermissionDenied):
        fields.do_create_field(charlie, org_project, name="Sneaky", kind=FieldKind.TEXT)
    assert not CustomField.objects.exists()


def test_rename_and_drop_an_option_takes_it_off_tasks(project, bob):
    size = field(project, FieldKind.MULTI_SELECT, "Size", ["S", "M", "L"])
    only_s = make_task(project=project)
    s_and_m = make_task(project=project)
    fields.do_set_value(bob, only_s, size, ["S"])
    fields.do_set_value(bob, s_and_m, size, ["S", "M"])

    fields.do_update_field(bob, size, name="T-shirt size", options=["M", "L", "XL"])

    size.refresh_from_db()
    assert (size.name, size.options) == ("T-shirt size", ["M", "L", "XL"])
    assert not CustomFieldValue.objects.filter(task=only_s).exists()
    value = CustomFieldValue.objects.get(task=s_and_m)
    assert (value.choices, value.text) == (["M"], "\nM\n")


def test_rename_to_an_existing_name_is_refused(project, bob):
    field(project, name="Customer")
    other = field(project, name="Region")

    with pytest.raises(ValidationError):
        fields.do_update_field(bob, other, name="CUSTOMER")
    other.refresh_from_db()
    assert other.name == "Region"


def test_move_renumbers_the_columns(project, bob):
    a, b, c = (field(project, name=n, position=p) for n, p in [("A", 1), ("B", 2), ("C", 3)])

    fields.do_move_field(bob, c, -1)
    fields.do_move_field(bob, a, -1)  # Already first: stays.

    assert list(project.custom_fields.values_list("name", flat=True)) == ["A", "C", "B"]
    fields.do_move_field(bob, a, 5)
    assert list(project.custom_fields.values_list("name", flat=True)) == ["C", "B", "A"]
    assert b.pk


def test_delete_removes_the_values_too(project, bob):
    notes = field(project)
    fields.do_set_value(bob, make_task(project=project), notes, "hello")

    fields.do_delete_field(bob, notes)

    assert not CustomField.objects.exists()
    assert not CustomFieldValue.objects.exists()


# --- Values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "options", "raw", "column", "expected"),
    [
        (FieldKind.TEXT, [], "  Acme  ", "text", "Acme"),
        (FieldKind.NUMBER, [], "1,234.5", "number", decimal.Decimal("1234.5")),
        (FieldKind.NUMBER, [], "-3", "number", decimal.Decimal("-3")),
        (FieldKind.DATE, [], "2025-11-25", "date", datetime.date(2025, 11, 25)),
        (FieldKind.SINGLE_SELECT, ["Prod", "Dev"], "Dev", "choices", ["Dev"]),
        # Multi-select keeps the options' order, whatever order they were ticked in.
        (FieldKind.MULTI_SELECT, ["A", "B", "C"], ["C", "A"], "choices", ["A", "C"]),
    ],
)
def test_set_value_stores_each_kind(project, bob, kind, options, raw, column, expected):
    custom = field(project, kind, options=options)
    task = make_task(project=project)

    fields.do_set_value(bob, task, custom, raw)

    assert getattr(CustomFieldValue.objects.get(task=task, field=custom), column) == expected


@pytest.mark.parametrize(
    ("kind", "options", "raw", "message"),
    [
        (FieldKind.NUMBER, [], "twelve", "Enter a number."),
        (FieldKind.NUMBER, [], "1e20", "Enter a number."),
        (FieldKind.NUMBER, [], "NaN", "Enter a number."),
        (FieldKind.DATE, [], "25/11/2025", "Enter a date like 2025-11-25."),
        (FieldKind.SINGLE_SELECT, ["Prod"], "Test", "“Test” is not one of this field's options."),
        (FieldKind.MULTI_SELECT, ["A", "B"], ["A", "Z"], "“Z” is not one of this field's options."),
        (FieldKind.TEXT, [], ["a", "b"], "This field takes one value."),
        (FieldKind.PERSON, [], "abc", "Pick someone who can see this project."),
    ],
)
def test_set_value_refuses_the_wrong_type(project, bob, kind, options, raw, message):
    custom = field(project, kind, options=options)
    task = make_task(project=project)

    with pytest.raises(ValidationError) as caught:
        fields.do_set_value(bob, task, custom, raw)

    assert caught.value.message_dict == {"value": [message]}
    assert not CustomFieldValue.objects.exists()
    task.refresh_from_db()
    assert task.version == 1


def test_a_person_must_be_able_to_see_the_project(project, alice, bob, charlie):
    reviewer = field(project, FieldKind.PERSON, "Reviewer")
    task = make_task(project=project)

    with pytest.raises(ValidationError):
        fields.do_set_value(bob, task, reviewer, str(charlie.pk))
    inactive = make_user(is_active=False)
    project.members.add(inactive)
    with pytest.raises(ValidationError):
        fields.do_set_value(bob, task, reviewer, str(inactive.pk))

    fields.do_set_value(bob, task, reviewer, str(alice.pk))
    assert CustomFieldValue.objects.get().person == alice


def test_setting_records_history_and_bumps_the_version_once(project, bob):
    customer = field(project, name="Customer")
    task = make_task(project=project)

    fields.do_set_value(bob, task, customer, "Acme")
    fields.do_set_value(bob, task, customer, "Acme ")  # Same value: nothing to record.
    fields.do_set_value(bob, task, customer, "Globex")

    task.refresh_from_db()
    assert task.version == 3
    lines = list(Activity.objects.filter(task=task).values_list("field", "old_value", "new_value"))
    assert lines == [("Customer", "", "Acme"), ("Customer", "Acme", "Globex")]


def test_a_blank_value_clears_it(project, bob):
    customer = field(project, name="Customer")
    task = make_task(project=project)
    fields.do_set_value(bob, task, customer, "Acme")

    assert fields.do_set_value(bob, task, customer, "  ") is None

    assert not CustomFieldValue.objects.exists()
    assert Activity.objects.filter(task=task).last().old_value == "Acme"


def test_a_field_of_another_project_is_refused(project, bob):
    elsewhere = field(make_project(team=project.team))

    with pytest.raises(ValidationError):
        fields.do_set_value(bob, make_task(project=project), elsewhere, "x")
    assert not CustomFieldValue.objects.exists()


def test_read_only_viewer_cannot_set_values(org_project, charlie):
    custom = field(org_project)

    with pytest.raises(PermissionDenied):
        fields.do_set_value(charlie, make_task(project=org_project), custom, "x")
    assert not CustomFieldValue.objects.exists()


# --- Filtering ----------------------------------------------------------------------------


def titles(tasks) -> list[str]:
    return sorted(tasks.values_list("title", flat=True))


def test_filter_by_each_kind_of_field(project, alice, bob):
    text = field(project, FieldKind.TEXT, "Customer")
    number = field(project, FieldKind.NUMBER, "Hours")
    date = field(project, FieldKind.DATE, "Go live")
    single = field(project, FieldKind.SINGLE_SELECT, "Env", ["Prod", "Production"])
    multi = field(project, FieldKind.MULTI_SELECT, "Tags", ["A", "AB"])
    person = field(project, FieldKind.PERSON, "Reviewer")
    one = make_task(project=project, title="one")
    two = make_task(project=project, title="two")
    make_task(project=project, title="blank")
    for task, values in [
        (one, ["Acme Corp", "3", "2025-11-01", "Prod", ["A"], str(alice.pk)]),
        (two, ["Globex", "12.5", "2025-12-01", "Production", ["AB"], str(bob.pk)]),
    ]:
        for custom, raw in zip([text, number, date, single, multi, person], values, strict=True):
            fields.do_set_value(bob, task, custom, raw)
    every = Task.objects.filter(project=project)

    def only(**kwargs):
        return titles(fields.filter_by_field(every, fields.FieldFilter(**kwargs)))

    assert only(field=text, text="acme") == ["one"]
    assert only(field=number, low=decimal.Decimal(4)) == ["two"]
    assert only(field=number, low=3, high=3) == ["one"]
    assert only(field=date, high=datetime.date(2025, 11, 30)) == ["one"]
    # A select option matches whole: "Prod" is not "Production", "A" is not "AB".
    assert only(field=single, text="Prod") == ["one"]
    assert only(field=multi, text="A") == ["one"]
    assert only(field=multi, text="AB") == ["two"]
    assert only(field=person, person=bob.pk) == ["two"]
    assert only(field=text) == ["blank", "one", "two"]


def test_narrow_tasks_by_the_built_in_filters(project, alice, bob):
    from workmate.work.models import Tag, TaskStatus

    urgent = Tag.objects.create(name="urgent")
    mine = make_task(project=project, title="mine", assignee=bob, due_on=datetime.date(2025, 1, 5))
    mine.tags.add(urgent)
    make_task(
        project=project,
        title="hers",
        assignee=alice,
        status=TaskStatus.IN_PROGRESS,
        description="About the CSV importer",
    )
    make_task(project=project, title="nobody's", due_on=datetime.date(2025, 2, 1))
    every = Task.objects.filter(project=project)

    def only(**kwargs):
        return titles(fields.narrow_tasks(every, viewer=bob, **kwargs))

    assert only(assignee="me") == ["mine"]
    assert only(assignee="none") == ["nobody's"]
    assert only(assignee=str(alice.pk)) == ["hers"]
    assert only(statuses=["in_progress", "waiting"]) == ["hers"]
    assert only(tag=urgent.pk) == ["mine"]
    assert only(due_from=datetime.date(2025, 1, 10)) == ["nobody's"]
    assert only(due_to=datetime.date(2025, 1, 10)) == ["mine"]
    assert only(text="csv") == ["hers"]
    assert only(text="MINE") == ["mine"]
