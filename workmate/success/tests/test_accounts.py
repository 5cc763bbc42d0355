"""The SE list and the account page: who sees them, health with its inputs, the override."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from workmate.accounts.models import TeamRole
from workmate.success.models import AccountProfile, Health, HealthRule
from workmate.testing.factories import add_member, make_customer, make_team, make_ticket, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(db):
    HealthRule.objects.all().delete()
    HealthRule.objects.create(
        name="Busy", input="open_tickets", comparison="gte", threshold=2, level=Health.AT_RISK
    )
    HealthRule.objects.create(
        name="Some", input="open_tickets", comparison="gte", threshold=1, level=Health.WATCH
    )


def test_list_sorts_by_health_then_renewal(client, sam, rules):
    risky = make_customer(name="Risky", se_owner=sam)
    make_ticket(customer=risky)
    make_ticket(customer=risky)
    watch = make_customer(name="Watch", se_owner=sam)
    make_ticket(customer=watch)
    late = make_customer(name="A late renewal", se_owner=sam)
    soon = make_customer(name="Z soon renewal", se_owner=sam)
    AccountProfile.objects.create(customer=late, renewal_on=datetime.date(2027, 12, 1))
    AccountProfile.objects.create(customer=soon, renewal_on=datetime.date(2027, 1, 1))
    client.force_login(sam)

    page = client.get(reverse("success:home")).content.decode()

    order = [page.index(name) for name in ("Risky", "Watch", "Z soon renewal", "A late renewal")]
    assert order == sorted(order)
    assert "2 open tickets" in page


def test_list_query_count_does_not_grow(client, sam, django_assert_num_queries):
    for n in range(3):
        make_customer(name=f"C{n}", se_owner=sam)
    client.force_login(sam)
    client.get(reverse("success:home"))  # warm the session and caches
    with django_assert_num_queries(12):
        client.get(reverse("success:home"))
    for n in range(3, 9):
        customer = make_customer(name=f"C{n}", se_owner=sam)
        AccountProfile.objects.create(customer=customer, renewal_on=datetime.date(2027, 1, n))
        make_ticket(customer=customer)
    with django_assert_num_queries(12):
        response = client.get(reverse("success:home"))
    assert response.content.decode().count("/success/customers/") == 9


def test_mine_filter_and_htmx_fragment(client, sam, sena):
    make_customer(name="Sams", se_owner=sam)
    make_customer(name="Senas", se_owner=sena)
    client.force_login(sam)
    response = client.get(reverse("success:home"), {"mine": "on"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Sams" in body and "Senas" not in body
    assert "<html" not in body


def test_account_page_shows_health_inputs(client, sam, owned_a, rules, django_assert_num_queries):
    make_ticket(customer=owned_a)
    client.force_login(sam)
    client.get(reverse("success:account", args=[owned_a.pk]))
    with django_assert_num_queries(17):
        page = client.get(reverse("success:account", args=[owned_a.pk])).content.decode()
    assert "1 open ticket" in page and "Watch" in page


@pytest.mark.parametrize("who", ["charlie", "bob"])
def test_colleagues_outside_se_get_404(client, owned_a, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("success:account", args=[owned_a.pk])).status_code == 404
    response = client.post(
        reverse("success:contract", args=[owned_a.pk]), {"renewal_on": "2027-01-01"}
    )
    assert response.status_code == 404
    assert not AccountProfile.objects.filter(customer=owned_a).exists()


def test_outsider_home_shows_routed_work_not_the_list(client, charlie, owned_a):
    client.force_login(charlie)
    response = client.get(reverse("success:home"))
    assert response.status_code == 200
    assert owned_a.name not in response.content.decode()


def test_le_architect_reads_but_cannot_change(client, leo, owned_a):
    client.force_login(leo)
    assert client.get(reverse("success:account", args=[owned_a.pk])).status_code == 200
    response = client.post(
        reverse("success:contract", args=[owned_a.pk]), {"renewal_on": "2027-01-01"}
    )
    assert response.status_code == 403
    response = client.post(
        reverse("success:override", args=[owned_a.pk]), {"level": "watch", "reason": "x"}
    )
    assert response.status_code == 403
    assert not AccountProfile.objects.filter(customer=owned_a).exists()


def test_lead_of_another_team_edits(client, alice, owned_a):
    client.force_login(alice)
    response = client.post(
        reverse("success:contract", args=[owned_a.pk]),
        {"contract_start": "2026-01-01", "contract_end": "2026-12-31", "renewal_on": "2026-11-01"},
    )
    assert response.status_code == 302
    profile = AccountProfile.objects.get(customer=owned_a)
    assert profile.renewal_on == datetime.date(2026, 11, 1)


def test_contract_ending_before_start_is_refused(client, sam, owned_a):
    client.force_login(sam)
    client.post(
        reverse("success:contract", args=[owned_a.pk]),
        {"contract_start": "2026-06-01", "contract_end": "2026-01-01"},
    )
    assert not AccountProfile.objects.filter(customer=owned_a, contract_end__isnull=False).exists()


def test_owner_overrides_with_reason_and_back(client, sam, owned_a, rules):
    make_ticket(customer=owned_a)
    client.force_login(sam)
    url = reverse("success:override", args=[owned_a.pk])
    client.post(url, {"level": "healthy", "reason": "Renewal signed yesterday"})
    profile = AccountProfile.objects.get(customer=owned_a)
    assert (profile.health_override, profile.health_override_by) == (Health.HEALTHY, sam)
    page = client.get(reverse("success:account", args=[owned_a.pk])).content.decode()
    assert "Renewal signed yesterday" in page and "1 open ticket" in page
    client.post(url, {"level": "", "reason": ""})
    profile.refresh_from_db()
    assert profile.health_override == "" and profile.health_override_reason == ""


def test_override_without_reason_changes_nothing(client, sam, owned_a):
    client.force_login(sam)
    client.post(reverse("success:override", args=[owned_a.pk]), {"level": "at_risk"})
    assert not AccountProfile.objects.filter(customer=owned_a).exclude(health_override="").exists()


def test_another_se_edits_but_does_not_override(client, sena, owned_a):
    client.force_login(sena)
    response = client.post(
        reverse("success:override", args=[owned_a.pk]), {"level": "watch", "reason": "Mine"}
    )
    assert response.status_code == 403


def test_executive_reads_every_account(client, owned_a):
    boss = make_user(org_role="executive")
    client.force_login(boss)
    assert client.get(reverse("success:account", args=[owned_a.pk])).status_code == 200


def test_wrong_method(client, sam, owned_a):
    client.force_login(sam)
    assert client.get(reverse("success:contract", args=[owned_a.pk])).status_code == 405


def test_korean_page(client, sam, owned_a):
    sam.language = "ko"
    sam.save()
    client.force_login(sam)
    page = client.get(reverse("success:account", args=[owned_a.pk])).content.decode()
    assert 'lang="ko"' in page


def test_le_lead_is_a_lead(db, owned_a):
    # A lead of the LE team is a lead first: leads change every account.
    lead = make_user()
    add_member(make_team(code="LE"), lead, TeamRole.LEAD)
    from workmate.success.access import can_edit_customer

    assert can_edit_customer(lead, owned_a)
