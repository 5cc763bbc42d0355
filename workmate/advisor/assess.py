"""Computing an assessment: readiness, sizing, cost, the 7 Rs verdict and the findings.

`compute(assessment)` recomputes every workload of an assessment with its current
what-if settings and the current price catalogue; overrides are never touched, and the
costs follow the chosen target (the override when there is one). `summary()` gives the
report's figures, `export_rows()` the CSV rows (`manage.py assess --csv` and the
report's CSV/XLSX export share them).

Per workload (`evaluate`):
  1. templates and SRM placeholders are excluded; an OS that is neither Windows nor Linux
     is unknown: not sized, not priced;
  2. the OS comes from VMware Tools, else the configuration file; end-of-life or 32-bit
     → a caveat and a Replatform suggestion (readiness conditional);
  3. with at least 7 days of utilisation: needed vCPU = CPUs × utilisation % × comfort
     factor, needed memory likewise (performance-based); else the allocation as is,
     confidence low;
  4. regulation findings decide the regions it may use;
  5. the target is the cheapest instance type in the allowed families whose vCPU is at
     least the needed vCPU rounded up and whose memory at least the needed memory
     (burstable only for development workloads when the assessment allows them);
  6. monthly cost = hourly × 730 + gp3 storage for the used space;
  7. the verdict from the rule set (`rules.decide`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from workmate.advisor import rules
from workmate.advisor.models import (
    HOURS_PER_MONTH,
    Assessment,
    Confidence,
    CsapCertifiedService,
    InstancePrice,
    License,
    Percentile,
    PriceSnapshot,
    PriceTerm,
    PricingModel,
    Readiness,
    SizingBasis,
    Verdict,
    Workload,
)

CENT = Decimal("0.01")
# Verdicts that put the workload in the cloud: their costs make the totals.
MOVING = frozenset({Verdict.REHOST, Verdict.RELOCATE, Verdict.REPLATFORM, Verdict.REFACTOR})
BATCH = 1000

# The fields `evaluate` sets, in the order the batch UPDATE writes them.
COMPUTED_FIELDS = [
    "readiness",
    "os_family",
    "verdict",
    "sizing_basis",
    "needed_vcpu",
    "needed_memory_mib",
    "instance_type",
    "region",
    "storage_gb",
    "monthly_compute_usd",
    "monthly_on_demand_usd",
    "monthly_reserved_usd",
    "monthly_storage_usd",
    "confidence",
    "fired_rules",
    "findings",
    "caveats",
    "computed_at",
]


@dataclass(frozen=True)
class Offer:
    instance_type: str
    family: str
    vcpu: int
    memory_mib: int
    is_burstable: bool
    hourly: Decimal


class Catalogue:
    """The price catalogue in memory: offers per (region, os, licence, term), cheapest
    first, and the gp3 price per region. Read once per computation."""

    def __init__(self, regions: Iterable[str]) -> None:
        self.snapshots = {
            s.region: s for s in PriceSnapshot.objects.filter(region__in=set(regions))
        }
        self.offers: dict[tuple[str, str, str, str], list[Offer]] = defaultdict(list)
        self.by_type: dict[tuple[str, str, str, str, str], Offer] = {}
        rows = InstancePrice.objects.filter(snapshot__in=self.snapshots.values()).values_list(
            "snapshot__region",
            "instance_type",
            "family",
            "vcpu",
            "memory_mib",
            "is_burstable",
            "hourly_usd",
            "os",
            "license",
            "term",
        )
        for region, itype, family, vcpu, memory, burst, hourly, os, lic, term in rows:
            offer = Offer(itype, family, vcpu, memory, burst, hourly)
            self.offers[(region, os, lic, term)].append(offer)
            self.by_type[(region, os, lic, term, itype)] = offer
        for offers in self.offers.values():
            offers.sort(key=lambda o: (o.hourly, o.vcpu, o.memory_mib, o.instance_type))

    def gp3(self, region: str) -> Decimal | None:
        snapshot = self.snapshots.get(region)
        return snapshot.gp3_gb_month_usd if snapshot else None


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _price_key(os_family: str, license: str) -> tuple[str, str]:
    """The catalogue's (os, licence) row a workload is priced with: Windows with the
    licence included unless the customer brings their own, in which case the instance
    is priced without the Windows licence (the Linux row)."""
    if os_family == "windows" and license != License.BYOL:
        return "windows", License.INCLUDED
    return "linux", License.INCLUDED


def facts(workload: Workload, assessment: Assessment) -> dict[str, Any]:
    """What the rules read about a workload."""
    name = workload.os_name
    eol = rules.os_end_of_life(name)
    is_32 = rules.os_is_32bit(name)
    return {
        "business_value": workload.business_value,
        "powerstate": workload.powerstate,
        "perf_days": workload.perf_days,
        "cpu_avg_pct": workload.cpu_avg_pct,
        "mem_avg_pct": workload.mem_avg_pct,
        "db_engine": workload.db_engine.strip(),
        "sector": workload.sector or assessment.sector,
        "csap_tier": workload.csap_tier,
        "environment": workload.environment,
        "os_eol": eol,
        "os_32bit": is_32,
        "os_needs_upgrade": bool(eol or is_32),
        "relocate_enabled": assessment.relocate_enabled,
        "performance_based": _utilisation(workload, assessment) is not None,
    }


def _utilisation(workload: Workload, assessment: Assessment) -> tuple[Decimal, Decimal] | None:
    if workload.perf_days is None or workload.perf_days < rules.MIN_PERF_DAYS:
        return None
    if assessment.percentile == Percentile.AVERAGE:
        cpu, mem = workload.cpu_avg_pct, workload.mem_avg_pct
    else:
        cpu, mem = workload.cpu_p95_pct, workload.mem_p95_pct
    if cpu is None or mem is None:
        return None
    return cpu, mem


def _confidence(workload: Workload, performance_based: bool) -> str:
    if not performance_based:
        return Confidence.LOW
    return Confidence.HIGH if (workload.perf_days or 0) >= 30 else Confidence.MEDIUM


def _used_mib(workload: Workload) -> tuple[int, str]:
    """The used disk space and, when it had to be guessed, a caveat id."""
    if workload.partition_consumed_mib is not None:
        return workload.partition_consumed_mib, ""
    if workload.in_use_mib is not None:
        return workload.in_use_mib, ""
    if workload.provisioned_mib is not None:
        return workload.provisioned_mib, "disk-provisioned"
    return 0, "disk-unknown"


def _cheapest(
    offers: list[Offer],
    vcpu: int,
    memory_mib: int,
    families: set[str] | None,
    burstable: bool,
) -> Offer | None:
    for offer in offers:  # cheapest first
        if offer.vcpu < vcpu or offer.memory_mib < memory_mib:
            continue
        if families is not None and offer.family not in families:
            continue
        if offer.is_burstable and not burstable:
            continue
        return offer
    return None


def _reserved_term(assessment: Assessment) -> str:
    if assessment.pricing_model == PricingModel.RESERVED_3Y:
        return PriceTerm.RESERVED_3Y
    return PriceTerm.RESERVED_1Y


def evaluate(workload: Workload, assessment: Assessment, catalogue: Catalogue) -> None:
    """Set the computed fields of one workload (not saved)."""
    for name in COMPUTED_FIELDS:
        if name in {"fired_rules", "findings", "caveats"}:
            setattr(workload, name, [])
        elif name not in {"computed_at"}:
            setattr(
                workload, name, None if name.startswith(("needed", "monthly", "storage")) else ""
            )
    workload.computed_at = timezone.now()
    caveats: list[str] = []

    if workload.is_template or workload.is_srm_placeholder:
        workload.readiness = Readiness.EXCLUDED
        workload.fired_rules = []
        return

    sector = workload.sector or assessment.sector
    requested = {"target": workload.target_region or assessment.region, "dr": workload.dr_region}
    findings, placed = rules.regulation_findings(
        sector, workload.data_classes or [], workload.csap_tier, requested
    )
    for finding in findings:
        if finding["id"] == "F-PUB-CSAP-CERTIFIED":
            finding["services"] = catalogue_csap(finding["tier"])
    workload.findings = findings
    workload.region = placed["target"]

    family = rules.os_family(workload.os_name)
    workload.os_family = family
    the_facts = facts(workload, assessment)
    verdict, fired = rules.decide(the_facts)
    workload.fired_rules = fired
    if the_facts["os_eol"]:
        caveats.append("os-eol")
    if the_facts["os_32bit"]:
        caveats.append("os-32bit")

    if not family:
        # Not sized, not priced, no verdict: the architect first says what runs there.
        workload.readiness = Readiness.UNKNOWN
        workload.confidence = Confidence.LOW
        workload.caveats = [*caveats, "os-unknown"]
        workload.fired_rules = []
        return
    workload.verdict = verdict

    utilisation = _utilisation(workload, assessment)
    if utilisation is not None:
        cpu_pct, mem_pct = utilisation
        factor = assessment.comfort_factor
        workload.sizing_basis = SizingBasis.PERFORMANCE
        needed_vcpu = Decimal(workload.cpus) * cpu_pct / 100 * factor
        needed_memory = Decimal(workload.memory_mib) * mem_pct / 100 * factor
    else:
        workload.sizing_basis = SizingBasis.AS_ON_PREMISES
        needed_vcpu = Decimal(workload.cpus)
        needed_memory = Decimal(workload.memory_mib)
    workload.needed_vcpu = _money(needed_vcpu)
    workload.needed_memory_mib = max(1, math.ceil(needed_memory))
    workload.confidence = _confidence(workload, utilisation is not None)

    used, disk_caveat = _used_mib(workload)
    if disk_caveat:
        caveats.append(disk_caveat)
    workload.storage_gb = _money(Decimal(used) / 1024)

    os_row, lic_row = _price_key(family, workload.license)
    if family == "windows" and workload.license == License.BYOL:
        caveats.append("windows-byol")
    region = workload.override_region or workload.region
    offers = catalogue.offers.get((region, os_row, lic_row, PriceTerm.ON_DEMAND), [])
    if region not in catalogue.snapshots:
        caveats.append("no-prices")
    families = set(assessment.allowed_families) if assessment.allowed_families else None
    burstable = assessment.burstable_allowed and workload.environment == "dev"
    offer = _cheapest(
        offers, max(1, math.ceil(needed_vcpu)), workload.needed_memory_mib, families, burstable
    )
    if offer is not None:
        workload.instance_type = offer.instance_type
    elif region in catalogue.snapshots:
        caveats.append("no-fit")

    chosen_type = workload.override_instance_type or workload.instance_type
    if chosen_type:
        _price(workload, assessment, catalogue, region, os_row, lic_row, chosen_type, caveats)
    gp3 = catalogue.gp3(region)
    if gp3 is not None:
        workload.monthly_storage_usd = _money(workload.storage_gb * gp3)

    if "no-fit" in caveats:
        workload.readiness = Readiness.NOT_READY
    elif the_facts["os_needs_upgrade"] or any(f.get("refused") for f in findings):
        workload.readiness = Readiness.CONDITIONAL
    else:
        workload.readiness = Readiness.READY
    workload.caveats = caveats


def _price(
    workload: Workload,
    assessment: Assessment,
    catalogue: Catalogue,
    region: str,
    os_row: str,
    lic_row: str,
    instance_type: str,
    caveats: list[str],
) -> None:
    on_demand = catalogue.by_type.get((region, os_row, lic_row, PriceTerm.ON_DEMAND, instance_type))
    reserved = catalogue.by_type.get(
        (region, os_row, lic_row, _reserved_term(assessment), instance_type)
    )
    if on_demand is None:
        caveats.append("target-not-priced")
        return
    workload.monthly_on_demand_usd = _money(on_demand.hourly * HOURS_PER_MONTH)
    if reserved is not None:
        workload.monthly_reserved_usd = _money(reserved.hourly * HOURS_PER_MONTH)
    if assessment.pricing_model == PricingModel.ON_DEMAND:
        workload.monthly_compute_usd = workload.monthly_on_demand_usd
    elif workload.monthly_reserved_usd is not None:
        workload.monthly_compute_usd = workload.monthly_reserved_usd
    else:
        caveats.append("no-reserved-price")
        workload.monthly_compute_usd = workload.monthly_on_demand_usd


_csap_cache: dict[str, list[str]] = {}


def catalogue_csap(tier: str) -> list[str]:
    """Services certified at `tier` or higher (a tier-low system may use a tier-medium
    service). Read once per computation (`compute` clears the cache)."""
    if tier not in _csap_cache:
        tiers = {"low": ["low", "medium", "high"], "medium": ["medium", "high"]}.get(tier, [tier])
        _csap_cache[tier] = [
            f"{provider} {service}"
            for provider, service in CsapCertifiedService.objects.filter(tier__in=tiers)
            .order_by("provider", "service")
            .values_list("provider", "service")
        ]
    return _csap_cache[tier]


def _regions(assessment: Assessment) -> set[str]:
    regions = {assessment.region, rules.DEFAULT_KOREAN_REGION}
    regions.update(
        r
        for pair in assessment.workloads.values_list("target_region", "override_region")
        for r in pair
        if r
    )
    return regions


def _write(workloads: list[Workload]) -> None:
    """One UPDATE per workload, sent as a batch (executemany): bulk_update's CASE
    expressions over 18 columns are several times slower on 20,000 rows."""
    fields = [Workload._meta.get_field(name) for name in COMPUTED_FIELDS]
    table = connection.ops.quote_name(Workload._meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    sql = f"UPDATE {table} SET {sets} WHERE {connection.ops.quote_name('id')} = %s"
    params = [
        [f.get_db_prep_save(getattr(w, f.attname), connection) for f in fields] + [w.pk]
        for w in workloads
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def compute(
    assessment: Assessment,
    progress: Callable[[int, int], None] | None = None,
    workload_ids: Iterable[int] | None = None,
) -> int:
    """Recompute the assessment's workloads (all, or `workload_ids`); returns how many.

    Batches of 1,000, each written in its own transaction, so a 20,000-VM assessment
    reports progress as it goes; a second run gives the same result (idempotent)."""
    _csap_cache.clear()
    catalogue = Catalogue(_regions(assessment))
    rows = assessment.workloads.order_by("pk")
    if workload_ids is not None:
        rows = rows.filter(pk__in=list(workload_ids))
    total = rows.count()
    done = 0
    last_pk = 0
    while True:
        batch = list(rows.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            break
        for workload in batch:
            workload.assessment = assessment
            evaluate(workload, assessment, catalogue)
        with transaction.atomic():
            _write(batch)
        done += len(batch)
        last_pk = batch[-1].pk
        if progress:
            progress(done, total)
    snapshot = catalogue.snapshots.get(assessment.region) or catalogue.snapshots.get(
        rules.DEFAULT_KOREAN_REGION
    )
    assessment.computed_at = timezone.now()
    assessment.price_date = snapshot.publication_date if snapshot else None
    assessment.save(update_fields=["computed_at", "price_date", "updated_at"])
    return total


def recompute_workload(workload: Workload) -> None:
    """Recompute one workload (after an edit or an override), in the caller's transaction."""
    assessment = workload.assessment
    _csap_cache.clear()
    regions = {assessment.region, rules.DEFAULT_KOREAN_REGION}
    regions.update(r for r in (workload.target_region, workload.override_region) if r)
    evaluate(workload, assessment, Catalogue(regions))
    _write([workload])


