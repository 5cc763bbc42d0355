"""The ladder: seeded for an MSP division, read by everyone in Korean and English, edited
by executives as new dated versions (the old version stays as it stood); people's levels
and their history."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from workmate.levels import services
from workmate.levels.ladder_seed import seed_msp_ladder
from workmate.levels.models import (
    Expectation,
    LadderVersion,
    LevelChange,
    LevelChangeSource,
    PersonLevel,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def test_the_msp_ladder(ladder):
    assert ladder.number == 1
    assert [t.code for t in ladder.tracks.all()] == ["ic", "lead"]
    assert [f.code for f in ladder.flavours.all()] == ["TE", "LE", "SE", "SD", "NBD"]
    assert ladder.competencies.count() == 6
    ic = ladder.tracks.get(code="ic")
    assert list(ic.levels.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    # Every level has a general and a per-flavour expectation in each competency, in both
    # languages.
    levels = 7 + 4
    assert Expectation.objects.filter(level__track__version=ladder).count() == levels * 6 * 6
    assert not Expectation.objects.filter(text_ko="").exists()
    # Publishing again changes nothing.
    assert seed_msp_ladder() == ladder
    assert LadderVersion.objects.count() == 1


def test_the_page_in_korean_and_english(client, cast, ladder):
    client.force_login(cast["teammate"])
    english = client.get(reverse("levels:ladder"), {"track": "ic", "flavour": "TE"})
    assert "Technical depth" in english.text
    assert "In TE: cloud operations" in english.text
    assert "Edit" not in english.text
    cast["teammate"].language = "ko"
    cast["teammate"].save(update_fields=["language"])
    korean = client.get(reverse("levels:ladder"), {"track": "ic", "flavour": "TE"})
    assert "기술 깊이" in korean.text
    assert "TE에서는: 클라우드 운영" in korean.text


def test_the_ladder_page_has_a_fixed_number_of_queries(
    client, cast, ladder, django_assert_num_queries
):
    client.force_login(cast["teammate"])
    # session + user, the version, tracks, flavours, competencies, levels, expectations.
    with django_assert_num_queries(9):
        response = client.get(reverse("levels:ladder"), {"track": "ic", "flavour": "SE"})
    assert response.status_code == 200


def test_htmx_gets_the_levels_only(client, cast, ladder):
    client.force_login(cast["teammate"])
    response = client.get(reverse("levels:ladder"), HTTP_HX_REQUEST="true")
    assert response.text.startswith('<div id="ladder-levels">')


def test_an_edit_publishes_a_new_dated_version_and_keeps_the_old(cast):
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False):
        ladder = seed_msp_ladder()
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=UTC), tick=False):
        version = services.do_edit_expectation(
            cast["executive"],
            track_code="ic",
            number=3,
            competency_code="delivery",
            flavour_code="TE",
            text_en="In TE: maintenance windows kept for a customer's whole estate.",
            text_ko="TE에서는: 고객 전체 환경의 점검 시간을 지킴.",
            note="Wider scope for TE seniors",
        )
    assert (version.number, version.published_by, version.note) == (
        2,
        cast["executive"],
        "Wider scope for TE seniors",
    )

    def cell(v):
        return Expectation.objects.get(
            level__track__version=v,
            level__track__code="ic",
            level__number=3,
            competency__code="delivery",
            flavour__code="TE",
        ).text_en

    assert cell(version).startswith("In TE: maintenance windows")
    assert cell(ladder).startswith("In TE: changes and maintenance")
    # Everything else was copied.
    assert Expectation.objects.filter(level__track__version=version).count() == (
        Expectation.objects.filter(level__track__version=ladder).count()
    )
    # A cycle that opened before the edit reads version 1.
    assert LadderVersion.objects.as_of(datetime.datetime(2026, 5, 31, tzinfo=UTC)) == ladder
    assert LadderVersion.objects.as_of(datetime.datetime(2026, 6, 2, tzinfo=UTC)) == version


def test_editing_a_level_through_the_page(client, cast, ladder):
    client.force_login(cast["executive"])
    url = reverse("levels:edit_level") + "?track=lead&level=4"
    assert "Team lead" in client.get(url).text
    response = client.post(
        url, {"title_en": "Team lead", "title_ko": "팀장", "summary_en": "A team.", "note": "ko"}
    )
    assert response.status_code == 302
    current = LadderVersion.objects.current()
    assert current.number == 2
    level = current.tracks.get(code="lead").levels.get(number=4)
    assert (level.title_ko, level.summary_en) == ("팀장", "A team.")


def test_bad_edits_are_refused(client, cast, ladder):
    client.force_login(cast["executive"])
    missing = reverse("levels:edit_expectation") + "?track=ic&level=9&competency=delivery"
    assert client.get(missing).status_code == 404
    unknown = reverse("levels:edit_expectation") + "?track=ic&level=3&competency=charisma"
    assert client.get(unknown).status_code == 404
    url = reverse("levels:edit_expectation") + "?track=ic&level=3&competency=delivery"
    response = client.post(url, {"text_en": "  ", "text_ko": ""})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert LadderVersion.objects.count() == 1


def test_a_stale_edit_is_refused(cast, ladder):
    services.do_edit_expectation(
        cast["executive"], track_code="ic", number=1, competency_code="delivery", text_en="A"
    )
    # A second executive's edit waited on the lock of version 1 while version 2 was
    # published: it is refused with a message rather than colliding on the number.
    with pytest.raises(ValidationError):
        services._publish_copy(ladder, cast["executive"], "late")
    assert LadderVersion.objects.count() == 2


def test_old_versions_are_readable(client, cast, ladder):
    services.do_edit_expectation(
        cast["executive"], track_code="ic", number=1, competency_code="delivery", text_en="New"
    )
    client.force_login(cast["teammate"])
    old = client.get(reverse("levels:ladder"), {"version": "1"})
    assert "This is an earlier version." in old.text
    assert client.get(reverse("levels:ladder"), {"version": "77"}).status_code == 404
    assert client.get(reverse("levels:ladder"), {"version": "x" * 40}).status_code == 200
    versions = client.get(reverse("levels:versions"))
    assert "Version 2" in versions.text and "Version 1" in versions.text


def test_no_ladder_yet(client, cast):
    client.force_login(cast["teammate"])
    assert "There is no ladder yet." in client.get(reverse("levels:ladder")).text
    assert client.post(reverse("levels:ladder_start")).status_code == 403
    assert not LadderVersion.objects.exists()
    client.force_login(cast["executive"])
    assert client.post(reverse("levels:ladder_start")).status_code == 302
    assert LadderVersion.objects.current().number == 1


# --- People's levels -------------------------------------------------------------------


def test_level_history_keeps_every_change_with_its_reason(client, cast, ladder):
    bob, grace = cast["self"], cast["executive"]
    with time_machine.travel(datetime.datetime(2025, 3, 1, tzinfo=UTC), tick=False):
        services.do_set_level(
            grace, bob, track_code="ic", number=2, flavour_code="TE", reason="Hired"
        )
    with time_machine.travel(datetime.datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        services.do_set_level(
            grace,
            bob,
            track_code="ic",
            number=3,
            flavour_code="TE",
            reason="Owns Hanbit end to end",
        )
    current = PersonLevel.objects.get(person=bob)
    assert (current.number, current.flavour_code) == (3, "TE")
    first, second = LevelChange.objects.filter(person=bob).order_by("effective_at")
    assert (first.source, first.previous_number) == (LevelChangeSource.INITIAL, None)
    assert (second.source, second.previous_number, second.reason) == (
        LevelChangeSource.DECISION,
        2,
        "Owns Hanbit end to end",
    )

    client.force_login(bob)
    page = client.get(reverse("levels:home"))
    assert "L3" in page.text and "Senior" in page.text
    assert "Owns Hanbit end to end" in page.text and "Hired" in page.text


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"number": 9}, "number"),
        ({"track_code": "wizard"}, "number"),
        ({"track_code": "lead", "number": 2}, "number"),
        ({"flavour_code": "XX"}, "flavour"),
        ({"reason": "  "}, "reason"),
    ],
)
def test_bad_levels_are_refused(cast, ladder, fields, error):
    values = {"track_code": "ic", "number": 3, "reason": "Because", **fields}
    with pytest.raises(ValidationError) as caught:
        services.do_set_level(cast["executive"], cast["self"], **values)
    assert error in caught.value.message_dict
    assert not LevelChange.objects.exists()
    assert not PersonLevel.objects.exists()


def test_only_executives_set_levels(cast, ladder):
    for who in ("lead", "admin", "self"):
        with pytest.raises(PermissionDenied):
            services.do_set_level(cast[who], cast["self"], track_code="ic", number=4, reason="x")
    assert not LevelChange.objects.exists()


def test_set_level_form_errors_show(client, cast, ladder):
    client.force_login(cast["executive"])
    url = reverse("levels:person", args=[cast["self"].pk])
    response = client.post(url, {"track": "lead", "number": "2", "reason": "x"})
    assert response.status_code == 200
    assert "That level is not on the ladder." in response.text
    assert not LevelChange.objects.exists()


def test_localized_falls_back_to_english(ladder):
    competency = ladder.competencies.first()
    competency.name_ko = ""
    with translation.override("ko"):
        assert competency.name == competency.name_en
