"""The statistical core: design-based estimation on numpy, pandas and scipy.

Nothing here imports Django; see ``docs/methodology.md``.
"""

from .design import Estimate, SurveyDesign

# satisfaction-index methodology (issue #5)
from .drivers import relative_importance
from .indexes import domain_indexes, point_direct_estimates, satisfied_rates
from .intervals import proportion_interval, wald_interval
from .monitoring import detect_falls, wave_change
from .planning import plan_domains, plan_from_previous_wave
from .quadrants import importance_performance
from .reliability import reliability_table
from .respondents import IndexConfig, score_respondents
from .rollups import PLAN_ROLLUPS, Rollup, rollup_from_statistics, rollup_indexes
from .scoring import Item, dimension_weights, items_from_table, respondent_index
from .smallarea import small_area_estimates
from .sufficient import aggregate, combine
from .targets import PLAN_TARGETS, Target, target_verdicts

__all__ = [
    "Estimate",
    "SurveyDesign",
    "aggregate",
    "combine",
    "proportion_interval",
    "wald_interval",
    "PLAN_ROLLUPS",
    "PLAN_TARGETS",
    "IndexConfig",
    "Item",
    "Rollup",
    "Target",
    "detect_falls",
    "dimension_weights",
    "domain_indexes",
    "importance_performance",
    "items_from_table",
    "plan_domains",
    "plan_from_previous_wave",
    "point_direct_estimates",
    "relative_importance",
    "reliability_table",
    "respondent_index",
    "rollup_from_statistics",
    "rollup_indexes",
    "satisfied_rates",
    "score_respondents",
    "small_area_estimates",
    "target_verdicts",
    "wave_change",
]
