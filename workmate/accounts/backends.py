"""The authentication backend: Django's ModelBackend, loading the work profile with the user.

Every signed-in page needs the person's work profile (their time zone is switched on
by `PersonalLocaleMiddleware` before the view runs), so the user of a session is
read with it in one query instead of two. That query's SQL is compiled once per
database connection (`PreparedQuery`): building and compiling it cost ~0.3 ms of CPU on
every request, ten times what the database takes to answer it (bench/README.md, "The
page shell").
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from workmate.accounts.models import User
from workmate.lib.prepared import PreparedQuery

# The session's user with their work profile (a LEFT JOIN: a user may have none).
USER_WITH_PROFILE = PreparedQuery(
    lambda user: User._default_manager.select_related("profile").filter(pk=user), user="id"
)


class UserBackend(ModelBackend):
    def get_user(self, user_id: object) -> User | None:
        found = USER_WITH_PROFILE.objects(user=user_id)
        if not found:
            return None
        user = found[0]
        return user if self.user_can_authenticate(user) else None
