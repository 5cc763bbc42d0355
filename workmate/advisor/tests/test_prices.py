from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from workmate.advisor import prices
from workmate.advisor.models import InstancePrice, PriceSnapshot

pytestmark = pytest.mark.django_db

HEADER = (
    '"SKU","TermType","Unit","PricePerUnit","LeaseContractLength","PurchaseOption",'
    '"OfferingClass","Product Family","Instance Type","vCPU","Memory","Tenancy",'
    '"Operating System","License Model","Pre Installed S/W","CapacityStatus","Region Code",'
    '"Volume API Name"'
)


def price_file(tmp_path, rows, date="2026-10-01T00:00:00Z", offer="AmazonEC2", name="p.csv"):
    lines = [
        '"FormatVersion","v1.0"',
        '"Disclaimer","test"',
        f'"Publication Date","{date}"',
        '"Version","1"',
        f'"OfferCode","{offer}"',
        HEADER,
        *rows,
    ]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def compute(sku, term, price, itype="m6i.large", os="Linux", lease="", option="", **kw):
    vals = {
        "tenancy": "Shared",
        "sw": "NA",
        "cap": "Used",
        "region": "ap-northeast-2",
        "license": "No License required",
        "vcpu": "2",
        "mem": "8 GiB",
        "cls": "standard" if term == "Reserved" else "",
    }
    vals.update(kw)
    return (
        f'"{sku}","{term}","Hrs","{price}","{lease}","{option}","{vals["cls"]}",'
        f'"Compute Instance","{itype}","{vals["vcpu"]}","{vals["mem"]}","{vals["tenancy"]}",'
        f'"{os}","{vals["license"]}","{vals["sw"]}","{vals["cap"]}","{vals["region"]}",""'
    )


GP3 = (
    '"S1","OnDemand","GB-Mo","0.0912","","","","Storage","","","","","","","","",'
    '"ap-northeast-2","gp3"'
)


def test_keeps_on_demand_reserved_linux_windows_and_gp3(tmp_path):
    path = price_file(
        tmp_path,
        [
            compute("A", "OnDemand", "0.118"),
            compute("B", "OnDemand", "0.210", os="Windows"),
            compute("C", "Reserved", "0.0743", lease="1yr", option="No Upfront"),
            compute("D", "Reserved", "0.0507", lease="3yr", option="No Upfront"),
            # Left out: other purchase options, convertible, dedicated, SQL, RHEL, unused.
            compute("E", "Reserved", "0.07", lease="1yr", option="Partial Upfront"),
            compute("F", "Reserved", "0.06", lease="1yr", option="No Upfront", cls="convertible"),
            compute("G", "OnDemand", "0.2", tenancy="Dedicated"),
            compute("H", "OnDemand", "0.9", sw="SQL Std"),
            compute("I", "OnDemand", "0.15", os="RHEL"),
            compute("J", "OnDemand", "0.0", cap="UnusedCapacityReservation"),
            GP3,
        ],
    )
    [snapshot] = prices.load_path(path)
    assert snapshot.region == "ap-northeast-2"
    assert snapshot.publication_date == datetime.date(2026, 10, 1)
    assert snapshot.gp3_gb_month_usd == Decimal("0.0912")
    got = {(p.os, p.term): p.hourly_usd for p in InstancePrice.objects.filter(snapshot=snapshot)}
    assert got == {
        ("linux", "on_demand"): Decimal("0.118"),
        ("windows", "on_demand"): Decimal("0.210"),
        ("linux", "reserved_1y"): Decimal("0.0743"),
        ("linux", "reserved_3y"): Decimal("0.0507"),
    }
    price = InstancePrice.objects.get(os="linux", term="on_demand")
    assert (price.vcpu, price.memory_mib, price.family) == (2, 8192, "m6i")


def test_loading_replaces_only_the_regions_the_file_covers(tmp_path):
    prices.load_path(
        price_file(
            tmp_path,
            [compute("A", "OnDemand", "0.1"), compute("B", "OnDemand", "0.2", region="us-east-1")],
        )
    )
    # An older file for Seoul still replaces Seoul; us-east-1 stays.
    prices.load_path(
        price_file(tmp_path, [compute("A", "OnDemand", "0.3")], date="2025-01-01", name="q.csv")
    )
    seoul = PriceSnapshot.objects.get(region="ap-northeast-2")
    assert seoul.publication_date == datetime.date(2025, 1, 1)
    assert [p.hourly_usd for p in seoul.prices.all()] == [Decimal("0.3")]
    assert PriceSnapshot.objects.filter(region="us-east-1").exists()


@pytest.mark.parametrize(
    "content",
    [
        "vm_name,cpus,memory_mib\nweb01,2,4096\n",
        "",
        '"FormatVersion","v1.0"\n"Disclaimer","x"\n"Publication Date","2026-01-01"\n'
        '"Version","1"\n"OfferCode","AmazonS3"\n' + HEADER + "\n",
        '"FormatVersion","v1.0"\n"Disclaimer","x"\n"Publication Date","2026-01-01"\n'
        '"Version","1"\n"OfferCode","AmazonEC2"\n"SKU","Unit"\n',
    ],
)
def test_other_formats_are_refused_without_touching_the_catalogue(tmp_path, content):
    prices.load_snapshot()
    before = InstancePrice.objects.count()
    path = tmp_path / "other.csv"
    path.write_text(content)
    with pytest.raises(CommandError, match="not changed"):
        call_command("load_prices", str(path))
    assert InstancePrice.objects.count() == before
    assert PriceSnapshot.objects.get().publication_date == datetime.date(2026, 11, 1)


def test_command_loads_the_shipped_snapshot(capsys):
    call_command("load_prices", str(prices.SNAPSHOT))
    snapshot = PriceSnapshot.objects.get(region="ap-northeast-2")
    assert snapshot.gp3_gb_month_usd == Decimal("0.0912")
    # 26 instance types × (Linux, Windows) × (on demand, 1 year, 3 years).
    assert snapshot.prices.count() == 26 * 2 * 3
    assert "ap-northeast-2" in capsys.readouterr().out
