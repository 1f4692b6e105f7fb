"""Words of the dashboard and the reports, in Chinese and English.

Reports are generated in the language the official asks for, whatever the
language of the request that generated them, so the words live here as one
bilingual table (``words(language)``) rather than in the gettext catalogue.
"""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "dashboard": ("满意度仪表板", "Satisfaction dashboard"),
    "report_title": ("公共服务满意度测评报告", "Public-service satisfaction report"),
    "wave": ("调查轮次", "Wave"),
    "sector": ("行业", "Sector"),
    "district": ("区县", "District"),
    "channel": ("渠道", "Channel"),
    "all": ("全部", "All"),
    "apply": ("筛选", "Apply filters"),
    "headlines": ("总体结论", "Headline verdicts"),
    "index": ("满意度指数", "Satisfaction index"),
    "rate": ("满意率", "Satisfied rate"),
    "ci": ("置信区间", "Confidence interval"),
    "target": ("目标", "Target"),
    "verdict": ("结论", "Verdict"),
    "change": ("较上期变化", "Change since last wave"),
    "previous": ("上期", "Previous wave"),
    "trend": ("各期趋势", "Trend over waves"),
    "responses": ("样本量", "Responses"),
    "deff": ("设计效应", "Design effect"),
    "effective_n": ("有效样本量", "Effective sample size"),
    "settlement": ("旅游投诉办结率", "Tourist-complaint settlement rate"),
    "complaints_counted": ("已计入投诉", "Complaints counted"),
    "settled": ("已办结", "Settled"),
    "sectors": ("各行业", "Sectors"),
    "consumer_sectors": ("消费性服务业各行业", "Consumer-service sectors"),
    "producer_sectors": ("生产性服务业各行业", "Producer-service sectors"),
    "districts": ("各区县", "Districts"),
    "channels": ("各渠道", "Channels"),
    "service_points": ("服务网点排名", "Service-point ranking"),
    "rank": ("名次", "Rank"),
    "too_few": ("样本过少，不排名", "Too few responses, not ranked"),
    "dimensions": ("各维度得分", "Dimension scores"),
    "dimension": ("维度", "Dimension"),
    "score": ("得分", "Score"),
    "quality": ("信度与数据质量", "Reliability and data quality"),
    "submitted": ("提交问卷", "Submitted"),
    "excluded": ("剔除", "Excluded"),
    "flagged": ("质量标记", "Flagged"),
    "invitations": ("邀请数", "Invitations"),
    "response_rate": ("应答率", "Response rate"),
    "weighting": ("加权", "Weighting"),
    "kish": ("Kish 有效样本量", "Kish effective sample size"),
    "points_unit": ("指数（0–100 分）", "index points (0–100)"),
    "percent_unit": ("百分比（%）", "per cent (%)"),
    "published": ("已发布", "Published"),
    "unpublished": ("未发布（仅供官员查看）", "Not published (officials only)"),
    "no_results": ("该调查轮次尚无结果。", "This wave has no results yet."),
    # Not just "报告": Wagtail's own "Reports" menu sits in the same sidebar.
    "reports": ("报告下载", "Report downloads"),
    "report_kind": ("报告类型", "Report type"),
    "generate": ("生成报告", "Generate the report"),
    "download": ("下载", "Download"),
    "no_reports": ("尚未生成报告。", "No reports yet."),
    "report_language": ("报告语言", "Report language"),
    "report_refreshing": (
        "本页将自动刷新，直至报告生成。",
        "This page refreshes itself until the report is ready.",
    ),
    "to": ("至", "to"),
    "data_table": ("数据表", "Data table"),
    "methodology": ("方法说明", "Methodology"),
    "name": ("名称", "Name"),
    "estimate": ("估计值", "Estimate"),
    "se": ("标准误", "Standard error"),
    "ci_low": ("区间下限", "CI lower"),
    "ci_high": ("区间上限", "CI upper"),
    "p_value": ("p 值", "p-value"),
    "generated": ("生成时间", "Generated"),
    "requested_by": ("申请人", "Requested by"),
    "run": ("计算批次", "Index run"),
    "drivers": ("关键驱动因素", "Key drivers"),
    "importance": ("重要性（解释方差）", "Importance (variance explained)"),
    "share": ("占 R² 比例", "Share of R²"),
    "r2": ("R²", "R²"),
    "performance": ("表现（维度得分）", "Performance (dimension score)"),
    "quadrant": ("象限", "Quadrant"),
    "ip_matrix": ("重要性—表现矩阵", "Importance–performance matrix"),
    "variance_unit": (
        "占总体满意度方差的百分比（%）",
        "per cent of overall-rating variance (%)",
    ),
    "share_unit": ("占 R² 的百分比（%）", "per cent of R² (%)"),
    "quadrant_improve": ("修补区", "Improve"),
    "quadrant_strength": ("优势区", "Strength"),
    "quadrant_maintain": ("维持区", "Maintain"),
    "quadrant_opportunity": ("机会区", "Opportunity"),
    "reliability": ("信度（Cronbach α）", "Reliability (Cronbach's alpha)"),
    "alpha": ("α（加权）", "Alpha (weighted)"),
    "alpha_std": ("标准化 α", "Standardized alpha"),
    "alpha_unweighted": ("α（未加权）", "Alpha (unweighted)"),
    "items": ("题目数", "Items"),
    "shrunk": ("收缩估计", "Shrinkage estimate"),
    "direct": ("直接估计", "Direct estimate"),
    "rank_interval": ("名次区间", "Rank interval"),
    "shrunk_ranking": (
        "服务网点排名（收缩估计）",
        "Service-point ranking (shrinkage estimates)",
    ),
    "grid": ("区县 × 行业满意度指数", "District × sector index"),
    "grid_legend": (
        "图例：单元格底色与符号表示与目标的比较",
        "Key: cell shading and symbol against the target",
    ),
    "legend_met": (
        "达到目标：谨慎（单侧下）界也达到目标",
        "Target met: even the cautious (lower) bound reaches the target",
    ),
    "legend_not_met": (
        "未达到目标：乐观（单侧上）界仍低于目标",
        "Target not met: even the optimistic (upper) bound stays below it",
    ),
    "legend_not_distinguishable": (
        "与目标无显著差异：区间跨越目标，无法判定",
        "Not distinguishable: the interval straddles the target, no verdict either way",
    ),
    "legend_none": (
        "无结论：仅一个网点，无法计算区间",
        "No verdict: one service point, so no interval",
    ),
    "no_verdict": ("无结论", "No verdict"),
    "unit_note": (
        "指数为 0–100 分；满意率为百分比；区间为双侧置信区间。",
        "Indexes are 0–100 points; rates are per cent; intervals are two-sided "
        "confidence intervals.",
    ),
    "not_crossed": (
        "结果按行业、区县、渠道分别估计（未交叉），筛选只缩小相应列表；网点按所属行业和区县筛选。",
        "Results are estimated per sector, per district and per channel "
        "separately (not crossed): a filter narrows the matching list; service "
        "points are narrowed by their sector and district.",
    ),
}


def words(language: str) -> dict[str, str]:
    """All words in ``language`` (``en...`` English, anything else Chinese)."""
    column = 1 if language.startswith("en") else 0
    return {key: pair[column] for key, pair in WORDS.items()}
