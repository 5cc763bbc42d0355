"""Every HTML page, every filter, hostile values: never a 500 (issue 11, points 15 and 16).

The crawl enumerates the URL patterns (no hand-kept list that drifts), fills their path
parameters with the seeded objects' ids, signs in as a staff member, a team lead, a desk
agent and a portal contact, and for each page that answers 200 sends every GET-form field
the page shows plus the filters the views are known to read, with values that broke pages
before: ids beyond any database integer, dates out of any calendar, a 5,000-character
string, SQL wildcards and quotes, a NUL.

It is bounded: one request per hostile value with every parameter set to it, then (as
the lead and the contact) one request per form field and per filter that broke pages
before, with the values that most often broke parsers alone. The order is
fixed, so a failure names one page, one parameter and one value.
"""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from workmate.accounts.models import TeamRole
from workmate.advisor import publishing
from workmate.advisor.models import ImportRun
from workmate.checkins.models import Checkin, CheckinResponse
from workmate.inbox.models import Notification
from workmate.library import services as library_services
from workmate.pipeline import services as pipeline_services
from workmate.testing.factories import (
    DEFAULT_PASSWORD,
    add_member,
    make_assessment,
    make_project,
    make_task,
    make_ticket,
    make_user,
    make_workload,
)
from workmate.voice import services as voice_services
from workmate.voice.models import Area
from workmate.work import services as work_services
from workmate.work.models import Section
from workmate.work.templating import do_save_as_template
from workmate.work.timelogs import do_log_time

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 25, 2, 0, tzinfo=datetime.UTC)

HOSTILE = [
    "99999999999999999999",
    "-1",
    "0",
    "abc",
    "",
    "1e20",
    "0001-01-01T00:00:00",
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:59:59",
    "x" * 5000,
    "%",
    "_",
    "'",
    "한글 ✓ \u202e",
]
# Tried alone on each parameter: a value refused by one parser must not hide another.
ALONE = ["99999999999999999999", "0001-01-01T00:00:00"]

KNOWN_PARAMETERS = [
    "project",
    "section",
    "assignee",
    "customer",
    "status",
    "priority",
    "page",
    "cards",
    "q",
    "sort",
    "due",
    "from",
    "to",
    "date",
    "updated_since",
    "team",
    "type",
    "template",
    "parent",
    "failed",
    "mine",
    "state",
    "group",
    "months",
]

# The filters that broke pages before (issue 11, point 16), tried alone on every page.
POINTED = ["project", "section", "assignee", "customer", "updated_since", "page"]

# Pages that answer with something other than HTML or act on GET: not crawled.
SKIPPED = {
    "healthz",
    "api_docs",
    "logout",
    "portal:logout",
    "inbox:calendar_feed",
    "inbox:open",
}


class GetForms(HTMLParser):
    """The names of the fields inside the page's GET forms."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.in_get_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.in_get_form = (attributes.get("method") or "get").lower() == "get"
        elif tag in {"input", "select", "textarea"} and self.in_get_form:
            name = attributes.get("name")
            if name and name not in self.names and name != "csrfmiddlewaretoken":
                self.names.append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_get_form = False


def patterns(resolver=None, prefix: str = "", namespace: str = ""):
    """(route with <converters>, url name) of every page outside the admin and the API."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            route = prefix + str(entry.pattern)
            if route.startswith(("admin/", "api/")):
                continue
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from patterns(entry, route, inner.strip(":"))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else ""
            yield prefix + str(entry.pattern), name


PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def fill(route: str, ids: dict[str, int | str]) -> str | None:
    """The route with its parameters filled from `ids`, keyed by route prefix; None when
    the route needs an object the world does not have."""
    path = "/" + route
    for match in PARAMETER.finditer(route):
        before = route[: match.start()]
        key = next(
            (key for key in sorted(ids, key=len, reverse=True) if before.endswith(key)), None
        )
        if key is None:
            return None
        path = path.replace(match.group(0), str(ids[key]), 1)
    return path


