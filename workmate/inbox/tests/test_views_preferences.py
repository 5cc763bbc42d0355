"""Delivery preferences (GET/POST /inbox/preferences/): a channel per kind and the digest time."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from workmate.inbox import services
from workmate.inbox.models import DEFAULT_CHANNELS, Channel, DeliveryPreference, InboxSettings, Kind

URL = "/inbox/preferences/"
HTMX = {"HX-Request": "true"}


def form_data(digest_time: str = "", **channels: str) -> dict[str, str]:
    """Every kind at its default channel, except those given."""
    data = {f"kind_{kind}": channels.get(kind, DEFAULT_CHANNELS[kind]) for kind in Kind.values}
    data["digest_time"] = digest_time
    return data


def test_url_name():
    assert reverse("inbox:preferences") == URL


def test_shows_every_kind_with_its_current_channel(client, bob):
    DeliveryPreference.objects.create(user=bob, kind=Kind.COMMENT, channel=Channel.IN_APP)
    client.force_login(bob)

    html = client.get(URL).content.decode()

    for _value, label in Kind.choices:
        assert str(label) in html.replace("&#x27;", "'")
    assert 'name="kind_comment" value="in_app" checked' in html
    assert 'name="kind_request" value="email" checked' in html
    assert "unless the sender marked it urgent" in html
    assert "09:00–18:00" in html  # Bob's working hours, in the explanation.


def test_saving_stores_every_channel_and_the_digest_time(client, bob):
    client.force_login(bob)

    response = client.post(URL, form_data("07:30", comment=Channel.IN_APP, mention=Channel.DIGEST))

    assert response.status_code == 302 and response["Location"] == URL
    chosen = services.channels_for(bob)
    assert chosen[Kind.COMMENT] == Channel.IN_APP
    assert chosen[Kind.MENTION] == Channel.DIGEST
    assert chosen[Kind.REQUEST] == Channel.EMAIL
    assert DeliveryPreference.objects.filter(user=bob).count() == len(Kind.values)
    assert InboxSettings.objects.get(user=bob).digest_time == datetime.time(7, 30)
    html = client.get(URL).content.decode()
    assert 'value="07:30"' in html
    assert "Your delivery preferences are saved." in html


def test_an_empty_digest_time_means_the_start_of_the_working_day(client, bob):
    InboxSettings.objects.create(user=bob, digest_time=datetime.time(8))
    client.force_login(bob)

    client.post(URL, form_data(""))

    assert InboxSettings.objects.get(user=bob).digest_time is None


@pytest.mark.parametrize("bad", ["24:00", "23:60", "-01:00", "noon", "25:30"])
def test_a_time_outside_the_day_is_an_error_and_saves_nothing(client, bob, bad):
    client.force_login(bob)

    response = client.post(URL, form_data(bad, comment=Channel.IN_APP))

    assert response.status_code == 400
    assert "Enter a time between 00:00 and 23:59." in response.content.decode()
    assert not DeliveryPreference.objects.filter(user=bob).exists()
    assert not InboxSettings.objects.filter(user=bob).exists()


def test_an_unknown_channel_is_an_error_and_saves_nothing(client, bob):
    client.force_login(bob)

    response = client.post(URL, form_data("08:00", comment="carrier-pigeon"))

    assert response.status_code == 400
    assert not DeliveryPreference.objects.filter(user=bob).exists()
    assert not InboxSettings.objects.filter(user=bob).exists()


def test_preferences_are_saved_all_or_nothing(bob):
    channels = dict.fromkeys(Kind.values, Channel.IN_APP)
    channels[Kind.values[-1]] = "nonsense"  # The last one fails, after the others.

    with pytest.raises(ValidationError):
        services.do_set_preferences(bob, channels, datetime.time(8))

    assert not DeliveryPreference.objects.filter(user=bob).exists()
    assert not InboxSettings.objects.filter(user=bob).exists()


def test_htmx_saves_and_answers_the_form_fragment(client, bob):
    client.force_login(bob)

    response = client.post(URL, form_data("06:15", reply=Channel.EMAIL), headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="preferences-form"' in html
    assert "Your delivery preferences are saved." in html
    assert 'value="06:15"' in html
    assert services.channels_for(bob)[Kind.REPLY] == Channel.EMAIL


def test_htmx_errors_come_back_in_the_fragment(client, bob):
    client.force_login(bob)

    response = client.post(URL, form_data("24:00"), headers=HTMX)

    assert response.status_code == 200
    assert "Enter a time between 00:00 and 23:59." in response.content.decode()
    assert not InboxSettings.objects.filter(user=bob).exists()


def test_get_with_htmx_is_the_fragment(client, bob):
    client.force_login(bob)

    assert "<html" in client.get(URL).content.decode()
    assert "<html" not in client.get(URL, headers=HTMX).content.decode()


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.post(URL, form_data("08:00"))

    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not InboxSettings.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_methods_are_refused(client, bob, method):
    client.force_login(bob)

    assert getattr(client, method)(URL).status_code == 405


def test_each_person_sets_only_their_own(client, alice, bob):
    client.force_login(bob)

    client.post(URL, form_data("08:00", comment=Channel.IN_APP))

    assert services.channels_for(alice)[Kind.COMMENT] == DEFAULT_CHANNELS[Kind.COMMENT]
    assert not InboxSettings.objects.filter(user=alice).exists()
