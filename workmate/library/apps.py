from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "workmate.library"
    verbose_name = _("Library")

    def ready(self) -> None:
        # `collation` registers the Korean collation on every SQLite connection opened from
        # now on; `visible_pages` says who may still read a page's notifications
        # (workmate/inbox/visibility.py).
        from workmate.inbox import visibility
        from workmate.library import collation  # noqa: F401
        from workmate.library.receivers import connect as connect_link_receivers
        from workmate.library.visibility import visible_pages

        visibility.register("page", visible_pages)
        # Links from the texts of pages, tasks, tickets and proposals are recorded on save.
        connect_link_receivers()