@pytest.fixture
def world(team, alice, bob, customer_a, contact_a):
    """A small company with one of each thing the pages show, all visible to the cast."""
    with time_machine.travel(NOW, tick=False):
        staff = make_user(email="root@example.com", full_name="Root", is_staff=True)
        staff.is_superuser = True
        staff.save()
        add_member(team, staff, TeamRole.MEMBER)
        project = make_project(team=team, owner=alice)
        work_services.do_add_project_member(alice, project, bob)
        section = Section.objects.create(project=project, name="Doing")
        task = make_task(project=project, section=section, assignee=bob, created_by=alice)
        other = make_task(project=project, created_by=alice)
        work_services.do_add_comment(alice, task, "Looks good @Bob")
        request = work_services.do_send_request(alice, other, bob, message="Please check")
        entry = do_log_time(bob, task, worked_on=NOW.date(), minutes=30)
        proposal = voice_services.do_post_proposal(
            bob, anonymous=False, title="VPN", problem="Slow.", area=Area.TOOLS
        )
        comment = voice_services.do_comment(alice, proposal, body="Agreed")
        ticket = make_ticket(customer=customer_a, requester=contact_a)
        checkin = Checkin.objects.create(
            team=team,
            created_by=alice,
            title="Weekly",
            questions=["Done"],
            frequency="weekly",
            weekday=2,
            time_of_day=datetime.time(16),
            active_since=NOW - datetime.timedelta(days=30),
        )
        response = CheckinResponse.objects.create(
            checkin=checkin,
            person=bob,
            occurrence=NOW.date(),
            due_at=NOW,
            questions=["Done"],
        )
        space = library_services.do_create_space(
            alice, name="TE 런북", key="TE", kind="team", team=team
        )
        library_page = library_services.do_create_page(
            alice, space, title="배포", body="# a", tags=["ops"]
        )
        library_services.do_save_page(bob, library_page, base_number=1, title="배포", body="b")
        template = do_save_as_template(alice, project, name="Weekly ops")
        poc = pipeline_services.do_create_poc(alice, title="Edge cache", idea="CDN", team=team)
    assessment = make_assessment(customer=customer_a, architect=staff)
    workload = make_workload(assessment=assessment)
    run = ImportRun.objects.create(assessment=assessment, created_by=staff)
    notification = Notification.objects.filter(recipient=bob).first()
    published = publishing.do_publish(staff, assessment)
    ids: dict[str, int | str] = {
        "library/s/": space.key,
        "library/pages/": library_page.pk,
        "revisions/": 1,
        "library/tags/": "ops",
        "advisor/": assessment.pk,
        "workloads/": workload.pk,
        "imports/": run.pk,
        "work/requests/": request.pk,
        "work/projects/": project.pk,
        "members/": bob.pk,
        "work/tasks/": task.pk,
        "dependencies/": other.pk,
        "work/time/": entry.pk,
        "voice/": proposal.pk,
        "voice/comments/": comment.pk,
        "desk/tickets/": ticket.pk,
        "unlink/": ticket.pk,
        "desk/customers/": customer_a.pk,
        "portal/tickets/": ticket.pk,
        "checkins/": checkin.pk,
        "checkins/answers/": response.pk,
        "people/": alice.pk,
        "me/mode/": NOW.date().isoformat(),
        "work/templates/": template.pk,
        "pipeline/": poc.pk,
        "levels/teams/": team.pk,
        "portal/reports/": published.pk,
    }
    if notification:
        ids["inbox/"] = notification.pk
    ids.update(library_world(alice, space))
    ids.update(automation_world(alice, team, ticket))
    ids.update(webhooks_world(alice, project))
    ids.update(success_world(alice, customer_a, contact_a))
    return {"staff": staff, "lead": alice, "agent": bob, "contact": contact_a, "ids": ids}