# --- Reading the results ---------------------------------------------------------------


@dataclass
class Summary:
    total: int
    excluded: int
    per_verdict: dict[str, int]
    per_readiness: dict[str, int]
    per_confidence: dict[str, int]
    monthly_on_demand_usd: Decimal
    monthly_reserved_usd: Decimal
    monthly_storage_usd: Decimal
    monthly_compute_usd: Decimal
    overridden: int
    missing_utilisation: int
    unknown_os: int
    unpriced: int
    price_date: Any
    region: str
    hours_per_month: int
    pricing_model: str


def summary(assessment: Assessment) -> Summary:
    """The report's figures in one query over the workloads (values, not models)."""
    per_verdict: Counter[str] = Counter()
    per_readiness: Counter[str] = Counter()
    per_confidence: Counter[str] = Counter()
    on_demand = reserved = storage = chosen = Decimal(0)
    overridden = missing = unknown = unpriced = excluded = total = 0
    rows = assessment.workloads.values_list(
        "readiness",
        "verdict",
        "override_verdict",
        "confidence",
        "sizing_basis",
        "monthly_on_demand_usd",
        "monthly_reserved_usd",
        "monthly_storage_usd",
        "monthly_compute_usd",
        "override_reason",
    )
    for readiness, verdict, override, conf, basis, od, rs, st, comp, reason in rows.iterator(
        chunk_size=5000
    ):
        total += 1
        per_readiness[readiness] += 1
        if readiness == Readiness.EXCLUDED:
            excluded += 1
            continue
        if readiness == Readiness.UNKNOWN:
            unknown += 1
        if reason:
            overridden += 1
        if basis == SizingBasis.AS_ON_PREMISES:
            missing += 1
        if conf:
            per_confidence[conf] += 1
        chosen_verdict = override or verdict
        if chosen_verdict:
            per_verdict[chosen_verdict] += 1
        if chosen_verdict in MOVING:
            if od is None:
                unpriced += 1
                continue
            on_demand += od + (st or 0)
            reserved += (rs if rs is not None else od) + (st or 0)
            storage += st or 0
            chosen += (comp or 0) + (st or 0)
    return Summary(
        total=total,
        excluded=excluded,
        per_verdict={v: per_verdict.get(v, 0) for v in Verdict.values},
        per_readiness={r: per_readiness.get(r, 0) for r in Readiness.values},
        per_confidence={c: per_confidence.get(c, 0) for c in Confidence.values},
        monthly_on_demand_usd=_money(on_demand),
        monthly_reserved_usd=_money(reserved),
        monthly_storage_usd=_money(storage),
        monthly_compute_usd=_money(chosen),
        overridden=overridden,
        missing_utilisation=missing,
        unknown_os=unknown,
        unpriced=unpriced,
        price_date=assessment.price_date,
        region=assessment.region,
        hours_per_month=HOURS_PER_MONTH,
        pricing_model=assessment.pricing_model,
    )


