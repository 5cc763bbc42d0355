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
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from workmate.advisor import fastsql, rules
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


def _write(workloads: list[Any]) -> None:
    """Save the computed fields of these workloads in one batch (`fastsql.update`)."""
    fastsql.update(
        COMPUTED_FIELDS, [(w.pk, [getattr(w, name) for name in COMPUTED_FIELDS]) for w in workloads]
    )


# What `evaluate` reads of a workload; `compute` fetches only these, as plain rows.
SOURCE_FIELDS = [
    "pk",
    "is_template",
    "is_srm_placeholder",
    "sector",
    "target_region",
    "dr_region",
    "data_classes",
    "csap_tier",
    "os_tools",
    "os_config",
    "business_value",
    "powerstate",
    "perf_days",
    "cpu_p95_pct",
    "mem_p95_pct",
    "cpu_avg_pct",
    "mem_avg_pct",
    "db_engine",
    "environment",
    "cpus",
    "memory_mib",
    "partition_consumed_mib",
    "in_use_mib",
    "provisioned_mib",
    "license",
    "override_region",
    "override_instance_type",
]


class WorkloadRow:
    """A workload's source fields as plain attributes: building 20,000 model instances
    costs more than evaluating them."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    @property
    def os_name(self) -> str:
        return self.os_tools or self.os_config


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
    rows = Workload.objects.filter(assessment=assessment).order_by("pk")
    if workload_ids is not None:
        rows = rows.filter(pk__in=list(workload_ids))
    total = rows.count()
    done = 0
    last_pk = 0
    while True:
        batch = [WorkloadRow(v) for v in rows.filter(pk__gt=last_pk).values(*SOURCE_FIELDS)[:BATCH]]
        if not batch:
            break
        for workload in batch:
            evaluate(workload, assessment, catalogue)  # type: ignore[arg-type]
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
    """The report's figures, aggregated by the database in three queries.

    Costs add up over the workloads whose chosen verdict (the override, else the computed
    one) moves them to the cloud (MOVING); the reserved total takes the on-demand price
    where there is no reserved one."""
    rows = Workload.objects.filter(assessment=assessment)
    chosen = Coalesce(NullIf("override_verdict", Value("")), "verdict")
    included = ~Q(readiness=Readiness.EXCLUDED)
    moving = included & Q(chosen__in=list(MOVING))
    priced = moving & Q(monthly_on_demand_usd__isnull=False)
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))
    storage = Coalesce("monthly_storage_usd", zero)
    figures = rows.annotate(chosen=chosen).aggregate(
        total=Count("pk"),
        excluded=Count("pk", filter=~included),
        overridden=Count("pk", filter=included & ~Q(override_reason="")),
        missing=Count("pk", filter=included & Q(sizing_basis=SizingBasis.AS_ON_PREMISES)),
        unknown=Count("pk", filter=Q(readiness=Readiness.UNKNOWN)),
        unpriced=Count("pk", filter=moving & Q(monthly_on_demand_usd__isnull=True)),
        on_demand=Sum(F("monthly_on_demand_usd") + storage, filter=priced),
        reserved=Sum(
            Coalesce("monthly_reserved_usd", "monthly_on_demand_usd") + storage, filter=priced
        ),
        storage=Sum(storage, filter=priced),
        chosen_cost=Sum(Coalesce("monthly_compute_usd", zero) + storage, filter=priced),
    )
    per_verdict = dict(
        rows.filter(included)
        .annotate(chosen=chosen)
        .exclude(chosen="")
        .values_list("chosen")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_readiness = dict(rows.values_list("readiness").annotate(n=Count("pk")).order_by())
    per_confidence = dict(
        rows.filter(included)
        .exclude(confidence="")
        .values_list("confidence")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Summary(
        total=figures["total"],
        excluded=figures["excluded"],
        per_verdict={v: per_verdict.get(v, 0) for v in Verdict.values},
        per_readiness={r: per_readiness.get(r, 0) for r in Readiness.values},
        per_confidence={c: per_confidence.get(c, 0) for c in Confidence.values},
        monthly_on_demand_usd=_money(Decimal(figures["on_demand"] or 0)),
        monthly_reserved_usd=_money(Decimal(figures["reserved"] or 0)),
        monthly_storage_usd=_money(Decimal(figures["storage"] or 0)),
        monthly_compute_usd=_money(Decimal(figures["chosen_cost"] or 0)),
        overridden=figures["overridden"],
        missing_utilisation=figures["missing"],
        unknown_os=figures["unknown"],
        unpriced=figures["unpriced"],
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
