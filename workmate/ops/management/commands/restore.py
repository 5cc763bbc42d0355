from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from workmate.ops.backup import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = (
        "Put a backup made by `manage.py backup` back onto an empty installation (stop the "
        "app first), then check the result against the backup's manifest."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("src", type=Path, help="The backup's folder.")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation (for scripts).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Overwrite an installation that already holds data and files.",
        )

    def handle(self, *args, src: Path, interactive: bool, replace: bool, **options) -> None:
        try:
            manifest = read_manifest(src)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if interactive:
            target = connection.settings_dict["NAME"]
            answer = input(
                f"Restore the backup made at {manifest['created_at']} into the database "
                f"{target} and {settings.MEDIA_ROOT}"
                f"{' (replacing what is there)' if replace else ''}? Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            summary = restore_backup(src, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {summary.tables} tables ({summary.rows} rows) and {summary.files} files "
            f"({summary.bytes} bytes); they match the manifest."
        )
        for note in summary.notes:
            self.stdout.write(note)
        self.stdout.write("Run `manage.py migrate` (./run does) if this code is newer.")
