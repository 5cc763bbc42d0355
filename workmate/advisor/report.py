"""The assessment report (issue 14 point 8): one data structure for the web page, the PDF,
the XLSX and the snapshot published to the customer's portal.

`build(assessment)` reads the assessment and its workloads (one query for the workloads,
one for the latest import's refusals) and returns plain JSON-ready data: codes and
numbers, never translated words, so a published snapshot reads in whichever language the
customer's contact chooses. `workload_row(workload)` is one row of the per-workload table.

Steps of `build`:
1. assumptions: region, price date, 730 hours a month, pricing model, sizing settings;
2. one pass over every workload: counts per chosen verdict (the override when there is
   one), costs of the workloads that move (on demand, reserved, storage), readiness,
   licensing, findings with the workloads each touches, excluded items, data-quality
   warnings;
3. rows refused at the latest import;
4. next steps that follow from what was found.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workmate.advisor import assess, rules
from workmate.advisor.models import (
    HOURS_PER_MONTH,
    Assessment,
    Confidence,
    Environment,
    ImportRun,
    ImportStatus,
    License,
    OsFamily,
    Percentile,
    PricingModel,
    Readiness,
    SizingBasis,
    Verdict,
    Workload,
)
from workmate.advisor.templatetags import advisor as advisor_tags
from workmate.desk.models import Industry
from workmate.lib import charts

# The verdicts that move a workload onto EC2, so count in the monthly cost (the engine's).
MOVING = assess.MOVING
# The order the summary lists the 7 Rs in (AWS's order, cheapest decision first).
VERDICT_ORDER = [
    Verdict.RETIRE,
    Verdict.RETAIN,
    Verdict.REHOST,
    Verdict.RELOCATE,
    Verdict.REPLATFORM,
    Verdict.REPURCHASE,
    Verdict.REFACTOR,
]
VERDICT_COLOURS = {
    Verdict.RETIRE: "#8a8f98",
    Verdict.RETAIN: "#b7791f",
    Verdict.REHOST: "#1f5eff",
    Verdict.RELOCATE: "#3b82b6",
    Verdict.REPLATFORM: "#2f855a",
    Verdict.REPURCHASE: "#805ad5",
    Verdict.REFACTOR: "#c05621",
}
# A list of workload names in a section of the report stops after this many ("and N more").
NAMES_SHOWN = 50

# Why an item is left out of the assessment.
EXCLUSION_REASONS = {
    "template": _("VM template"),
    "srm_placeholder": _("Site Recovery Manager placeholder"),
}

# What to do next, in order; each applies when its condition holds (see `_next_steps`).
NEXT_STEPS = {
    "fin-checklist": _(
        "Work through the financial regulator's procedure for the workloads holding credit "
        "information or unique IDs: importance assessment, CSP evaluation, the information "
        "protection committee's decision and the report to the regulator."
    ),
    "csap": _(
        "Confirm with the customer's security office which CSAP-certified services each "
        "public-sector workload may use at its tier."
    ),
    "medical": _("Go through the medical-records controls checklist with the customer."),
    "cross-border": _(
        "Get consent or another legal basis for the cross-border transfer of personal data, "
        "or keep the target and DR regions in Korea."
    ),
    "utilisation": _(
        "Collect at least 7 days (better 30) of CPU and memory utilisation for the workloads "
        "sized as on premises, then re-import to size them by performance."
    ),
    "unknown-os": _("Confirm the operating system of the workloads marked Unknown."),
    "refused": _("Correct the rows refused at import and import the file again."),
    "retire": _("Confirm the retirement candidates with their owners before switching them off."),
    "replatform": _(
        "Plan the database migrations to managed databases (engine, version, cut-over)."
    ),
    "project": _("Start the migration project: one task per wave of workloads."),
}


def money(value: Decimal | None) -> str:
    """A USD amount as the JSON keeps it: a string with two decimals."""
    return f"{(value or Decimal(0)).quantize(Decimal('0.01'))}"


def workload_row(workload: Workload) -> dict[str, Any]:
    """One row of the per-workload table: the source, the computed and the chosen target."""
    return {
        "id": workload.pk,
        "vm_name": workload.vm_name,
        "vcenter": workload.vcenter,
        "cpus": workload.cpus,
        "memory_gib": round(workload.memory_mib / 1024, 1),
        "storage_gb": str(workload.storage_gb) if workload.storage_gb is not None else "",
        "os": workload.os_name,
        "os_family": workload.os_family,
        "license": workload.license,
        "environment": workload.environment,
        "readiness": workload.readiness,
        "verdict": workload.verdict,
        "instance_type": workload.instance_type,
        "region": workload.region,
        "override_verdict": workload.override_verdict,
        "override_instance_type": workload.override_instance_type,
        "override_region": workload.override_region,
        "override_reason": workload.override_reason,
        "chosen_verdict": workload.chosen_verdict,
        "chosen_instance_type": workload.chosen_instance_type,
        "chosen_region": workload.chosen_region,
        "sizing_basis": workload.sizing_basis,
        "confidence": workload.confidence,
        "monthly_compute_usd": _opt_money(workload.monthly_compute_usd),
        "monthly_on_demand_usd": _opt_money(workload.monthly_on_demand_usd),
        "monthly_reserved_usd": _opt_money(workload.monthly_reserved_usd),
        "monthly_storage_usd": _opt_money(workload.monthly_storage_usd),
        "rules": list(workload.fired_rules or []),
        "findings": [
            item if isinstance(item, dict) else {"id": str(item)}
            for item in workload.findings or []
        ],
        "caveats": [str(item) for item in workload.caveats or []],
    }


def _opt_money(value: Decimal | None) -> str:
    return "" if value is None else money(value)


def _finding_id(item: Any) -> str:
    """Findings and caveats are kept as ids or as {"id": ..., ...}; the report needs the id."""
    return str(item.get("id", "")) if isinstance(item, dict) else str(item)


@dataclasses.dataclass
class _Names:
    """Workload names for one section: the first NAMES_SHOWN and how many in all."""

    names: list[str] = dataclasses.field(default_factory=list)
    count: int = 0

    def add(self, name: str) -> None:
        self.count += 1
        if len(self.names) < NAMES_SHOWN:
            self.names.append(name)

    def as_dict(self) -> dict[str, Any]:
        return {"names": self.names, "count": self.count, "more": self.count - len(self.names)}


def build(assessment: Assessment) -> dict[str, Any]:
    """The report's data (see the module docstring for its steps)."""
    counts: Counter[str] = Counter()
    readiness: Counter[str] = Counter()
    licensing: Counter[str] = Counter()
    confidence: Counter[str] = Counter()
    on_demand = reserved = storage = Decimal(0)
    priced = overridden = 0
    findings: dict[str, _Names] = defaultdict(_Names)
    excluded: list[dict[str, str]] = []
    missing_utilisation, unknown_os, not_sized = _Names(), _Names(), _Names()
    for workload in assessment.workloads.order_by("vm_name", "vcenter", "pk").iterator(2000):
        name = workload.vm_name
        readiness[workload.readiness or Readiness.UNKNOWN] += 1
        if workload.readiness == Readiness.EXCLUDED:
            reason = "template" if workload.is_template else "srm_placeholder"
            excluded.append({"vm_name": name, "reason": reason})
            continue
        if workload.is_overridden:
            overridden += 1
        verdict = workload.chosen_verdict
        if verdict:
            counts[verdict] += 1
        else:
            not_sized.add(name)
        if workload.confidence:
            confidence[workload.confidence] += 1
        licensing[f"{workload.os_family or 'unknown'}:{workload.license or 'included'}"] += 1
        if workload.readiness == Readiness.UNKNOWN:
            unknown_os.add(name)
        if workload.sizing_basis == SizingBasis.AS_ON_PREMISES:
            missing_utilisation.add(name)
        for finding in workload.findings or []:
            findings[_finding_id(finding)].add(name)
        if verdict in MOVING and workload.monthly_on_demand_usd is not None:
            priced += 1
            store = workload.monthly_storage_usd or Decimal(0)
            on_demand += workload.monthly_on_demand_usd + store
            reserved += (workload.monthly_reserved_usd or workload.monthly_on_demand_usd) + store
            storage += store
    refused = _refused_rows(assessment)
    data: dict[str, Any] = {
        "assessment": {
            "id": assessment.pk,
            "name": assessment.name,
            "customer": assessment.customer.name,
            "sector": assessment.sector,
            "architect": str(assessment.architect),
            "notes": assessment.notes,
        },
        "generated_at": timezone.now().isoformat(),
        "assumptions": {
            "region": assessment.region,
            "price_date": assessment.price_date.isoformat() if assessment.price_date else "",
            "hours_per_month": HOURS_PER_MONTH,
            "pricing_model": assessment.pricing_model,
            "percentile": assessment.percentile,
            "comfort_factor": str(assessment.comfort_factor),
            "allowed_families": list(assessment.allowed_families or []),
            "burstable_allowed": assessment.burstable_allowed,
            "relocate_enabled": assessment.relocate_enabled,
            "computed_at": assessment.computed_at.isoformat() if assessment.computed_at else "",
        },
        "counts": [{"verdict": v.value, "count": counts[v.value]} for v in VERDICT_ORDER],
        "total": sum(readiness.values()),
        "assessed": sum(readiness.values()) - len(excluded),
        "overridden": overridden,
        "costs": {
            "on_demand": money(on_demand),
            "reserved": money(reserved),
            "storage": money(storage),
            "priced": priced,
        },
        "readiness": [{"readiness": r.value, "count": readiness[r.value]} for r in Readiness],
        "confidence": [{"confidence": c.value, "count": confidence[c.value]} for c in Confidence],
        "licensing": [
            {"os": key.split(":")[0], "license": key.split(":")[1], "count": count}
            for key, count in sorted(licensing.items())
        ],
        # In the order of the regulation's data (workmate/advisor/rules.py: FINDINGS).
        "findings": [
            {"id": finding_id, **findings[finding_id].as_dict()}
            for finding_id in sorted(findings, key=_finding_order)
        ],
        "excluded": excluded,
        "warnings": {
            "missing_utilisation": missing_utilisation.as_dict(),
            "unknown_os": unknown_os.as_dict(),
            "not_sized": not_sized.as_dict(),
            "refused_rows": refused,
        },
    }
    data["next_steps"] = _next_steps(data, assessment)
    return data


