"""The ledger pages: reading (query counts pinned, no ordering by counts), curating (the
competency default and a change, star, hide, impact), glue work and its confirmation."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from workmate.inbox.models import Notification
from workmate.levels import ledger
from workmate.levels.models import ConfirmationState, EntryKind, GlueConfirmation, LedgerEntry
from workmate.levels.tests.conftest import add_entry

pytestmark = pytest.mark.django_db


def _fill(person, count: int) -> None:
    kinds = [EntryKind.TASK_COMPLETED, EntryKind.TICKET_SOLVED, EntryKind.REQUEST_ANSWERED]
    for number in range(count):
        add_entry(person, kinds[number % 3], title=f"Work {number}", url=f"/work/tasks/{number}/")
    for number in range(count // 3):
        entry = LedgerEntry.objects.create(
            person=person,
            kind=EntryKind.GLUE,
            competency="collaboration",
            title=f"Glue {number}",
            description="Mentoring",
        )
        colleague = person.__class__.objects.exclude(pk=person.pk).first()
        GlueConfirmation.objects.create(entry=entry, colleague=colleague)


@pytest.mark.parametrize("count", [3, 30])
def test_the_ledger_page_has_a_fixed_number_of_queries(
    client, cast, ladder, django_assert_num_queries, count
):
    bob = cast["self"]
    _fill(bob, count)
    client.force_login(bob)
    # session + user, the current ladder and its competencies, the count by kind, the page
    # count, the page's rows (with confirmations and colleagues joined).
    with django_assert_num_queries(7):
        response = client.get(reverse("levels:ledger"))
    assert response.status_code == 200
    assert f"Work {count - 1}" in response.text


@pytest.mark.parametrize("count", [3, 30])
def test_a_lead_reading_a_ledger_has_a_fixed_number_of_queries(
    client, cast, ladder, django_assert_num_queries, count
):
    _fill(cast["self"], count)
    client.force_login(cast["lead"])
    url = reverse("levels:person_ledger", args=[cast["self"].pk])
    # As above, plus the person and whether the viewer leads one of their teams.
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200
    assert "Star" not in response.text  # nothing to curate in someone else's ledger


def test_counts_are_context_in_the_kinds_order_not_sorted_by_size(client, cast, ladder):
    bob = cast["self"]
    add_entry(bob, EntryKind.TASK_COMPLETED, title="One task")
    for number in range(3):
        add_entry(bob, EntryKind.TICKET_SOLVED, title=f"Ticket {number}")
    client.force_login(bob)
    counts = client.get(reverse("levels:ledger")).context["counts"]
    # The kinds' own order (task first), although tickets are more numerous.
    assert [label for label, _n in counts] == ["Task completed", "Ticket solved"]


def test_filter_by_kind_and_competency(client, cast, ladder):
    bob = cast["self"]
    add_entry(bob, EntryKind.TASK_COMPLETED, title="A task")
    add_entry(bob, EntryKind.TICKET_SOLVED, title="A ticket")
    client.force_login(bob)
    response = client.get(reverse("levels:ledger"), {"competency": "customer_impact"})
    assert "A ticket" in response.text and "A task" not in response.text
    response = client.get(reverse("levels:ledger"), {"kind": "task_completed"})
    assert "A task" in response.text and "A ticket" not in response.text
    # Nonsense filters are ignored, not a 500.
    assert client.get(reverse("levels:ledger"), {"kind": "x" * 500}).status_code == 200


def test_each_kind_has_a_default_competency_of_the_ladder(ladder):
    codes = set(ladder.competencies.values_list("code", flat=True))
    assert set(EntryKind.values) == set(ledger.DEFAULT_COMPETENCY)
    assert set(ledger.DEFAULT_COMPETENCY.values()) <= codes


def test_the_person_changes_the_competency_and_curates(client, cast, ladder):
    bob = cast["self"]
    entry = add_entry(bob, EntryKind.TASK_COMPLETED, title="Migration")
    assert (entry.competency, entry.competency_chosen) == ("delivery", False)
    client.force_login(bob)
    url = reverse("levels:curate", args=[entry.pk])

    response = client.post(url, {"competency": "technical_depth", "impact": "Halved downtime"})
    assert response.status_code == 302
    client.post(url, {"starred": "true"})
    entry.refresh_from_db()
    assert (entry.competency, entry.competency_chosen) == ("technical_depth", True)
    assert (entry.starred, entry.impact, entry.hidden) == (True, "Halved downtime", False)

    # A star alone leaves the impact line as it was.
    client.post(url, {"starred": "false"})
    entry.refresh_from_db()
    assert (entry.starred, entry.impact) == (False, "Halved downtime")


def test_an_unknown_competency_is_refused(client, cast, ladder):
    bob = cast["self"]
    entry = add_entry(bob, EntryKind.TASK_COMPLETED, title="Migration")
    client.force_login(bob)
    response = client.post(
        reverse("levels:curate", args=[entry.pk]),
        {"competency": "charisma"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.competency == "delivery"


def test_htmx_curation_answers_the_row_only(client, cast, ladder):
    bob = cast["self"]
    entry = add_entry(bob, EntryKind.TASK_COMPLETED, title="Migration")
    client.force_login(bob)
    response = client.post(
        reverse("levels:curate", args=[entry.pk]), {"starred": "true"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<li class="ledger-entry is-starred"')
    assert "<html" not in response.text


# --- Glue work -------------------------------------------------------------------------


def test_glue_work_with_a_colleague_to_confirm(client, cast, ladder):
    bob, dave = cast["self"], cast["teammate"]
    client.force_login(bob)
    response = client.post(
        reverse("levels:glue"),
        {
            "title": "Night incident call for Hanbit",
            "description": "Joined at 2 am, found the expired certificate.",
            "occurred_on": datetime.date.today().isoformat(),
            "competency": "ownership",
            "colleague": dave.pk,
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind=EntryKind.GLUE)
    assert (entry.person, entry.competency) == (bob, "ownership")
    confirmation = entry.confirmation
    assert (confirmation.colleague, confirmation.state) == (dave, ConfirmationState.ASKED)
    [asked] = Notification.objects.filter(recipient=dave)
    assert asked.url == reverse("levels:confirmation", args=[confirmation.pk])

    # Only Dave may answer; Bob (whose entry it is) and others get 404.
    for who in ("self", "lead", "executive", "other_member"):
        client.force_login(cast[who])
        url = reverse("levels:confirmation", args=[confirmation.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"answer": "confirm"}).status_code == 404
    confirmation.refresh_from_db()
    assert confirmation.state == ConfirmationState.ASKED

    client.force_login(dave)
    page = client.get(reverse("levels:confirmation", args=[confirmation.pk]))
    assert "found the expired certificate" in page.text
    response = client.post(
        reverse("levels:confirmation", args=[confirmation.pk]),
        {"answer": "confirm", "note": "I was on the call too."},
    )
    assert response.status_code == 302
    confirmation.refresh_from_db()
    assert confirmation.state == ConfirmationState.CONFIRMED
    assert confirmation.answered_at is not None
    # Bob hears back through his inbox.
    assert Notification.objects.filter(recipient=bob, group_key=f"glue:{confirmation.pk}").exists()
    # A second answer is refused and changes nothing.
    again = client.post(
        reverse("levels:confirmation", args=[confirmation.pk]), {"answer": "decline"}
    )
    assert again.status_code == 200
    assert "already answered" in again.text
    confirmation.refresh_from_db()
    assert confirmation.state == ConfirmationState.CONFIRMED

    client.force_login(bob)
    assert "confirmed by Dave Jung" in client.get(reverse("levels:ledger")).text


def test_a_declined_confirmation_says_so(client, cast, ladder):
    bob, dave = cast["self"], cast["teammate"]
    client.force_login(bob)
    client.post(
        reverse("levels:glue"),
        {
            "title": "Talk at the AWS meetup",
            "description": "Spoke on cost reviews.",
            "occurred_on": datetime.date.today().isoformat(),
            "competency": "knowledge_sharing",
            "colleague": dave.pk,
        },
    )
    confirmation = GlueConfirmation.objects.get()
    client.force_login(dave)
    client.post(reverse("levels:confirmation", args=[confirmation.pk]), {"answer": "decline"})
    confirmation.refresh_from_db()
    assert confirmation.state == ConfirmationState.DECLINED
    client.force_login(bob)
    assert "not confirmed by Dave Jung" in client.get(reverse("levels:ledger")).text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"description": ""}, "description"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"occurred_on": "2001-01-01"}, "occurred_on"),
        ({"competency": "charisma"}, "competency"),
    ],
)
def test_bad_glue_work_is_refused(client, cast, ladder, changes, field):
    client.force_login(cast["self"])
    data = {
        "title": "Mentoring",
        "description": "Weekly pairing",
        "occurred_on": datetime.date.today().isoformat(),
        "competency": "collaboration",
        **changes,
    }
    response = client.post(reverse("levels:glue"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not LedgerEntry.objects.exists()
    assert not Notification.objects.exists()


def test_the_glue_notification_is_seen_by_nobody_else(cast, ladder):
    from workmate.inbox import visibility
    from workmate.levels.services import do_add_glue

    entry = do_add_glue(
        cast["self"],
        title="Mentoring",
        description="Weekly pairing",
        occurred_on=datetime.date.today(),
        colleague=cast["teammate"],
    )
    key = f"glue:{entry.confirmation.pk}"
    everyone = list(cast.values())
    assert {p.pk for p in visibility.who_may_see(everyone, key)} == {
        cast["self"].pk,
        cast["teammate"].pk,
    }
