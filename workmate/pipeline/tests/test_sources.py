"""Where PoCs come from: a Voice proposal, a colleague's idea or a new vendor contract."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from workmate.pipeline.models import PoC, Source, Stage, VendorContract
from workmate.pipeline.tests.conftest import make_poc
from workmate.voice import services as voice
from workmate.voice.models import Area


@pytest.fixture
def proposal(bob):
    return voice.do_post_proposal(
        bob,
        title="백업 비용이 너무 높아요",
        problem="NAS costs too much.",
        suggestion="Try object storage.",
        area=Area.values[0],
        anonymous=False,
        affected_teams=[],
    )


def test_turn_a_proposal_into_a_poc(client, proposal, nina, bob):
    client.force_login(nina)
    page = client.get(reverse("voice:proposal", args=[proposal.pk])).content.decode()
    assert "Turn into PoC" in page

    response = client.post(reverse("pipeline:from_proposal", args=[proposal.pk]))

    poc = PoC.objects.get()
    assert response.url == poc.get_absolute_url()
    assert (poc.source, poc.proposal, poc.suggested_by, poc.title) == (
        Source.PROPOSAL,
        proposal,
        bob,
        "백업 비용이 너무 높아요",
    )
    assert "Try object storage." in poc.idea


def test_the_proposal_shows_the_pocs_state(client, proposal, nina, bob):
    client.force_login(nina)
    client.post(reverse("pipeline:from_proposal", args=[proposal.pk]))
    poc = PoC.objects.get()
    PoC.objects.filter(pk=poc.pk).update(stage=Stage.RUNNING)
    client.force_login(bob)  # the author, who may not start PoCs, still sees the state

    page = client.get(reverse("voice:proposal", args=[proposal.pk])).content.decode()

    assert poc.get_absolute_url() in page and "Running" in page
    assert "Turn into PoC" not in page


def test_a_proposal_becomes_one_poc_only(client, proposal, nina):
    client.force_login(nina)
    client.post(reverse("pipeline:from_proposal", args=[proposal.pk]))

    response = client.post(reverse("pipeline:from_proposal", args=[proposal.pk]), follow=True)

    assert PoC.objects.count() == 1
    assert "That proposal already has a PoC." in response.content.decode()


def test_a_member_sees_no_button_and_cannot_post(client, proposal, bob):
    client.force_login(bob)

    page = client.get(reverse("voice:proposal", args=[proposal.pk])).content.decode()
    assert "Turn into PoC" not in page
    assert client.post(reverse("pipeline:from_proposal", args=[proposal.pk])).status_code == 403
    assert not PoC.objects.exists()


def test_an_anonymous_proposal_keeps_its_author_hidden(nina, bob):
    from workmate.pipeline import services

    anonymous = voice.do_post_proposal(
        bob, title="Anon", problem="p", area=Area.values[0], anonymous=True
    )
    poc = services.do_turn_proposal_into_poc(nina, anonymous)

    assert poc.suggested_by is None


def test_a_new_contract_becomes_a_review_poc(client, nina, nbd):
    client.force_login(nina)
    data = {
        "vendor": "Naver Cloud",
        "service": "Object Storage",
        "contracted_on": "2026-11-30",
        "account_manager": "김지훈",
        "account_manager_email": "jihoon@ncloud.example",
        "team": nbd.pk,
    }

    response = client.post(reverse("pipeline:contracts"), data)

    contract = VendorContract.objects.get()
    poc = contract.poc
    assert response.url == poc.get_absolute_url()
    assert (poc.source, poc.stage, poc.owner) == (Source.CONTRACT, Stage.IDEA, nina)
    assert contract.account_manager == "김지훈"
    page = client.get(reverse("pipeline:contracts")).content.decode()
    assert "Naver Cloud" in page and "Review" in page


def test_a_contract_without_its_account_manager_is_refused(client, nina, nbd):
    client.force_login(nina)
    data = {"vendor": "X", "service": "Y", "contracted_on": "2026-11-30", "team": nbd.pk}

    response = client.post(reverse("pipeline:contracts"), data)

    assert response.status_code == 400
    assert not VendorContract.objects.exists() and not PoC.objects.exists()


def test_a_member_reads_contracts_but_cannot_record_one(client, nina, nbd, bob):
    make_poc(nina, nbd)
    client.force_login(bob)

    assert client.get(reverse("pipeline:contracts")).status_code == 200
    data = {
        "vendor": "X",
        "service": "Y",
        "contracted_on": str(datetime.date(2026, 11, 30)),
        "account_manager": "Z",
        "team": nbd.pk,
    }
    assert client.post(reverse("pipeline:contracts"), data).status_code == 403
    assert not VendorContract.objects.exists()
