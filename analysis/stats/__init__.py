"""The statistical core: design-based estimation on numpy, pandas and scipy.

Nothing here imports Django; see ``docs/methodology.md``.
"""

from .design import Estimate, SurveyDesign
from .intervals import proportion_interval, wald_interval
from .sufficient import aggregate, combine

__all__ = [
    "Estimate",
    "SurveyDesign",
    "aggregate",
    "combine",
    "proportion_interval",
    "wald_interval",
]
