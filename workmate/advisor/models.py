"""The cloud-fit advisor: assessments of a customer's server inventory (issue 14).

An `Assessment` belongs to a desk customer and an LE architect and holds the what-if
settings; each `Workload` is one VM of the inventory with its source attributes (from
RVTools or Workmate's template), the computed result (readiness, the 7 Rs verdict, the
target instance, costs, confidence, fired rules, regulation findings) and the architect's
override. `ImportRun` is one upload (preview, refusals row by row, progress);
`PriceSnapshot` + `InstancePrice` are the price catalogue of one region;
`AssessmentEvent` is the timeline of who changed what.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from workmate.desk.models import Customer, Industry

# AWS prices by the hour; a month is 730 hours (365 × 24 / 12), as AWS's calculator says.
HOURS_PER_MONTH = 730
DEFAULT_REGION = "ap-northeast-2"
DEFAULT_COMFORT = Decimal("1.30")


class Percentile(models.TextChoices):
    """Which utilisation figure performance-based sizing reads."""

    P95 = "p95", _("95th percentile")
    AVERAGE = "avg", _("Average")


class PricingModel(models.TextChoices):
    ON_DEMAND = "on_demand", _("On demand")
    RESERVED_1Y = "reserved_1y", _("Reserved, 1 year, no upfront")
    RESERVED_3Y = "reserved_3y", _("Reserved, 3 years, no upfront")


class Assessment(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("customer")
    )
    architect = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="advisor_assessments",
        verbose_name=_("LE architect"),
    )
    name = models.CharField(_("name"), max_length=200)
    # The sector the regulation rules read; a workload's own sector wins. Blank is never
    # stored: the service fills it from the customer's industry.
    sector = models.CharField(_("sector"), max_length=16, choices=Industry.choices)
    notes = models.TextField(_("notes"), blank=True)

    # What-if settings: changing any of them recomputes every workload.
    region = models.CharField(_("target region"), max_length=32, default=DEFAULT_REGION)
    percentile = models.CharField(
        _("utilisation figure"), max_length=8, choices=Percentile.choices, default=Percentile.P95
    )
    comfort_factor = models.DecimalField(
        _("comfort factor"),
        max_digits=3,
        decimal_places=2,
        default=DEFAULT_COMFORT,
        validators=[MinValueValidator(Decimal("1.00")), MaxValueValidator(Decimal("3.00"))],
    )
    pricing_model = models.CharField(
        _("pricing model"),
        max_length=16,
        choices=PricingModel.choices,
        default=PricingModel.ON_DEMAND,
    )
    # Instance families sizing may choose from ("m7i", "r6g"); empty means every family.
    allowed_families = models.JSONField(_("allowed instance families"), default=list, blank=True)
    burstable_allowed = models.BooleanField(
        _("burstable types for non-production workloads"), default=False
    )
    relocate_enabled = models.BooleanField(
        _("Relocate (VMware Cloud on AWS) possible"), default=False
    )

    # What the last computation used, for the report's assumptions.
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    # A recomputation running in the worker (what-if settings on a large inventory): the
    # page polls these. Empty status: nothing running.
    compute_status = models.CharField(max_length=12, blank=True)
    compute_done = models.PositiveIntegerField(default=0)
    compute_total = models.PositiveIntegerField(default=0)
    price_date = models.DateField(_("price date"), null=True, blank=True)

    # Publishing to the customer's portal and the migration project (issue 14 points 8, 9).
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    project = models.ForeignKey(
        "work.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="advisor_assessments",
        verbose_name=_("migration project"),
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(comfort_factor__gte=Decimal("1.00"))
                & Q(comfort_factor__lte=Decimal("3.00")),
                name="advisor_assessment_comfort_range",
            ),
        ]
        indexes = [
            # The customer page lists its assessments, newest first.
            models.Index(fields=["customer", "-created_at"], name="advisor_assess_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("advisor:assessment", args=[self.pk])

    @property
    def hours_per_month(self) -> int:
        return HOURS_PER_MONTH


class EventKind(models.TextChoices):
    CREATED = "created", _("created")
    SETTINGS = "settings", _("settings changed")
    IMPORTED = "imported", _("inventory imported")
    IMPORT_FAILED = "import_failed", _("import refused")
    EDITED = "edited", _("workloads edited")
    COMPUTED = "computed", _("recomputed")
    OVERRIDDEN = "overridden", _("override set")
    OVERRIDE_CLEARED = "override_cleared", _("override cleared")
    PUBLISHED = "published", _("published")
    UNPUBLISHED = "unpublished", _("unpublished")
    PROJECT_STARTED = "project_started", _("migration project started")


class AssessmentEvent(models.Model):
    """One line of an assessment's timeline: who changed what, when."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    # What changed, e.g. {"comfort_factor": ["1.30", "1.50"]} or {"workloads": ["web01"]}.
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # The assessment page shows its latest events.
            models.Index(fields=["assessment", "-at"], name="advisor_event_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ImportFormat(models.TextChoices):
    RVTOOLS_XLSX = "rvtools_xlsx", _("RVTools export (.xlsx)")
    RVTOOLS_CSV = "rvtools_csv", _("RVTools per-tab CSV")
    TEMPLATE_CSV = "template_csv", _("Workmate CSV template")


class ImportStatus(models.TextChoices):
    READING = "reading", _("reading the file")
    PREVIEW = "preview", _("waiting for confirmation")
    APPLYING = "applying", _("importing")
    DONE = "done", _("imported")
    REFUSED = "refused", _("refused")
    CANCELLED = "cancelled", _("cancelled")


class ImportRun(models.Model):
    """One upload of an inventory: read in the worker into a preview, then applied in one
    transaction once the architect confirms; refusals are kept row by row."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    format = models.CharField(_("format"), max_length=16, choices=ImportFormat.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.READING
    )
    # Computing after the import is part of the run, so one progress bar covers both.
    phase = models.CharField(max_length=16, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # A whole-file refusal ("neither an RVTools export nor the template: expected ...").
    error = models.TextField(blank=True)
    # [{"row": 7, "file": "RVTools_tabvInfo.csv", "vm_name": "web01", "reason": "..."}]
    refusals = models.JSONField(default=list, blank=True)
    # The first rows as they will be read, and counts; for the confirmation page.
    preview = models.JSONField(default=dict, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    compute_after = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in {ImportStatus.READING, ImportStatus.APPLYING}

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


def import_upload_to(instance: ImportFile, filename: str) -> str:
    return f"advisor/imports/{instance.run_id}/{filename}"


class ImportFile(models.Model):
    """One uploaded file of a run (RVTools per-tab CSVs come as several)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=import_upload_to, max_length=300)
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class Powerstate(models.TextChoices):
    ON = "on", _("powered on")
    OFF = "off", _("powered off")
    SUSPENDED = "suspended", _("suspended")


