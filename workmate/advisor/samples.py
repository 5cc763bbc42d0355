"""Inventory files in the three formats, built from one list of machines.

Used by the tests (the three formats must give the same workloads), the benchmark
(20,000 VMs) and the demo data. A machine is a dict with the template's field names.
"""

from __future__ import annotations

import csv
import io
import random
from typing import Any

from workmate.advisor.inventory import TEMPLATE_HEADER

VINFO_SHEET = [
    "VM",
    "Powerstate",
    "Template",
    "SRM Placeholder",
    "CPUs",
    "Memory",
    "Provisioned MiB",
    "In Use MiB",
    "OS according to the configuration file",
    "OS according to the VMware Tools",
    "Datacenter",
    "Cluster",
    "Host",
    "VI SDK Server",
]
VINFO_PREFIXED = [
    "vInfoVMName",
    "vInfoPowerstate",
    "vInfoTemplate",
    "vInfoSRMPlaceHolder",
    "vInfoCPUs",
    "vInfoMemory",
    "vInfoProvisioned",
    "vInfoInUse",
    "vInfoOS",
    "vInfoOSTools",
    "vInfoDataCenter",
    "vInfoCluster",
    "vInfoHost",
    "vInfoVISDKServer",
]
VPARTITION_SHEET = ["VM", "Disk", "Capacity MiB", "Consumed MiB", "Free MiB", "VI SDK Server"]
VPARTITION_PREFIXED = [
    "vPartitionVMName",
    "vPartitionDisk",
    "vPartitionCapacityMiB",
    "vPartitionConsumedMiB",
    "vPartitionFreeMiB",
    "vPartitionVISDKServer",
]
_POWER = {"on": "poweredOn", "off": "poweredOff", "suspended": "suspended", "": ""}


def machines(count: int, seed: int = 14, vcenter: str = "vc01.corp.local") -> list[dict]:
    """`count` plausible VMs: a mix of Linux and Windows, sizes, a few templates."""
    rng = random.Random(seed)
    oses = [
        "Ubuntu Linux (64-bit)",
        "Red Hat Enterprise Linux 8 (64-bit)",
        "Microsoft Windows Server 2019 (64-bit)",
        "Microsoft Windows Server 2012 R2 (64-bit)",
        "CentOS 7 (64-bit)",
        "Other (64-bit)",
    ]
    out = []
    for i in range(count):
        cpus = rng.choice([1, 2, 2, 4, 4, 8, 16])
        memory = cpus * rng.choice([2048, 4096, 8192])
        in_use = rng.randint(20, 400) * 1024
        out.append(
            {
                "vm_name": f"vm-{i:05d}",
                "vcenter": vcenter,
                "powerstate": "off" if i % 23 == 0 else "on",
                "is_template": i % 97 == 0,
                "cpus": cpus,
                "memory_mib": memory,
                "provisioned_mib": in_use * 2,
                "in_use_mib": in_use,
                "os": oses[rng.randrange(len(oses))] if i % 50 else oses[-1],
                "partitions": [in_use // 2, in_use // 4] if i % 3 == 0 else [],
            }
        )
    return out


def _vinfo_row(m: dict) -> list[Any]:
    return [
        m["vm_name"],
        _POWER[m.get("powerstate", "")],
        m.get("is_template", False),
        False,
        m["cpus"],
        m["memory_mib"],
        m.get("provisioned_mib"),
        m.get("in_use_mib"),
        m.get("os_config", m.get("os", "")),
        m.get("os", ""),
        "DC1",
        "Cluster1",
        "esx01.corp.local",
        m.get("vcenter", ""),
    ]


def _partition_rows(m: dict) -> list[list[Any]]:
    return [
        [m["vm_name"], f"/dev/sd{chr(97 + i)}", used * 2, used, used, m.get("vcenter", "")]
        for i, used in enumerate(m.get("partitions", []))
    ]


def rvtools_xlsx(ms: list[dict], partitions: bool = True) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    vinfo = book.create_sheet("vInfo")
    vinfo.append(VINFO_SHEET)
    for m in ms:
        vinfo.append(_vinfo_row(m))
    if partitions:
        sheet = book.create_sheet("vPartition")
        sheet.append(VPARTITION_SHEET)
        for m in ms:
            for row in _partition_rows(m):
                sheet.append(row)
    host = book.create_sheet("vHost")
    host.append(["Host", "Datacenter", "Cluster", "# CPU", "# Memory", "# VMs"])
    host.append(["esx01.corp.local", "DC1", "Cluster1", 64, 1048576, len(ms)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else str(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def rvtools_csvs(ms: list[dict], prefixed: bool = False) -> list[tuple[str, bytes]]:
    """RVTools_tabvInfo.csv and RVTools_tabvPartition.csv in one header style."""
    vinfo = _csv(VINFO_PREFIXED if prefixed else VINFO_SHEET, [_vinfo_row(m) for m in ms])
    parts = _csv(
        VPARTITION_PREFIXED if prefixed else VPARTITION_SHEET,
        [row for m in ms for row in _partition_rows(m)],
    )
    return [("RVTools_tabvInfo.csv", vinfo), ("RVTools_tabvPartition.csv", parts)]


def template_csv(ms: list[dict]) -> bytes:
    rows = []
    for m in ms:
        values = dict(m)
        values["powerstate"] = _POWER[m.get("powerstate", "")]
        values["is_template"] = "true" if m.get("is_template") else "false"
        if m.get("partitions"):
            # The template has no partitions: the used space is their sum.
            values["in_use_mib"] = sum(m["partitions"])
        values["data_classes"] = ";".join(m.get("data_classes", []))
        rows.append([values.get(name, "") for name in TEMPLATE_HEADER])
    return _csv(TEMPLATE_HEADER, rows)
