"""From a survey's answers to respondent scores, as configured per survey."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from analysis.stats.scoring import (
    DimensionWeights,
    Item,
    dimension_scores,
    dimension_weights,
    item_scores,
    respondent_index,
    top_box,
)

__all__ = ["IndexConfig", "score_respondents"]


@dataclass(frozen=True)
class IndexConfig:
    """How one survey turns answers into indexes; stored with every result.

    Parameters
    ----------
    items : tuple of Item
        The rating questions and their dimensions.
    weights : DimensionWeights, optional
        Dimension weights (equal when omitted); their ``method`` says whether
        they are equal, configured or derived from the drivers model.
    min_answered : float
        Least share of a dimension's items answered for its score to exist.
    require_all_dimensions : bool
        Index only for respondents with every dimension scored.
    overall : str, optional
        Overall-satisfaction question for the satisfied rate.
    overall_max : float
        Its highest category.
    top : int
        Top categories counted as satisfied.
    overall_na : tuple of float
        Its "not applicable" codes.
    """

    items: tuple[Item, ...]
    weights: DimensionWeights | None = None
    min_answered: float = 0.5
    require_all_dimensions: bool = False
    overall: str | None = None
    overall_max: float = 5.0
    top: int = 2
    overall_na: tuple[float, ...] = field(default=())

    @property
    def dimensions(self) -> list[str]:
        """Dimensions in order of first appearance."""
        return list(dict.fromkeys(item.dimension for item in self.items))

    def resolved_weights(self) -> DimensionWeights:
        """The configured weights, or equal weights over the dimensions."""
        if self.weights is None:
            return dimension_weights(self.dimensions, "equal")
        unknown = set(self.weights.weights) - set(self.dimensions)
        if unknown:
            raise ValueError(f"weight for unknown dimension {sorted(unknown)[0]!r}")
        return self.weights


def score_respondents(
    answers: pd.DataFrame,
    config: IndexConfig,
    keep: Sequence[str] = (),
    include_items: bool = False,
) -> pd.DataFrame:
    """Dimension scores, respondent index and satisfied flag of every respondent.

    Parameters
    ----------
    answers : DataFrame
        One row per respondent, one column per item code (and the overall
        question).
    config : IndexConfig
    keep : sequence of str
        Answer-frame columns to carry over (design and domain columns).
    include_items : bool
        Also return the 0-100 item scores (one column per item code), e.g.
        for :func:`analysis.stats.reliability.reliability_table`.

    Returns
    -------
    DataFrame
        ``keep`` columns, item scores (with ``include_items``), one column
        per dimension, ``index`` and, when ``config.overall`` is set,
        ``satisfied``.

    Notes
    -----
    See :func:`analysis.stats.scoring.item_scores`,
    :func:`~analysis.stats.scoring.dimension_scores` and
    :func:`~analysis.stats.scoring.respondent_index`.

    Examples
    --------
    >>> config = IndexConfig(
    ...     items=(Item("q1", "staff", 1, 5), Item("q2", "waiting", 1, 5)),
    ...     overall="overall",
    ... )
    >>> answers = pd.DataFrame({"q1": [5, 3], "q2": [4, 1], "overall": [5, 2],
    ...                         "sector": ["bus", "clinic"]})
    >>> score_respondents(answers, config, keep=["sector"])
       sector  staff  waiting  index  satisfied
    0     bus  100.0     75.0   87.5        1.0
    1  clinic   50.0      0.0   25.0        0.0
    """
    for column in keep:
        if column not in answers.columns:
            raise ValueError(f"answers lack column {column!r}")
    scores = item_scores(answers, config.items)
    dims = dimension_scores(scores, config.items, config.min_answered)
    index = respondent_index(
        dims, config.resolved_weights(), require_all=config.require_all_dimensions
    )
    parts = [answers[list(keep)], *([scores] if include_items else [])]
    parts += [dims, index.to_frame()]
    if config.overall is not None:
        satisfied = top_box(
            answers, config.overall, config.overall_max, config.top, config.overall_na
        )
        parts.append(satisfied.to_frame())
    return pd.concat(parts, axis=1)
