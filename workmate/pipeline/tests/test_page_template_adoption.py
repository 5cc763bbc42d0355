"""Page templates' adoption: by team, over time, older versions, outside reuse apart."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.library.models import SpaceKind
from workmate.pipeline.library_links import page_template_adoption
from workmate.pipeline.tests.conftest import make_page_template
from workmate.testing.factories import add_member, make_page, make_space, make_team, make_user


@pytest.fixture
def made(nina, nbd, team, bob):
    """Nina's template (v1, v2); used in NBD (v1, by Nina), SE (v2, by Dana) and in a
    private space (v2, by Bob of TE)."""
    template = make_page_template(nina, name="런북 템플릿", versions=2)
    first, second = template.revisions.get(number=1), template.revisions.get(number=2)
    se = make_team(code="SE")
    dana = make_user(full_name="Dana Choi")
    add_member(se, dana)
    make_page(space=make_space(team=nbd), owner=nina, title="NBD 런북", template_revision=first)
    make_page(space=make_space(team=se), owner=dana, title="SE 런북", template_revision=second)
    secret = make_space(kind=SpaceKind.PRIVATE, team=None)
    make_page(space=secret, owner=bob, title="Secret page", template_revision=second)
    return template


def test_counts_by_team_older_versions_and_outsiders(made, alice):
    result = page_template_adoption(made, alice)

    assert (result["latest"], result["total"], result["older"], result["outside"]) == (2, 3, 1, 2)
    rows = {(row["team"].code if row["team"] else None): row for row in result["teams"]}
    assert (rows["NBD"]["count"], rows["NBD"]["outside"]) == (1, 0)
    assert (rows["SE"]["count"], rows["SE"]["outside"]) == (1, 1)
    assert rows[None]["outside"] == 1
    assert sum(bar["count"] for bar in result["bars"]) == 3


def test_page_hides_what_the_viewer_cannot_see(client, made, alice, django_assert_num_queries):
    client.force_login(alice)
    url = reverse("pipeline:page_template", args=[made.pk])
    client.get(url)

    with django_assert_num_queries(9):
        page = client.get(url).content.decode()

    assert "SE 런북" in page and "NBD 런북" in page
    assert "Secret page" not in page and "A page you cannot see" in page
    assert "data-outside>2<" in page


def test_outsider_gets_404(client, made, charlie):
    client.force_login(charlie)

    assert client.get(reverse("pipeline:page_template", args=[made.pk])).status_code == 404
