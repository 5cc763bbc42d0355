"""Small filters for the advisor's pages (and the report's): labels of stored codes."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from workmate.advisor import rules
from workmate.advisor.models import (
    Confidence,
    CsapTier,
    DataClass,
    EventKind,
    ImportFormat,
    PricingModel,
    Readiness,
    Verdict,
)

register = template.Library()

_LABELS = {
    "verdict": dict(Verdict.choices),
    "readiness": dict(Readiness.choices),
    "confidence": dict(Confidence.choices),
    "event": dict(EventKind.choices),
    "format": dict(ImportFormat.choices),
    "pricing": dict(PricingModel.choices),
    "tier": dict(CsapTier.choices),
    "data_class": dict(DataClass.choices),
}

CAVEATS = {
    "os-eol": lambda: _("The OS is past its end of life."),
    "os-32bit": lambda: _("A 32-bit OS."),
    "os-unknown": lambda: _("Unknown OS: not sized or priced until it is set."),
    "no-fit": lambda: _("No instance type in the allowed families is large enough."),
    "no-prices": lambda: _("No price catalogue for this region."),
    "target-not-priced": lambda: _("The chosen instance type is not in the price catalogue."),
    "no-reserved-price": lambda: _("No reserved price: priced on demand."),
    "windows-byol": lambda: _(
        "Windows with your own licence: priced without the licence; licence mobility or "
        "dedicated hosts may be needed."
    ),
    "disk-provisioned": lambda: _("No used-space figure: storage priced on the provisioned size."),
    "disk-unknown": lambda: _("No disk figure: storage not priced."),
}


@register.filter
def label(value: str, kind: str) -> str:
    """The display label of a stored code: {{ w.verdict|label:"verdict" }}."""
    if not value:
        return ""
    return str(_LABELS.get(kind, {}).get(value, value))


@register.filter
def rule_sentence(rule_id: str) -> str:
    rule = rules.RULES_BY_ID.get(rule_id)
    return str(rule.sentence) if rule else rule_id


@register.filter
def finding_title(finding_id: str) -> str:
    finding = rules.FINDINGS_BY_ID.get(finding_id)
    return str(finding.title) if finding else finding_id


@register.filter
def caveat(code: str) -> str:
    text = CAVEATS.get(code)
    return text() if text else code


@register.filter
def usd(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return f"${value:,.2f}"


@register.filter
def gib(mib: int | None) -> str:
    if mib is None:
        return "–"
    value = Decimal(mib) / 1024
    return f"{value:,.1f}".rstrip("0").rstrip(".")


@register.filter
def ids(items: list[dict] | None) -> list[str]:
    return [item.get("id", "") for item in items or []]