def _finding_order(finding_id: str) -> tuple[int, str]:
    order = [finding.id for finding in rules.FINDINGS]
    return (order.index(finding_id) if finding_id in order else len(order), finding_id)


def _refused_rows(assessment: Assessment) -> list[dict[str, Any]]:
    """The rows the latest finished import refused, row by row."""
    run = (
        ImportRun.objects.filter(assessment=assessment, status=ImportStatus.DONE)
        .order_by("-created_at", "-pk")
        .only("refusals")
        .first()
    )
    if run is None:
        return []
    return [
        {
            "row": item.get("row", ""),
            "file": item.get("file", ""),
            "vm_name": item.get("vm_name", ""),
            "reason": item.get("reason", ""),
        }
        for item in run.refusals or []
    ]


def _next_steps(data: dict[str, Any], assessment: Assessment) -> list[str]:
    finding_ids = {item["id"] for item in data["findings"]}
    counts = {item["verdict"]: item["count"] for item in data["counts"]}
    warnings = data["warnings"]
    wanted = {
        "fin-checklist": "F-FIN-PROCEDURE" in finding_ids,
        "csap": any(f.startswith("F-PUB-CSAP") for f in finding_ids),
        "medical": "F-MED-KOREA" in finding_ids,
        "cross-border": "F-PIPA-CROSS-BORDER" in finding_ids,
        "utilisation": warnings["missing_utilisation"]["count"] > 0,
        "unknown-os": warnings["unknown_os"]["count"] > 0,
        "refused": bool(warnings["refused_rows"]),
        "retire": counts.get(Verdict.RETIRE, 0) > 0,
        "replatform": counts.get(Verdict.REPLATFORM, 0) > 0,
        "project": assessment.project_id is None and data["assessed"] > 0,
    }
    return [step for step in NEXT_STEPS if wanted[step]]


