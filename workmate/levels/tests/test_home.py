from __future__ import annotations

import pytest
from django.urls import reverse

from workmate.levels.models import LevelChange, PersonLevel

pytestmark = pytest.mark.django_db


def test_home_shows_my_level(client, bob):
    PersonLevel.objects.create(person=bob, track_code="ic", number=3, flavour_code="TE")
    LevelChange.objects.create(person=bob, track_code="ic", number=3, reason="Hired")
    client.force_login(bob)
    response = client.get(reverse("levels:home"))
    assert response.status_code == 200
    assert "L3" in response.text


def test_home_needs_sign_in(client):
    response = client.get(reverse("levels:home"))
    assert response.status_code == 302
