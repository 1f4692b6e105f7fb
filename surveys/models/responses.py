"""What respondents give: responses, invitations, quotas and review history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .choices import Channel, ResponseStatus


class Invitation(models.Model):
    """A single-use link for a panel or visitor-list survey.

    Only a SHA-256 digest of the token is stored; the token itself is shown once.
    """

    survey = models.ForeignKey(
        "surveys.SurveyPage", on_delete=models.CASCADE, related_name="invitations"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    batch = models.CharField(_("batch"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.token_digest[:8]}"


class Response(models.Model):
    """One respondent's answers to one survey, keyed by question code.

    ``revision`` is the page revision answered, so later edits to the
    questionnaire never change what an answer meant. Times are truncated to the
    hour; the precise durations respondents spend are summed per section.
    """

    # No index of its own: the unique (survey, idempotency_key) and the
    # (survey, status, submitted_at) indexes both start with survey_id, and every
    # index is maintained on each of a million imported rows.
    survey = models.ForeignKey(
        "surveys.SurveyPage",
        on_delete=models.PROTECT,
        related_name="responses",
        db_index=False,
        db_constraint=False,
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    status = models.CharField(
        max_length=16,
        choices=ResponseStatus.choices,
        default=ResponseStatus.IN_PROGRESS,
    )
    # Unique through Meta.constraints: a field's unique=True would add a second
    # (LIKE) index that no query uses; digests are only compared for equality.
    # Imported responses cannot be resumed and have none, so the partial unique
    # index skips each of their rows (a plain btree would index the NULLs too).
    resume_digest = models.CharField(  # noqa: DJ001 - NULL, not '', skips the index
        max_length=64, null=True, blank=True
    )
    idempotency_key = models.CharField(max_length=64)
    # One response per invitation through a partial unique index (Meta): a
    # OneToOneField's index would hold a NULL for every response without one,
    # that is every web and imported response of an open survey.
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        related_query_name="response",  # lookups read as before: response__...
        db_index=False,
        db_constraint=False,
    )
    service_point = models.ForeignKey(
        "surveys.ServicePoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        db_constraint=False,
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    language = models.CharField(max_length=8)
    started_at = models.DateTimeField(_("started (hour)"))
    saved_at = models.DateTimeField(_("last saved (hour)"))
    submitted_at = models.DateTimeField(_("submitted (hour)"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(default=0)
    sections_done = models.PositiveSmallIntegerField(default=0)
    answers = models.JSONField(default=dict)
    flags = models.JSONField(default=list, blank=True)
    excluded = models.BooleanField(default=False)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # partial index in Meta: almost every row has none
        db_constraint=False,
    )
    excluded_at = models.DateTimeField(null=True, blank=True)
    # Provenance of an imported response, on the row itself rather than in a
    # table of its own (one more row, two keys and two indexes per response).
    # The job is a plain number: surveys does not depend on the exchange app,
    # and an unindexed column costs nothing per imported row.
    import_job = models.PositiveIntegerField(_("import"), null=True, blank=True)
    import_row = models.PositiveIntegerField(
        _("row in the file"), null=True, blank=True
    )
    interviewer = models.CharField(_("interviewer id"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["resume_digest"],
                condition=Q(resume_digest__isnull=False),
                name="response_resume_digest_unique",
            ),
            models.UniqueConstraint(
                fields=["invitation"],
                condition=Q(invitation__isnull=False),
                name="response_one_per_invitation",
            ),
            # Only an imported response may lack a resume digest.
            models.CheckConstraint(
                condition=Q(resume_digest__isnull=False) | Q(import_job__isnull=False),
                name="response_resumable_or_imported",
            ),
            models.UniqueConstraint(
                fields=["survey", "idempotency_key"],
                name="response_one_per_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | Q(status=ResponseStatus.SUBMITTED)
                | Q(status=ResponseStatus.OVER_QUOTA),
                name="response_submitted_at_only_when_submitted",
            ),
        ]
        indexes = [
            models.Index(fields=["survey", "status", "submitted_at"]),
            models.Index(
                fields=["excluded_by"],
                condition=Q(excluded_by__isnull=False),
                name="response_excluded_by_set",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"

    @property
    def counts_in_analysis(self) -> bool:
        # Suspected bots and duplicates are excluded at submit; quality flags
        # only mark a response for an assessor to review.
        return self.status == ResponseStatus.SUBMITTED and not self.excluded


class ResponseReview(models.Model):
    """Who excluded or restored a response, when and why."""

    class Action(models.TextChoices):
        EXCLUDE = "exclude", _("Excluded")
        RESTORE = "restore", _("Restored")

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="reviews"
    )
    action = models.CharField(max_length=8, choices=Action.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-reviewed_at"]
        verbose_name = _("response review")

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.response_id}"


class Quota(models.Model):
    """At most ``limit`` completes in one cell: a service point or a demographic
    answer (``variable`` is ``service_point`` or a question code)."""

    SERVICE_POINT = "service_point"

    survey = models.ForeignKey(
        "surveys.SurveyPage", on_delete=models.CASCADE, related_name="quotas"
    )
    variable = models.CharField(
        _("variable"),
        max_length=40,
        help_text=_("“service_point” or the code of a demographic question."),
    )
    value = models.CharField(
        _("value"),
        max_length=40,
        help_text=_("Service point code or the option's stored value."),
    )
    limit = models.PositiveIntegerField(_("maximum completes"))
    completes = models.PositiveIntegerField(_("completes so far"), default=0)

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["survey_id", "variable", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "variable", "value"], name="quota_one_per_cell"
            ),
            models.CheckConstraint(
                condition=Q(completes__lte=F("limit")), name="quota_not_exceeded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variable}={self.value} ≤ {self.limit}"


class FollowUpContact(models.Model):
    """Contact details a respondent chose to leave, kept apart from any answers.

    Never part of ``Response.answers`` (so never in an export or the analysis);
    only users with ``surveys.view_followupcontact`` see them, and
    ``apply_retention`` deletes them after their period.
    """

    survey = models.ForeignKey(
        "surveys.SurveyPage", on_delete=models.CASCADE, related_name="contacts"
    )
    # Which answers the respondent may be contacted about; one contact at most.
    response = models.OneToOneField(
        Response,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_up_contact",
    )
    name = models.CharField(_("name"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    consented_at = models.DateTimeField(_("consented (hour)"))

    class Meta:
        verbose_name = _("follow-up contact")
        verbose_name_plural = _("follow-up contacts")

    def __str__(self) -> str:
        return self.name or self.phone or self.email