# --- Exports ---------------------------------------------------------------------------

# The CSV export is the engine's (issue 14 point 10), the same as `manage.py assess` writes.
CSV_HEADER = assess.EXPORT_HEADER
csv_row = assess.export_row


# --- Words for the codes, in the reader's language -------------------------------------


def _label(choices: Any, code: str) -> str:
    return str(dict(choices.choices).get(code, code)) if code else ""


def rule_text(rule_id: str) -> str:
    """The sentence of a verdict rule, or its id when the rule set no longer has it."""
    rule = rules.RULES_BY_ID.get(rule_id)
    return str(rule.sentence) if rule else rule_id


def finding_texts(finding_id: str) -> dict[str, Any]:
    """A finding's title, legal basis, requirement and checklist in the active language."""
    finding = rules.FINDINGS_BY_ID.get(finding_id)
    if finding is None:
        return {"text": finding_id, "basis": "", "requirement": "", "checklist": []}
    return {
        "text": str(finding.title),
        "basis": str(finding.basis),
        "requirement": str(finding.requirement),
        "checklist": [str(item) for item in finding.checklist],
    }


def finding_detail(item: dict[str, Any]) -> str:
    """What a finding did to one workload: the regions it refused or flagged."""
    parts = []
    roles = {"target": _("target"), "dr": _("DR")}
    for role, region in (item.get("refused") or {}).items():
        parts.append(
            _("%(role)s region %(region)s refused")
            % {"role": roles.get(role, role), "region": region}
        )
    for role, region in (item.get("regions") or {}).items():
        parts.append(
            _("%(role)s region %(region)s is abroad")
            % {"role": roles.get(role, role), "region": region}
        )
    if item.get("services"):
        parts.append(_("certified: %(services)s") % {"services": ", ".join(item["services"])})
    return "; ".join(parts)


