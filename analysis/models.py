"""Waves, population margins, roll-up weights, index runs and stored results.

Stored results are the single source for the dashboard, the reports, the
public results page and the JSON API: one :class:`IndexResult` row per
(run, kind, dimension, domain type, domain), never recomputed on display.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import RevisionMixin

from analysis.status_messages import Message, from_fields
from core.i18n import localized_value


class Wave(models.Model):
    """The surveys of one fieldwork period, assessed together.

    ``published_run`` is the run an official approved; the public page and the
    API show only that run's results.
    """

    slug = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Short stable identifier, e.g. 2026-q4; used in links."),
    )
    name = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    period_start = models.DateField(_("fieldwork starts"))
    period_end = models.DateField(_("fieldwork ends"))
    surveys = models.ManyToManyField(
        "surveys.SurveyPage",
        blank=True,
        related_name="assessment_waves",
        verbose_name=_("surveys"),
        help_text=_("The questionnaires whose responses this wave assesses."),
    )
    confidence = models.FloatField(
        _("confidence level"),
        default=0.95,
        help_text=_("For intervals and target verdicts, e.g. 0.95."),
    )
    published_run = models.ForeignKey(
        "analysis.IndexRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published results"),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    panels = [
        FieldPanel("slug"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("period_start"),
        FieldPanel("period_end"),
        FieldPanel("surveys"),
        FieldPanel("confidence"),
    ]

    class Meta:
        ordering = ["-period_start", "slug"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        permissions = [("publish_results", "Can approve and publish a wave's results")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="wave_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gt=0.5) & Q(confidence__lt=1),
                name="wave_confidence_between_half_and_one",
            ),
        ]

    def __str__(self) -> str:
        return str(localized_value(self, "name"))


class PopulationMargin(RevisionMixin, ClusterableModel):
    """Population counts of one variable or crossed variables, for one wave.

    ``variables`` names weighting variables joined by commas (``region`` or
    ``region,age_band,gender``); each cell's ``category`` gives their values
    in the same order, joined by commas. Edits keep revisions; each run
    records a digest of the margins it used.
    """

    wave = models.ForeignKey(
        Wave,
        on_delete=models.CASCADE,
        related_name="margins",
        verbose_name=_("wave"),
    )
    variables = models.CharField(
        _("variables"),
        max_length=120,
        help_text=_(
            "Weighting variables, comma-separated, e.g. region,age_band,gender."
        ),
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the counts come from, e.g. 2020 census, table 3-1."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    panels = [
        FieldPanel("wave"),
        FieldPanel("variables"),
        FieldPanel("source"),
        InlinePanel("cells", label=_("cells"), min_num=1),
    ]

    class Meta:
        ordering = ["wave", "variables"]
        verbose_name = _("population margin")
        verbose_name_plural = _("population margins")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "variables"], name="margin_one_per_wave_variables"
            )
        ]

    def __str__(self) -> str:
        return f"{self.wave} · {self.variables}"

    @property
    def variable_list(self) -> list[str]:
        return [v.strip() for v in self.variables.split(",") if v.strip()]


class PopulationMarginCell(models.Model):
    margin = ParentalKey(
        PopulationMargin,
        on_delete=models.CASCADE,
        related_name="cells",
        verbose_name=_("margin table"),
    )
    category = models.CharField(
        _("category"),
        max_length=200,
        help_text=_("Values of the variables in order, comma-separated."),
    )
    population = models.FloatField(_("population"), validators=[MinValueValidator(0)])

    panels = [FieldPanel("category"), FieldPanel("population")]

    class Meta:
        ordering = ["margin", "category"]
        verbose_name = _("margin cell")
        constraints = [
            models.UniqueConstraint(
                fields=["margin", "category"], name="margin_cell_unique_category"
            ),
            models.CheckConstraint(
                condition=Q(population__gte=0), name="margin_cell_population_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.population:g}"

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(v.strip() for v in self.category.split(","))


class Rollup(models.TextChoices):
    """The plan's groupings of sectors (analysis.stats.indexes.PLAN_ROLLUPS)."""

    CONSUMER = "consumer_services", _("Consumer services")
    PRODUCER = "producer_services", _("Producer services")
    SERVICE_SECTOR = "service_sector", _("Service sector")


class RollupWeight(models.Model):
    """A sector's weight in a roll-up for one wave (equal weights when none)."""

    wave = models.ForeignKey(
        Wave,
        on_delete=models.CASCADE,
        related_name="rollup_weights",
        verbose_name=_("wave"),
    )
    rollup = models.CharField(_("roll-up"), max_length=24, choices=Rollup.choices)
    sector = models.ForeignKey(
        "surveys.Sector",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sector"),
    )
    weight = models.FloatField(
        _("weight"),
        validators=[MinValueValidator(0)],
        help_text=_("Relative weight, e.g. service volume; normalized per roll-up."),
    )

    panels = [
        FieldPanel("wave"),
        FieldPanel("rollup"),
        FieldPanel("sector"),
        FieldPanel("weight"),
    ]

    class Meta:
        ordering = ["wave", "rollup", "sector"]
        verbose_name = _("roll-up weight")
        verbose_name_plural = _("roll-up weights")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "rollup", "sector"], name="rollup_weight_unique"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="rollup_weight_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rollup_display()} · {self.sector}: {self.weight:g}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class RunTrigger(models.TextChoices):
    MANUAL = "manual", _("On demand")
    IMPORT = "import", _("After an import")
    SCHEDULE = "schedule", _("Scheduled")
    DEMO = "demo", _("Demo data")