class Environment(models.TextChoices):
    PROD = "prod", _("production")
    DEV = "dev", _("development")


class BusinessValue(models.TextChoices):
    NONE = "none", _("none")
    LOW = "low", _("low")
    HIGH = "high", _("high")


class License(models.TextChoices):
    INCLUDED = "included", _("licence included")
    BYOL = "byol", _("bring your own licence")


class DataClass(models.TextChoices):
    PERSONAL = "personal", _("personal data")
    CREDIT = "credit", _("credit information")
    UNIQUE_ID = "unique_id", _("resident / unique ID")
    MEDICAL = "medical", _("medical records")
    PUBLIC_ONLY = "public_only", _("public data only")


class CsapTier(models.TextChoices):
    HIGH = "high", _("CSAP high (상)")
    MEDIUM = "medium", _("CSAP medium (중)")
    LOW = "low", _("CSAP low (하)")


class Readiness(models.TextChoices):
    READY = "ready", _("ready")
    CONDITIONAL = "conditional", _("ready with conditions")
    NOT_READY = "not_ready", _("not ready")
    UNKNOWN = "unknown", _("unknown")
    EXCLUDED = "excluded", _("excluded")


class Verdict(models.TextChoices):
    RETIRE = "retire", _("Retire")
    RETAIN = "retain", _("Retain")
    REHOST = "rehost", _("Rehost")
    RELOCATE = "relocate", _("Relocate")
    REPLATFORM = "replatform", _("Replatform")
    REPURCHASE = "repurchase", _("Repurchase")
    REFACTOR = "refactor", _("Refactor")


