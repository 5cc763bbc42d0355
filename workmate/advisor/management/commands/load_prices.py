"""`manage.py load_prices FILE.csv`: load an AWS Price List Bulk API CSV for EC2."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from workmate.advisor import prices


class Command(BaseCommand):
    help = (
        "Load the AWS Price List Bulk API CSV for EC2 (one region's index.csv): on-demand "
        "and reserved Linux/Windows prices and EBS gp3, replacing the catalogue of the "
        "regions the file covers. Without FILE, the shipped Seoul snapshot."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", help="the price list CSV")
        parser.add_argument("--source", default="", help="where the file came from (a URL)")

    def handle(self, *args, file: str | None = None, source: str = "", **options) -> None:
        try:
            snapshots = prices.load_path(file, source) if file else prices.load_snapshot()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        except prices.PriceFileError as exc:
            raise CommandError(f"{file}: {exc} The catalogue was not changed.") from None
        for snapshot in snapshots:
            self.stdout.write(
                f"{snapshot.region}: {snapshot.prices.count()} instance prices, "
                f"gp3 {snapshot.gp3_gb_month_usd or '-'} USD/GB-month, "
                f"published {snapshot.publication_date}"
            )
