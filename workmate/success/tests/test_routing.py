"""Routing feedback and following the routed work back to an answer the customer reads."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from workmate.accounts.models import TeamRole
from workmate.inbox.models import Kind, Notification
from workmate.success import services
from workmate.success.models import (
    FeedbackItem,
    FeedbackRoute,
    FeedbackSource,
    FeedbackState,
    RouteKind,
    Theme,
)
from workmate.testing.factories import add_member, make_team, make_user
from workmate.voice import leads
from workmate.voice.models import Area, Proposal
from workmate.work import services as work_services

pytestmark = pytest.mark.django_db

WORDS = "Jin: the monthly report arrives too late for our board meeting"


@pytest.fixture
def item(owned_a, contact_a, sam):
    return FeedbackItem.objects.create(
        customer=owned_a,
        contact=contact_a,
        words=WORDS,
        source=FeedbackSource.MEETING,
        area="service",
        internal_note="Their CFO is unhappy",
        created_by=sam,
    )


def _route(client, item, **data):
    return client.post(reverse("success:route", args=[item.pk]), data)


def test_route_to_proposal_then_answer_loop(
    client, sam, alice, item, contact_a, django_capture_on_commit_callbacks
):
    client.force_login(sam)
    response = _route(
        client,
        item,
        kind="proposal",
        title="Monthly reports earlier",
        description="Customers need the monthly report by the 3rd working day.",
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.area == Area.CUSTOMERS and WORDS not in proposal.problem
    item.refresh_from_db()
    assert item.state == FeedbackState.ROUTED
    assert FeedbackRoute.objects.get(item=item).proposal == proposal

    # A lead answers the proposal: the SE owner is asked to tell the customer.
    leads.do_change_status(alice, proposal, "planned", "We will ship it in Q1.")
    item.refresh_from_db()
    assert item.state == FeedbackState.TO_ANSWER and item.ready_at
    route = FeedbackRoute.objects.get(item=item)
    assert "We will ship it in Q1." in route.outcome
    note = Notification.objects.get(recipient=sam, kind=Kind.CUSTOMER)
    assert note.url == reverse("success:feedback", args=[item.pk])

    # SE writes the answer; the contact is mailed it, never the internal note.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with_callbacks = client.post(
            reverse("success:answer", args=[item.pk]), {"answer": "From January, by the 3rd."}
        )
    assert with_callbacks.status_code == 302
    item.refresh_from_db()
    assert item.state == FeedbackState.ANSWERED and item.answered_by == sam
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [contact_a.email] and "From January, by the 3rd." in sent.body
    assert "CFO" not in sent.body and "CFO" not in sent.alternatives[0][0]


def test_under_review_is_not_yet_a_decision(sam, alice, item):
    services.do_route(
        sam, [item], services.RouteInput("proposal", "Faster reports", "Reports earlier")
    )
    leads.do_change_status(alice, Proposal.objects.get(), "under_review", "Looking at it")
    item.refresh_from_db()
    assert item.state == FeedbackState.ROUTED


def test_routing_a_closed_item_is_refused(client, sam, item):
    services.do_route(sam, [item], services.RouteInput("no_action", reason="Out of scope"))
    services.do_answer(sam, item, "We will not do this, because …")
    client.force_login(sam)
    response = _route(client, item, kind="no_action", reason="again")
    assert response.status_code == 400
    assert "answered and is closed" in response.content.decode()
    assert FeedbackRoute.objects.count() == 1


def test_routing_twice_is_refused(sam, item):
    services.do_route(sam, [item], services.RouteInput("no_action", reason="Out of scope"))
    with pytest.raises(ValidationError, match="already routed"):
        services.do_route(sam, [item], services.RouteInput("no_action", reason="x"))


def test_no_action_needs_a_reason_and_is_decided_at_once(client, sam, item):
    client.force_login(sam)
    response = _route(client, item, kind="no_action", reason="  ")
    assert response.status_code == 400 and not FeedbackRoute.objects.exists()
    services.do_route(sam, [item], services.RouteInput("no_action", reason="Covered by SLA"))
    item.refresh_from_db()
    assert item.state == FeedbackState.TO_ANSWER


def test_sd_task_followed_to_done(sam, item, owned_a):
    dev = make_user(full_name="Dev Kang")
    add_member(make_team(code="SD"), dev)
    services.do_route(
        sam,
        [item],
        services.RouteInput("sd", "Report job earlier", "Move the report job", assignee=dev),
    )
    route = FeedbackRoute.objects.get()
    assert route.task.assignee == dev
    assert route.task.requests.get().reply_by
    work_services.do_complete_task(dev, route.task)
    item.refresh_from_db()
    assert item.state == FeedbackState.TO_ANSWER
    assert Notification.objects.filter(recipient=sam, kind=Kind.CUSTOMER).exists()


def test_sd_task_must_go_to_sd(sam, sena, item):
    make_team(code="SD")
    with pytest.raises(ValidationError) as error:
        services.do_route(sam, [item], services.RouteInput("sd", "T", "D", assignee=sena))
    assert "assignee" in error.value.message_dict
    assert not FeedbackRoute.objects.exists()


def test_le_engagement_is_a_task_for_an_architect(sam, leo, item):
    services.do_route(
        sam, [item], services.RouteInput("le", "Review DR", "DR design", assignee=leo)
    )
    assert FeedbackRoute.objects.get().task.assignee == leo


def test_poc_route_needs_a_pipeline_starter(sam, alice, item):
    nbd = make_team(code="NBD")
    services.do_route(
        alice, [item], services.RouteInput(RouteKind.POC, "Report service", "A report service")
    )
    route = FeedbackRoute.objects.get()
    assert route.poc.team == nbd and route.poc.suggested_by == alice


def test_le_reads_but_cannot_route(client, leo, item):
    client.force_login(leo)
    assert client.get(reverse("success:feedback", args=[item.pk])).status_code == 200
    assert _route(client, item, kind="no_action", reason="x").status_code == 403


def test_outsider_404(client, charlie, item):
    client.force_login(charlie)
    assert client.get(reverse("success:feedback", args=[item.pk])).status_code == 404
    assert _route(client, item, kind="no_action", reason="x").status_code == 404


def test_proposal_shows_words_only_to_who_may_see_the_customer(client, sam, bob, item):
    theme = Theme.objects.create(name="Reporting")
    item.theme = theme
    item.save()
    services.do_route(sam, [item], services.RouteInput("proposal", "Reports", "Earlier reports"))
    url = reverse("voice:proposal", args=[Proposal.objects.get().pk])
    client.force_login(sam)
    page = client.get(url).content.decode()
    assert "From customers" in page and "monthly report arrives" in page
    client.force_login(bob)  # a TE member: not SE, not a lead
    page = client.get(url).content.decode()
    assert "From customers" in page and "Reporting" in page
    assert "monthly report arrives" not in page and "Jin" not in page


def test_theme_routes_its_new_items_across_customers(sam, item, customer_b):
    theme = Theme.objects.create(name="Reporting")
    other = FeedbackItem.objects.create(
        customer=customer_b, words="Reports late", source="mail", area="service", theme=theme
    )
    item.theme = theme
    item.save()
    routes = services.do_route(
        sam,
        services.open_theme_items(theme),
        services.RouteInput("proposal", "Reports", "Earlier reports"),
    )
    assert {r.item_id for r in routes} == {item.pk, other.pk}
    assert len({r.proposal_id for r in routes}) == 1


def test_merge_into_itself_refused(client, sam):
    theme = Theme.objects.create(name="A")
    client.force_login(sam)
    client.post(reverse("success:merge_theme", args=[theme.pk]), {"into": theme.pk})
    theme.refresh_from_db()
    assert theme.merged_into is None
    with pytest.raises(ValidationError, match="itself"):
        services.do_merge_theme(sam, theme, theme)


def test_merge_and_split(client, sam, item):
    a, b = Theme.objects.create(name="Slow reports"), Theme.objects.create(name="Reporting")
    item.theme = a
    item.save()
    client.force_login(sam)
    client.post(reverse("success:merge_theme", args=[a.pk]), {"into": b.pk})
    item.refresh_from_db()
    a.refresh_from_db()
    assert item.theme == b and a.merged_into == b
    # Merging into a merged theme is refused.
    with pytest.raises(ValidationError):
        services.do_merge_theme(sam, Theme.objects.create(name="C"), a)
    client.post(reverse("success:split_theme", args=[b.pk]), {"name": "Late", "items": [item.pk]})
    item.refresh_from_db()
    assert item.theme.name == "Late"


def test_only_se_manages_themes(client, leo):
    client.force_login(leo)
    assert client.post(reverse("success:themes"), {"name": "X"}).status_code == 403
    assert not Theme.objects.exists()


def test_team_lead_of_se_is_notified_when_no_owner(sam, alice, customer_a):
    # Without an SE owner, whoever routed the item is asked to answer.
    item = FeedbackItem.objects.create(
        customer=customer_a, words="w", source="mail", area="service"
    )
    lead = make_user()
    add_member(make_team(code="XX"), lead, TeamRole.LEAD)
    services.do_route(lead, [item], services.RouteInput("proposal", "T", "D"))
    leads.do_change_status(alice, Proposal.objects.get(), "declined", "No")
    assert Notification.objects.filter(recipient=lead, kind=Kind.CUSTOMER).exists()


def test_poc_decided_asks_the_owner(sam, alice, item):
    import datetime

    from django.utils import timezone

    from workmate.pipeline import services as pipeline
    from workmate.pipeline.models import PoC, Stage

    make_team(code="NBD")
    services.do_route(alice, [item], services.RouteInput("poc", "Report service", "Reports"))
    poc = FeedbackRoute.objects.get().poc
    PoC.objects.filter(pk=poc.pk).update(stage=Stage.RUNNING)
    poc.refresh_from_db()
    pipeline.do_decide(
        alice,
        poc,
        context="Customers want reports earlier",
        options="Batch earlier\nNew service",
        decision="go",
        outcome="Batch earlier: cheap",
        consequences="Night batch window shrinks",
        revisit_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    item.refresh_from_db()
    assert item.state == FeedbackState.TO_ANSWER
    assert "Batch earlier: cheap" in FeedbackRoute.objects.get().outcome
    assert Notification.objects.filter(recipient=sam, kind=Kind.CUSTOMER).exists()


def test_feedback_list_query_count(client, sam, owned_a, django_assert_num_queries):
    for n in range(3):
        FeedbackItem.objects.create(customer=owned_a, words=f"w{n}", source="mail", area="service")
    client.force_login(sam)
    client.get(reverse("success:feedback_list"))
    with django_assert_num_queries(6):
        client.get(reverse("success:feedback_list"))
    for n in range(10):
        theme = Theme.objects.create(name=f"T{n}")
        FeedbackItem.objects.create(
            customer=owned_a, words=f"x{n}", source="mail", area="service", theme=theme
        )
    with django_assert_num_queries(6):
        page = client.get(reverse("success:feedback_list"), {"state": "all"}).content.decode()
    assert page.count("/success/feedback/") >= 13
