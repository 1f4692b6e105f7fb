from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The site's front page: what the platform is for and where to start."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = RichTextField(_("introduction"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        MultiFieldPanel(
            [FieldPanel("intro"), FieldPanel("intro_en")], _("Introduction")
        ),
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Through the page tree, so the front page needs no knowledge of the
        # apps whose listing pages (the survey index) sit below it.
        context["listings"] = [
            (listing, listing.get_children().live().public().specific())
            for listing in self.get_children().live().public().specific()
        ]
        return context


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran the heartbeat task: proof that work flows."""

    worker = models.CharField(max_length=255, unique=True)
    beaten_at = models.DateTimeField()
    beats = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("worker heartbeat")

    def __str__(self) -> str:
        return f"{self.worker} @ {self.beaten_at:%Y-%m-%d %H:%M:%S}"


class UsedChallenge(models.Model):
    """A challenge (core.captcha) that has been answered: each works once.

    Kept in the database, not the cache, so the unique constraint settles a race
    between two workers; rows are deleted once the challenge has expired anyway.
    """

    nonce = models.CharField(max_length=32, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("answered challenge")

    def __str__(self) -> str:
        return self.nonce
