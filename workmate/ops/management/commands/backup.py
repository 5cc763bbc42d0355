from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workmate.ops.backup import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Copy the database (consistently, while the app runs), every uploaded file and the "
        "secret key into the folder DEST, with a manifest of row counts and checksums."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("dest", type=Path, help="A folder that does not exist yet.")

    def handle(self, *args, dest: Path, **options) -> None:
        try:
            summary = make_backup(dest)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up {summary.tables} tables ({summary.rows} rows) and {summary.files} "
            f"files ({summary.bytes} bytes) to {dest}."
        )
        if settings.STORAGE_URL:
            # The files are in the object store, not under MEDIA_ROOT (docs/deploy.md).
            self.stderr.write(
                "Uploaded files are in the object store (STORAGE_URL) and are not in this "
                "backup: keep the bucket versioned or replicated."
            )
