"""The pipeline's pages through the client: board, list, one PoC, its steps, access."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from workmate.pipeline import services
from workmate.pipeline.models import PoC, Stage
from workmate.pipeline.tests.conftest import DECISION, make_poc, ready_to_run
from workmate.testing.factories import make_team

HTMX = {"HX-Request": "true"}
BOARD = reverse("pipeline:home")
LIST = reverse("pipeline:list")


@pytest.fixture
def many(nina, nbd, team, bob):
    """PoCs in every stage, from two teams and two owners."""
    pocs = []
    for index, stage in enumerate([*Stage.values] * 2):
        poc = make_poc(nina, nbd if index % 2 else team, title=f"PoC {index}")
        if stage == Stage.DROPPED:
            PoC.objects.filter(pk=poc.pk).update(stage=stage, dropped_reason="no")
        else:
            PoC.objects.filter(pk=poc.pk).update(stage=stage)
        pocs.append(poc)
    return pocs


def test_board_shows_columns_by_stage(client, many, bob):
    client.force_login(bob)

    response = client.get(BOARD)

    page = response.content.decode()
    assert response.status_code == 200
    for stage in Stage.values:
        assert f'data-stage="{stage}"' in page
    assert page.count('class="board-card poc-card"') == len(many)


def test_board_query_count_does_not_grow(client, many, nina, nbd, bob, django_assert_num_queries):
    client.force_login(bob)
    client.get(BOARD)
    with django_assert_num_queries(7):
        client.get(BOARD)
    for index in range(10):
        make_poc(nina, nbd, title=f"More {index}")
    with django_assert_num_queries(7):
        response = client.get(BOARD)
    assert response.content.decode().count('class="board-card poc-card"') == len(many) + 10


def test_list_filters_by_stage_team_and_text(client, many, bob, nbd):
    client.force_login(bob)

    page = client.get(LIST, {"stage": "running", "team": nbd.pk}).content.decode()
    shown = [poc for poc in many if f'data-poc="{poc.pk}"' in page]
    assert {poc.pk for poc in shown} == {
        poc.pk for poc in PoC.objects.filter(stage="running", team=nbd)
    }
    page = client.get(LIST, {"q": "PoC 3"}).content.decode()
    assert "PoC 3" in page and "PoC 4" not in page


def test_list_query_count_is_pinned(client, many, bob, nina, nbd, django_assert_num_queries):
    client.force_login(bob)
    client.get(LIST)
    with django_assert_num_queries(8):
        client.get(LIST, {"stage": "idea"})
    for index in range(10):
        make_poc(nina, nbd, title=f"More {index}")
    with django_assert_num_queries(8):
        client.get(LIST, {"stage": "idea"})


def test_list_htmx_gets_the_rows_only(client, many, bob):
    client.force_login(bob)

    page = client.get(LIST, headers=HTMX).content.decode()

    assert "<html" not in page and "poc-list" in page


def test_list_bad_filters_are_ignored(client, many, bob):
    client.force_login(bob)

    response = client.get(LIST, {"stage": "nope", "team": "x", "owner": "99999", "page": "zz"})

    assert response.status_code == 200


@pytest.mark.parametrize("url_name", ["pipeline:home", "pipeline:list", "pipeline:division"])
def test_outsider_gets_404(client, charlie, url_name):
    client.force_login(charlie)

    assert client.get(reverse(url_name)).status_code == 404


def test_outsider_cannot_read_a_poc(client, nina, nbd, charlie):
    poc = make_poc(nina, nbd)
    client.force_login(charlie)

    assert client.get(poc.get_absolute_url()).status_code == 404
    assert client.post(reverse("pipeline:drop", args=[poc.pk]), {"reason": "x"}).status_code == 404
    poc.refresh_from_db()
    assert poc.stage == Stage.IDEA


def test_board_refuses_post(client, bob):
    client.force_login(bob)

    assert client.post(BOARD).status_code == 405


def test_logged_out_goes_to_login(client):
    response = client.get(BOARD)

    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_reader_in_the_division_sees_but_cannot_change(client, nina, nbd, bob):
    poc = make_poc(nina, nbd)
    client.force_login(bob)

    page = client.get(poc.get_absolute_url()).content.decode()
    assert poc.title in page and "drop-form" not in page and "advance-form" not in page
    assert client.get(reverse("pipeline:edit", args=[poc.pk])).status_code == 403
    response = client.post(reverse("pipeline:drop", args=[poc.pk]), {"reason": "mine"})
    assert response.status_code == 403
    poc.refresh_from_db()
    assert poc.stage == Stage.IDEA


def test_new_poc_from_a_colleagues_idea(client, nina, nbd, bob):
    client.force_login(nina)

    response = client.post(
        reverse("pipeline:new"),
        {
            "title": "Edge cache",
            "idea": "Serve images nearer",
            "team": nbd.pk,
            "suggested_by": bob.pk,
        },
    )

    poc = PoC.objects.get()
    assert response.url == poc.get_absolute_url()
    assert (poc.owner, poc.suggested_by, poc.source) == (nina, bob, "colleague")


def test_a_member_may_not_start_a_poc(client, bob, nbd):
    client.force_login(bob)

    assert client.get(reverse("pipeline:new")).status_code == 403
    data = {"title": "x", "idea": "y", "team": nbd.pk}
    assert client.post(reverse("pipeline:new"), data).status_code == 403
    assert not PoC.objects.exists()


def test_edit_keeps_the_typed_text_on_error(client, nina, nbd):
    poc = make_poc(nina, nbd)
    client.force_login(nina)
    data = {
        "title": "Edge cache",
        "idea": "x",
        "team": nbd.pk,
        "owner": nina.pk,
        "believe": "a CDN",
        "criterion_0": "Latency",
        "target_0": "",
    }

    response = client.post(reverse("pipeline:edit", args=[poc.pk]), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Give 3 to 5 success criteria." in page and "a CDN" in page
    poc.refresh_from_db()
    assert poc.title == "Object storage for backups"


def test_edit_saves_fields_and_criteria(client, nina, nbd):
    poc = make_poc(nina, nbd)
    client.force_login(nina)
    data = {
        "title": "Edge cache",
        "idea": "x",
        "team": nbd.pk,
        "owner": nina.pk,
        "believe": "a CDN",
        "will": "cut latency",
        "measured_by": "p95",
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-27",
        "budget_krw": "3000000",
    }
    for index in range(3):
        data[f"criterion_{index}"] = f"C{index}"
        data[f"target_{index}"] = f"T{index}"

    response = client.post(reverse("pipeline:edit", args=[poc.pk]), data)

    assert response.status_code == 302
    poc.refresh_from_db()
    assert (poc.title, poc.budget_krw, poc.ends_on) == (
        "Edge cache",
        3_000_000,
        datetime.date(2026, 3, 27),
    )
    assert list(poc.criteria.values_list("target", flat=True)) == ["T0", "T1", "T2"]


def test_advance_refused_shows_what_is_missing(client, nina, nbd):
    poc = make_poc(nina, nbd)
    client.force_login(nina)

    response = client.post(reverse("pipeline:advance", args=[poc.pk]), {"to_stage": "running"})

    assert response.status_code == 400
    assert "Set the time box: a start and an end date." in response.content.decode()
    poc.refresh_from_db()
    assert poc.stage == Stage.IDEA


def test_advance_and_decide_through_the_pages(client, nina, nbd):
    poc = ready_to_run(nina, make_poc(nina, nbd), results=True)
    client.force_login(nina)

    response = client.post(reverse("pipeline:advance", args=[poc.pk]), {"to_stage": "running"})
    assert response.status_code == 302
    data = dict(DECISION, revisit_on="2027-03-01")
    response = client.post(reverse("pipeline:decide", args=[poc.pk]), data)
    assert response.status_code == 302

    poc.refresh_from_db()
    assert poc.stage == Stage.DECIDED
    page = client.get(poc.get_absolute_url()).content.decode()
    assert "Decision record" in page and "Keep the NAS" in page
    assert page.count('data-event="moved"') == 2


def test_decide_with_a_missing_part_keeps_the_form(client, nina, nbd):
    poc = ready_to_run(nina, make_poc(nina, nbd), results=True)
    services.do_advance(nina, poc, Stage.RUNNING)
    client.force_login(nina)

    response = client.post(
        reverse("pipeline:decide", args=[poc.pk]), dict(DECISION, options="Only one", revisit_on="")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "List at least two options considered, one per line." in page
    assert "Backups cost too much." in page
    poc.refresh_from_db()
    assert poc.stage == Stage.RUNNING


def test_drop_with_a_reason(client, nina, nbd):
    poc = make_poc(nina, nbd)
    client.force_login(nina)

    assert client.post(reverse("pipeline:drop", args=[poc.pk]), {"reason": ""}).status_code == 400
    client.post(reverse("pipeline:drop", args=[poc.pk]), {"reason": "No vendor support"})

    poc.refresh_from_db()
    assert (poc.stage, poc.dropped_reason) == (Stage.DROPPED, "No vendor support")


def test_korean_board(client, nina, nbd):
    make_poc(nina, nbd, title="오브젝트 스토리지 백업")
    nina.language = "ko"
    nina.save(update_fields=["language"])
    client.force_login(nina)

    page = client.get(BOARD).content.decode()

    assert "오브젝트 스토리지 백업" in page


def test_poc_page_hides_a_private_runbooks_title(client, nina, nbd, bob):
    from workmate.library.models import SpaceKind
    from workmate.pipeline.tests.conftest import verify
    from workmate.testing.factories import make_page, make_space

    secret = make_space(kind=SpaceKind.PRIVATE, team=None)
    page = verify(make_page(space=secret, owner=nina, title="Secret runbook"), nina)
    poc = make_poc(nina, nbd)
    PoC.objects.filter(pk=poc.pk).update(runbook=page)
    client.force_login(bob)

    html = client.get(poc.get_absolute_url()).content.decode()

    assert "Secret runbook" not in html and "a page you cannot see" in html


def test_division_overview_lists_projects_pocs_and_runbooks(
    client, nina, nbd, team, alice, bob, django_assert_num_queries
):
    from workmate.pipeline.tests.conftest import verify
    from workmate.testing.factories import make_page, make_project, make_space
    from workmate.work import status

    project = make_project(name="Backup revamp", team=team, owner=bob)
    status.do_post_status_update(
        bob, project, health="at_risk", summary="Vendor late", next_milestone="Pilot"
    )
    make_project(name="Quiet project", team=team, owner=bob)
    running = make_poc(nina, nbd, title="Edge cache")
    PoC.objects.filter(pk=running.pk).update(stage=Stage.RUNNING)
    verify(make_page(space=make_space(team=team), owner=alice, title="TE 런북"), alice)
    make_team(code="SD")
    client.force_login(bob)
    client.get(reverse("pipeline:division"))

    with django_assert_num_queries(7):
        page = client.get(reverse("pipeline:division")).content.decode()

    te = page[page.index('data-team="TE"') :]  # teams by code: NBD, SD, TE
    assert "Backup revamp" in te and "At risk" in te and "Vendor late" in te
    assert "updated 0 days ago" in te and "no status update yet" in te
    assert "TE 런북" in te
    nbd_part = page[page.index('data-team="NBD"') : page.index('data-team="SD"')]
    assert "Edge cache" in nbd_part


def test_the_timeline_speaks_the_readers_language(client, nina, nbd):
    from workmate.pipeline.tests.conftest import ready_to_run

    poc = ready_to_run(nina, make_poc(nina, nbd))
    services.do_drop(nina, poc, reason="예산 삭감")
    nina.language = "ko"
    nina.save(update_fields=["language"])
    client.force_login(nina)

    page = client.get(poc.get_absolute_url()).content.decode()

    assert "아이디어로 시작 (동료의 아이디어)" in page
    assert "수정: 우리는 믿는다" in page and "성공 기준" in page
    assert "아이디어 단계에서 중단: 예산 삭감" in page


def test_an_absurd_budget_is_a_form_error_not_a_crash(client, nina, nbd):
    poc = make_poc(nina, nbd)
    client.force_login(nina)
    data = {"title": "t", "idea": "i", "team": nbd.pk, "owner": nina.pk}
    for index in range(3):
        data[f"criterion_{index}"] = f"C{index}"
        data[f"target_{index}"] = f"T{index}"

    response = client.post(
        reverse("pipeline:edit", args=[poc.pk]), {**data, "budget_krw": "9" * 20}
    )

    assert response.status_code == 400
    poc.refresh_from_db()
    assert poc.budget_krw is None and poc.title != "t"


def test_edit_links_tasks_of_the_linked_project(client, nina, nbd, team, alice):
    from workmate.testing.factories import make_project
    from workmate.work import services as work

    project = make_project(team=team, owner=alice, visibility="org")
    first = work.do_create_task(alice, project, title="Pilot customer")
    work.do_create_task(alice, project, title="Not this one")
    poc = make_poc(nina, nbd)
    services.do_update_poc(nina, poc, project=project)
    client.force_login(nina)
    url = reverse("pipeline:edit", args=[poc.pk])
    assert "Pilot customer" in client.get(url).content.decode()
    data = {
        "title": "t",
        "idea": "i",
        "team": nbd.pk,
        "owner": nina.pk,
        "project": project.pk,
        "tasks": [first.pk],
    }
    for index in range(3):
        data[f"criterion_{index}"] = f"C{index}"
        data[f"target_{index}"] = f"T{index}"

    assert client.post(url, data).status_code == 302

    assert list(poc.tasks.all()) == [first]
    assert "Pilot customer" in client.get(poc.get_absolute_url()).content.decode()