class IndexRun(models.Model):
    """One computation of a wave's results: status, progress and provenance.

    At most one queued or running run per wave (database constraint);
    results are written with the status change to ``succeeded`` in one
    transaction, so a run either has all its results or none.
    """

    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, related_name="runs", verbose_name=_("wave")
    )
    status = models.CharField(
        max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    trigger = models.CharField(
        max_length=12, choices=RunTrigger.choices, default=RunTrigger.MANUAL
    )
    progress = models.PositiveSmallIntegerField(default=0)
    # what the status said, worded in the reader's language when shown
    # (analysis.status_messages): the msgid and its parameters
    message = models.CharField(max_length=300, blank=True)
    message_params = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("last heartbeat"),
        null=True,
        blank=True,
        help_text=_("Last progress report of the worker."),
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    data_fingerprint = models.CharField(max_length=64, blank=True)
    provenance = models.JSONField(default=dict, blank=True)
    diagnostics = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("index run")
        verbose_name_plural = _("index runs")
        permissions = [("run_index_pipeline", "Can run the index pipeline")]
        constraints = [
            models.UniqueConstraint(
                fields=["wave"],
                condition=Q(status__in=["queued", "running"]),
                name="index_run_one_active_per_wave",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="index_run_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave} #{self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def status_message(self) -> Message:
        return from_fields(self.message, self.message_params)


class ResultKind(models.TextChoices):
    INDEX = "index", _("Satisfaction index (0-100)")
    SATISFIED_RATE = "satisfied_rate", _("Share satisfied (0-1)")
    DIMENSION = "dimension", _("Dimension score (0-100)")
    DRIVER = "driver", _("Key-driver importance (share of variance, 0-1)")
    ALPHA = "alpha", _("Cronbach's alpha of a dimension")
    SHRUNK_INDEX = "shrunk_index", _("Shrinkage (Fay-Herriot) index (0-100)")


class DomainType(models.TextChoices):
    ALL = "all", _("All respondents")
    ROLLUP = "rollup", _("Roll-up of sectors")
    SECTOR = "sector", _("Sector")
    REGION = "region", _("Region")
    SERVICE_POINT = "service_point", _("Service point")
    SECTOR_REGION = "sector_region", _("District x sector")
    CHANNEL = "channel", _("Channel")


class Verdict(models.TextChoices):
    MET = "met", _("Target met")
    NOT_MET = "not_met", _("Target not met")
    NOT_DISTINGUISHABLE = "not_distinguishable", _("Not distinguishable from target")


class IndexResult(models.Model):
    """One estimate of a run: a kind, for one domain, with its uncertainty.

    ``estimate``, ``ci_low`` and ``ci_high`` are on the kind's scale (0-100
    for indexes, dimension scores and shrinkage indexes, 0-1 for rates,
    driver importances and alphas). ``target`` and
    ``verdict`` are filled where the plan sets a target (roll-ups, and
    sectors against their service class's target).
    """

    run = models.ForeignKey(IndexRun, on_delete=models.CASCADE, related_name="results")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="results")
    kind = models.CharField(max_length=16, choices=ResultKind.choices)
    dimension = models.CharField(max_length=40, blank=True)
    domain_type = models.CharField(max_length=16, choices=DomainType.choices)
    # up to "<sector>/<region>" for the district x sector grid (codes <= 40)
    domain = models.CharField(max_length=100)
    domain_name = models.CharField(max_length=200, blank=True)
    domain_name_en = models.CharField(max_length=200, blank=True)
    estimate = models.FloatField(null=True)
    se = models.FloatField(null=True)
    ci_low = models.FloatField(null=True)
    ci_high = models.FloatField(null=True)
    n = models.PositiveIntegerField()
    deff = models.FloatField(null=True)
    df = models.FloatField(null=True)
    target = models.FloatField(null=True, blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    p_value = models.FloatField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["run", "kind", "dimension", "domain_type", "domain"]
        verbose_name = _("index result")
        verbose_name_plural = _("index results")
        permissions = [("download_report", "Can download result reports")]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "kind", "dimension", "domain_type", "domain"],
                name="index_result_one_per_domain",
            )
        ]
        indexes = [models.Index(fields=["wave", "kind", "domain_type"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.domain_type}={self.domain}: {self.estimate}"


# Generated reports live in their own module (analysis/reports/).
from analysis.reports.models import Report  # noqa: E402, F401
