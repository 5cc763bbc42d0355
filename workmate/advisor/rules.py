"""The rules the advisor decides with, written as data the architects read on a page.

Three tables:
  * OS_RULES: how an OS name becomes linux / windows / unknown, and which OS versions are
    past their end of life;
  * VERDICT_RULES: the ordered rule set for the 7 Rs. Each rule has an id, a sentence and
    conditions over a workload's facts (`facts()`); a rule with a verdict decides, the
    first one whose conditions hold wins; a rule without a verdict is a note. Every rule
    that fired (the notes and the deciding rule) is the verdict's reason;
  * FINDINGS: Korean regulation by sector, each with its legal basis, what it requires,
    and the workloads it applies to (`regulation_findings()`).
A condition is (fact, operator, value); operators: eq, ne, in, gte, lt, set, unset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from workmate.advisor.models import Verdict

KOREAN_REGIONS = frozenset({"ap-northeast-2"})  # Seoul: AWS's only region in Korea.
DEFAULT_KOREAN_REGION = "ap-northeast-2"
MIN_PERF_DAYS = 7
IDLE_DAYS = 90
IDLE_PERCENT = Decimal("5")

# --- Operating systems -------------------------------------------------------------------

# (pattern, family); the first pattern found in the lower-cased OS name wins.
OS_FAMILIES: list[tuple[str, str]] = [
    (r"windows", "windows"),
    (
        r"linux|ubuntu|centos|red ?hat|rhel|suse|sles|debian|rocky|almalinux|photon|fedora",
        "linux",
    ),
]

# (pattern, label): OS versions past their vendor's end of (standard) support.
OS_END_OF_LIFE: list[tuple[str, str]] = [
    (r"windows (server )?(2000|2003|2008|2012)", "Windows Server 2012 R2 and older"),
    (r"windows (xp|vista|7|8)\b", "Windows desktop 8 and older"),
    (r"centos", "CentOS Linux (all versions ended by June 2024)"),
    (r"red ?hat enterprise linux [2-7]\b|rhel ?[2-7]\b", "RHEL 7 and older"),
    (r"suse linux enterprise (server )?(9|10|11|12)\b|sles ?(9|10|11|12)\b", "SLES 12 and older"),
    (r"ubuntu.*\b(1[0-8])\.(04|10)\b", "Ubuntu 18.04 and older"),
    (r"debian.*\b([4-9]|10)\b", "Debian 10 and older"),
]


def os_family(name: str) -> str:
    """'linux', 'windows', or '' for unknown (never priced as Linux)."""
    lower = name.lower()
    for pattern, family in OS_FAMILIES:
        if re.search(pattern, lower):
            return family
    return ""


def os_end_of_life(name: str) -> str:
    lower = name.lower()
    for pattern, label in OS_END_OF_LIFE:
        if re.search(pattern, lower):
            return label
    return ""


def os_is_32bit(name: str) -> bool:
    return "32-bit" in name.lower() or "(32 bit)" in name.lower()


# --- The 7 Rs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    id: str
    sentence: Promise | str
    when: tuple[tuple[str, str, Any], ...]
    verdict: str = ""  # empty: a note, listed as a reason but deciding nothing

    def holds(self, facts: dict[str, Any]) -> bool:
        return all(_test(facts.get(name), op, value) for name, op, value in self.when)


def _test(actual: Any, op: str, value: Any) -> bool:
    if op == "set":
        return bool(actual)
    if op == "unset":
        return not actual
    if op == "eq":
        return actual == value
    if op == "ne":
        return actual != value
    if op == "in":
        return actual in value
    if actual is None:
        return False
    if op == "gte":
        return actual >= value
    if op == "lt":
        return actual < value
    raise ValueError(f"unknown operator {op}")


VERDICT_RULES: list[Rule] = [
    Rule(
        "R01-no-business-value",
        _("The owner gives the workload no business value: retire it."),
        (("business_value", "eq", "none"),),
        Verdict.RETIRE,
    ),
    Rule(
        "R02-idle",
        _("90 days or more of data with average CPU and memory under 5 %: nobody uses it."),
        (
            ("perf_days", "gte", IDLE_DAYS),
            ("cpu_avg_pct", "lt", IDLE_PERCENT),
            ("mem_avg_pct", "lt", IDLE_PERCENT),
        ),
        Verdict.RETIRE,
    ),
    Rule(
        "R03-powered-off",
        _("Powered off: a retire candidate; confirm with the owner before it is dropped."),
        (("powerstate", "eq", "off"),),
        Verdict.RETIRE,
    ),
    Rule(
        "R04-csap-high",
        _("A public-sector system of CSAP tier high (상) stays in a private cloud."),
        (("sector", "eq", "public"), ("csap_tier", "eq", "high")),
        Verdict.RETAIN,
    ),
    Rule(
        "N01-no-utilisation",
        _("Fewer than 7 days of utilisation data: sized as allocated on premises, confidence low."),
        (("performance_based", "unset", None),),
    ),
    Rule(
        "N02-os-end-of-life",
        _("The OS is past its end of life: upgrade it while moving (Replatform)."),
        (("os_eol", "set", None),),
    ),
    Rule(
        "N03-os-32bit",
        _("A 32-bit OS: EC2 runs 64-bit images only; rebuild on a 64-bit OS (Replatform)."),
        (("os_32bit", "set", None),),
    ),
    Rule(
        "R05-database",
        _("Runs a database engine: replatform it to a managed database (Amazon RDS)."),
        (("db_engine", "set", None),),
        Verdict.REPLATFORM,
    ),
    Rule(
        "R06-os-upgrade",
        _("An end-of-life or 32-bit OS cannot be rehosted as is: replatform."),
        (("os_needs_upgrade", "set", None),),
        Verdict.REPLATFORM,
    ),
    Rule(
        "R07-relocate",
        _("Relocation is enabled for this assessment: move the VM as is to VMware Cloud on AWS."),
        (("relocate_enabled", "set", None),),
        Verdict.RELOCATE,
    ),
    Rule(
        "R08-rehost",
        _("Nothing above applies: rehost the VM on EC2 (lift and shift)."),
        (),
        Verdict.REHOST,
    ),
]
RULES_BY_ID = {rule.id: rule for rule in VERDICT_RULES}


def decide(facts: dict[str, Any]) -> tuple[str, list[str]]:
    """(verdict, fired rule ids): the notes that hold and the first deciding rule."""
    fired: list[str] = []
    for rule in VERDICT_RULES:
        if not rule.holds(facts):
            continue
        fired.append(rule.id)
        if rule.verdict:
            return rule.verdict, fired
    return "", fired


# --- Korean regulation -------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    id: str
    title: Promise | str
    basis: Promise | str
    requirement: Promise | str
    checklist: tuple[Promise | str, ...] = field(default=())
    # Whether the workload must run in a Korean region (requests elsewhere are refused).
    korea_only: bool = False


FINDINGS: list[Finding] = [
    Finding(
        "F-FIN-KOREA",
        _("Financial data stays in Korea"),
        _(
            "Electronic Financial Supervisory Regulation (전자금융감독규정) Art. 14-2 and "
            "Art. 14-2(8): credit information and unique identifiers processed in the cloud "
            "on domestic infrastructure; Credit Information Act (신용정보법)."
        ),
        _(
            "A financial-sector workload holding credit information or resident / unique "
            "IDs runs only in a Korean region; a target or DR region outside Korea is "
            "refused and the workload is placed in Seoul."
        ),
        korea_only=True,
    ),
    Finding(
        "F-FIN-PROCEDURE",
        _("Financial regulator's cloud procedure"),
        _("Electronic Financial Supervisory Regulation (전자금융감독규정) Art. 14-2, Annex 2-2."),
        _("Before use, the institution completes the FSS procedure for cloud services."),
        (
            _("Importance assessment of the workload (중요도 평가)"),
            _("Evaluation of the cloud service provider (CSP 건전성·안전성 평가)"),
            _("Deliberation by the information-protection committee (정보보호위원회)"),
            _("Report to the Financial Supervisory Service (금융감독원 보고)"),
        ),
    ),
    Finding(
        "F-PUB-CSAP-HIGH",
        _("CSAP tier high: private cloud"),
        _(
            "Cloud Computing Act (클라우드컴퓨팅법) Art. 23-2 and the MSIT notice on CSAP "
            "security certification (tiers 상·중·하)."
        ),
        _("A CSAP tier-high (상) system stays in a private cloud: Retain."),
    ),
    Finding(
        "F-PUB-CSAP-CERTIFIED",
        _("CSAP tier medium / low: certified services only"),
        _(
            "Cloud Computing Act (클라우드컴퓨팅법) Art. 23-2 and the MSIT notice on CSAP "
            "security certification (tiers 상·중·하)."
        ),
        _(
            "A public-sector system of tier medium (중) or low (하) may use only services "
            "certified at that tier or higher (the list on the CSAP page)."
        ),
    ),
    Finding(
        "F-PUB-CSAP-UNKNOWN",
        _("Public-sector system without a CSAP tier"),
        _("MSIT notice on CSAP security certification: the agency classifies each system."),
        _("Ask the agency for the system's tier (상·중·하) before any placement."),
    ),
    Finding(
        "F-MED-KOREA",
        _("Medical records: Korean region and controls"),
        _(
            "Medical Service Act (의료법) Art. 23 and its Enforcement Rule Art. 16; MOHW "
            "notice on equipment for keeping electronic medical records outside the "
            "institution."
        ),
        _("Electronic medical records are kept in a Korean region with these controls."),
        (
            _("Access control and logging of every access"),
            _("Encryption at rest and in transit"),
            _("Backup in a second Korean location"),
            _("Written outsourcing agreement with the provider"),
        ),
        korea_only=True,
    ),
    Finding(
        "F-PIPA-CROSS-BORDER",
        _("Personal data crosses the border"),
        _("Personal Information Protection Act (개인정보 보호법) Art. 28-8."),
        _(
            "Personal data with a target or DR region outside Korea is a cross-border "
            "transfer: consent or another basis of Art. 28-8, and the notice to data "
            "subjects."
        ),
    ),
]
FINDINGS_BY_ID = {finding.id: finding for finding in FINDINGS}

_KOREA_ONLY_CLASSES = {"credit", "unique_id"}


def regulation_findings(
    sector: str, data_classes: list[str], csap_tier: str, regions: dict[str, str]
) -> tuple[list[dict], dict[str, str]]:
    """The findings for one workload and the regions it may use.

    `regions` maps "target" and "dr" to the requested AWS region codes ("" for none).
    Returns (findings, regions): each finding a dict {"id", ...details}, the regions with
    every refused one replaced (target → Seoul, DR → none).
    """
    findings: list[dict] = []
    placed = dict(regions)
    classes = set(data_classes)
    korea_only: list[str] = []
    if sector == "finance" and classes & _KOREA_ONLY_CLASSES:
        korea_only.append("F-FIN-KOREA")
    if "medical" in classes:
        korea_only.append("F-MED-KOREA")
    for finding_id in korea_only:
        refused = {
            role: region
            for role, region in placed.items()
            if region and region not in KOREAN_REGIONS
        }
        detail: dict[str, Any] = {"id": finding_id}
        if refused:
            detail["refused"] = refused
        findings.append(detail)
        for role in refused:
            placed[role] = DEFAULT_KOREAN_REGION if role == "target" else ""
        if finding_id == "F-FIN-KOREA":
            findings.append({"id": "F-FIN-PROCEDURE"})
    if sector == "public":
        if csap_tier == "high":
            findings.append({"id": "F-PUB-CSAP-HIGH"})
        elif csap_tier in {"medium", "low"}:
            findings.append({"id": "F-PUB-CSAP-CERTIFIED", "tier": csap_tier})
        else:
            findings.append({"id": "F-PUB-CSAP-UNKNOWN"})
    if "personal" in classes:
        abroad = {role: r for role, r in placed.items() if r and r not in KOREAN_REGIONS}
        if abroad:
            findings.append({"id": "F-PIPA-CROSS-BORDER", "regions": abroad})
    return findings, placed
