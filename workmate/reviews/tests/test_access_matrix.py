"""Every page and API call of reviews and pay, tried from outside by each role:
self (bob), same-team member (dana), other-team member (erin), lead of the team (alice),
lead of another team (frank), executive (boss), pay-permitted person (payer) and the
staff admin without the pay permission (admin_user)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from workmate.reviews import services
from workmate.reviews.models import PayView, PayViewVia, Salary, SalaryStatus
from workmate.reviews.tests.conftest import participant_of, seoul

ROLES = ["bob", "dana", "erin", "alice", "frank", "boss", "payer", "admin_user"]


@pytest.fixture
def world(cycle, bob, dana, erin, alice, frank, boss, payer, admin_user, scale):
    participant = participant_of(cycle, bob)
    with time_machine.travel(seoul(2026, 11, 3, 10), tick=False):
        asked = services.do_request_feedback(
            bob, participant, colleague=erin, message="How did the handover go?"
        )
    Salary.objects.create(
        person=bob,
        amount=52_000_000,
        track_code="IC",
        number=2,
        step=1,
        effective_from=datetime.date(2026, 1, 1),
        status=SalaryStatus.APPROVED,
        reason="Hired",
    )
    people = {
        "bob": bob,
        "dana": dana,
        "erin": erin,
        "alice": alice,
        "frank": frank,
        "boss": boss,
        "payer": payer,
        "admin_user": admin_user,
    }
    return {"cycle": cycle, "participant": participant, "asked": asked, "people": people}


def allowed(*roles: str) -> dict[str, int]:
    return {role: 200 if role in roles else 404 for role in ROLES}


EVERYONE = dict.fromkeys(ROLES, 200)

PAGES = [
    ("reviews:home", lambda w: [], EVERYONE),
    ("reviews:pay", lambda w: [], EVERYONE),
    ("reviews:my_pay", lambda w: [], EVERYONE),
    ("reviews:open_cycle", lambda w: [], allowed("boss")),
    ("reviews:cycle", lambda w: [w["cycle"].pk], allowed("bob", "dana", "alice", "boss")),
    ("reviews:participant", lambda w: [w["participant"].pk], allowed("bob", "alice", "boss")),
    (
        "reviews:write_self",
        lambda w: [w["participant"].pk, "delivery"],
        allowed("bob"),
    ),
    (
        "reviews:write_assessment",
        lambda w: [w["participant"].pk, "delivery"],
        allowed("alice", "boss"),
    ),
    ("reviews:feedback", lambda w: [w["asked"].pk], allowed("erin", "alice", "boss")),
    (
        "reviews:calibration",
        lambda w: [w["cycle"].pk, "TE"],
        allowed("alice", "boss"),
    ),
    (
        "reviews:person_pay",
        lambda w: [w["people"]["bob"].pk],
        allowed("bob", "boss", "payer"),
    ),
    ("reviews:pay_people", lambda w: [], allowed("boss", "payer")),
    ("reviews:pay_audit", lambda w: [], allowed("boss")),
]


@pytest.mark.parametrize(("name", "args", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_page_access(client, world, name, args, expected):
    url = reverse(name, args=args(world))
    # During the writing step, so the forms are open to those who may write.
    with time_machine.travel(seoul(2026, 11, 4, 10), tick=False):
        for role in ROLES:
            client.force_login(world["people"][role])
            response = client.get(url)
            assert response.status_code == expected[role], (role, url)


def test_anonymous_is_sent_to_sign_in(client, world):
    for name, args, _expected in PAGES:
        response = client.get(reverse(name, args=args(world)))
        assert response.status_code == 302
        assert "/login" in response["Location"]


def test_pages_showing_a_salary_are_audited_for_every_view(client, world):
    bob = world["people"]["bob"]
    for role in ("bob", "boss", "payer"):
        client.force_login(world["people"][role])
        page = client.get(reverse("reviews:person_pay", args=[bob.pk]))
        assert "52,000,000" in page.content.decode()
    client.force_login(bob)
    client.get(reverse("reviews:my_pay"))
    rows = list(PayView.objects.order_by("pk").values_list("viewer__email", "person", "via"))
    assert rows == [
        ("bob@example.com", bob.pk, PayViewVia.PAGE),
        ("boss@example.com", bob.pk, PayViewVia.PAGE),
        ("payer@example.com", bob.pk, PayViewVia.PAGE),
        ("bob@example.com", bob.pk, PayViewVia.PAGE),
    ]


def test_refused_salary_views_write_no_audit_and_show_nothing(client, world):
    bob = world["people"]["bob"]
    for role in ("dana", "erin", "alice", "frank", "admin_user"):
        client.force_login(world["people"][role])
        response = client.get(reverse("reviews:person_pay", args=[bob.pk]))
        assert response.status_code == 404
        assert "52,000,000" not in response.content.decode()
    assert not PayView.objects.exists()


def test_nobody_but_the_person_and_leads_sees_the_review_in_pages(client, world):
    participant = world["participant"]
    services.do_save_self_review(
        world["people"]["bob"],
        participant,
        competency="delivery",
        body="Secret narrative",
        entry_ids=[],
    )
    for role in ("dana", "erin", "frank", "payer", "admin_user"):
        client.force_login(world["people"][role])
        for name in ("reviews:home", "reviews:cycle"):
            args = [] if name == "reviews:home" else [world["cycle"].pk]
            response = client.get(reverse(name, args=args))
            assert "Secret narrative" not in response.content.decode()


# --- Writes ------------------------------------------------------------------------------


def test_write_posts_refuse_outsiders(client, world):
    participant = world["participant"]
    posts = [
        ("reviews:submit_self", [participant.pk]),
        ("reviews:ask_feedback", [participant.pk]),
        ("reviews:propose", [participant.pk]),
        ("reviews:calibrate", [participant.pk]),
        ("reviews:close_cycle", [world["cycle"].pk]),
    ]
    for role in ("dana", "frank", "payer", "admin_user"):
        client.force_login(world["people"][role])
        for name, args in posts:
            response = client.post(reverse(name, args=args), {"level": "1"})
            # Dana sees the cycle (she takes part), so closing it is forbidden, not absent.
            expected = 403 if (role, name) == ("dana", "reviews:close_cycle") else 404
            assert response.status_code == expected, (role, name)
    world["cycle"].refresh_from_db()
    assert world["cycle"].closed_at is None
    participant.refresh_from_db()
    assert participant.proposed_level is None


def test_member_may_not_calibrate_or_propose_their_own_level(client, world, ladder):
    from workmate.reviews.tests.conftest import level

    participant = world["participant"]
    client.force_login(world["people"]["bob"])
    response = client.post(reverse("reviews:propose", args=[participant.pk]), {"level": "1"})
    assert response.status_code == 403
    response = client.post(
        reverse("reviews:calibrate", args=[participant.pk]),
        {f"p{participant.pk}-level": level(ladder, 5).pk, f"p{participant.pk}-reason": "Me!"},
    )
    assert response.status_code == 403
    participant.refresh_from_db()
    assert participant.final_level is None


def test_get_on_post_only_views_is_refused(client, world):
    client.force_login(world["people"]["boss"])
    response = client.get(reverse("reviews:close_cycle", args=[world["cycle"].pk]))
    assert response.status_code == 405


# --- API ---------------------------------------------------------------------------------

API = "/api/v1/reviews"


def test_api_participation_is_for_the_person_only(client, world):
    url = f"{API}/participations/{world['participant'].pk}"
    for role in ROLES:
        client.force_login(world["people"][role])
        assert client.get(url).status_code == (200 if role == "bob" else 404), role


def test_api_feedback_request_is_for_the_colleague_only(client, world):
    url = f"{API}/feedback-requests/{world['asked'].pk}"
    for role in ROLES:
        client.force_login(world["people"][role])
        assert client.get(url).status_code == (200 if role == "erin" else 404), role


def test_api_pay_is_only_ones_own_and_audited(client, world):
    for role in ROLES:
        person = world["people"][role]
        client.force_login(person)
        body = client.get(f"{API}/pay/me").json()
        if role == "bob":
            assert body["current"]["amount"] == 52_000_000
        else:
            assert body["current"] is None
        assert client.get(f"{API}/pay/bands").status_code == 200
    views = PayView.objects.filter(via=PayViewVia.API)
    assert views.count() == len(ROLES)
    assert all(row.viewer_id == row.person_id for row in views)


def test_api_has_no_route_to_anyone_elses_pay(client, world):
    schema = client.get("/api/v1/openapi.json").json()
    pay_paths = sorted(path for path in schema["paths"] if "/pay" in path)
    assert pay_paths == ["/api/v1/reviews/pay/bands", "/api/v1/reviews/pay/me"]
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            text = str(operation.get("responses", {}))
            if path not in pay_paths:
                assert "SalaryOut" not in text and "amount" not in text, path


def test_api_needs_a_token(client, world):
    assert client.get(f"{API}/pay/me").status_code == 401
    assert client.get(f"{API}/participations").status_code == 401


# --- Admin -------------------------------------------------------------------------------


def test_staff_admin_without_pay_permission_sees_no_salary_in_the_admin(client, world):
    admin_user = world["people"]["admin_user"]
    salary = Salary.objects.get()
    client.force_login(admin_user)
    assert client.get(reverse("admin:reviews_salary_changelist")).status_code == 403
    response = client.get(reverse("admin:reviews_salary_change", args=[salary.pk]))
    assert response.status_code in {302, 403}
    assert "52000000" not in response.content.decode()
    index = client.get(reverse("admin:index")).content.decode()
    assert "Salaries" not in index and "pay views" not in index.lower()
    assert client.get(reverse("admin:reviews_payview_changelist")).status_code == 403
    assert not PayView.objects.exists()


def test_executive_with_admin_access_opening_a_salary_is_audited(client, world):
    boss = world["people"]["boss"]
    boss.is_staff = True
    boss.save(update_fields=["is_staff"])
    salary = Salary.objects.get()
    client.force_login(boss)
    listing = client.get(reverse("admin:reviews_salary_changelist"))
    assert listing.status_code == 200
    assert "52000000" not in listing.content.decode()
    assert not PayView.objects.exists()
    page = client.get(reverse("admin:reviews_salary_change", args=[salary.pk]))
    assert page.status_code == 200
    assert "52000000" in page.content.decode()
    view = PayView.objects.get()
    assert (view.viewer, view.person_id, view.via) == (boss, salary.person_id, PayViewVia.ADMIN)
    assert client.get(reverse("admin:reviews_payview_changelist")).status_code == 200
