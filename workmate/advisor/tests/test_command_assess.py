from __future__ import annotations

import csv

import pytest
from django.core.management import CommandError, call_command

from workmate.advisor import assess, samples
from workmate.advisor.models import Assessment
from workmate.testing.factories import make_price_table

pytestmark = pytest.mark.django_db

HEADER = [
    "vm_name",
    "readiness",
    "verdict",
    "instance_type",
    "region",
    "monthly_compute_usd",
    "monthly_storage_usd",
    "confidence",
    "rules",
    "findings",
]


@pytest.fixture(autouse=True)
def table():
    make_price_table()


def read(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def test_several_rvtools_csvs_into_a_new_assessment(tmp_path, architect, customer_a):
    customer_a.le_architect = architect
    customer_a.save()
    ms = samples.machines(30)
    paths = []
    for name, data in samples.rvtools_csvs(ms):
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    out = tmp_path / "out.csv"
    call_command(
        "assess",
        *paths,
        "--customer",
        customer_a.name,
        "--name",
        "phase 1",
        "--comfort",
        "1.5",
        "--burstable",
        "--csv",
        str(out),
    )
    rows = read(out)
    assert rows[0] == HEADER == assess.EXPORT_HEADER
    assert len(rows) == 31  # excluded templates too
    assessment = Assessment.objects.get(name="phase 1")
    assert assessment.comfort_factor == 1.5
    assert assessment.burstable_allowed
    assert assessment.architect == architect
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["vm-00000"][1] == "excluded"
    assert {r[1] for r in rows[1:]} <= {"ready", "conditional", "not_ready", "unknown", "excluded"}


def test_template_with_bad_rows_exits_non_zero_listing_them(
    tmp_path, architect, customer_a, capsys
):
    path = tmp_path / "inv.csv"
    path.write_text(
        "vm_name,cpus,memory_mib,sector\nweb,2,4096,retail\nbad,x,4096,\nfin,2,4096,banks\n"
    )
    out = tmp_path / "out.csv"
    with pytest.raises(CommandError, match="2 row"):
        call_command("assess", str(path), "--customer", customer_a.name, "--csv", str(out))
    err = capsys.readouterr().err
    assert "inv.csv row 3: bad: cpus “x” is not a number." in err
    assert "row 4: fin: Unknown sector" in err
    assert [r[0] for r in read(out)[1:]] == ["web"]


def test_re_running_updates_instead_of_duplicating(tmp_path, architect, customer_a):
    path = tmp_path / "inv.csv"
    path.write_bytes(samples.template_csv(samples.machines(5)))
    for _ in range(2):
        call_command(
            "assess",
            str(path),
            "--customer",
            customer_a.name,
            "--name",
            "a",
            "--csv",
            str(tmp_path / "o.csv"),
        )
    assert Assessment.objects.get(name="a").workloads.count() == 5


def test_not_an_inventory_is_refused(tmp_path, architect, customer_a):
    path = tmp_path / "x.csv"
    path.write_text("hello,world\n1,2\n")
    with pytest.raises(CommandError, match="neither an RVTools export nor the template"):
        call_command(
            "assess", str(path), "--customer", customer_a.name, "--csv", str(tmp_path / "o")
        )
    assert not Assessment.objects.exists()


def test_unknown_customer(tmp_path, architect):
    with pytest.raises(CommandError, match="No customer"):
        call_command("assess", "x.csv", "--customer", "Nobody", "--csv", str(tmp_path / "o"))
