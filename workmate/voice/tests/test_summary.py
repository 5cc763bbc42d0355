"""The monthly summary for leads and executives: a page and a CSV without hidden authors."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo

import pytest
import time_machine

from workmate.testing.factories import make_user
from workmate.voice import leads, services
from workmate.voice.models import Area, Proposal, ProposalStatus

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
OCTOBER = datetime.datetime(2026, 10, 12, 10, 0, tzinfo=SEOUL)


@pytest.fixture
def secret_author(db):
    return make_user(email="zz-secret-author@example.com", full_name="Zelda Secretauthor")


def post(user, title: str, area: str = Area.TOOLS, when=OCTOBER, **fields) -> Proposal:
    with time_machine.travel(when, tick=False):
        return services.do_post_proposal(user, title=title, problem="…", area=area, **fields)


@pytest.fixture
def october(alice, bob, secret_author):
    """Three October proposals (one anonymous), one from September, answers in October."""
    hidden = post(secret_author, "Anonymous idea", anonymous=True)
    named = post(bob, "Named idea", Area.PROCESS)
    declined = post(bob, "Bad idea", Area.PROCESS)
    post(bob, "September idea", when=datetime.datetime(2026, 9, 30, 23, 0, tzinfo=SEOUL))
    services.do_vote(alice, hidden)
    with time_machine.travel(OCTOBER + datetime.timedelta(days=1), tick=False):
        leads.do_change_status(alice, named, ProposalStatus.DONE, "Shipped.")
        leads.do_change_status(alice, declined, ProposalStatus.DECLINED, "Too costly.")
        leads.do_change_status(alice, hidden, ProposalStatus.UNDER_REVIEW, "Looking.")
    return hidden, named, declined


def test_monthly_figures(october):
    hidden, named, declined = october
    report = leads.monthly_summary(datetime.date(2026, 10, 1))
    assert (report.new, report.answered, report.done, report.declined) == (3, 3, 1, 1)
    assert dict(report.by_area)["Process"] == 2
    assert dict(report.by_area)["Tools"] == 1
    assert report.top_open[0] == hidden
    assert named not in report.top_open and declined not in report.top_open
    september = leads.monthly_summary(datetime.date(2026, 9, 1))
    assert (september.new, september.answered) == (1, 0)


def test_csv_never_names_anonymous_authors(client, alice, october):
    client.force_login(alice)
    response = client.get("/voice/summary/", {"month": "2026-10", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "voice-2026-10.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert "Secretauthor" not in text and "zz-secret-author" not in text
    rows = list(csv.reader(io.StringIO(text)))
    by_title = {row[1]: row for row in rows if len(row) == 7}
    assert by_title["Anonymous idea"][6] == "Anonymous"
    assert by_title["Named idea"][6] == "Bob Lee"
    assert ["New", "3"] in rows and ["Declined", "1"] in rows


def test_summary_page(client, alice, bob, october):
    url = "/voice/summary/"
    assert client.get(url).status_code == 302
    client.force_login(bob)
    assert client.get(url).status_code == 403
    client.force_login(alice)
    assert client.post(url).status_code == 405
    page = client.get(url, {"month": "2026-10"}).content.decode()
    assert "<html" in page and "Anonymous idea" in page
    assert "Secretauthor" not in page
    assert "?month=2026-09" in page and "?month=2026-11" in page
    fragment = client.get(url, {"month": "2026-10"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Anonymous idea" in fragment


def test_executive_sees_summary(client, october):
    client.force_login(make_user(org_role="executive"))
    assert client.get("/voice/summary/", {"month": "bad"}).status_code == 200
