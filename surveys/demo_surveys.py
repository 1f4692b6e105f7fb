"""Demo questionnaires: a question set per sector and two waves of surveys."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from wagtail.models import Page, Workflow, WorkflowPage

from surveys.demo_content import (
    AGE_BANDS,
    EDUCATION,
    FIRM_SIZES,
    GENDERS,
    INDUSTRIES,
    SECTOR_QUESTIONS,
)
from surveys.models import (
    Dimension,
    QuestionSet,
    Region,
    Sector,
    SurveyIndexPage,
    SurveyPage,
    WeightingVariable,
)

REVIEW_WORKFLOW = "Questionnaire review"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# (wave, slug suffix, open, close): the earlier wave is closed, the later open.
WAVES = [
    ("2026 Q3", "2026-q3", datetime(2026, 7, 1, tzinfo=SHANGHAI)),
    ("2026 Q4", "2026-q4", datetime(2026, 10, 1, tzinfo=SHANGHAI)),
]
LIKERT_LABELS = {
    5: ("非常不满意", "Very dissatisfied", "非常满意", "Very satisfied"),
    7: ("非常不满意", "Very dissatisfied", "非常满意", "Very satisfied"),
}
YES_NO = [("yes", "是", "Yes"), ("no", "否", "No")]
INFO_CHANNELS = [
    ("website", "政府或单位网站", "Official websites"),
    ("wechat", "微信公众号", "WeChat accounts"),
    ("friends", "亲友介绍", "Friends and family"),
    ("hotline", "服务热线（96345/12345）", "Hotlines (96345/12345)"),
]


def _options(rows) -> list[dict]:
    return [{"value": v, "label": zh, "label_en": en} for v, zh, en in rows]


def likert(code, label, label_en, dimension, *, scale=5, condition=None) -> dict:
    low, low_en, high, high_en = LIKERT_LABELS[scale]
    return {
        "type": "likert",
        "value": {
            "code": code,
            "label": label,
            "label_en": label_en,
            "required": True,
            "scale": str(scale),
            "low_label": low,
            "low_label_en": low_en,
            "high_label": high,
            "high_label_en": high_en,
            "allow_not_applicable": True,
            "dimension": dimension,
            "reverse_coded": False,
            "condition": condition or {"question": "", "answer": ""},
        },
    }


def choice(kind, code, label, label_en, rows, *, required=True, **extra) -> dict:
    return {
        "type": kind,
        "value": {
            "code": code,
            "label": label,
            "label_en": label_en,
            "required": required,
            "options": _options(rows),
            **extra,
        },
    }


def section(title, title_en, intro="", intro_en="") -> dict:
    return {
        "type": "section",
        "value": {
            "title": title,
            "title_en": title_en,
            "intro": intro,
            "intro_en": intro_en,
        },
    }


def rating_items(spec: dict, scale: int) -> list[list[dict]]:
    """One list of rating questions per dimension."""
    return [
        [likert(f"q_{code}", zh, en, dimension, scale=scale) for code, zh, en in items]
        for dimension, _zh, _en, items in spec["dimensions"]
    ]


def demographic_block(producer: bool) -> list[dict]:
    regions = [(r.code, r.name, r.name_en) for r in Region.objects.order_by("code")]
    if producer:
        rows = [
            (
                "d_firm_size",
                "贵企业的规模",
                "Size of your business",
                WeightingVariable.FIRM_SIZE,
                FIRM_SIZES,
            ),
            (
                "d_industry",
                "贵企业所属行业",
                "Your industry",
                WeightingVariable.INDUSTRY,
                INDUSTRIES,
            ),
            (
                "d_region",
                "贵企业所在区县",
                "Where your business is",
                WeightingVariable.REGION,
                regions,
            ),
        ]
    else:
        rows = [
            ("d_gender", "您的性别", "Your gender", WeightingVariable.GENDER, GENDERS),
            (
                "d_age_band",
                "您的年龄",
                "Your age",
                WeightingVariable.AGE_BAND,
                AGE_BANDS,
            ),
            (
                "d_region",
                "您居住的区县",
                "Where you live",
                WeightingVariable.REGION,
                regions,
            ),
            (
                "d_education",
                "您的文化程度",
                "Your education",
                WeightingVariable.EDUCATION,
                EDUCATION,
            ),
        ]
    return [
        choice("demographic", code, zh, en, options, required=False, variable=variable)
        for code, zh, en, variable, options in rows
    ]


def survey_body(sector_code: str) -> list[dict]:
    spec = SECTOR_QUESTIONS[sector_code]
    producer = spec.get("producer", False)
    scale = 7 if producer else 5
    usage_zh, usage_en, usage_options = spec["usage"]
    body = [
        section("您的使用情况", "About your use of the service"),
        choice("single_choice", "q_usage", usage_zh, usage_en, usage_options),
        choice(
            "single_choice",
            "q_complained",
            "过去12个月内，您是否就该服务投诉或反映过问题？",
            "In the last 12 months, have you complained about this service?",
            YES_NO,
        ),
        {
            "type": "number",
            "value": {
                "code": "q_wait_minutes",
                "label": "最近一次办理时，您大约等候了多少分钟？",
                "label_en": "Last time, about how many minutes did you wait?",
                "help_text": "填写0到600之间的整数。",
                "help_text_en": "A whole number from 0 to 600.",
                "required": False,
                "min_value": 0,
                "max_value": 600,
                "whole_number": True,
            },
        },
        choice(
            "multiple_choice",
            "q_info_channels",
            "您通过哪些渠道了解该服务的信息？（可多选）",
            "Where do you find information about this service? (tick all that apply)",
            INFO_CHANNELS,
            required=False,
            allow_other=True,
        ),
    ]
    for (_dim, zh, en, _items), items in zip(
        spec["dimensions"], rating_items(spec, scale), strict=True
    ):
        body += [
            section(zh, en, "请对以下方面评分。", "Please rate the following."),
            *items,
        ]
    body += [
        section("总体评价", "Overall"),
        likert(
            "q_overall",
            "总体而言，您对该服务的满意程度如何？",
            "Overall, how satisfied are you with this service?",
            Dimension.OVERALL,
            scale=scale,
        ),
        {
            "type": "nps",
            "value": {
                "code": "q_recommend",
                "label": "您向亲友或同行推荐该服务的可能性有多大？",
                "label_en": "How likely are you to recommend this service?",
                "required": True,
            },
        },
        likert(
            "q_complaint_handled",
            "您对投诉的处理结果满意吗？",
            "How satisfied were you with how your complaint was handled?",
            Dimension.RESPONSIVENESS,
            scale=scale,
            condition={"question": "q_complained", "answer": "yes"},
        ),
        {
            "type": "long_text",
            "value": {
                "code": "q_suggestions",
                "label": "您对改进该服务有什么建议？",
                "label_en": "What would you suggest to improve this service?",
                "required": False,
            },
        },
        section(
            "关于您" if not producer else "关于贵企业",
            "About you" if not producer else "About your business",
            "这些问题用于使结果代表全市情况，可以不答。",
            "These help make the results represent the whole city; you may skip them.",
        ),
        *demographic_block(producer),
    ]
    return body


# What the platform itself keeps (no name, IP or device; times to the hour) is
# said under every privacy notice (surveys/includes/what_we_keep.html): the
# assessor's notice says who runs the survey and for how long answers are kept.
PRIVACY = (
    "<p>本调查由第三方评估机构开展，匿名进行。"
    "答案保存5年，仅用于统计分析，公开的结果不会识别到个人。</p>"
)
PRIVACY_EN = (
    "<p>An independent assessor runs this anonymous survey. Answers are kept for "
    "five years for statistics only; published results never identify anyone.</p>"
)
THANKS = "<p>感谢您的参与！您的意见将帮助改进嘉兴的公共服务。</p>"
THANKS_EN = (
    "<p>Thank you for taking part. Your views help improve Jiaxing's public "
    "services.</p>"
)


@transaction.atomic
def ensure_survey_index(home: Page) -> SurveyIndexPage:
    index = SurveyIndexPage.objects.child_of(home).first()
    if index is None:
        index = home.add_child(
            instance=SurveyIndexPage(
                title="满意度调查",
                title_en="Satisfaction surveys",
                slug="surveys",
                intro="<p>请选择您最近使用过的服务，花几分钟告诉我们您的感受。</p>",
                intro_en="<p>Pick a service you used recently and tell us how it "
                "went; it takes a few minutes.</p>",
            )
        )
        index.save_revision().publish()
    workflow = Workflow.objects.filter(name=REVIEW_WORKFLOW).first()
    if workflow is not None:
        WorkflowPage.objects.get_or_create(page=index, defaults={"workflow": workflow})
    return index


def ensure_question_sets() -> None:
    for code, spec in SECTOR_QUESTIONS.items():
        sector = Sector.objects.get(code=code)
        scale = 7 if spec.get("producer") else 5
        name = f"{sector.name}标准题组"
        if QuestionSet.objects.filter(sector=sector, name=name).exists():
            continue
        QuestionSet.objects.create(
            sector=sector,
            name=name,
            name_en=f"{sector.name_en} standard questions",
            description="Four dimensions of three ratings each.",
            body=[item for items in rating_items(spec, scale) for item in items],
        )


def ensure_survey(index: SurveyIndexPage, sector_code: str, wave) -> SurveyPage:
    label, slug_suffix, opened = wave
    slug = f"{sector_code}-{slug_suffix}"
    page = SurveyPage.objects.child_of(index).filter(slug=slug).first()
    if page is not None:
        return page
    title, title_en = SECTOR_QUESTIONS[sector_code]["title"]
    page = index.add_child(
        instance=SurveyPage(
            title=f"{title}（{label}）",
            title_en=f"{title_en} ({label})",
            slug=slug,
            sector=Sector.objects.get(code=sector_code),
            wave=label,
            intro="<p>本问卷约需5分钟。每完成一页，答案即已保存，可以稍后继续。</p>",
            intro_en="<p>This takes about five minutes. Each page you finish is "
            "saved, so you can continue later.</p>",
            privacy_notice=PRIVACY,
            privacy_notice_en=PRIVACY_EN,
            thank_you=THANKS,
            thank_you_en=THANKS_EN,
            body=survey_body(sector_code),
            first_published_at=opened,
        )
    )
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def ensure_demo_surveys(*, responses: bool = True) -> list[SurveyPage]:
    from core.demo import ensure_home_page
    from surveys.demo_responses import ensure_synthetic_responses

    index = ensure_survey_index(ensure_home_page())
    ensure_question_sets()
    surveys = []
    for wave_number, wave in enumerate(WAVES):
        for sector_code in SECTOR_QUESTIONS:
            page = ensure_survey(index, sector_code, wave)
            if responses:
                ensure_synthetic_responses(page, wave_number=wave_number)
            surveys.append(page)
    # The earlier wave's fieldwork is over: its pages are closed (unpublished).
    for page in surveys:
        if page.wave == WAVES[0][0] and page.live:
            page.unpublish(log_action=False)
    return surveys
