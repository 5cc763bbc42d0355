"""The price catalogue: reading the AWS Price List Bulk API CSV for EC2.

AWS publishes one CSV per region (`.../offers/v1.0/aws/AmazonEC2/current/<region>/index.csv`):
five metadata lines (FormatVersion, Disclaimer, Publication Date, Version, OfferCode),
then a header row, then one row per price term of a product. We keep, per region:
  1. on-demand and reserved (standard, no upfront, 1 and 3 years) hourly prices of
     compute instances with shared tenancy, no pre-installed software and used capacity,
     for Linux and Windows (licence included, or bring your own);
  2. the EBS gp3 storage price per GB-month.
The whole file is read and checked before anything is written; then, in one transaction,
the catalogue of each region the file covers is replaced, whatever the file's date.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from workmate.advisor.models import InstancePrice, License, OsFamily, PriceSnapshot, PriceTerm

SNAPSHOT = Path(__file__).parent / "data" / "aws-ec2-ap-northeast-2.csv"
SNAPSHOT_SOURCE = (
    "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/"
    "ap-northeast-2/index.csv (trimmed extract shipped with Workmate)"
)

METADATA = ["FormatVersion", "Disclaimer", "Publication Date", "Version", "OfferCode"]
REQUIRED_COLUMNS = [
    "SKU",
    "TermType",
    "Unit",
    "PricePerUnit",
    "LeaseContractLength",
    "PurchaseOption",
    "Instance Type",
    "vCPU",
    "Memory",
    "Tenancy",
    "Operating System",
    "License Model",
    "Pre Installed S/W",
    "CapacityStatus",
    "Region Code",
]
_OS = {"Linux": OsFamily.LINUX, "Windows": OsFamily.WINDOWS}
_LICENSE = {"No License required": License.INCLUDED, "Bring your own license": License.BYOL}
_LEASE = {"1yr": PriceTerm.RESERVED_1Y, "3yr": PriceTerm.RESERVED_3Y}
_MEMORY = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*GiB\s*$")


class PriceFileError(ValueError):
    """The file is not an AWS EC2 price list CSV; nothing was written."""


@dataclass
class RegionPrices:
    region: str
    instances: dict[tuple[str, str, str, str], dict] = field(default_factory=dict)
    gp3: Decimal | None = None


@dataclass
class PriceFile:
    publication_date: datetime.date
    version: str
    regions: dict[str, RegionPrices]


def _memory_mib(text: str) -> int | None:
    match = _MEMORY.match(text.replace(",", ""))
    if not match:
        return None
    return int(Decimal(match.group(1)) * 1024)


def parse(stream: IO[str]) -> PriceFile:
    """Read an AWS EC2 price list CSV; raise PriceFileError saying what was expected."""
    reader = csv.reader(stream)
    meta: dict[str, str] = {}
    for expected in METADATA:
        try:
            line = next(reader)
        except StopIteration:
            line = []
        except csv.Error as exc:
            raise PriceFileError(_("Not a CSV file: %(error)s") % {"error": exc}) from None
        if len(line) < 2 or line[0].strip().lstrip("\ufeff") != expected:
            raise PriceFileError(
                _(
                    "Not an AWS Price List CSV: expected the metadata line “%(name)s” first "
                    "(FormatVersion, Disclaimer, Publication Date, Version, OfferCode, then "
                    "the header row)."
                )
                % {"name": expected}
            )
        meta[expected] = line[1].strip()
    if meta["OfferCode"] != "AmazonEC2":
        raise PriceFileError(
            _("This price list is for %(code)s; expected AmazonEC2.") % {"code": meta["OfferCode"]}
        )
    try:
        published = datetime.date.fromisoformat(meta["Publication Date"][:10])
    except ValueError:
        raise PriceFileError(
            _("The publication date “%(date)s” is not a date.") % {"date": meta["Publication Date"]}
        ) from None
    header = next(reader, None) or []
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise PriceFileError(
            _("The header row lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    col = {name: header.index(name) for name in header}
    family_col = col.get("Product Family")
    volume_col = col.get("Volume API Name")
    class_col = col.get("OfferingClass")
    regions: dict[str, RegionPrices] = {}

    for number, row in enumerate(reader, start=7):
        if len(row) < len(header):
            continue
        region = row[col["Region Code"]].strip()
        if not region:
            continue
        term_type = row[col["TermType"]]
        unit = row[col["Unit"]]
        try:
            price = Decimal(row[col["PricePerUnit"]])
        except InvalidOperation:
            raise PriceFileError(
                _("Line %(line)s: the price “%(price)s” is not a number.")
                % {"line": number, "price": row[col["PricePerUnit"]]}
            ) from None
        prices = regions.get(region) or regions.setdefault(region, RegionPrices(region))
        if (
            volume_col is not None
            and row[volume_col] == "gp3"
            and unit == "GB-Mo"
            and term_type == "OnDemand"
            and (family_col is None or row[family_col] == "Storage")
        ):
            prices.gp3 = price
            continue
        instance_type = row[col["Instance Type"]]
        if (
            not instance_type
            or unit != "Hrs"
            or (family_col is not None and row[family_col] != "Compute Instance")
            or row[col["Tenancy"]] != "Shared"
            or row[col["Pre Installed S/W"]] not in {"NA", ""}
            or row[col["CapacityStatus"]] not in {"Used", ""}
        ):
            continue
        os = _OS.get(row[col["Operating System"]])
        license = _LICENSE.get(row[col["License Model"]])
        if os is None or license is None:
            continue
        if term_type == "OnDemand":
            term = PriceTerm.ON_DEMAND
        elif term_type == "Reserved":
            if row[col["PurchaseOption"]] != "No Upfront":
                continue
            if class_col is not None and row[class_col] not in {"standard", ""}:
                continue
            term = _LEASE.get(row[col["LeaseContractLength"]])
            if term is None:
                continue
        else:
            continue
        memory = _memory_mib(row[col["Memory"]])
        try:
            vcpu = int(row[col["vCPU"]])
        except ValueError:
            vcpu = 0
        if memory is None or vcpu < 1:
            raise PriceFileError(
                _("Line %(line)s: %(type)s has no vCPU count or memory in GiB.")
                % {"line": number, "type": instance_type}
            )
        family = instance_type.split(".", 1)[0]
        prices.instances[(instance_type, os, license, term)] = {
            "instance_type": instance_type,
            "family": family,
            "vcpu": vcpu,
            "memory_mib": memory,
            "os": os,
            "license": license,
            "term": term,
            "hourly_usd": price,
            "is_burstable": family.startswith("t"),
        }
    regions = {code: prices for code, prices in regions.items() if prices.instances or prices.gp3}
    if not regions:
        raise PriceFileError(_("The file holds no EC2 instance or gp3 prices."))
    return PriceFile(published, meta["Version"], regions)


def load(stream: IO[str], source: str) -> list[PriceSnapshot]:
    """Parse, then replace the catalogue of each region the file covers (one transaction)."""
    parsed = parse(stream)
    snapshots = []
    with transaction.atomic():
        PriceSnapshot.objects.filter(region__in=parsed.regions).delete()
        for code, prices in sorted(parsed.regions.items()):
            snapshot = PriceSnapshot.objects.create(
                region=code,
                publication_date=parsed.publication_date,
                version=parsed.version,
                source=source[:500],
                gp3_gb_month_usd=prices.gp3,
            )
            InstancePrice.objects.bulk_create(
                [InstancePrice(snapshot=snapshot, **item) for item in prices.instances.values()],
                batch_size=1000,
            )
            snapshots.append(snapshot)
    return snapshots


def load_path(path: Path | str, source: str = "") -> list[PriceSnapshot]:
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PriceFileError(_("Not a UTF-8 text file.")) from None
    return load(io.StringIO(text, newline=""), source or path.name)


def load_snapshot() -> list[PriceSnapshot]:
    """The shipped Seoul snapshot (demo data and tests)."""
    return load_path(SNAPSHOT, SNAPSHOT_SOURCE)
