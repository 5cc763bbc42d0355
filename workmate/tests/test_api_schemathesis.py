"""Schemathesis against the API's own OpenAPI document, in-process through the WSGI app.

For every operation, examples that fit the schema and examples that do not (bounded and
derandomized, so a run is the same every time) are sent with a signed-in agent's token
to a small seeded dataset. A 5xx, an undocumented status or a body that breaks its
documented schema fails the test, listing every failure. ~1 minute on two cores.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from workmate.accounts.api import do_create_api_token
from workmate.desk import mailin
from workmate.desk import services as desk
from workmate.desk.tests.test_mailin import compose
from workmate.inbox.models import Notification
from workmate.testing.factories import make_project, make_task, make_ticket
from workmate.voice import services as voice
from workmate.work import services as work

# Examples per operation and mode: enough to reach every parameter and its edges.
EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def in_process_wsgi() -> Iterator[object]:
    # As Django's test client does: a request must not close the test's connection (and
    # with it the transaction that holds the seeded rows).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(team, alice, bob, customer_a, contact_a) -> tuple[str, dict[str, int]]:
    """Something behind each kind of id: alice's token and the ids, by path parameter."""
    project = make_project(name="Migration", team=team, owner=alice)
    section = work.do_create_section(alice, project, name="Doing")
    task = make_task(project=project, title="Plan", assignee=alice, created_by=bob)
    work.do_add_comment(bob, task, "Looks good @alice")
    request = work.do_send_request(bob, task, alice, message="Please review", reply_by=None)
    ticket = make_ticket(customer=customer_a, requester=contact_a)
    desk.do_reply(alice, ticket, "On it", internal=True)
    proposal = voice.do_post_proposal(
        bob, title="Quiet hours", problem="Too many pings", area="process"
    )
    held = mailin.ingest(compose(headers={"Precedence": "bulk"}))  # suspended mail
    advisor = seed_advisor(alice, customer_a)
    _token, secret = do_create_api_token(alice, "schemathesis")
    ids = {
        **advisor,
        "project_id": project.pk,
        "section_id": section.pk,
        "task_id": task.pk,
        "request_id": request.pk,
        "ticket_id": ticket.pk,
        "proposal_id": proposal.pk,
        "mail_id": held.pk,
        "notification_id": Notification.objects.filter(recipient=alice).values("pk")[0]["pk"],
    }
    return secret, ids


def seed_advisor(alice, customer) -> dict[str, int]:
    """Alice as an LE architect with an assessment, a computed workload and an import."""
    from workmate.advisor import assess
    from workmate.advisor.models import ImportRun
    from workmate.testing.factories import add_member, make_assessment, make_team, make_workload

    add_member(make_team(code="LE", name="Lead Engineering"), alice)
    assessment = make_assessment(customer=customer, architect=alice)
    workload = make_workload(assessment=assessment)
    assess.compute(assessment)
    run = ImportRun.objects.create(assessment=assessment, created_by=alice)
    return {"assessment_id": assessment.pk, "workload_id": workload.pk, "import_id": run.pk}


def fuzz(strategy, headers: dict[str, str], label: str, failures: list[str]) -> None:
    """Send the strategy's examples; note each failed check rather than stop at the first."""

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (FailureGroup, AssertionError) as error:
            failures.append(f"{label}: {str(error)[:800]}")

    run()


def test_every_operation_holds_to_its_schema(db, in_process_wsgi, seeded):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", in_process_wsgi)
    secret, ids = seeded
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30

    for operation in operations:
        names = {parameter.name for parameter in operation.path_parameters}
        real = {name: value for name, value in ids.items() if name in names}
        # Made-up ids (mostly 404s, and edges such as 2**63), then the seeded rows' ids,
        # so the routes' own code runs too, then requests that break the schema.
        passes = [(GenerationMode.POSITIVE, {}), (GenerationMode.NEGATIVE, {})]
        if real:
            passes.insert(1, (GenerationMode.POSITIVE, real))
        for mode, path_parameters in passes:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
            try:
                fuzz(strategy, headers, f"{operation.label} ({mode})", failures)
            except Unsatisfiable:
                # Nothing to get wrong: the operation takes no input (the index).
                assert mode == GenerationMode.NEGATIVE

    # In the order found: on PostgreSQL a database error aborts the test's transaction
    # and every later request fails too, so the first is the one to read.
    distinct = list(dict.fromkeys(failures))
    assert not failures, f"{len(distinct)} failures:\n" + "\n\n".join(distinct[:20])
