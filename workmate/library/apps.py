from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "workmate.library"
    verbose_name = _("Library")

    def ready(self) -> None:
        # Registers the Korean collation on every SQLite connection opened from now on.
        from workmate.library import collation  # noqa: F401
