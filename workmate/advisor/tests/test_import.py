"""Inventory import: three formats, preview, refusals by row, one transaction, re-import."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from workmate.advisor import inventory, samples, services
from workmate.advisor.models import EventKind, ImportStatus, Workload
from workmate.testing.factories import make_price_table

pytestmark = pytest.mark.django_db

MACHINES = [
    {
        "vm_name": "web01",
        "vcenter": "vc1",
        "powerstate": "on",
        "cpus": 4,
        "memory_mib": 8192,
        "provisioned_mib": 204800,
        "in_use_mib": 102400,
        "os": "Ubuntu Linux (64-bit)",
        "partitions": [30720, 10240],
    },
    {
        "vm_name": "db01",
        "vcenter": "vc1",
        "powerstate": "on",
        "cpus": 8,
        "memory_mib": 32768,
        "provisioned_mib": 512000,
        "in_use_mib": 307200,
        "os": "Microsoft Windows Server 2019 (64-bit)",
    },
    {
        "vm_name": "old01",
        "vcenter": "vc1",
        "powerstate": "off",
        "cpus": 1,
        "memory_mib": 2048,
        "in_use_mib": 10240,
        "os": "CentOS 7 (64-bit)",
    },
    {
        "vm_name": "tpl-rhel",
        "vcenter": "vc1",
        "powerstate": "off",
        "is_template": True,
        "cpus": 2,
        "memory_mib": 4096,
        "in_use_mib": 8192,
        "os": "Red Hat Enterprise Linux 8 (64-bit)",
    },
    {
        "vm_name": "mystery",
        "vcenter": "vc1",
        "powerstate": "on",
        "cpus": 2,
        "memory_mib": 4096,
        "in_use_mib": 8192,
        "os": "Other (64-bit)",
    },
]


def do_import(actor, assessment, files, capture):
    with capture(execute=True):
        run = services.do_start_import(actor, assessment, files)
    run.refresh_from_db()
    if run.status == ImportStatus.PREVIEW:
        with capture(execute=True):
            services.do_confirm_import(actor, run)
        run.refresh_from_db()
    return run


def results(assessment):
    return {
        w.vm_name: (
            w.vcenter,
            w.powerstate,
            w.is_template,
            w.cpus,
            w.memory_mib,
            w.os_name,
            w.storage_gb,
            w.readiness,
            w.verdict,
            w.instance_type,
            w.monthly_compute_usd,
        )
        for w in assessment.workloads.all()
    }


FORMATS = {
    "xlsx": lambda ms: [("RVTools.xlsx", samples.rvtools_xlsx(ms))],
    "csv-sheet-names": lambda ms: samples.rvtools_csvs(ms),
    "csv-prefixed": lambda ms: samples.rvtools_csvs(ms, prefixed=True),
    "template": lambda ms: [("inventory.csv", samples.template_csv(ms))],
}


def test_all_formats_give_the_same_workloads(
    architect, customer_a, django_capture_on_commit_callbacks
):
    from workmate.testing.factories import make_assessment

    make_price_table()
    got = {}
    for name, build in FORMATS.items():
        assessment = make_assessment(customer=customer_a, architect=architect, name=name)
        run = do_import(architect, assessment, build(MACHINES), django_capture_on_commit_callbacks)
        assert run.status == ImportStatus.DONE, (name, run.error)
        assert run.rows_created == 5
        got[name] = results(assessment)
    first = got["xlsx"]
    assert first["web01"][6] == 40  # storage from the vPartition rows: 40 GiB
    assert first["tpl-rhel"][7] == "excluded"
    assert first["mystery"][7] == "unknown"
    assert first["old01"][8] == "retire"
    for name, value in got.items():
        assert value == first, name


def test_preview_says_what_will_be_read_before_anything_is_written(
    architect, assessment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.do_start_import(
            architect, assessment, [("RVTools.xlsx", samples.rvtools_xlsx(MACHINES))]
        )
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEW
    assert run.format == "rvtools_xlsx"
    assert run.preview["rows"] == 5
    assert run.preview["new"] == 5
    assert run.preview["first"][0]["vm_name"] == "web01"
    assert run.preview["first"][0]["row"] == 2
    assert not Workload.objects.exists()


def test_reimport_updates_by_vm_name_and_vcenter_and_keeps_edits(
    architect, assessment, django_capture_on_commit_callbacks
):
    files = [("RVTools.xlsx", samples.rvtools_xlsx(MACHINES))]
    do_import(architect, assessment, files, django_capture_on_commit_callbacks)
    web = assessment.workloads.get(vm_name="web01")
    services.do_edit_workloads(architect, assessment, [web.pk], {"business_value": "high"})
    before = results(assessment)
    changed = [dict(m) for m in MACHINES]
    changed[0]["cpus"] = 6
    run = do_import(
        architect,
        assessment,
        [("RVTools.xlsx", samples.rvtools_xlsx(changed))],
        django_capture_on_commit_callbacks,
    )
    assert (run.rows_created, run.rows_updated) == (0, 5)
    assert assessment.workloads.count() == 5
    web.refresh_from_db()
    assert web.cpus == 6
    assert web.business_value == "high"  # not in RVTools: the edit stays
    # The same file twice changes nothing.
    do_import(
        architect,
        assessment,
        [("RVTools.xlsx", samples.rvtools_xlsx(changed))],
        django_capture_on_commit_callbacks,
    )
    after = results(assessment)
    assert assessment.workloads.count() == 5
    assert after["db01"] == before["db01"]
    # Another vCenter with the same VM name is another workload.
    other = [dict(MACHINES[0], vcenter="vc2")]
    do_import(
        architect, assessment, samples.rvtools_csvs(other), django_capture_on_commit_callbacks
    )
    assert assessment.workloads.filter(vm_name="web01").count() == 2


def test_bad_rows_are_refused_by_row_number_and_the_rest_imported(
    architect, assessment, django_capture_on_commit_callbacks
):
    header = ",".join(inventory.TEMPLATE_HEADER)
    blank = "," * (len(inventory.TEMPLATE_HEADER) - 3)
    lines = [
        header,
        "ok1,,,,2,4096" + blank,
        "nocpu,,,,,4096" + blank,
        "textcpu,,,,two,4096" + blank,
        "negative,,,,2,-5" + blank,
        "ok2,,,,2,4096" + blank,
    ]
    pct = ["x"] * len(inventory.TEMPLATE_HEADER)
    pct = dict(zip(inventory.TEMPLATE_HEADER, ["" for _ in pct], strict=True))
    for name, extra in [
        ("overpct", {"cpu_p95_pct": "101"}),
        ("badsector", {"sector": "banking"}),
        ("badclass", {"data_classes": "personal;secret"}),
    ]:
        row = dict(pct, vm_name=name, cpus="2", memory_mib="4096", **extra)
        lines.append(",".join(row[h] for h in inventory.TEMPLATE_HEADER))
    lines.append("ok1,,,,4,4096" + blank)
    data = ("\n".join(lines) + "\n").encode()
    run = do_import(architect, assessment, [("inv.csv", data)], django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.DONE
    assert sorted(assessment.workloads.values_list("vm_name", flat=True)) == ["ok1", "ok2"]
    refused = {r["row"]: r["reason"] for r in run.refusals}
    assert refused == {
        3: "cpus is missing.",
        4: "cpus “two” is not a number.",
        5: "memory_mib is negative (-5).",
        7: "cpu_p95_pct is 101 %, over 100 %.",
        8: "Unknown sector “banking” (expected one of: finance, gaming, healthcare, "
        "manufacturing, media, other, public, retail).",
        9: "Unknown data class “secret” (expected: personal, credit, unique_id, medical, "
        "public_only).",
        10: "The same VM appears on row 2.",
    }
    assert all(r["file"] == "inv.csv" for r in run.refusals)


def test_a_file_of_another_kind_is_refused_with_what_was_expected(
    architect, assessment, django_capture_on_commit_callbacks
):
    run = do_import(
        architect,
        assessment,
        [("notes.csv", b"name,size\nfoo,3\n")],
        django_capture_on_commit_callbacks,
    )
    assert run.status == ImportStatus.REFUSED
    assert "neither an RVTools export nor the template" in run.error
    assert "vm_name" in run.error
    assert not Workload.objects.exists()
    assert assessment.events.filter(kind=EventKind.IMPORT_FAILED).exists()


def test_a_workbook_without_vinfo_is_refused(
    architect, assessment, django_capture_on_commit_callbacks
):
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Sheet1"
    out = io.BytesIO()
    book.save(out)
    run = do_import(
        architect, assessment, [("x.xlsx", out.getvalue())], django_capture_on_commit_callbacks
    )
    assert run.status == ImportStatus.REFUSED
    assert "vInfo" in run.error


def test_garbage_named_xlsx_is_refused(architect, assessment, django_capture_on_commit_callbacks):
    run = do_import(
        architect, assessment, [("x.xlsx", b"not a zip")], django_capture_on_commit_callbacks
    )
    assert run.status == ImportStatus.REFUSED


def test_the_import_is_one_transaction(
    architect, assessment, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.do_start_import(
            architect, assessment, [("RVTools.xlsx", samples.rvtools_xlsx(MACHINES))]
        )
    original = services.record

    def fail(*args, **kwargs):
        if kwargs.get("created") is not None:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "record", fail)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_confirm_import(architect, run)
    assert not Workload.objects.exists()
    run.refresh_from_db()
    assert run.status == ImportStatus.REFUSED
    assert "nothing of it was written" in run.error


def test_template_download_has_the_exact_header():
    text = inventory.template_csv()
    assert text.splitlines()[0] == (
        "vm_name,vcenter,powerstate,is_template,cpus,memory_mib,provisioned_mib,in_use_mib,os,"
        "cpu_p95_pct,mem_p95_pct,cpu_avg_pct,mem_avg_pct,perf_days,environment,business_value,"
        "db_engine,license,sector,data_classes,csap_tier,target_region,dr_region"
    )
    parsed = inventory.read([inventory.Upload("t.csv", text.encode())])
    assert parsed.refusals == []
    assert [r["vm_name"] for r in parsed.records] == ["web01", "db01"]
    assert parsed.records[1]["data_classes"] == ["credit", "unique_id"]


def test_only_editors_import(bob, assessment, alice):
    with pytest.raises(Exception) as info:
        services.do_start_import(alice, assessment, [("a.csv", b"vm_name,cpus,memory_mib\n")])
    assert info.type.__name__ == "PermissionDenied"


def test_second_confirmation_is_refused(architect, assessment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.do_start_import(
            architect, assessment, [("t.csv", inventory.template_csv().encode())]
        )
    run.refresh_from_db()
    services.do_confirm_import(architect, run)
    with pytest.raises(ValidationError):
        services.do_confirm_import(architect, run)
