"""The pipeline's state rules: each gate refused with a clear message until it is met."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from workmate.pipeline import services
from workmate.pipeline.models import DecisionRecord, EventKind, PoC, Source, Stage
from workmate.pipeline.signals import poc_decided
from workmate.pipeline.tests.conftest import DECISION, make_poc, ready_to_run
from workmate.pipeline.tests.conftest import criteria as some_criteria
from workmate.testing.factories import make_project, make_team
from workmate.work import templating


def messages(error: ValidationError) -> list[str]:
    return error.value.messages


def test_a_new_poc_is_an_idea_with_a_created_event(nina, nbd):
    poc = make_poc(nina, nbd)

    assert (poc.stage, poc.owner, poc.source) == (Stage.IDEA, nina, Source.COLLEAGUE)
    event = poc.events.get()
    assert (event.kind, event.to_stage, event.actor) == (EventKind.CREATED, Stage.IDEA, nina)


def test_running_needs_hypothesis_criteria_and_time_box(nina, nbd):
    poc = make_poc(nina, nbd)

    with pytest.raises(ValidationError) as error:
        services.do_advance(nina, poc, Stage.RUNNING)

    assert messages(error) == [
        "Write the hypothesis: we believe …, will …, measured by ….",
        "Give 3 to 5 success criteria, each with a target.",
        "Set the time box: a start and an end date.",
    ]
    poc.refresh_from_db()
    assert poc.stage == Stage.IDEA
    ready_to_run(nina, poc)
    services.do_advance(nina, poc, Stage.RUNNING)
    poc.refresh_from_db()
    assert poc.stage == Stage.RUNNING


@pytest.mark.parametrize("count", [2, 6])
def test_criteria_must_be_three_to_five(nina, nbd, count):
    poc = make_poc(nina, nbd)
    rows = (some_criteria() * 2)[:count]

    with pytest.raises(ValidationError) as error:
        services.do_update_poc(nina, poc, criteria=rows)

    assert error.value.message_dict["criteria"] == ["Give 3 to 5 success criteria."]
    assert not poc.criteria.exists()


def test_a_criterion_without_a_target_is_refused(nina, nbd):
    poc = make_poc(nina, nbd)
    rows = some_criteria()
    rows[1].target = " "

    with pytest.raises(ValidationError) as error:
        services.do_update_poc(nina, poc, criteria=rows)

    assert "needs a description and a target" in error.value.message_dict["criteria"][0]


def test_a_time_box_that_ends_before_it_starts_is_refused(nina, nbd):
    import datetime

    poc = make_poc(nina, nbd)
    with pytest.raises(ValidationError) as error:
        services.do_update_poc(
            nina, poc, starts_on=datetime.date(2026, 3, 9), ends_on=datetime.date(2026, 3, 2)
        )
    assert "ends_on" in error.value.message_dict
    poc.refresh_from_db()
    assert poc.starts_on is None


def test_no_skipping_a_stage(nina, nbd):
    poc = make_poc(nina, nbd)

    with pytest.raises(ValidationError) as error:
        services.do_advance(nina, poc, Stage.DOCUMENTED)

    assert messages(error) == ["A PoC that is Idea can only move to Running."]


def test_decided_only_through_a_decision_record(nina, nbd):
    poc = ready_to_run(nina, make_poc(nina, nbd), results=True)
    services.do_advance(nina, poc, Stage.RUNNING)

    with pytest.raises(ValidationError) as error:
        services.do_advance(nina, poc, Stage.DECIDED)

    assert messages(error) == ["A PoC is decided by writing its decision record."]


def test_deciding_needs_every_measured_result(nina, nbd):
    poc = ready_to_run(nina, make_poc(nina, nbd))
    services.do_advance(nina, poc, Stage.RUNNING)

    with pytest.raises(ValidationError) as error:
        services.do_decide(nina, poc, **DECISION)

    assert messages(error) == ["Record the measured result of every success criterion."]
    assert not DecisionRecord.objects.exists()


def test_a_decision_record_needs_every_madr_part(nina, nbd):
    poc = ready_to_run(nina, make_poc(nina, nbd), results=True)
    services.do_advance(nina, poc, Stage.RUNNING)
    bad = dict(DECISION, context=" ", options="Only one", decision="maybe", revisit_on=None)

    with pytest.raises(ValidationError) as error:
        services.do_decide(nina, poc, **bad)

    assert set(error.value.message_dict) == {"context", "options", "decision", "revisit_on"}
    poc.refresh_from_db()
    assert poc.stage == Stage.RUNNING


def test_decide_writes_the_record_moves_and_sends_poc_decided(nina, nbd):
    poc = ready_to_run(nina, make_poc(nina, nbd), results=True)
    services.do_advance(nina, poc, Stage.RUNNING)
    received = []

    def receiver(sender, instance, actor, **kwargs):
        received.append((sender, instance.pk, actor, instance.decision.decision))

    poc_decided.connect(receiver)
    try:
        record = services.do_decide(nina, poc, **DECISION)
    finally:
        poc_decided.disconnect(receiver)

    poc.refresh_from_db()
    assert poc.stage == Stage.DECIDED
    assert record.option_list() == ["Object storage", "Keep the NAS"]
    assert received == [(PoC, poc.pk, nina, "go")]
    moves = list(poc.events.filter(kind=EventKind.MOVED).values_list("from_stage", "to_stage"))
    assert moves == [(Stage.IDEA, Stage.RUNNING), (Stage.RUNNING, Stage.DECIDED)]


def test_documented_needs_a_runbook(nina, nbd):
    poc = ready_to_run(nina, make_poc(nina, nbd), results=True)
    services.do_advance(nina, poc, Stage.RUNNING)
    services.do_decide(nina, poc, **DECISION)

    with pytest.raises(ValidationError) as error:
        services.do_advance(nina, poc, Stage.DOCUMENTED)

    assert messages(error) == ["Link the runbook page."]


def test_no_go_ends_at_decided(nina, nbd):
    poc = ready_to_run(nina, make_poc(nina, nbd), results=True)
    services.do_advance(nina, poc, Stage.RUNNING)
    services.do_decide(nina, poc, **dict(DECISION, decision="no_go"))

    with pytest.raises(ValidationError) as error:
        services.do_advance(nina, poc, Stage.DOCUMENTED)

    assert "The decision was no-go: drop the PoC with the reason instead." in messages(error)


def _to_stage(poc, actor, stage):
    """Put a PoC in a stage directly (the gates before it are tested above)."""
    PoC.objects.filter(pk=poc.pk).update(stage=stage)
    poc.refresh_from_db()
    return poc


def test_templated_needs_a_template_and_links_it(nina, nbd, team, alice):
    poc = _to_stage(make_poc(nina, nbd), nina, Stage.DOCUMENTED)
    with pytest.raises(ValidationError) as error:
        services.do_advance(nina, poc, Stage.TEMPLATED)
    assert messages(error) == ["Link a project template or a page template."]

    project = make_project(team=team, owner=alice)
    from workmate.work import services as work

    work.do_create_task(alice, project, title="Step one")
    template = templating.do_save_as_template(alice, project, name="Backups")
    services.do_advance(nina, poc, Stage.TEMPLATED, project_template=template)

    poc.refresh_from_db()
    assert (poc.stage, poc.project_template) == (Stage.TEMPLATED, template)


def test_rolled_out_lists_the_adopting_teams(nina, nbd, team):
    poc = _to_stage(make_poc(nina, nbd), nina, Stage.TEMPLATED)
    with pytest.raises(ValidationError) as error:
        services.do_advance(nina, poc, Stage.ROLLED_OUT, adopted_by=[])
    assert messages(error) == ["Name the teams that adopted it."]

    other = make_team(code="SE")
    services.do_advance(nina, poc, Stage.ROLLED_OUT, adopted_by=[team, other])

    poc.refresh_from_db()
    assert poc.stage == Stage.ROLLED_OUT
    assert set(poc.adopted_by.values_list("code", flat=True)) == {"TE", "SE"}
    with pytest.raises(ValidationError) as error:
        services.do_advance(nina, poc, Stage.ROLLED_OUT)
    assert messages(error) == ["This PoC is Rolled out; it does not move any more."]


@pytest.mark.parametrize("stage", [Stage.IDEA, Stage.RUNNING, Stage.DECIDED, Stage.TEMPLATED])
def test_dropped_at_any_point_with_a_reason(nina, nbd, stage):
    poc = _to_stage(make_poc(nina, nbd), nina, stage)
    with pytest.raises(ValidationError) as error:
        services.do_drop(nina, poc, reason="  ")
    assert error.value.message_dict == {"reason": ["Say why it is dropped."]}

    services.do_drop(nina, poc, reason="The vendor left Korea.")

    poc.refresh_from_db()
    assert (poc.stage, poc.dropped_reason) == (Stage.DROPPED, "The vendor left Korea.")
    event = poc.events.get(kind=EventKind.DROPPED)
    assert (event.from_stage, event.note) == (stage, "The vendor left Korea.")


def test_a_rolled_out_or_dropped_poc_stays_so(nina, nbd):
    poc = _to_stage(make_poc(nina, nbd), nina, Stage.ROLLED_OUT)
    with pytest.raises(ValidationError):
        services.do_drop(nina, poc, reason="late")
    with pytest.raises(ValidationError):
        services.do_update_poc(nina, poc, title="Renamed")


def test_the_database_refuses_a_dropped_poc_without_a_reason(nina, nbd):
    from django.db import IntegrityError, transaction

    poc = make_poc(nina, nbd)
    with pytest.raises(IntegrityError), transaction.atomic():
        PoC.objects.filter(pk=poc.pk).update(stage=Stage.DROPPED, dropped_reason="")


# --- Who may --------------------------------------------------------------------------------


def test_who_may_start(nina, alice, bob, charlie, nbd):
    assert make_poc(alice, nbd).owner == alice  # a team lead
    for person in (bob, charlie):
        with pytest.raises(PermissionDenied):
            make_poc(person, nbd)


def test_who_may_change(nina, nbd_lead, alice, bob, charlie, team):
    poc = make_poc(nina, team, owner=bob)  # Bob owns a TE PoC; Alice leads TE.
    for person in (nina, nbd_lead, alice, bob):
        services.do_update_poc(person, poc, title=f"By {person.full_name}")
    other_lead = make_team(code="SD")
    from workmate.accounts.models import TeamRole
    from workmate.testing.factories import add_member, make_user

    sd_lead = make_user()
    add_member(other_lead, sd_lead, TeamRole.LEAD)
    for person in (sd_lead, charlie):
        with pytest.raises(PermissionDenied):
            services.do_update_poc(person, poc, title="Mine")
        with pytest.raises(PermissionDenied):
            services.do_drop(person, poc, reason="no")
    poc.refresh_from_db()
    assert poc.title == "By Bob Lee"


def test_every_change_is_on_the_timeline(nina, nbd):
    poc = make_poc(nina, nbd)
    ready_to_run(nina, poc, results=True)
    services.do_advance(nina, poc, Stage.RUNNING)
    services.do_decide(nina, poc, **DECISION)
    services.do_drop(nina, poc, reason="Budget cut")

    kinds = list(poc.events.values_list("kind", flat=True))
    assert kinds == ["created", "edited", "moved", "moved", "dropped"]


# --- With the library: runbook and page template -----------------------------------------


def test_documented_needs_the_runbook_verified(nina, nbd):
    from workmate.pipeline.tests.conftest import verify
    from workmate.testing.factories import make_page, make_space

    space = make_space(team=nbd, key="NBD")
    page = make_page(space=space, owner=nina, title="백업 런북")
    poc = _to_stage(make_poc(nina, nbd), nina, Stage.DECIDED)

    with pytest.raises(ValidationError) as error:
        services.do_advance(nina, poc, Stage.DOCUMENTED, runbook=page)

    assert messages(error) == ["The runbook page must be verified by its owner first."]
    poc.refresh_from_db()
    assert (poc.stage, poc.runbook) == (Stage.DECIDED, None)  # the link rolled back too
    verify(page, nina)
    services.do_advance(nina, poc, Stage.DOCUMENTED, runbook=page)
    poc.refresh_from_db()
    assert (poc.stage, poc.runbook) == (Stage.DOCUMENTED, page)


def test_a_runbook_whose_review_date_passed_does_not_count(nina, nbd):
    from workmate.pipeline.tests.conftest import verify
    from workmate.testing.factories import make_page, make_space

    page = verify(make_page(space=make_space(team=nbd), owner=nina), nina, days=-1)
    poc = _to_stage(make_poc(nina, nbd), nina, Stage.DECIDED)

    with pytest.raises(ValidationError) as error:
        services.do_advance(nina, poc, Stage.DOCUMENTED, runbook=page)

    assert messages(error) == ["The runbook page must be verified by its owner first."]


def test_templated_with_a_page_template(nina, nbd):
    from workmate.pipeline.tests.conftest import make_page_template

    template = make_page_template(nina)
    poc = _to_stage(make_poc(nina, nbd), nina, Stage.DOCUMENTED)

    services.do_advance(nina, poc, Stage.TEMPLATED, page_template=template)

    poc.refresh_from_db()
    assert (poc.stage, poc.page_template) == (Stage.TEMPLATED, template)