class Confidence(models.TextChoices):
    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


class SizingBasis(models.TextChoices):
    PERFORMANCE = "performance", _("performance-based")
    AS_ON_PREMISES = "as_on_premises", _("as on premises")


class WorkloadQuerySet(models.QuerySet["Workload"]):
    def included(self) -> WorkloadQuerySet:
        return self.exclude(readiness=Readiness.EXCLUDED)

    def overridden(self) -> WorkloadQuerySet:
        return self.exclude(override_reason="")


_pct = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Workload(models.Model):
    """One VM of the inventory, its computed result and the architect's override."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="workloads")
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # --- Source attributes (RVTools columns and the template's) ---
    vm_name = models.CharField(_("VM name"), max_length=255)
    vcenter = models.CharField(_("vCenter"), max_length=255, blank=True, default="")
    powerstate = models.CharField(
        _("power state"), max_length=12, choices=Powerstate.choices, blank=True
    )
    is_template = models.BooleanField(_("template"), default=False)
    # RVTools marks Site Recovery Manager placeholders in vInfo's "SRM Placeholder".
    is_srm_placeholder = models.BooleanField(_("SRM placeholder"), default=False)
    cpus = models.PositiveIntegerField(_("vCPUs"))
    memory_mib = models.PositiveBigIntegerField(_("memory (MiB)"))
    provisioned_mib = models.PositiveBigIntegerField(_("provisioned (MiB)"), null=True, blank=True)
    in_use_mib = models.PositiveBigIntegerField(_("in use (MiB)"), null=True, blank=True)
    # Sum of vPartition "Consumed MiB" when the VM has partition rows.
    partition_consumed_mib = models.PositiveBigIntegerField(
        _("partitions consumed (MiB)"), null=True, blank=True
    )
    os_config = models.CharField(_("OS (configuration file)"), max_length=255, blank=True)
    os_tools = models.CharField(_("OS (VMware Tools)"), max_length=255, blank=True)
    datacenter = models.CharField(_("datacenter"), max_length=255, blank=True)
    cluster = models.CharField(_("cluster"), max_length=255, blank=True)
    host = models.CharField(_("host"), max_length=255, blank=True)

    cpu_p95_pct = models.DecimalField(
        _("CPU p95 %"), max_digits=5, decimal_places=2, null=True, blank=True, validators=_pct
    )
    mem_p95_pct = models.DecimalField(
        _("memory p95 %"), max_digits=5, decimal_places=2, null=True, blank=True, validators=_pct
    )
    cpu_avg_pct = models.DecimalField(
        _("CPU average %"), max_digits=5, decimal_places=2, null=True, blank=True, validators=_pct
    )
    mem_avg_pct = models.DecimalField(
        _("memory average %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_pct,
    )
    perf_days = models.PositiveIntegerField(_("days of utilisation data"), null=True, blank=True)
    environment = models.CharField(
        _("environment"), max_length=8, choices=Environment.choices, blank=True
    )
    # Blank is "unknown", never read as none.
    business_value = models.CharField(
        _("business value"), max_length=8, choices=BusinessValue.choices, blank=True
    )
    db_engine = models.CharField(_("database engine"), max_length=64, blank=True)
    license = models.CharField(_("licence"), max_length=12, choices=License.choices, blank=True)
    # Blank: the assessment's sector.
    sector = models.CharField(_("sector"), max_length=16, choices=Industry.choices, blank=True)
    data_classes = models.JSONField(_("data classes"), default=list, blank=True)
    csap_tier = models.CharField(_("CSAP tier"), max_length=8, choices=CsapTier.choices, blank=True)
    target_region = models.CharField(_("requested target region"), max_length=32, blank=True)
    dr_region = models.CharField(_("DR region"), max_length=32, blank=True)

    # --- Computed (workmate/advisor/assess.py) ---
    readiness = models.CharField(
        _("readiness"), max_length=12, choices=Readiness.choices, blank=True
    )
    os_family = models.CharField(_("OS family"), max_length=12, blank=True)  # linux|windows|""
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices, blank=True)
    sizing_basis = models.CharField(max_length=16, choices=SizingBasis.choices, blank=True)
    needed_vcpu = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    needed_memory_mib = models.PositiveBigIntegerField(null=True, blank=True)
    instance_type = models.CharField(_("instance type"), max_length=32, blank=True)
    region = models.CharField(_("region"), max_length=32, blank=True)
    storage_gb = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # Costs of the chosen target (the override when there is one), USD a month.
    monthly_compute_usd = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    monthly_on_demand_usd = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    monthly_reserved_usd = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    monthly_storage_usd = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    confidence = models.CharField(
        _("confidence"), max_length=8, choices=Confidence.choices, blank=True
    )
    fired_rules = models.JSONField(_("rules"), default=list, blank=True)
    # [{"id": "fin-korea-region", "refused": "us-east-1"}, ...]
    findings = models.JSONField(_("findings"), default=list, blank=True)
    # Caveat ids: "os-eol", "os-32bit", "no-fit", ...
    caveats = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    # --- The architect's override: the computed values above stay as computed ---
    override_verdict = models.CharField(
        _("chosen verdict"), max_length=12, choices=Verdict.choices, blank=True
    )
    override_instance_type = models.CharField(_("chosen instance type"), max_length=32, blank=True)
    override_region = models.CharField(_("chosen region"), max_length=32, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkloadQuerySet.as_manager()

    class Meta:
        verbose_name = _("workload")
        verbose_name_plural = _("workloads")
        ordering = ["vm_name", "vcenter", "pk"]
        constraints = [
            # Re-importing updates a VM by name and vCenter instead of duplicating it.
            models.UniqueConstraint(
                fields=["assessment", "vm_name", "vcenter"], name="advisor_workload_vm_once"
            ),
            # An override always says why.
            models.CheckConstraint(
                condition=Q(override_verdict="", override_instance_type="", override_region="")
                | ~Q(override_reason=""),
                name="advisor_override_has_reason",
            ),
            models.CheckConstraint(condition=Q(cpus__gte=1), name="advisor_workload_cpus_positive"),
        ]
        indexes = [
            # The report counts and filters workloads by verdict.
            models.Index(fields=["assessment", "verdict"], name="advisor_workload_verdict"),
        ]

    def __str__(self) -> str:
        return self.vm_name

    @property
    def chosen_verdict(self) -> str:
        return self.override_verdict or self.verdict

    @property
    def chosen_instance_type(self) -> str:
        return self.override_instance_type or self.instance_type

    @property
    def chosen_region(self) -> str:
        return self.override_region or self.region

    @property
    def is_overridden(self) -> bool:
        return bool(self.override_reason)

    @property
    def os_name(self) -> str:
        """VMware Tools' OS when it reports one, else the configuration file's."""
        return self.os_tools or self.os_config

    @property
    def effective_sector(self) -> str:
        return self.sector or self.assessment.sector


class PriceSnapshot(models.Model):
    """The price catalogue of one region, as of one AWS publication."""

    region = models.CharField(_("region"), max_length=32, unique=True)
    publication_date = models.DateField(_("publication date"))
    version = models.CharField(_("version"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    gp3_gb_month_usd = models.DecimalField(
        _("EBS gp3 per GB-month (USD)"), max_digits=10, decimal_places=6, null=True, blank=True
    )
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)

    class Meta:
        ordering = ["region"]

    def __str__(self) -> str:
        return f"{self.region} {self.publication_date}"


class OsFamily(models.TextChoices):
    LINUX = "linux", _("Linux")
    WINDOWS = "windows", _("Windows")


class PriceTerm(models.TextChoices):
    ON_DEMAND = "on_demand", _("On demand")
    RESERVED_1Y = "reserved_1y", _("Reserved, 1 year, no upfront")
    RESERVED_3Y = "reserved_3y", _("Reserved, 3 years, no upfront")


class InstancePrice(models.Model):
    """An EC2 instance type's hourly price in one region for one OS, licence and term
    (shared tenancy, no pre-installed software)."""

    snapshot = models.ForeignKey(PriceSnapshot, on_delete=models.CASCADE, related_name="prices")
    instance_type = models.CharField(max_length=32)
    family = models.CharField(max_length=16)
    vcpu = models.PositiveIntegerField()
    memory_mib = models.PositiveBigIntegerField()
    os = models.CharField(max_length=8, choices=OsFamily.choices)
    # "included" (AWS: No License required) or "byol" (Bring your own license).
    license = models.CharField(max_length=12, choices=License.choices)
    term = models.CharField(max_length=12, choices=PriceTerm.choices)
    hourly_usd = models.DecimalField(max_digits=12, decimal_places=6)
    is_burstable = models.BooleanField(default=False)

    class Meta:
        ordering = ["hourly_usd", "instance_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "instance_type", "os", "license", "term"],
                name="advisor_price_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instance_type} {self.os} {self.term} {self.hourly_usd}"


class CsapCertifiedService(models.Model):
    """A cloud service certified under CSAP at a tier (the maintained list, editable)."""

    tier = models.CharField(_("CSAP tier"), max_length=8, choices=CsapTier.choices)
    provider = models.CharField(_("provider"), max_length=100)
    service = models.CharField(_("service"), max_length=200)
    certified_on = models.DateField(_("certified on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("CSAP-certified service")
        verbose_name_plural = _("CSAP-certified services")
        ordering = ["tier", "provider", "service"]
        constraints = [
            models.UniqueConstraint(
                fields=["tier", "provider", "service"], name="advisor_csap_service_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.service} ({self.get_tier_display()})"


class PublishedReportQuerySet(models.QuerySet["PublishedReport"]):
    def current(self) -> PublishedReportQuerySet:
        return self.filter(withdrawn_at__isnull=True)

    def for_contact(self, contact) -> PublishedReportQuerySet:
        """What a customer's contact may read: the current reports of their organisations."""
        return self.current().filter(assessment__customer__memberships__contact=contact)


class PublishedReport(models.Model):
    """The report as the architect published it to the customer's portal: a frozen copy of
    the report's data (`workmate/advisor/report.py`, codes and numbers, no translated
    words), so later edits to the assessment reach the customer only when published again.
    Each publication is a new version; unpublishing withdraws every version."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="published_reports"
    )
    version = models.PositiveIntegerField(_("version"))
    data = models.JSONField(default=dict)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = PublishedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("published report")
        verbose_name_plural = _("published reports")
        ordering = ["-published_at", "-pk"]
        constraints = [
            # Versions count up per assessment; two publications never share a number.
            models.UniqueConstraint(
                fields=["assessment", "version"], name="advisor_published_version_once"
            ),
        ]
        indexes = [
            # The portal lists the current reports of a contact's organisations.
            models.Index(
                fields=["assessment", "-published_at"],
                condition=Q(withdrawn_at__isnull=True),
                name="advisor_published_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} v{self.version}"
