"""A lead's page for one proposal and the answer view; anonymity seen from the lead side."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from workmate.testing.factories import make_user
from workmate.voice import services
from workmate.voice.models import Answer, Area, Proposal, ProposalStatus

# Inside everyone's working hours: the inbox mails answers at once then.
TUESDAY_TEN = datetime.datetime(2025, 9, 23, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture
def secret_author(db):
    return make_user(email="zz-secret-author@example.com", full_name="Zelda Secretauthor")


@pytest.fixture
def anonymous(secret_author) -> Proposal:
    return services.do_post_proposal(
        secret_author,
        title="Overtime is not paid",
        problem="Weekend work is unpaid.",
        area=Area.PAY_LEVELS,
        anonymous=True,
    )


def assert_no_author(text: str) -> None:
    assert "Secretauthor" not in text and "zz-secret-author" not in text and "Zelda" not in text


def test_lead_page(client, alice, bob, charlie, anonymous):
    url = f"/voice/{anonymous.pk}/lead/"
    assert client.get(url).status_code == 302
    client.force_login(bob)
    assert client.get(url).status_code == 403
    client.force_login(alice)
    assert client.post(url).status_code == 405
    page = client.get(url).content.decode()
    assert "<html" in page and "Weekend work is unpaid." in page
    assert "Anonymous" in page
    assert f'action="/voice/{anonymous.pk}/answer/"' in page
    assert_no_author(page)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and f"/voice/{anonymous.pk}/answer/" in fragment
    assert_no_author(fragment)


def test_lead_page_shows_comments_in_threads(client, alice, bob, charlie, anonymous):
    first = services.do_comment(bob, anonymous, "First thought")
    second = services.do_comment(charlie, anonymous, "Second thought")
    reply = services.do_comment(charlie, anonymous, "Answering the first", parent=first)
    client.force_login(alice)
    page = client.get(f"/voice/{anonymous.pk}/lead/").content.decode()
    order = [page.index(f'id="comment-{c.pk}"') for c in (first, reply, second)]
    assert order == sorted(order)  # The reply sits under its thread, before later threads.
    assert "in reply to Bob Lee" in page
    assert f'id="comment-{reply.pk}" class="voice-reply"' in page


def test_public_page_loads_lead_controls_for_leads_only(client, alice, bob, anonymous):
    client.force_login(alice)
    page = client.get(f"/voice/{anonymous.pk}/").content.decode()
    assert f'hx-get="/voice/{anonymous.pk}/lead/"' in page
    assert_no_author(page)
    client.force_login(bob)
    assert (
        f"/voice/{anonymous.pk}/lead/" not in client.get(f"/voice/{anonymous.pk}/").content.decode()
    )


@time_machine.travel(TUESDAY_TEN, tick=False)
def test_answer_view(client, alice, bob, anonymous, django_capture_on_commit_callbacks):
    url = f"/voice/{anonymous.pk}/answer/"
    data = {"to_status": ProposalStatus.PLANNED, "answer": "HR will fix the payroll rule."}
    assert client.post(url, data).status_code == 302
    client.force_login(bob)
    assert client.post(url, data).status_code == 403
    assert not Answer.objects.exists()
    client.force_login(alice)
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"/voice/{anonymous.pk}/lead/"
    anonymous.refresh_from_db()
    assert anonymous.status == ProposalStatus.PLANNED
    assert Answer.objects.get().body == "HR will fix the payroll rule."
    # The anonymous author follows their proposal and hears back, by mail naming nobody.
    assert [message.to for message in mail.outbox] == [["zz-secret-author@example.com"]]
    assert_no_author(mail.outbox[0].subject + mail.outbox[0].body)
    # Everyone reads the answer on the public page; the author is still not named.
    client.force_login(bob)
    page = client.get(f"/voice/{anonymous.pk}/").content.decode()
    assert "HR will fix the payroll rule." in page
    assert_no_author(page)


def test_answer_view_htmx_and_errors(client, alice, anonymous):
    client.force_login(alice)
    url = f"/voice/{anonymous.pk}/answer/"
    response = client.post(
        url, {"to_status": ProposalStatus.DECLINED, "answer": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert b"<html" not in response.content
    anonymous.refresh_from_db()
    assert anonymous.status == ProposalStatus.NEW
    response = client.post(
        url,
        {"to_status": ProposalStatus.DECLINED, "answer": "Against the law to change."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Answer published." in response.content.decode()
    anonymous.refresh_from_db()
    assert anonymous.status == ProposalStatus.DECLINED
    # A closed proposal only reopens for review.
    response = client.post(url, {"to_status": ProposalStatus.DONE, "answer": "Done."})
    anonymous.refresh_from_db()
    assert anonymous.status == ProposalStatus.DECLINED