def success_world(alice, customer, contact) -> dict[str, int | str]:
    """A meeting with a feedback item from the contact, under a theme (workmate/success)."""
    from workmate.success import services

    theme = services.do_create_theme(alice, name="Reports")
    meeting = services.do_record_meeting(
        alice,
        customer,
        held_on=NOW.date(),
        kind="check_in",
        title="Monthly",
        contacts=[contact],
        feedback=[services.FeedbackInput(words="Late reports", contact=contact, theme=theme)],
    )
    item = meeting.feedback.get()
    return {
        "success/customers/": customer.pk,
        "success/meetings/": meeting.pk,
        "success/feedback/": item.pk,
        "success/themes/": theme.pk,
        "portal/feedback/": item.pk,
    }


def library_world(alice, space) -> dict[str, int | str]:
    """A page template and an import summary in the library space."""
    from workmate.library.exchange import PageImport
    from workmate.library.page_templates import do_create_template

    template = do_create_template(alice, space, name="Report", body="{{date}}")
    done = PageImport.objects.create(space=space, created_by=alice, file_name="a.zip")
    return {"library/templates/": template.pk, "imports/": done.pk}


def automation_world(alice, team, ticket) -> dict[str, int | str]:
    """A desk rule with one run on the ticket."""
    from workmate.automation import engine
    from workmate.automation.tests.helpers import make_rule

    rule = make_rule(
        alice, scope="team", team=team, event_type="ticket.created", object_type="ticket"
    )
    run = engine.run_rule(rule, ticket, "ticket")
    return {"automation/": rule.pk, "runs/": run.pk}


def webhooks_world(alice, project) -> dict[str, int | str]:
    """An endpoint of the lead's project with a delivery in its log."""
    from workmate.webhooks.models import Delivery, Endpoint

    endpoint = Endpoint.objects.create(
        name="Ops feed",
        url="https://hooks.example.com/in",
        owner=alice,
        scope="project",
        project=project,
        event_types=["task.created"],
    )
    delivery = Delivery.objects.create(endpoint=endpoint, key="k", event_type="x", body="{}")
    return {"webhooks/": endpoint.pk, "webhooks/deliveries/": delivery.pk}


