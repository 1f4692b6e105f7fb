"""Item, dimension and respondent scores on the 0-100 satisfaction scale.

The questionnaire is described by an item table (one :class:`Item` per rating
question); answers come as a wide frame with one column per item code. Scores
are computed column-wise with numpy, never row by row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "DimensionWeights",
    "Item",
    "dimension_scores",
    "dimension_weights",
    "item_scores",
    "items_from_table",
    "respondent_index",
    "top_box",
]

WeightMethod = Literal["equal", "configured", "drivers"]
_WEIGHT_METHODS = ("equal", "configured", "drivers")


@dataclass(frozen=True)
class Item:
    """One rating question of the questionnaire.

    Parameters
    ----------
    code : str
        Column of the answer frame holding this item.
    dimension : str
        Dimension (e.g. ``"staff"``, ``"waiting"``) the item belongs to.
    scale_min, scale_max : float
        Lowest and highest rating on the answer scale.
    reverse : bool
        True when a high rating means low satisfaction.
    na_codes : tuple of float
        Codes meaning "not applicable" / "don't know"; they are excluded.
    """

    code: str
    dimension: str
    scale_min: float
    scale_max: float
    reverse: bool = False
    na_codes: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if not self.scale_max > self.scale_min:
            raise ValueError(
                f"item {self.code!r}: scale_max ({self.scale_max}) must exceed "
                f"scale_min ({self.scale_min})"
            )


@dataclass(frozen=True)
class DimensionWeights:
    """Dimension weights of the respondent index, with how they were chosen.

    ``weights`` sums to one; ``method`` is recorded with every result.
    """

    weights: Mapping[str, float]
    method: WeightMethod
    source: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))
        object.__setattr__(self, "source", MappingProxyType(dict(self.source)))


def items_from_table(table: pd.DataFrame) -> tuple[Item, ...]:
    """Build the item specification from an item table.

    Parameters
    ----------
    table : DataFrame
        Columns ``code``, ``dimension``, ``scale_min``, ``scale_max`` and
        optionally ``reverse`` (bool) and ``na_code`` (a number, or empty).

    Returns
    -------
    tuple of Item

    Examples
    --------
    >>> t = pd.DataFrame({"code": ["q1", "q2"], "dimension": ["staff", "staff"],
    ...                   "scale_min": 1, "scale_max": 5, "reverse": [False, True],
    ...                   "na_code": [9, None]})
    >>> [(i.code, i.reverse, i.na_codes) for i in items_from_table(t)]
    [('q1', False, (9.0,)), ('q2', True, ())]
    """
    required = ("code", "dimension", "scale_min", "scale_max")
    for column in required:
        if column not in table.columns:
            raise ValueError(f"item table lacks column {column!r}")
    if table["code"].duplicated().any():
        dup = table.loc[table["code"].duplicated(), "code"].iloc[0]
        raise ValueError(f"item table: code {dup!r} appears twice")
    reverse = _flags(table["reverse"]) if "reverse" in table else [False] * len(table)
    na = table["na_code"] if "na_code" in table else pd.Series(np.nan, table.index)
    return tuple(
        Item(
            code=str(code),
            dimension=str(dim),
            scale_min=float(lo),
            scale_max=float(hi),
            reverse=bool(rev),
            na_codes=() if pd.isna(na_code) else (float(na_code),),
        )
        for code, dim, lo, hi, rev, na_code in zip(
            table["code"],
            table["dimension"],
            table["scale_min"],
            table["scale_max"],
            reverse,
            na,
            strict=True,
        )
    )


_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f", ""}


def _flags(column: pd.Series) -> list[bool]:
    """Booleans from bools, 0/1 or yes/no text; ValueError naming the value."""
    flags = []
    for value in column.tolist():  # one per item, not per respondent
        text = "" if pd.isna(value) else str(value).strip().lower()
        if text not in _TRUE | _FALSE:
            raise ValueError(f"item table column 'reverse' holds {value!r}")
        flags.append(text in _TRUE)
    return flags


def _numeric_column(answers: pd.DataFrame, code: str) -> np.ndarray:
    if code not in answers.columns:
        raise ValueError(f"answers lack item column {code!r}")
    try:
        return pd.to_numeric(answers[code], errors="raise").to_numpy(float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"item column {code!r} is not numeric: {exc}") from None


def item_scores(answers: pd.DataFrame, items: Sequence[Item]) -> pd.DataFrame:
    """Rescale every rating to 0-100.

    Parameters
    ----------
    answers : DataFrame
        One row per respondent, one column per item code.
    items : sequence of Item

    Returns
    -------
    DataFrame
        Same index, one float column per item; NaN where the item was not
        answered or answered "not applicable".

    Raises
    ------
    ValueError
        Naming the column when an item is missing, not numeric, or holds a
        rating outside its scale.

    Notes
    -----
    .. math:: s = 100\\,\\frac{x - \\min}{\\max - \\min}, \\qquad
              s_{\\text{reverse}} = 100 - s

    Examples
    --------
    >>> items = [Item("q1", "staff", 1, 5), Item("q2", "staff", 1, 5, reverse=True,
    ...          na_codes=(9,))]
    >>> item_scores(pd.DataFrame({"q1": [1, 5], "q2": [2, 9]}), items)
          q1    q2
    0    0.0  75.0
    1  100.0   NaN
    """
    scores = np.empty((len(answers), len(items)))
    for j, item in enumerate(items):  # a loop over items, not respondents
        rating = _numeric_column(answers, item.code)
        if item.na_codes:
            rating = np.where(np.isin(rating, item.na_codes), np.nan, rating)
        outside = (rating < item.scale_min) | (rating > item.scale_max)
        if outside.any():
            bad = rating[outside][0]
            raise ValueError(
                f"item column {item.code!r} holds {bad} outside its scale "
                f"[{item.scale_min}, {item.scale_max}]"
            )
        score = 100.0 * (rating - item.scale_min) / (item.scale_max - item.scale_min)
        scores[:, j] = 100.0 - score if item.reverse else score
    return pd.DataFrame(scores, index=answers.index, columns=[i.code for i in items])


def dimension_scores(
    scores: pd.DataFrame, items: Sequence[Item], min_answered: float = 0.5
) -> pd.DataFrame:
    """Mean item score per dimension for each respondent.

    Parameters
    ----------
    scores : DataFrame
        Item scores from :func:`item_scores`.
    items : sequence of Item
    min_answered : float
        Least share (0-1] of a dimension's items a respondent must answer for
        the dimension score to exist; otherwise it is NaN.

    Returns
    -------
    DataFrame
        One column per dimension, in order of first appearance.

    Notes
    -----
    :math:`D_{id} = \\frac{1}{|A_{id}|}\\sum_{j \\in A_{id}} s_{ij}` where
    :math:`A_{id}` are the answered items of dimension :math:`d`, provided
    :math:`|A_{id}| \\ge \\text{min\\_answered} \\cdot |J_d|`.

    Examples
    --------
    >>> items = [Item("a", "x", 0, 10), Item("b", "x", 0, 10), Item("c", "y", 0, 10)]
    >>> s = pd.DataFrame({"a": [100.0, np.nan], "b": [50.0, np.nan], "c": [0, 80]})
    >>> dimension_scores(s, items)
          x     y
    0  75.0   0.0
    1   NaN  80.0
    """
    if not 0 < min_answered <= 1:
        raise ValueError(f"min_answered must be in (0, 1], got {min_answered}")
    by_dimension: dict[str, list[str]] = {}
    for item in items:
        if item.code not in scores.columns:
            raise ValueError(f"scores lack item column {item.code!r}")
        by_dimension.setdefault(item.dimension, []).append(item.code)
    out = np.empty((len(scores), len(by_dimension)))
    for k, codes in enumerate(by_dimension.values()):
        block = scores[codes].to_numpy(float)
        answered = np.sum(~np.isnan(block), axis=1)
        total = np.nansum(block, axis=1)
        enough = (answered >= min_answered * len(codes) - 1e-12) & (answered > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, k] = np.where(enough, total / answered, np.nan)
    return pd.DataFrame(out, index=scores.index, columns=list(by_dimension))


def dimension_weights(
    dimensions: Iterable[str],
    method: WeightMethod = "equal",
    weights: Mapping[str, float] | None = None,
) -> DimensionWeights:
    """Choose the dimension weights of the respondent index.

    Parameters
    ----------
    dimensions : iterable of str
    method : {"equal", "configured", "drivers"}
        ``"equal"``: 1/K each. ``"configured"``: the survey's own weights.
        ``"drivers"``: importances from the key-driver model (e.g. the
        ``share`` column of :func:`analysis.stats.drivers.relative_importance`),
        normalized to sum to one, as ACSI derives index weights from its model.
    weights : mapping, optional
        Raw weights per dimension for ``"configured"`` and ``"drivers"``.

    Returns
    -------
    DimensionWeights

    Notes
    -----
    :math:`\\omega_d = r_d / \\sum_k r_k` for raw weights or importances
    :math:`r_d \\ge 0`.

    Examples
    --------
    >>> dimension_weights(["a", "b"], "drivers", {"a": 3, "b": 1}).weights["a"]
    0.75
    """
    names = list(dimensions)
    if method not in _WEIGHT_METHODS:
        raise ValueError(f"method must be one of {_WEIGHT_METHODS}, got {method!r}")
    if method == "equal":
        return DimensionWeights(dict.fromkeys(names, 1.0 / len(names)), "equal")
    if weights is None:
        raise ValueError(f"method {method!r} needs weights")
    missing = [d for d in names if d not in weights]
    if missing:
        raise ValueError(f"no weight for dimension {missing[0]!r}")
    raw = np.array([float(weights[d]) for d in names])
    if (raw < 0).any() or not raw.sum() > 0:
        raise ValueError("dimension weights must be non-negative with a positive sum")
    normalized = raw / raw.sum()
    return DimensionWeights(
        dict(zip(names, normalized.tolist(), strict=True)),
        method,
        source={d: float(weights[d]) for d in names},
    )


def respondent_index(
    dimensions: pd.DataFrame,
    weights: DimensionWeights | None = None,
    require_all: bool = False,
) -> pd.Series:
    """Weighted mean of a respondent's dimension scores.

    Parameters
    ----------
    dimensions : DataFrame
        Dimension scores from :func:`dimension_scores`.
    weights : DimensionWeights, optional
        Equal weights when omitted.
    require_all : bool
        If True the index is NaN unless every dimension has a score; otherwise
        the weights are renormalized over the dimensions the respondent scored.

    Returns
    -------
    Series
        Named ``"index"``, 0-100, NaN where no dimension is scored.

    Notes
    -----
    :math:`I_i = \\sum_d \\omega_d D_{id} / \\sum_{d: D_{id}\\,\\text{exists}}
    \\omega_d`.

    Examples
    --------
    >>> d = pd.DataFrame({"x": [80.0, 60.0], "y": [40.0, np.nan]})
    >>> respondent_index(d, dimension_weights(["x", "y"], "configured",
    ...                  {"x": 3, "y": 1})).tolist()
    [70.0, 60.0]
    """
    if weights is None:
        weights = dimension_weights(dimensions.columns, "equal")
    for name in weights.weights:
        if name not in dimensions.columns:
            raise ValueError(f"dimension scores lack column {name!r}")
    names = list(weights.weights)
    values = dimensions[names].to_numpy(float)
    omega = np.array([weights.weights[n] for n in names])
    present = ~np.isnan(values)
    weight_sum = present @ omega
    total = np.where(present, values, 0.0) @ omega
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(weight_sum > 0, total / weight_sum, np.nan)
    if require_all:
        index = np.where(present.all(axis=1), index, np.nan)
    return pd.Series(index, index=dimensions.index, name="index")


def top_box(
    answers: pd.DataFrame,
    column: str,
    scale_max: float,
    top: int = 2,
    na_codes: Sequence[float] = (),
) -> pd.Series:
    """Indicator of a rating in the top ``top`` categories ("satisfied").

    Parameters
    ----------
    answers : DataFrame
    column : str
        The overall-satisfaction question.
    scale_max : float
        Highest category; categories are consecutive integers.
    top : int
        How many top categories count as satisfied (2: "satisfied" and "very
        satisfied" on a five-point scale).
    na_codes : sequence of float
        "Not applicable" codes, giving NaN.

    Returns
    -------
    Series
        1.0 / 0.0 / NaN, named ``"satisfied"``.

    Notes
    -----
    :math:`S_i = 1[x_i > x_{\\max} - \\text{top}]`; its design-based mean is
    the satisfied rate (:func:`analysis.stats.indexes.satisfied_rates`).

    Examples
    --------
    >>> top_box(pd.DataFrame({"overall": [5, 3, 4, 9]}), "overall", 5,
    ...         na_codes=(9,)).tolist()
    [1.0, 0.0, 1.0, nan]
    """
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    rating = _numeric_column(answers, column)
    rating = np.where(np.isin(rating, list(na_codes)), np.nan, rating)
    satisfied = np.where(np.isnan(rating), np.nan, rating > scale_max - top)
    return pd.Series(satisfied, index=answers.index, name="satisfied")
