"""Blocks that structure a questionnaire rather than ask anything."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class SectionBlock(blocks.StructBlock):
    """A page break: the questions after it, up to the next section, share a screen."""

    title = blocks.CharBlock(label=_("title (Chinese)"), max_length=200)
    title_en = blocks.CharBlock(
        label=_("title (English)"), max_length=200, required=False
    )
    intro = blocks.TextBlock(
        label=_("introduction (Chinese)"), required=False, max_length=1000
    )
    intro_en = blocks.TextBlock(
        label=_("introduction (English)"), required=False, max_length=1000
    )

    class Meta:
        icon = "horizontalrule"
        label = _("Section (page break)")
        help_text = _("Starts a new screen with this title.")
        template = "surveys/blocks/section_block.html"
        preview_value = {
            "title": "服务环境",
            "title_en": "Service environment",
            "intro": "请根据您最近一次的体验作答。",
            "intro_en": "Please answer about your most recent visit.",
        }
