"""`manage.py fetch_mail`: ingest the support mailbox's unread mail over IMAP, once.

DESK_IMAP_URL is imap://user:password@host:143/INBOX or imaps://...:993/INBOX, with
`?move=Processed` to move handled mail to another folder. Safe to run again at any time:
mail already taken in is recognised by its Message-ID. The clock also runs it every
minute (workmate.desk.tasks.fetch_mail) when DESK_IMAP_URL is set.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workmate.desk import mailin


class Command(BaseCommand):
    help = "Fetch the support desk's unread e-mail over IMAP and turn it into tickets."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default=settings.DESK_IMAP_URL, help="imap[s]://... URL")
        parser.add_argument(
            "--all", action="store_true", help="every message, not only unread ones"
        )
        parser.add_argument("--limit", type=int, default=500, help="at most this many")

    def handle(self, *args: Any, url: str, all: bool, limit: int, **options: Any) -> None:
        if not url:
            raise CommandError("Set DESK_IMAP_URL (or give --url).")
        try:
            counts = mailin.fetch_imap(url, everything=all, limit=limit)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        summary = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
        self.stdout.write(f"Fetched {sum(counts.values())} message(s). {summary}".strip())