def caveat_text(caveat_id: str) -> str:
    """What a caveat means for the workload (the advisor's own words for them)."""
    return advisor_tags.caveat(caveat_id)


def present_row(row: dict[str, Any]) -> dict[str, Any]:
    """A workload row with the words for its codes, for a page or the PDF."""
    return {
        **row,
        "verdict_label": _label(Verdict, row["verdict"]),
        "chosen_verdict_label": _label(Verdict, row["chosen_verdict"]),
        "readiness_label": _label(Readiness, row["readiness"]),
        "confidence_label": _label(Confidence, row["confidence"]),
        "environment_label": _label(Environment, row["environment"]),
        "sizing_label": _label(SizingBasis, row["sizing_basis"]),
        "overridden": bool(row["override_reason"]),
        "rule_texts": [{"id": r, "text": rule_text(r)} for r in row["rules"]],
        "finding_texts": [
            {
                "id": item["id"],
                "text": finding_texts(item["id"])["text"],
                "detail": finding_detail(item),
            }
            for item in row["findings"]
        ],
        "caveat_texts": [{"id": c, "text": caveat_text(c)} for c in row["caveats"]],
    }


def present(data: dict[str, Any]) -> dict[str, Any]:
    """The report's data with the words for its codes (the rows are presented apart)."""
    assumptions = data["assumptions"]
    findings = [{**item, **finding_texts(item["id"])} for item in data["findings"]]
    return {
        **data,
        "sector_label": _label(Industry, data["assessment"]["sector"]),
        "assumption_labels": {
            "pricing_model": _label(PricingModel, assumptions["pricing_model"]),
            "percentile": _label(Percentile, assumptions["percentile"]),
        },
        "counts": [{**c, "label": _label(Verdict, c["verdict"])} for c in data["counts"]],
        "readiness": [{**r, "label": _label(Readiness, r["readiness"])} for r in data["readiness"]],
        "confidence": [
            {**c, "label": _label(Confidence, c["confidence"])} for c in data["confidence"]
        ],
        "licensing": [
            {
                **item,
                "os_label": _label(OsFamily, item["os"]) or _("Unknown OS"),
                "license_label": _label(License, item["license"]),
            }
            for item in data["licensing"]
        ],
        "findings": findings,
        "excluded": [
            {**item, "reason_label": EXCLUSION_REASONS.get(item["reason"], item["reason"])}
            for item in data["excluded"]
        ],
        "next_step_texts": [NEXT_STEPS[step] for step in data["next_steps"] if step in NEXT_STEPS],
        "charts": charts_for(data),
    }


def charts_for(data: dict[str, Any]) -> list[charts.Chart]:
    """The summary's two charts: workloads per verdict, and the monthly cost per pricing."""
    by_verdict = charts.bar_chart(
        "chart-verdicts",
        str(_("Workloads per verdict")),
        [(str(_label(Verdict, c["verdict"])), c["count"], str(c["count"])) for c in data["counts"]],
        colours=[VERDICT_COLOURS[v] for v in VERDICT_ORDER],
    )
    costs = data["costs"]
    by_pricing = charts.bar_chart(
        "chart-costs",
        str(_("Monthly cost (USD)")),
        [
            (str(_("On demand")), float(costs["on_demand"]), f"$ {costs['on_demand']}"),
            (str(_("Reserved")), float(costs["reserved"]), f"$ {costs['reserved']}"),
        ],
        colours=["#1f5eff", "#2f855a"],
    )
    return [by_verdict, by_pricing]