def findings_by_id(assessment: Assessment) -> list[tuple[rules.Finding, list[tuple[int, str]]]]:
    """Each regulation finding with the workloads (pk, VM name) it touches, in the
    order of rules.FINDINGS; findings touching nothing are left out."""
    touched: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, name, found in assessment.workloads.exclude(findings=[]).values_list(
        "pk", "vm_name", "findings"
    ):
        for finding in found or []:
            touched[finding["id"]].append((pk, name))
    return [(f, touched[f.id]) for f in rules.FINDINGS if touched.get(f.id)]


# The header of the CSV export, whatever the UI language (issue 14 point 10).
EXPORT_HEADER = [
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


def _cell(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def export_row(workload: Workload) -> list[str]:
    """One workload as a row under EXPORT_HEADER: the chosen verdict, target and region
    (the architect's override when there is one); empty verdict when not sized."""
    return [
        workload.vm_name,
        workload.readiness,
        workload.chosen_verdict,
        workload.chosen_instance_type,
        workload.chosen_region,
        _cell(workload.monthly_compute_usd),
        _cell(workload.monthly_storage_usd),
        workload.confidence,
        ";".join(workload.fired_rules or []),
        ";".join(f["id"] for f in workload.findings or []),
    ]


def export_rows(assessment: Assessment) -> Iterable[list[str]]:
    """Every workload, excluded ones included, by VM name; streams in chunks."""
    fields = [
        "vm_name",
        "vcenter",
        "readiness",
        "verdict",
        "override_verdict",
        "instance_type",
        "override_instance_type",
        "region",
        "override_region",
        "monthly_compute_usd",
        "monthly_storage_usd",
        "confidence",
        "fired_rules",
        "findings",
    ]
    rows = assessment.workloads.only(*fields).order_by("vm_name", "vcenter", "pk")
    for workload in rows.iterator(chunk_size=2000):
        yield export_row(workload)
