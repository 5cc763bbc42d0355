"""Customers of the MSP. Tickets, SLAs and the portal build on these (see the desk issue)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_domain_name
from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.TextChoices):
    FINANCE = "finance", _("Finance")
    PUBLIC = "public", _("Public sector")
    GAMING = "gaming", _("Gaming")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    RETAIL = "retail", _("Retail")
    HEALTHCARE = "healthcare", _("Healthcare")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class ContractTier(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    BUSINESS = "business", _("Business")
    STANDARD = "standard", _("Standard")


def validate_domains(value: list[str]) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Give the e-mail domains as a list."))
    for domain in value:
        try:
            validate_domain_name(domain)
        except ValidationError:
            raise ValidationError(
                _("“%(domain)s” is not a domain name."), params={"domain": domain}
            ) from None


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    industry = models.CharField(_("industry"), max_length=16, choices=Industry.choices)
    tier = models.CharField(_("contract tier"), max_length=16, choices=ContractTier.choices)
    se_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_customers",
        verbose_name=_("SE owner"),
    )
    le_architect = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="architected_customers",
        verbose_name=_("LE architect"),
    )
    email_domains = models.JSONField(
        _("e-mail domains"), default=list, blank=True, validators=[validate_domains]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
