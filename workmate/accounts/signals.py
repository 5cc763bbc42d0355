from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from workmate.accounts.models import User, WorkProfile


@receiver(post_save, sender=User, dispatch_uid="accounts_create_profile")
def create_profile(sender: type[User], instance: User, created: bool, **kwargs: object) -> None:
    # Every person has a work profile: the directory and calendars rely on it.
    if created and not kwargs.get("raw"):
        WorkProfile.objects.get_or_create(user=instance)
