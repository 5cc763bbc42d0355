"""The brag document: starred entries grouped by competency with their impact lines,
hidden ones never; as a page, a printable page and Markdown; query counts pinned."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from workmate.levels.models import EntryKind, LedgerEntry
from workmate.levels.tests.conftest import add_entry

pytestmark = pytest.mark.django_db


def _star(entry, **fields) -> LedgerEntry:
    LedgerEntry.objects.filter(pk=entry.pk).update(starred=True, **fields)
    entry.refresh_from_db()
    return entry


@pytest.fixture
def curated(cast, ladder):
    bob = cast["self"]
    _star(
        add_entry(
            bob, EntryKind.TICKET_SOLVED, title="#12 Bank VPN outage", url="/desk/tickets/12/"
        ),
        impact="Restored payments within the hour",
    )
    _star(add_entry(bob, EntryKind.TASK_COMPLETED, title="Backup runbook rewrite"))
    _star(add_entry(bob, EntryKind.TASK_COMPLETED, title="Noise starred then hidden"), hidden=True)
    add_entry(bob, EntryKind.TASK_COMPLETED, title="Not starred")
    return bob


def test_groups_follow_the_ladders_competencies(client, curated):
    client.force_login(curated)
    response = client.get(reverse("levels:brag"))
    groups = response.context["groups"]
    assert [(g.code, [e.title for e in g.entries]) for g in groups] == [
        ("customer_impact", ["#12 Bank VPN outage"]),
        ("delivery", ["Backup runbook rewrite"]),
    ]
    assert "Restored payments within the hour" in response.text
    assert "Noise starred then hidden" not in response.text
    assert "Not starred" not in response.text


def test_all_entries_but_the_hidden_on_request(client, curated):
    client.force_login(curated)
    response = client.get(reverse("levels:brag"), {"all": "on"})
    assert "Not starred" in response.text
    assert "Noise starred then hidden" not in response.text


def test_a_period(client, curated):
    old = add_entry(curated, EntryKind.TASK_COMPLETED, title="Last year's launch")
    _star(old, occurred_at=timezone.now() - datetime.timedelta(days=400))
    client.force_login(curated)
    since = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    response = client.get(reverse("levels:brag"), {"since": since})
    assert "Last year's launch" not in response.text
    assert "Backup runbook rewrite" in response.text
    bad = client.get(reverse("levels:brag"), {"since": "2026-05-01", "until": "2026-04-01"})
    assert bad.status_code == 200
    assert bad.context["form"].errors["until"]


def test_markdown_export(client, curated, settings):
    client.force_login(curated)
    response = client.get(reverse("levels:brag_markdown"))
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("# Brag document: Bob Lee")
    assert "## Customer impact" in text
    assert f"[\\#12 Bank VPN outage]({settings.SITE_URL}/desk/tickets/12/)" in text
    assert "  - Restored payments within the hour" in text
    assert "hidden" not in text


def test_markdown_escapes_what_people_typed(client, cast, ladder):
    bob = cast["self"]
    _star(add_entry(bob, title="[click](javascript:alert(1))"), impact="**bold** <b>x</b>")
    client.force_login(bob)
    text = client.get(reverse("levels:brag_markdown")).content.decode()
    assert "\\[click\\](javascript:alert(1))" in text
    assert "\\*\\*bold\\*\\* \\<b\\>x\\</b\\>" in text


def test_printable_page_stands_alone(client, curated):
    client.force_login(curated)
    response = client.get(reverse("levels:brag_print"))
    assert response.status_code == 200
    assert 'class="printable"' in response.text
    assert "site-nav" not in response.text
    assert "#12 Bank VPN outage" in response.text


@pytest.mark.parametrize("count", [2, 20])
def test_the_brag_document_has_a_fixed_number_of_queries(
    client, cast, ladder, django_assert_num_queries, count
):
    bob = cast["self"]
    for number in range(count):
        _star(add_entry(bob, EntryKind.TASK_COMPLETED, title=f"Launch {number}"))
    client.force_login(bob)
    # session + user, the current ladder and its competencies, the entries.
    with django_assert_num_queries(5):
        response = client.get(reverse("levels:brag"))
    assert f"Launch {count - 1}" in response.text
    with django_assert_num_queries(5):
        client.get(reverse("levels:brag_markdown"))
