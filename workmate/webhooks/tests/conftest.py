from __future__ import annotations

import pytest

from workmate.webhooks.tests.receiver import Receiver


@pytest.fixture(scope="module")
def receiver():
    """One real HTTP receiver on loopback for the whole module."""
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    # The receiver listens on 127.0.0.1, which webhooks refuse unless allowed by name.
    settings.WEBHOOKS_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SITE_URL = "https://workmate.example"
