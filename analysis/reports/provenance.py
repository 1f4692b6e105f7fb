"""What a report says about where its numbers come from and the rules used."""

from __future__ import annotations

from analysis.dashboard.labels import words
from analysis.dashboard.overview import WaveOverview

METHOD_TEXT = {
    "zh": [
        (
            "满意度指数",
            "各题目换算为 0–100 分（反向题反转，“不适用”不计），维度得分为所答题目"
            "的平均，个人指数为维度得分的加权平均；群体指数为按总体加权的平均数。",
        ),
        (
            "加权",
            "各行业样本按调查轮次的人口边际（如性别、年龄段）分别进行 raking 校准，"
            "使每个行业代表全体人口。",
        ),
        (
            "置信区间",
            "泰勒线性化标准误，按设计自由度取 t 分布的双侧区间；满意率的区间在 logit "
            "尺度上计算。",
        ),
        (
            "目标判定",
            "单侧置信界：下界达到目标为“达到目标”，上界低于目标为“未达到目标”，"
            "否则为“与目标无显著差异”。目标：服务业 80，消费性服务业 80，"
            "生产性服务业 85，旅游投诉办结率 100%（需全数统计）。",
        ),
        (
            "汇总指数",
            "消费性、生产性服务业及服务业指数为各行业指数的加权平均，标准误计入各行业"
            "的抽样误差。",
        ),
        (
            "网点排名",
            "网点指数为其直接估计及置信区间；样本少于 10 份的网点不参与排名。",
        ),
        ("详细方法", "见 docs/methodology.md。"),
    ],
    "en": [
        (
            "Satisfaction index",
            "Each item is scored 0–100 (reverse-coded items turned round, 'not "
            "applicable' left out); a dimension score is the mean of its answered "
            "items; a respondent's index is the weighted mean of dimension scores; "
            "a group's index is the population-weighted mean.",
        ),
        (
            "Weighting",
            "Each sector's respondents are raked to the wave's population margins "
            "(e.g. gender, age band), so each sector stands for the population.",
        ),
        (
            "Confidence intervals",
            "Taylor-linearization standard errors, two-sided Student-t intervals "
            "with the design degrees of freedom; satisfied rates on the logit scale.",
        ),
        (
            "Verdict rules",
            "One-sided confidence bounds: met if the lower bound reaches the "
            "target, not met if the upper bound stays below it, otherwise not "
            "distinguishable. Targets: service sector 80, consumer services 80, "
            "producer services 85, tourist-complaint settlement 100% (a complete "
            "count).",
        ),
        (
            "Roll-ups",
            "Consumer services, producer services and the service sector are "
            "weighted means of their sectors' indexes; their SEs include each "
            "sector's sampling error.",
        ),
        (
            "Service-point ranking",
            "Points show their direct estimate and CI; points with fewer than 10 "
            "responses are not ranked.",
        ),
        ("Full methodology", "See docs/methodology.md."),
    ],
}


def provenance_rows(overview: WaveOverview) -> list[tuple[str, str]]:
    """Sample sizes, weighting, run and methodology, as (label, text) pairs."""
    w = words(overview.language)
    run = overview.run
    quality = overview.quality
    language = "en" if overview.language.startswith("en") else "zh"
    rows = [
        (w["wave"], f"{overview.wave_name} ({overview.wave.slug})"),
        (
            w["run"],
            f"#{run.pk} · {run.finished_at:%Y-%m-%d %H:%M} UTC · "
            + (w["published"] if overview.published else w["unpublished"]),
        ),
        (w["responses"], str(quality.get("respondents") or "")),
        (w["kish"], str(quality.get("kish_effective_n") or "")),
        (w["weighting"], str(quality.get("weighting") or "")),
        (
            w["ci"],
            f"{overview.wave.confidence:.0%}",
        ),
    ]
    rows.extend((w["quality"], note) for note in quality.get("notes", []))
    rows.extend(METHOD_TEXT[language])
    return rows
