"""Survey pages: the index of open surveys and the questionnaire itself."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.url_routing import RouteResult

from surveys.blocks.streams import (
    SurveyStreamBlock,
    questionnaire_errors,
    questionnaire_from_stream,
)
from surveys.questionnaire import Questionnaire


class SurveyIndexPage(Page):
    """Lists the surveys that are open now."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = RichTextField(_("introduction (Chinese)"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True)

    subpage_types = ["surveys.SurveyPage"]
    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("intro"),
        FieldPanel("intro_en"),
    ]

    class Meta:
        verbose_name = _("survey index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["surveys"] = (
            SurveyPage.objects.child_of(self)
            .live()
            .select_related("sector")
            .order_by("sector__sort_order", "-first_published_at")
        )
        return context


class SurveyPage(RoutablePageMixin, Page):
    """One questionnaire for one sector and wave, in Chinese and English."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    sector = models.ForeignKey(
        "surveys.Sector",
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("sector"),
    )
    wave = models.CharField(
        _("wave"), max_length=40, help_text=_("Fieldwork period, e.g. 2026 Q4.")
    )
    intro = RichTextField(_("introduction (Chinese)"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True)
    privacy_notice = RichTextField(
        _("privacy notice (Chinese)"),
        help_text=_("What is kept, for how long and who sees it."),
    )
    privacy_notice_en = RichTextField(_("privacy notice (English)"), blank=True)
    thank_you = RichTextField(_("thank-you text (Chinese)"))
    thank_you_en = RichTextField(_("thank-you text (English)"), blank=True)
    body = StreamField(SurveyStreamBlock(), verbose_name=_("questionnaire"))
    invitation_only = models.BooleanField(
        _("invitation only"),
        default=False,
        help_text=_("Only people with a single-use invitation link can answer."),
    )
    min_fill_seconds = models.PositiveIntegerField(
        _("minimum fill time (seconds)"),
        default=30,
        help_text=_("Faster submissions are flagged as suspected bots."),
    )
    speeder_share = models.FloatField(
        _("speeder threshold"),
        default=0.33,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("Flag responses faster than this share of the median duration."),
    )
    max_not_applicable_share = models.FloatField(
        _("maximum share of “not applicable”"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    starts_per_client_per_hour = models.PositiveIntegerField(
        _("starts per client per hour"),
        default=20,
        help_text=_("Rate limit for anonymous respondents from one address."),
    )
    resume_days = models.PositiveIntegerField(
        _("resume links valid for (days)"), default=14
    )

    parent_page_types = ["surveys.SurveyIndexPage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        MultiFieldPanel([FieldPanel("sector"), FieldPanel("wave")], _("Survey")),
        MultiFieldPanel(
            [
                FieldPanel("intro"),
                FieldPanel("intro_en"),
                FieldPanel("privacy_notice"),
                FieldPanel("privacy_notice_en"),
                FieldPanel("thank_you"),
                FieldPanel("thank_you_en"),
            ],
            _("Texts"),
        ),
        FieldPanel("body"),
    ]
    settings_panels = [
        *Page.settings_panels,
        MultiFieldPanel(
            [
                FieldPanel("invitation_only"),
                FieldPanel("min_fill_seconds"),
                FieldPanel("speeder_share"),
                FieldPanel("max_not_applicable_share"),
                FieldPanel("starts_per_client_per_hour"),
                FieldPanel("resume_days"),
            ],
            _("Fieldwork and quality"),
        ),
    ]

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def clean(self) -> None:
        super().clean()
        from surveys.selectors import survey_refused_changes

        # The admin form checks the stream too; this covers every other save.
        errors = questionnaire_errors(self.questionnaire)
        if self.pk:
            errors += survey_refused_changes(
                survey=self, questionnaire_stream=self.body
            )
        if errors:
            raise ValidationError({"body": errors})

    @property
    def questionnaire(self) -> Questionnaire:
        return questionnaire_from_stream(self.body)

    def route(self, request, path_components):
        # A closed or not-yet-open survey answers with a clear page, not a 404.
        if not self.live:
            return RouteResult(self, args=(self.closed_view, (), {}))
        return super().route(request, path_components)

    def closed_view(self, request):
        from surveys import views

        return views.survey_closed(request, self)

    def serve_preview(self, request, mode_name):
        from surveys import views

        return views.survey_preview(request, self)

    @path("")
    def intro_view(self, request):
        from surveys import views

        return views.survey_intro(request, self)

    @path("start/")
    def start_view(self, request):
        from surveys import views

        return views.survey_start(request, self)

    @path("r/<str:token>/<int:number>/")
    def section_view(self, request, token, number):
        from surveys import views

        return views.survey_section(request, self, token, number)

    @path("r/<str:token>/review/")
    def review_view(self, request, token):
        from surveys import views

        return views.survey_review(request, self, token)

    @path("r/<str:token>/")
    def resume_view(self, request, token):
        from surveys import views

        return views.survey_resume(request, self, token)

    @path("r/<str:token>/qr.svg")
    def resume_qr_view(self, request, token):
        from surveys import views

        return views.survey_resume_qr(request, self, token)

    @path("thanks/")
    def thanks_view(self, request):
        from surveys import views

        return views.survey_thanks(request, self)

    @path("i/<str:invitation>/")
    def invitation_view(self, request, invitation):
        from surveys import views

        return views.survey_invitation(request, self, invitation)