def signed_in(who: str, world, settings) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if who == "contact":
        response = client.post(
            "/portal/login/", {"email": world["contact"].email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302, response.content[:500]
    else:
        client.force_login(world[who])
    return client


def readable(response) -> bool:
    """A 4xx page says what went wrong in words (not an empty body)."""
    if response.status_code < 400:
        return True
    text = re.sub(rb"<[^>]+>", b" ", response.content)
    return len(text.split()) >= 3


def check(client: Client, path: str, query: dict[str, str], failures: list[str], who: str):
    url = f"{path}?{urlencode(query)}" if query else path
    try:
        response = client.get(url)
    except Exception as error:  # A crash is what this test looks for.
        failures.append(f"{who} {path} {_short(query)}: raised {error!r}"[:400])
        return
    if response.status_code not in {200, 302, 400, 404} or not readable(response):
        failures.append(f"{who} {path} {_short(query)}: {response.status_code}")


def _short(query: dict[str, str]) -> str:
    return repr({key: value[:24] for key, value in query.items()})[:200]


@pytest.mark.parametrize("who", ["staff", "lead", "agent", "contact"])
def test_no_page_answers_hostile_filters_with_a_500(who, world, settings):
    client = signed_in(who, world, settings)
    failures: list[str] = []
    crawled = 0
    for route, name in patterns():
        if name in SKIPPED or (who == "contact") != route.startswith("portal/"):
            continue
        path = fill(route, world["ids"])
        if path is None:
            continue
        baseline = client.get(path)
        if baseline.status_code != 200 or "html" not in baseline.get("Content-Type", ""):
            continue
        crawled += 1
        parser = GetForms()
        parser.feed(baseline.content.decode())
        names = parser.names + [known for known in KNOWN_PARAMETERS if known not in parser.names]
        for value in HOSTILE:
            check(client, path, dict.fromkeys(names, value), failures, who)
        # The lead sees every staff page; the others repeat only the first pass (time).
        alone = parser.names + [name for name in POINTED if name not in parser.names]
        for name_ in alone if who in {"lead", "contact"} else []:
            for value in ALONE:
                check(client, path, {name_: value}, failures, who)
        # A NUL anywhere in the query is refused with a 400 that names the field.
        refused = client.get(path, {names[0]: "a\x00b"})
        if refused.status_code != 400:
            failures.append(f"{who} {path} NUL in {names[0]}: {refused.status_code}")
    assert crawled >= (4 if who == "contact" else 20), crawled
    assert not failures, "\n".join(failures[:40])


# --- Forms that write ------------------------------------------------------------------

FORM_PAGES = {
    "agent": [
        "/checkins/answers/{response}/",
        "/inbox/",
        "/work/tasks/{task}/",
        "/levels/ledger/glue/",
    ],
    "lead": [
        "/work/tasks/{task}/",
        "/work/projects/{project}/",
        "/work/projects/{project}/settings/",
        "/work/timesheet/",
        "/work/projects/",
        "/work/projects/{project}/board/",
        "/voice/new/",
        "/voice/{proposal}/",
        "/pipeline/{poc}/",
        "/pipeline/{poc}/edit/",
        "/pipeline/contracts/",
        "/work/projects/{project}/status/",
        "/checkins/new/",
        "/checkins/{checkin}/edit/",
        "/desk/tickets/{ticket}/",
        "/desk/macros/",
        "/inbox/",
        "/inbox/preferences/",
        "/me/",
        "/webhooks/new/",
        "/webhooks/incoming/new/",
    ],
    "contact": ["/portal/tickets/new/", "/portal/tickets/{ticket}/"],
}
# Actions that remove, close or leave: a hostile value in them proves nothing and the
# world they would change is shared by the rest of the crawl.
DESTRUCTIVE = re.compile(r"delete|remove|archive|merge|logout|revoke|reset|solve|hide|language")
HOSTILE_FIELDS = ["99999999999999999999", "-1", "0001-01-01", "9999-12-31T23:59", "x" * 5000]


class PostForms(HTMLParser):
    """Each POST form's action and its fields with their current values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and attributes.get("method", "").lower() == "post":
            self.current = {}
            self.forms.append((attributes.get("action", ""), self.current))
        elif tag in {"input", "select", "textarea"} and self.current is not None:
            name = attributes.get("name")
            if not name or attributes.get("type") in {"file", "submit"}:
                return
            if attributes.get("type") in {"checkbox", "radio"} and "checked" not in attributes:
                self.current.setdefault(name, "")
                return
            self.current[name] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None


@pytest.mark.parametrize("who", ["lead", "agent", "contact"])
def test_no_form_answers_hostile_fields_with_a_500(who, world, settings):
    client = signed_in(who, world, settings)
    ids = world["ids"]
    objects = {
        "task": ids["work/tasks/"],
        "project": ids["work/projects/"],
        "proposal": ids["voice/"],
        "ticket": ids["desk/tickets/"],
        "checkin": ids["checkins/"],
        "response": ids["checkins/answers/"],
        "poc": ids["pipeline/"],
    }
    failures: list[str] = []
    posted = 0
    for page in FORM_PAGES[who]:
        path = page.format(**objects)
        response = client.get(path)
        assert response.status_code == 200, path
        parser = PostForms()
        parser.feed(response.content.decode())
        for action, fields in parser.forms:
            target = action or path
            if DESTRUCTIVE.search(target) or not target.startswith("/"):
                continue
            for name in fields:
                if name == "csrfmiddlewaretoken":
                    continue
                for value in HOSTILE_FIELDS:
                    posted += 1
                    try:
                        answer = client.post(target, {**fields, name: value})
                    except Exception as error:  # A crash is what this test looks for.
                        failures.append(f"{who} {target} {name}={value[:24]}: {error!r}"[:400])
                        continue
                    if answer.status_code >= 500 or not readable(answer):
                        failures.append(f"{who} {target} {name}={value[:24]}: {answer.status_code}")
    assert posted >= 20, posted
    assert not failures, "\n".join(failures[:40])
