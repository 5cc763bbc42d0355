"""Small helpers shared by the desk tests."""

from __future__ import annotations

import datetime
import zoneinfo

from workmate.accounts.models import User
from workmate.testing.factories import DEFAULT_PASSWORD

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def kst(*args: int) -> datetime.datetime:
    """A moment on the Seoul wall clock, where the support team's hours and SLAs run."""
    return datetime.datetime(*args, tzinfo=SEOUL)


def login(client, user: User) -> None:
    """Log the test client in through the real authentication backend."""
    client.login(email=user.email, password=DEFAULT_PASSWORD)
