"""Reading an inventory: RVTools .xlsx, RVTools per-tab CSVs, Workmate's CSV template.

`read(files)` recognises the format from the content (sheet names, header rows), reads
every row into the template's field names, and refuses row by row what it cannot take
(missing or non-numeric CPUs or memory, negative numbers, a percent over 100, an unknown
sector or data class, ...), keeping the rest. `apply(run, inventory)` writes the rows
into the assessment in one transaction: a VM already there (same name and vCenter) is
updated, with only the fields the file carries, so what the architect typed on the page
and the file does not hold stays.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from workmate.advisor.models import (
    BusinessValue,
    CsapTier,
    DataClass,
    Environment,
    ImportFormat,
    ImportRun,
    License,
    Powerstate,
    Workload,
)
from workmate.desk.models import Industry

# Workmate's CSV template, in this order (the downloadable file and the README).
TEMPLATE_HEADER = [
    "vm_name",
    "vcenter",
    "powerstate",
    "is_template",
    "cpus",
    "memory_mib",
    "provisioned_mib",
    "in_use_mib",
    "os",
    "cpu_p95_pct",
    "mem_p95_pct",
    "cpu_avg_pct",
    "mem_avg_pct",
    "perf_days",
    "environment",
    "business_value",
    "db_engine",
    "license",
    "sector",
    "data_classes",
    "csap_tier",
    "target_region",
    "dr_region",
]
TEMPLATE_REQUIRED = ["vm_name", "cpus", "memory_mib"]
TEMPLATE_EXAMPLE = [
    "web01,vc01.example.local,poweredOn,false,4,8192,102400,61440,Ubuntu Linux (64-bit),"
    "45,60,20,40,30,prod,high,,included,,personal,,,",
    "db01,vc01.example.local,poweredOn,false,8,32768,512000,307200,"
    "Microsoft Windows Server 2019 (64-bit),70,80,35,65,30,prod,high,SQL Server 2019,byol,"
    "finance,credit;unique_id,,,",
]

# RVTools columns in both header styles seen in the wild → our field names.
VINFO_COLUMNS = {
    "vm_name": ("VM", "vInfoVMName"),
    "powerstate": ("Powerstate", "vInfoPowerstate"),
    "is_template": ("Template", "vInfoTemplate"),
    "is_srm_placeholder": ("SRM Placeholder", "vInfoSRMPlaceHolder"),
    "cpus": ("CPUs", "vInfoCPUs"),
    "memory_mib": ("Memory", "vInfoMemory"),
    "provisioned_mib": ("Provisioned MiB", "vInfoProvisioned"),
    "in_use_mib": ("In Use MiB", "vInfoInUse"),
    "os_config": ("OS according to the configuration file", "vInfoOS"),
    "os_tools": ("OS according to the VMware Tools", "vInfoOSTools"),
    "datacenter": ("Datacenter", "vInfoDataCenter"),
    "cluster": ("Cluster", "vInfoCluster"),
    "host": ("Host", "vInfoHost"),
    "vcenter": ("VI SDK Server", "vInfoVISDKServer"),
}
VPARTITION_COLUMNS = {
    "vm_name": ("VM", "vPartitionVMName"),
    "consumed_mib": ("Consumed MiB", "vPartitionConsumedMiB"),
    "vcenter": ("VI SDK Server", "vPartitionVISDKServer"),
}
VCPU_COLUMNS = {
    "vm_name": ("VM", "vCPUVMName"),
    "cpus": ("CPUs", "vCPUCPUs"),
    "vcenter": ("VI SDK Server", "vCPUVISDKServer"),
}
VMEMORY_COLUMNS = {
    "vm_name": ("VM", "vMemoryVMName"),
    "memory_mib": ("Size MiB", "vMemorySizeMiB"),
    "vcenter": ("VI SDK Server", "vMemoryVISDKServer"),
}
# The fields an RVTools import sets; the template's other fields stay as they are.
RVTOOLS_FIELDS = [f for f in VINFO_COLUMNS if f not in {"vm_name", "vcenter"}] + [
    "partition_consumed_mib"
]

_POWER = {
    "poweredon": Powerstate.ON,
    "on": Powerstate.ON,
    "poweredoff": Powerstate.OFF,
    "off": Powerstate.OFF,
    "suspended": Powerstate.SUSPENDED,
}
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n", ""}
_CHOICES = {
    "environment": set(Environment.values),
    "business_value": set(BusinessValue.values),
    "license": set(License.values),
    "sector": set(Industry.values),
    "csap_tier": set(CsapTier.values),
}
MAX_NAME = 255


class InventoryError(ValueError):
    """The files are not an inventory Workmate reads; says what was expected."""


class RowRefused(ValueError):
    pass


@dataclass
class Upload:
    name: str
    data: bytes


@dataclass
class Inventory:
    format: str
    records: list[dict[str, Any]] = field(default_factory=list)
    refusals: list[dict[str, Any]] = field(default_factory=list)
    # The workload fields the files carry (a re-import updates only these).
    fields: list[str] = field(default_factory=list)

    def refuse(self, file: str, row: int, vm_name: str, reason: str) -> None:
        self.refusals.append({"file": file, "row": row, "vm_name": vm_name, "reason": reason})


# --- Cell readers ------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _int(value: Any, label: str, required: bool = False) -> int | None:
    text = _text(value).replace(",", "")
    if not text:
        if required:
            raise RowRefused(_("%(field)s is missing.") % {"field": label})
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise RowRefused(
            _("%(field)s “%(value)s” is not a number.") % {"field": label, "value": text[:40]}
        ) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise RowRefused(
            _("%(field)s “%(value)s” is not a whole number.") % {"field": label, "value": text}
        )
    if number < 0:
        raise RowRefused(_("%(field)s is negative (%(value)s).") % {"field": label, "value": text})
    if number > 2**53:
        raise RowRefused(_("%(field)s is too large.") % {"field": label})
    return int(number)


def _percent(value: Any, label: str) -> Decimal | None:
    text = _text(value).rstrip("%").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise RowRefused(
            _("%(field)s “%(value)s” is not a number.") % {"field": label, "value": text[:40]}
        ) from None
    if not number.is_finite():
        raise RowRefused(_("%(field)s is not a number.") % {"field": label})
    if number < 0:
        raise RowRefused(_("%(field)s is negative (%(value)s).") % {"field": label, "value": text})
    if number > 100:
        raise RowRefused(
            _("%(field)s is %(value)s %%, over 100 %%.") % {"field": label, "value": text}
        )
    return number.quantize(Decimal("0.01"))


def _bool(value: Any, label: str) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowRefused(
        _("%(field)s “%(value)s” is not true or false.") % {"field": label, "value": text[:40]}
    )


def _power(value: Any) -> str:
    text = _text(value)
    if not text:
        return ""
    power = _POWER.get(text.lower())
    if power is None:
        raise RowRefused(_("Unknown power state “%(value)s”.") % {"value": text[:40]})
    return power


def _name(value: Any, label: str, required: bool = False) -> str:
    text = _text(value)
    if required and not text:
        raise RowRefused(_("%(field)s is missing.") % {"field": label})
    if len(text) > MAX_NAME:
        raise RowRefused(_("%(field)s is longer than 255 characters.") % {"field": label})
    if any(ord(ch) < 32 for ch in text):
        raise RowRefused(_("%(field)s holds control characters.") % {"field": label})
    return text


def _choice(value: Any, name: str) -> str:
    text = _text(value).lower()
    if text and text not in _CHOICES[name]:
        allowed = ", ".join(sorted(_CHOICES[name]))
        raise RowRefused(
            _("Unknown %(field)s “%(value)s” (expected one of: %(allowed)s).")
            % {"field": name, "value": text[:40], "allowed": allowed}
        )
    return text


def _data_classes(value: Any) -> list[str]:
    classes = []
    for part in _text(value).split(";"):
        item = part.strip().lower()
        if not item:
            continue
        if item not in DataClass.values:
            raise RowRefused(
                _("Unknown data class “%(value)s” (expected: %(allowed)s).")
                % {"value": item[:40], "allowed": ", ".join(DataClass.values)}
            )
        if item not in classes:
            classes.append(item)
    return classes


def _region(value: Any, label: str) -> str:
    text = _text(value).lower()
    if text and not all(part.isalnum() for part in text.split("-")):
        raise RowRefused(
            _("%(field)s “%(value)s” is not an AWS region code such as ap-northeast-2.")
            % {"field": label, "value": text[:40]}
        )
    if len(text) > 32:
        raise RowRefused(_("%(field)s is too long.") % {"field": label})
    return text


# --- Tables from files -------------------------------------------------------------------


@dataclass
class Table:
    file: str
    sheet: str
    header: list[str]
    rows: Iterable[tuple[int, list[Any]]]  # (row number as the user sees it, cells)


def _csv_rows(upload: Upload) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    try:
        text = upload.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = upload.data.decode("cp949")  # Korean Windows exports
        except UnicodeDecodeError:
            raise InventoryError(
                _("%(file)s is not a text file in UTF-8.") % {"file": upload.name}
            ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise InventoryError(f"{upload.name}: {exc}") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, row in enumerate(reader, start=2):
                if any(cell.strip() for cell in row):
                    yield number, row
        except csv.Error as exc:
            raise InventoryError(f"{upload.name}: {exc}") from None

    return header, rows()


def _xlsx_tables(upload: Upload) -> dict[str, Table]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(upload.data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InventoryError(
            _("%(file)s is not an Excel workbook (%(error)s).")
            % {"file": upload.name, "error": exc}
        ) from None
    tables = {}
    for sheet in ("vInfo", "vPartition", "vCPU", "vMemory", "vHost"):
        if sheet not in book.sheetnames:
            continue
        rows = book[sheet].iter_rows(values_only=True)
        header = [_text(h) for h in next(rows, ())]

        def numbered(rows=rows) -> Iterator[tuple[int, list[Any]]]:
            for number, row in enumerate(rows, start=2):
                if any(cell not in (None, "") for cell in row):
                    yield number, list(row)

        tables[sheet] = Table(upload.name, sheet, header, numbered())
    if "vInfo" not in tables:
        raise InventoryError(
            _(
                "%(file)s is a workbook without a vInfo sheet: expected an RVTools export "
                "(sheets vInfo and, when present, vPartition, vCPU, vMemory, vHost)."
            )
            % {"file": upload.name}
        )
    return tables


def _kind(header: list[str]) -> str:
    """Which table a CSV header belongs to: template, vInfo, vPartition, vCPU, vMemory,
    vHost, or ''."""
    names = set(header)
    if "vm_name" in names:
        return "template"
    if {"vInfoVMName", "vInfoCPUs"} <= names or {"VM", "CPUs", "Memory", "Powerstate"} <= names:
        return "vInfo"
    if "vPartitionConsumedMiB" in names or {"VM", "Consumed MiB"} <= names:
        return "vPartition"
    if "vCPUCPUs" in names or {"VM", "CPUs", "Max", "Overall"} <= names:
        return "vCPU"
    if "vMemorySizeMiB" in names or {"VM", "Size MiB"} <= names:
        return "vMemory"
    if any(h.startswith("vHost") for h in names) or {"Host", "# VMs"} <= names:
        return "vHost"
    return ""


def expected_formats() -> str:
    return _(
        "Expected an RVTools export (.xlsx with a vInfo sheet), RVTools per-tab CSV files "
        "(RVTools_tabvInfo.csv, with the header “VM, Powerstate, CPUs, Memory, …” or "
        "“vInfoVMName, vInfoCPUs, …”), or Workmate's CSV template (header starting with "
        "vm_name; required columns vm_name, cpus, memory_mib)."
    )


def read(uploads: list[Upload]) -> Inventory:
    """Read uploaded files into an Inventory, or raise InventoryError."""
    if not uploads:
        raise InventoryError(expected_formats())
    if any(u.name.lower().endswith((".xlsx", ".xlsm")) for u in uploads):
        if len(uploads) != 1:
            raise InventoryError(_("Send one RVTools workbook at a time."))
        return _read_rvtools(_xlsx_tables(uploads[0]), ImportFormat.RVTOOLS_XLSX)
    tables: dict[str, Table] = {}
    template: Table | None = None
    for upload in uploads:
        if upload.data[:2] == b"PK":
            raise InventoryError(
                _("%(file)s is a workbook: give it the .xlsx extension.") % {"file": upload.name}
            )
        header, rows = _csv_rows(upload)
        kind = _kind(header)
        if not kind:
            raise InventoryError(
                _("%(file)s is neither an RVTools export nor the template. %(expected)s")
                % {"file": upload.name, "expected": expected_formats()}
            )
        table = Table(upload.name, kind, header, rows)
        if kind == "template":
            template = table
        elif kind in tables:
            raise InventoryError(
                _("Two files hold the %(sheet)s tab: %(a)s and %(b)s.")
                % {"sheet": kind, "a": tables[kind].file, "b": upload.name}
            )
        else:
            tables[kind] = table
    if template is not None:
        if tables or len(uploads) > 1:
            raise InventoryError(_("Send the template alone, not with RVTools files."))
        return _read_template(template)
    if "vInfo" not in tables:
        raise InventoryError(
            _("RVTools CSV files need the vInfo tab (RVTools_tabvInfo.csv) among them.")
        )
    return _read_rvtools(tables, ImportFormat.RVTOOLS_CSV)


def _columns(table: Table, spec: dict[str, tuple[str, str]], required: list[str]) -> dict[str, int]:
    """Field → column index, from whichever header style the table uses."""
    found: dict[str, int] = {}
    for name, candidates in spec.items():
        for candidate in candidates:
            if candidate in table.header:
                found[name] = table.header.index(candidate)
                break
    missing = [spec[name][0] for name in required if name not in found]
    if missing:
        raise InventoryError(
            _("%(file)s (%(sheet)s) lacks the columns: %(columns)s.")
            % {"file": table.file, "sheet": table.sheet, "columns": ", ".join(missing)}
        )
    return found


def _cell(row: list[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    return row[index]


def _key(name: str, vcenter: str) -> tuple[str, str]:
    return name, vcenter


def _read_rvtools(tables: dict[str, Table], format: str) -> Inventory:
    inventory = Inventory(format=format, fields=list(RVTOOLS_FIELDS))
    vinfo = tables["vInfo"]
    cols = _columns(vinfo, VINFO_COLUMNS, ["vm_name", "cpus", "memory_mib"])
    # vCPU / vMemory fill CPUs and memory a vInfo row lacks; vPartition gives disk use.
    extra: dict[str, dict[tuple[str, str], Any]] = {"cpus": {}, "memory_mib": {}}
    for sheet, spec, fname in (
        ("vCPU", VCPU_COLUMNS, "cpus"),
        ("vMemory", VMEMORY_COLUMNS, "memory_mib"),
    ):
        if sheet not in tables:
            continue
        table = tables[sheet]
        c = _columns(table, spec, ["vm_name", fname])
        for _number, row in table.rows:
            name = _text(_cell(row, c["vm_name"]))
            extra[fname][_key(name, _text(_cell(row, c.get("vcenter"))))] = _cell(row, c[fname])
    partitions: dict[tuple[str, str], int] = {}
    if "vPartition" in tables:
        table = tables["vPartition"]
        c = _columns(table, VPARTITION_COLUMNS, ["vm_name", "consumed_mib"])
        for number, row in table.rows:
            name = _text(_cell(row, c["vm_name"]))
            try:
                consumed = _int(_cell(row, c["consumed_mib"]), "Consumed MiB") or 0
            except RowRefused as exc:
                inventory.refuse(table.file + " (vPartition)", number, name, str(exc))
                continue
            key = _key(name, _text(_cell(row, c.get("vcenter"))))
            partitions[key] = partitions.get(key, 0) + consumed
    seen: dict[tuple[str, str], int] = {}
    for number, row in vinfo.rows:
        name = _text(_cell(row, cols["vm_name"]))
        try:
            name = _name(name, "VM", required=True)
            vcenter = _name(_cell(row, cols.get("vcenter")), "VI SDK Server")
            key = _key(name, vcenter)
            if key in seen:
                raise RowRefused(_("The same VM appears on row %(row)s.") % {"row": seen[key]})
            cpus = _cell(row, cols["cpus"])
            if _text(cpus) == "" and key in extra["cpus"]:
                cpus = extra["cpus"][key]
            memory = _cell(row, cols["memory_mib"])
            if _text(memory) == "" and key in extra["memory_mib"]:
                memory = extra["memory_mib"][key]
            record = {
                "vm_name": name,
                "vcenter": vcenter,
                "powerstate": _power(_cell(row, cols.get("powerstate"))),
                "is_template": _bool(_cell(row, cols.get("is_template")), "Template"),
                "is_srm_placeholder": _bool(
                    _cell(row, cols.get("is_srm_placeholder")), "SRM Placeholder"
                ),
                "cpus": _positive(_int(cpus, "CPUs", required=True), "CPUs"),
                "memory_mib": _positive(_int(memory, "Memory", required=True), "Memory"),
                "provisioned_mib": _int(_cell(row, cols.get("provisioned_mib")), "Provisioned MiB"),
                "in_use_mib": _int(_cell(row, cols.get("in_use_mib")), "In Use MiB"),
                "os_config": _name(_cell(row, cols.get("os_config")), "OS"),
                "os_tools": _name(_cell(row, cols.get("os_tools")), "OS (VMware Tools)"),
                "datacenter": _name(_cell(row, cols.get("datacenter")), "Datacenter"),
                "cluster": _name(_cell(row, cols.get("cluster")), "Cluster"),
                "host": _name(_cell(row, cols.get("host")), "Host"),
                "partition_consumed_mib": partitions.get(key),
            }
        except RowRefused as exc:
            inventory.refuse(vinfo.file, number, name, str(exc))
            continue
        seen[key] = number
        record["_row"] = number
        inventory.records.append(record)
    return inventory


def _positive(value: int | None, label: str) -> int:
    if not value:
        raise RowRefused(_("%(field)s must be at least 1.") % {"field": label})
    return value


def _read_template(table: Table) -> Inventory:
    unknown = [h for h in table.header if h and h not in TEMPLATE_HEADER]
    missing = [h for h in TEMPLATE_REQUIRED if h not in table.header]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(_("missing columns: %(c)s") % {"c": ", ".join(missing)})
        if unknown:
            problems.append(_("unknown columns: %(c)s") % {"c": ", ".join(unknown)})
        raise InventoryError(
            _("%(file)s: %(problems)s. The template's columns are: %(columns)s.")
            % {
                "file": table.file,
                "problems": "; ".join(problems),
                "columns": ", ".join(TEMPLATE_HEADER),
            }
        )
    col = {h: i for i, h in enumerate(table.header) if h}
    present = set(col)
    fields = [
        "os_tools" if h == "os" else h
        for h in TEMPLATE_HEADER
        if h in present and h not in {"vm_name", "vcenter"}
    ]
    inventory = Inventory(format=ImportFormat.TEMPLATE_CSV, fields=fields)
    seen: dict[tuple[str, str], int] = {}
    for number, row in table.rows:

        def get(name: str, row: list[Any] = row) -> Any:
            return _cell(row, col.get(name))

        name = _text(get("vm_name"))
        try:
            name = _name(name, "vm_name", required=True)
            vcenter = _name(get("vcenter"), "vcenter")
            key = _key(name, vcenter)
            if key in seen:
                raise RowRefused(_("The same VM appears on row %(row)s.") % {"row": seen[key]})
            record: dict[str, Any] = {
                "vm_name": name,
                "vcenter": vcenter,
                "powerstate": _power(get("powerstate")),
                "is_template": _bool(get("is_template"), "is_template"),
                "cpus": _positive(_int(get("cpus"), "cpus", required=True), "cpus"),
                "memory_mib": _positive(
                    _int(get("memory_mib"), "memory_mib", required=True), "memory_mib"
                ),
                "provisioned_mib": _int(get("provisioned_mib"), "provisioned_mib"),
                "in_use_mib": _int(get("in_use_mib"), "in_use_mib"),
                "os_tools": _name(get("os"), "os"),
                "cpu_p95_pct": _percent(get("cpu_p95_pct"), "cpu_p95_pct"),
                "mem_p95_pct": _percent(get("mem_p95_pct"), "mem_p95_pct"),
                "cpu_avg_pct": _percent(get("cpu_avg_pct"), "cpu_avg_pct"),
                "mem_avg_pct": _percent(get("mem_avg_pct"), "mem_avg_pct"),
                "perf_days": _int(get("perf_days"), "perf_days"),
                "environment": _choice(get("environment"), "environment"),
                "business_value": _choice(get("business_value"), "business_value"),
                "db_engine": _name(get("db_engine"), "db_engine")[:64],
                "license": _choice(get("license"), "license"),
                "sector": _choice(get("sector"), "sector"),
                "data_classes": _data_classes(get("data_classes")),
                "csap_tier": _choice(get("csap_tier"), "csap_tier"),
                "target_region": _region(get("target_region"), "target_region"),
                "dr_region": _region(get("dr_region"), "dr_region"),
            }
        except RowRefused as exc:
            inventory.refuse(table.file, number, name, str(exc))
            continue
        seen[key] = number
        record["_row"] = number
        inventory.records.append(record)
    return inventory


def read_run(run: ImportRun) -> Inventory:
    uploads = []
    for item in run.files.order_by("pk"):
        with item.file.open("rb") as handle:
            uploads.append(Upload(item.name, handle.read()))
    return read(uploads)


def preview(run: ImportRun, inventory: Inventory, limit: int = 20) -> dict[str, Any]:
    """What the import will do: counts and the first rows, as JSON for the page."""
    existing = set(run.assessment.workloads.values_list("vm_name", "vcenter"))
    updates = sum((r["vm_name"], r["vcenter"]) in existing for r in inventory.records)
    shown = ["vm_name", "vcenter", "powerstate", "cpus", "memory_mib", "os_tools", "os_config"]
    return {
        "format": inventory.format,
        "rows": len(inventory.records),
        "new": len(inventory.records) - updates,
        "updates": updates,
        "fields": inventory.fields,
        "first": [
            {name: _jsonable(r.get(name)) for name in shown} | {"row": r["_row"]}
            for r in inventory.records[:limit]
        ],
    }


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def apply(
    run: ImportRun, inventory: Inventory, progress=None, batch: int = 2000
) -> tuple[int, int]:
    """Write the records into the run's assessment (the caller's transaction): update
    the VMs already there (by name and vCenter), create the others. Returns (created,
    updated)."""
    assessment = run.assessment
    existing = {
        (name, vcenter): pk
        for pk, name, vcenter in assessment.workloads.values_list("pk", "vm_name", "vcenter")
    }
    fields = inventory.fields
    to_create: list[Workload] = []
    to_update: list[Workload] = []
    for record in inventory.records:
        values = {name: record[name] for name in fields}
        pk = existing.get((record["vm_name"], record["vcenter"]))
        if pk is None:
            to_create.append(
                Workload(
                    assessment=assessment,
                    import_run=run,
                    vm_name=record["vm_name"],
                    vcenter=record["vcenter"],
                    **values,
                )
            )
        else:
            to_update.append(Workload(pk=pk, import_run=run, **values))
    total = len(to_create) + len(to_update)
    done = 0
    for start in range(0, len(to_create), batch):
        Workload.objects.bulk_create(to_create[start : start + batch])
        done += len(to_create[start : start + batch])
        if progress:
            progress(done, total)
    for start in range(0, len(to_update), batch):
        Workload.objects.bulk_update(
            to_update[start : start + batch], [*fields, "import_run"], batch_size=500
        )
        done += len(to_update[start : start + batch])
        if progress:
            progress(done, total)
    return len(to_create), len(to_update)


def template_csv() -> str:
    out = io.StringIO()
    out.write(",".join(TEMPLATE_HEADER) + "\n")
    for line in TEMPLATE_EXAMPLE:
        out.write(line + "\n")
    return out.getvalue()


def read_files(handles: list[tuple[str, BinaryIO]]) -> Inventory:
    return read([Upload(name, handle.read()) for name, handle in handles])


@transaction.atomic
def import_now(run: ImportRun) -> tuple[Inventory, int, int]:
    """Read and apply in one go (the command line and tests)."""
    inventory = read_run(run)
    created, updated = apply(run, inventory)
    return inventory, created, updated
