"""The authentication backend: Django's ModelBackend, loading the work profile with the user.

Every signed-in page needs the person's work profile (their time zone is switched on
by `PersonalLocaleMiddleware` before the view runs), so the user of a session is
read with it in one query instead of two.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from workmate.accounts.models import User


class UserBackend(ModelBackend):
    def get_user(self, user_id: object) -> User | None:
        try:
            user = User._default_manager.select_related("profile").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
