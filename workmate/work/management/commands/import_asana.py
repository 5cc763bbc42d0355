"""Import an Asana project export (CSV) into a Workmate project.

    manage.py import_asana tasks.csv --project "Cloud migration" --team TE --as lead@example.com

The project is found by name (within the team when --team is given) or created when
missing. Re-running with the same file updates the tasks instead of duplicating them.
Nothing is written when any row is bad; the errors are listed with their line numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import transaction
from django.utils.translation import gettext as _

from workmate.accounts.models import Team, User
from workmate.work import services, transfer
from workmate.work.models import Project

BAR_WIDTH = 30


class _RolledBack(Exception):
    """Raised to undo a project created for an import that then failed."""


class ProgressBar:
    """A one-line text bar redrawn in place with a carriage return."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.shown = -1

    def __call__(self, fraction: float, stage: str) -> None:
        percent = round(100 * fraction)
        if percent == self.shown:
            return
        self.shown = percent
        filled = round(BAR_WIDTH * fraction)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stream.write(f"\r[{bar}] {percent:3d}% {stage:<5}", ending="")
        if fraction >= 1:
            self.stream.write("")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import an Asana CSV export into a project (idempotent, all-or-nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file Asana exported.")
        parser.add_argument("--project", required=True, help="Project name; created if missing.")
        parser.add_argument("--team", help="Team code; needed when the project is created.")
        parser.add_argument(
            "--as",
            dest="actor",
            help="E-mail of the person importing (default: the project's owner).",
        )
        parser.add_argument(
            "--assign",
            action="append",
            default=[],
            metavar="NAME=EMAIL",
            help="Give an unknown assignee (as the summary lists them) a person; repeatable.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        team = self._team(options["team"])
        actor = self._actor(options["actor"])
        assignee_map = self._assignee_map(options["assign"])
        bar = ProgressBar(self.stderr)
        try:
            with transaction.atomic():
                project = self._project(options["project"], team, actor)
                actor = actor or project.owner
                with path.open("rb") as stream:
                    report = transfer.do_import_asana(
                        actor, project, stream, progress=bar, assignee_map=assignee_map
                    )
                if not report.ok:
                    raise _RolledBack
        except _RolledBack:
            pass
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        self._summary(report, project)
        if not report.ok:
            raise CommandError(
                _("%(count)s errors; nothing was imported.") % {"count": len(report.errors)}
            )

    def _team(self, code: str | None) -> Team | None:
        if not code:
            return None
        team = Team.objects.filter(code__iexact=code).first()
        if team is None:
            raise CommandError(_("No team has the code %(code)s.") % {"code": code})
        return team

    def _actor(self, email: str | None) -> User | None:
        if not email:
            return None
        actor = User.objects.filter(email__iexact=email, is_active=True).first()
        if actor is None:
            raise CommandError(_("Nobody active has the e-mail %(email)s.") % {"email": email})
        return actor

    def _assignee_map(self, pairs: list[str]) -> dict[str, User]:
        mapping = {}
        for pair in pairs:
            name, _sep, email = (part.strip() for part in pair.rpartition("="))
            person = self._actor(email) if name else None
            if person is None:
                message = _("Write --assign as NAME=EMAIL, not %(pair)s.") % {"pair": pair}
                raise CommandError(message)
            mapping[name] = person
        return mapping

    def _project(self, name: str, team: Team | None, actor: User | None) -> Project:
        projects = Project.objects.filter(name=name)
        if team is not None:
            projects = projects.filter(team=team)
        found = list(projects[:2])
        if len(found) > 1:
            raise CommandError(
                _("More than one project is called “%(name)s”; give --team.") % {"name": name}
            )
        if found:
            return found[0]
        if team is None or actor is None:
            raise CommandError(
                _("No project is called “%(name)s”; give --team and --as to create it.")
                % {"name": name}
            )
        project = services.do_create_project(actor, name=name, team=team)
        self.stdout.write(_("Created project “%(name)s”.") % {"name": project.name})
        return project

    def _summary(self, report: transfer.ImportReport, project: Project) -> None:
        for line in report.error_lines():
            self.stderr.write(line)
        self.stdout.write(
            _(
                "%(rows)s rows: %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged, %(errors)s errors."
            )
            % {
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "errors": len(report.errors),
            }
        )
        for line in transfer.skipped_lines(report.as_dict()):
            self.stdout.write(line)
        if report.ok:
            for line in transfer.field_lines(report.as_dict()):
                self.stdout.write(line)
        if report.unknown_assignees:
            self.stdout.write(
                _("Unknown assignees (left unassigned): %(names)s")
                % {"names": "; ".join(report.unknown_assignees)}
            )
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(_("Imported into “%(name)s”.") % {"name": project.name})
            )
