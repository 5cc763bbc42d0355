"""Pay: the open bands, proposals from level changes, decisions, and nothing silent."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from workmate.reviews import payroll
from workmate.reviews.models import PayView, Salary, SalaryStatus


def salary(person, amount=52_000_000, number=2, status=SalaryStatus.APPROVED, **fields):
    fields.setdefault("effective_from", datetime.date(2026, 1, 1))
    return Salary.objects.create(
        person=person,
        amount=amount,
        track_code="IC",
        number=number,
        step=fields.pop("step", 1),
        status=status,
        reason=fields.pop("reason", "Hired"),
        **fields,
    )


def test_bands_follow_the_published_formula(scale):
    rows = payroll.band_table(scale)
    assert [(r.number, r.amounts) for r in rows][:2] == [
        (1, [40_000_000, 43_200_000, 46_400_000]),
        (2, [50_000_000, 54_000_000, 58_000_000]),
    ]


def test_every_employee_reads_the_bands_page(client, scale, erin):
    client.force_login(erin)
    page = client.get(reverse("reviews:pay")).content.decode()
    assert "54,000,000" in page and "× 1.08" in page
    assert not PayView.objects.exists()  # bands are not anyone's pay


def test_a_level_change_proposes_the_band_that_does_not_cut_pay(scale, bob):
    salary(bob, amount=63_000_000)
    proposal = payroll.propose_for_level(
        bob, track_code="IC", number=3, effective_from=datetime.date(2026, 12, 7), reason="Up"
    )
    # Level 3 steps: 62.0M, 66.96M → 66,960,000 is the first not below 63M.
    assert (proposal.step, proposal.amount, proposal.status) == (2, 66_960_000, "proposed")
    assert Salary.objects.current_for(bob).amount == 63_000_000


def test_a_new_proposal_supersedes_the_waiting_one(scale, bob):
    first = payroll.propose_for_level(
        bob, track_code="IC", number=3, effective_from=datetime.date(2026, 12, 7), reason="A"
    )
    second = payroll.propose_for_level(
        bob, track_code="IC", number=4, effective_from=datetime.date(2026, 12, 7), reason="B"
    )
    first.refresh_from_db()
    assert first.status == SalaryStatus.DECLINED
    assert second.status == SalaryStatus.PROPOSED


def test_no_scale_no_proposal(db, bob):
    assert (
        payroll.propose_for_level(
            bob, track_code="IC", number=3, effective_from=datetime.date(2026, 12, 7), reason="x"
        )
        is None
    )


def test_approval_makes_it_the_pay(scale, bob, payer):
    salary(bob)
    proposal = salary(
        bob,
        amount=62_000_000,
        number=3,
        status=SalaryStatus.PROPOSED,
        effective_from=datetime.date(2026, 12, 1),
    )
    payroll.do_decide_salary(payer, proposal, approve=True)
    proposal.refresh_from_db()
    assert proposal.decided_by == payer
    assert Salary.objects.current_for(bob).amount == 62_000_000
    with pytest.raises(ValidationError):
        payroll.do_decide_salary(payer, proposal, approve=False)


def test_nobody_decides_their_own_pay(scale, payer):
    proposal = salary(payer, status=SalaryStatus.PROPOSED)
    with pytest.raises(PermissionDenied):
        payroll.do_decide_salary(payer, proposal, approve=True)
    proposal.refresh_from_db()
    assert proposal.status == SalaryStatus.PROPOSED


def test_without_pay_rights_deciding_is_not_found(scale, bob, alice, admin_user):
    proposal = salary(bob, status=SalaryStatus.PROPOSED)
    for someone in (alice, admin_user, bob):
        with pytest.raises(Http404):
            payroll.do_decide_salary(someone, proposal, approve=True)


def test_decide_page(client, scale, bob, boss):
    proposal = salary(bob, status=SalaryStatus.PROPOSED)
    client.force_login(boss)
    response = client.post(
        reverse("reviews:decide_pay", args=[proposal.pk]), {"decision": "decline"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == SalaryStatus.DECLINED


def test_audit_page_lists_every_view_for_executives(client, scale, bob, boss, payer):
    salary(bob)
    client.force_login(payer)
    client.get(reverse("reviews:person_pay", args=[bob.pk]))
    client.force_login(boss)
    page = client.get(reverse("reviews:pay_audit")).content.decode()
    assert "Hana Pay → Bob Lee" in page


def test_audit_page_query_count(client, scale, bob, boss, payer, django_assert_num_queries):
    salary(bob)
    for viewer in (bob, payer, boss):
        payroll.read_salary(viewer, bob, via="page")
    client.force_login(boss)
    with django_assert_num_queries(4):
        assert client.get(reverse("reviews:pay_audit")).status_code == 200
