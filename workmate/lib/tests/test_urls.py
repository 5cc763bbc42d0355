"""Site paths made absolute for mail and calendars; ids put into cached URL shapes."""

from __future__ import annotations

from django.urls import reverse

from workmate.lib.urls import absolute_url, reverse_ids


def test_absolute_url_puts_the_site_in_front(settings):
    settings.SITE_URL = "https://workmate.example.com"
    assert absolute_url("/inbox/") == "https://workmate.example.com/inbox/"


def test_absolute_url_leaves_a_full_address_alone(settings):
    settings.SITE_URL = "https://workmate.example.com"
    assert absolute_url("http://elsewhere.example/x") == "http://elsewhere.example/x"


def test_reverse_ids_agrees_with_reverse():
    assert reverse_ids("work:task", 42) == reverse("work:task", args=[42])
