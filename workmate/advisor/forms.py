"""Forms of the advisor's pages; the services validate again (the API uses them alone)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workmate.accounts.models import Membership
from workmate.advisor.models import (
    BusinessValue,
    CsapTier,
    DataClass,
    Environment,
    License,
    Percentile,
    Powerstate,
    PricingModel,
    Verdict,
)
from workmate.desk.models import Customer, Industry


def _blank(choices, label):
    return [("", label), *choices]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xlsx,.csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class SettingsForm(forms.Form):
    """The what-if settings and the assessment's own fields."""

    name = forms.CharField(label=_("Name"), max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), choices=Industry.choices)
    region = forms.CharField(label=_("Target region"), max_length=32)
    percentile = forms.ChoiceField(label=_("Utilisation figure"), choices=Percentile.choices)
    comfort_factor = forms.DecimalField(
        label=_("Comfort factor"), min_value=1, max_value=3, decimal_places=2
    )
    pricing_model = forms.ChoiceField(label=_("Pricing model"), choices=PricingModel.choices)
    allowed_families = forms.CharField(
        label=_("Allowed instance families"),
        required=False,
        help_text=_("Comma-separated, e.g. m6i, r6i; empty: every family in the catalogue."),
    )
    burstable_allowed = forms.BooleanField(
        label=_("Burstable types for development workloads"), required=False
    )
    relocate_enabled = forms.BooleanField(
        label=_("Relocate to VMware Cloud on AWS possible"), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["allowed_families"] = data["allowed_families"] or []
        return data


class NewAssessmentForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.all())
    name = forms.CharField(label=_("Name"), max_length=200)
    architect = forms.ModelChoiceField(label=_("LE architect"), queryset=None, required=False)

    def __init__(self, *args, team_code: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from workmate.accounts.models import User

        ids = Membership.objects.filter(team__code=team_code).values("user_id")
        self.fields["architect"].queryset = User.objects.filter(pk__in=ids, is_active=True)
        self.fields["architect"].empty_label = _("Me")


class ImportForm(forms.Form):
    files = MultipleFileField(
        label=_("Inventory files"),
        help_text=_(
            "An RVTools export (.xlsx), RVTools per-tab CSVs (several at once), or the "
            "Workmate CSV template."
        ),
    )


class WorkloadForm(forms.Form):
    """Every per-workload attribute; used for one workload and, all optional, in bulk."""

    powerstate = forms.ChoiceField(
        label=_("Power state"), choices=_blank(Powerstate.choices, "—"), required=False
    )
    cpus = forms.IntegerField(label=_("vCPUs"), min_value=1)
    memory_mib = forms.IntegerField(label=_("Memory (MiB)"), min_value=1)
    in_use_mib = forms.IntegerField(label=_("Disk in use (MiB)"), min_value=0, required=False)
    os_tools = forms.CharField(label=_("Operating system"), max_length=255, required=False)
    cpu_p95_pct = forms.DecimalField(
        label=_("CPU p95 %"), min_value=0, max_value=100, required=False
    )
    mem_p95_pct = forms.DecimalField(
        label=_("Memory p95 %"), min_value=0, max_value=100, required=False
    )
    cpu_avg_pct = forms.DecimalField(
        label=_("CPU average %"), min_value=0, max_value=100, required=False
    )
    mem_avg_pct = forms.DecimalField(
        label=_("Memory average %"), min_value=0, max_value=100, required=False
    )
    perf_days = forms.IntegerField(label=_("Days of utilisation data"), min_value=0, required=False)
    environment = forms.ChoiceField(
        label=_("Environment"), choices=_blank(Environment.choices, "—"), required=False
    )
    business_value = forms.ChoiceField(
        label=_("Business value"),
        choices=_blank(BusinessValue.choices, _("unknown")),
        required=False,
    )
    db_engine = forms.CharField(label=_("Database engine"), max_length=64, required=False)
    license = forms.ChoiceField(
        label=_("Licence"), choices=_blank(License.choices, "—"), required=False
    )
    sector = forms.ChoiceField(
        label=_("Sector"), choices=_blank(Industry.choices, _("the assessment's")), required=False
    )
    data_classes = forms.MultipleChoiceField(
        label=_("Data classes"),
        choices=DataClass.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    csap_tier = forms.ChoiceField(
        label=_("CSAP tier"), choices=_blank(CsapTier.choices, "—"), required=False
    )
    target_region = forms.CharField(
        label=_("Requested target region"), max_length=32, required=False
    )
    dr_region = forms.CharField(label=_("DR region"), max_length=32, required=False)


class BulkEditForm(forms.Form):
    """Set one attribute on the ticked workloads."""

    FIELDS = [
        ("environment", _("Environment")),
        ("business_value", _("Business value")),
        ("license", _("Licence")),
        ("sector", _("Sector")),
        ("csap_tier", _("CSAP tier")),
        ("data_classes", _("Data classes")),
        ("db_engine", _("Database engine")),
        ("target_region", _("Requested target region")),
        ("dr_region", _("DR region")),
        ("perf_days", _("Days of utilisation data")),
    ]
    field = forms.ChoiceField(label=_("Attribute"), choices=FIELDS)
    value = forms.CharField(
        label=_("Value"),
        required=False,
        max_length=255,
        help_text=_("Empty clears it; data classes separated by semicolons."),
    )


class OverrideForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Chosen verdict"), choices=_blank(Verdict.choices, _("as computed")), required=False
    )
    instance_type = forms.CharField(label=_("Chosen instance type"), max_length=32, required=False)
    region = forms.CharField(label=_("Chosen region"), max_length=32, required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CsapServiceForm(forms.Form):
    tier = forms.ChoiceField(label=_("CSAP tier"), choices=CsapTier.choices)
    provider = forms.CharField(label=_("Provider"), max_length=100)
    service = forms.CharField(label=_("Service"), max_length=200)
    certified_on = forms.DateField(label=_("Certified on"), required=False)
