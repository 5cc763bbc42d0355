"""`manage.py assess FILE [FILE…] --customer NAME --csv OUT.csv`: batch assessments.

Imports the inventory (RVTools .xlsx, RVTools per-tab CSVs together, or the template)
into an assessment of the customer (the one named --name, made when missing), computes
it and writes the same CSV as the report's export. Refused rows are listed on stderr and
the command exits with status 1 (the other rows are imported and written).
"""

from __future__ import annotations

import csv
import datetime
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from workmate.accounts.models import User
from workmate.advisor import access, assess, inventory, services
from workmate.advisor.models import Assessment, EventKind, ImportRun, ImportStatus
from workmate.desk.models import Customer


class Command(BaseCommand):
    help = "Import an inventory into an assessment, compute it and write its CSV export."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--customer", required=True, help="the desk customer's name")
        parser.add_argument("--name", help="the assessment (made when missing)")
        parser.add_argument("--region", help="target region, e.g. ap-northeast-2")
        parser.add_argument("--comfort", help="comfort factor, e.g. 1.3")
        parser.add_argument("--burstable", action="store_true", help="allow burstable types")
        parser.add_argument(
            "--architect", help="the LE architect's e-mail (default: the customer's)"
        )
        parser.add_argument("--csv", required=True, metavar="OUT.csv", dest="out")

    def handle(self, *args, **opts) -> None:
        customer = Customer.objects.filter(name=opts["customer"]).first()
        if customer is None:
            raise CommandError(f"No customer named “{opts['customer']}”.")
        uploads = []
        for name in opts["files"]:
            try:
                uploads.append(inventory.Upload(Path(name).name, Path(name).read_bytes()))
            except OSError as exc:
                raise CommandError(f"{name}: {exc.strerror}") from None
        try:
            parsed = inventory.read(uploads)
        except inventory.InventoryError as exc:
            raise CommandError(str(exc)) from None

        architect = self._architect(customer, opts.get("architect"))
        name = opts.get("name") or f"{customer.name} {datetime.date.today():%Y-%m-%d}"
        settings_values: dict = {}
        if opts.get("region"):
            settings_values["region"] = opts["region"]
        if opts.get("comfort"):
            settings_values["comfort_factor"] = opts["comfort"]
        if opts.get("burstable"):
            settings_values["burstable_allowed"] = True
        try:
            with transaction.atomic():
                assessment = Assessment.objects.filter(customer=customer, name=name).first()
                if assessment is None:
                    assessment = services.do_create_assessment(
                        architect, customer, name, architect=architect, **settings_values
                    )
                else:
                    cleaned = services.clean_assessment_values(settings_values)
                    for key, value in cleaned.items():
                        setattr(assessment, key, value)
                    assessment.save()
                run = ImportRun.objects.create(
                    assessment=assessment,
                    created_by=architect,
                    format=parsed.format,
                    status=ImportStatus.DONE,
                    refusals=parsed.refusals,
                    rows_read=len(parsed.records),
                )
                created, updated = inventory.apply(run, parsed)
                run.rows_created, run.rows_updated = created, updated
                run.save(update_fields=["rows_created", "rows_updated"])
                services.record(
                    assessment,
                    None,
                    EventKind.IMPORTED,
                    run=run.pk,
                    format=parsed.format,
                    created=created,
                    updated=updated,
                    refused=len(parsed.refusals),
                    via="manage.py assess",
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        assess.compute(assessment)

        with open(opts["out"], "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(assess.EXPORT_HEADER)
            for row in assess.export_rows(assessment):
                writer.writerow(row)
        s = assess.summary(assessment)
        self.stdout.write(
            f"{assessment.name}: {s.total} workloads ({created} new, {updated} updated), "
            f"{s.monthly_on_demand_usd:,} USD/month on demand, prices of "
            f"{s.price_date or 'none'} ({assessment.region}) → {opts['out']}"
        )
        if parsed.refusals:
            for r in parsed.refusals:
                sys.stderr.write(f"{r['file']} row {r['row']}: {r['vm_name']}: {r['reason']}\n")
            raise CommandError(f"{len(parsed.refusals)} row(s) refused (listed above).")

    def _architect(self, customer: Customer, email: str | None) -> User:
        if email:
            user = User.objects.filter(email__iexact=email, is_active=True).first()
        else:
            user = customer.le_architect
            if user is None or not access.is_architect(user):
                user = next(
                    (
                        u
                        for u in User.objects.filter(is_active=True).order_by("pk")
                        if access.is_architect(u)
                    ),
                    None,
                )
        if user is None or not access.is_architect(user):
            raise CommandError("No LE architect to own the assessment: give --architect EMAIL.")
        return user
