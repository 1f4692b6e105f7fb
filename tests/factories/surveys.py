"""Factories for surveys: reference data, survey pages with every question type."""

from __future__ import annotations

import factory
import wagtail_factories

from surveys.models import (
    Region,
    RegionKind,
    Sector,
    ServiceClass,
    ServicePoint,
    SurveyIndexPage,
    SurveyPage,
)


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"sector-{n}")
    name = factory.Sequence(lambda n: f"行业{n}")
    name_en = factory.Sequence(lambda n: f"Sector {n}")
    service_class = ServiceClass.CONSUMER


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"区{n}")
    name_en = factory.Sequence(lambda n: f"District {n}")
    kind = RegionKind.DISTRICT


class ServicePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePoint
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"point-{n}")
    name = factory.Sequence(lambda n: f"服务点{n}")
    name_en = factory.Sequence(lambda n: f"Service point {n}")
    sector = factory.SubFactory(SectorFactory)
    region = factory.SubFactory(RegionFactory)


def likert(code, label="评分", *, scale="5", condition=None, na=True, required=True):
    return {
        "type": "likert",
        "value": {
            "code": code,
            "label": label,
            "label_en": f"Rate {code}",
            "required": required,
            "scale": scale,
            "low_label": "很差",
            "low_label_en": "Very poor",
            "high_label": "很好",
            "high_label_en": "Very good",
            "allow_not_applicable": na,
            "dimension": "overall",
            "reverse_coded": False,
            "condition": condition or {"question": "", "answer": ""},
        },
    }


def options(*values):
    return [
        {"value": v, "label": f"选项{v}", "label_en": f"Option {v}"} for v in values
    ]


def every_question_type_body() -> list[dict]:
    """Three sections holding every question type and one condition."""
    return [
        {"type": "section", "value": {"title": "第一部分", "title_en": "Part one"}},
        {
            "type": "single_choice",
            "value": {
                "code": "q_visited",
                "label": "您来过吗？",
                "label_en": "Have you visited?",
                "required": True,
                "options": options("yes", "no"),
            },
        },
        {
            "type": "multiple_choice",
            "value": {
                "code": "q_channels",
                "label": "渠道",
                "label_en": "Channels",
                "required": False,
                "allow_other": True,
                "options": options("web", "phone"),
            },
        },
        {
            "type": "number",
            "value": {
                "code": "q_wait",
                "label": "等候分钟",
                "label_en": "Minutes waited",
                "required": True,
                "min_value": 0,
                "max_value": 120,
                "whole_number": True,
            },
        },
        {"type": "section", "value": {"title": "第二部分", "title_en": "Part two"}},
        likert(
            "q_staff", "工作人员", condition={"question": "q_visited", "answer": "yes"}
        ),
        likert("q_overall", "总体", scale="11"),
        {
            "type": "nps",
            "value": {
                "code": "q_nps",
                "label": "推荐",
                "label_en": "Recommend",
                "required": True,
            },
        },
        {"type": "section", "value": {"title": "第三部分", "title_en": "Part three"}},
        {
            "type": "short_text",
            "value": {
                "code": "q_name",
                "label": "工号",
                "label_en": "Staff number",
                "required": False,
            },
        },
        {
            "type": "long_text",
            "value": {
                "code": "q_comment",
                "label": "建议",
                "label_en": "Suggestions",
                "required": False,
            },
        },
        {
            "type": "demographic",
            "value": {
                "code": "d_gender",
                "label": "性别",
                "label_en": "Gender",
                "required": False,
                "variable": "gender",
                "options": options("female", "male"),
            },
        },
    ]


class SurveyIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = SurveyIndexPage

    title = "调查"
    slug = factory.Sequence(lambda n: f"surveys-{n}")


class SurveyPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = SurveyPage

    title = factory.Sequence(lambda n: f"调查问卷{n}")
    title_en = factory.Sequence(lambda n: f"Survey {n}")
    slug = factory.Sequence(lambda n: f"survey-{n}")
    sector = factory.SubFactory(SectorFactory)
    wave = "2026 Q4"
    intro = "<p>介绍</p>"
    intro_en = "<p>Introduction</p>"
    privacy_notice = "<p>隐私说明</p>"
    privacy_notice_en = "<p>Privacy notice</p>"
    thank_you = "<p>谢谢</p>"
    thank_you_en = "<p>Thank you</p>"
    body = factory.LazyFunction(every_question_type_body)
    min_fill_seconds = 0


def published_survey(parent, **kwargs) -> SurveyPage:
    """A survey page under ``parent`` with a published (live) revision."""
    survey = SurveyPageFactory(parent=parent, **kwargs)
    survey.save_revision().publish()
    survey.refresh_from_db()
    return survey
