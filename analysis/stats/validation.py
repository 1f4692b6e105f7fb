"""Checks of a survey design and construction of its :class:`DesignRows`.

Bad designs fail early with a ``ValueError`` that names the column and value:
missing or negative weights, missing strata or PSU labels, inconsistent fpc,
PSUs shared between strata without ``nest``, and single-PSU strata under
``lonely_psu="fail"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .sufficient import COUNT, group_codes
from .variance import DesignRows

if TYPE_CHECKING:
    from .design import SurveyDesign

__all__ = ["as_list", "design_rows", "require_columns", "validate_design"]


def require_columns(frame: pd.DataFrame, columns: Sequence[str], role: str) -> None:
    """Raise ``ValueError`` naming the first of ``columns`` missing from ``frame``."""
    for column in columns:
        if column not in frame.columns:
            raise ValueError(f"{role} column {column!r} not found in the data")


def as_list(value: str | Sequence[str] | None) -> list[str]:
    """``None`` -> [], ``"a"`` -> ["a"], sequences -> list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _plain(value: object) -> object:
    """A numpy scalar as the Python scalar, for readable messages."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes.astype(np.int64), np.asarray(uniques)


def _structure(
    design: SurveyDesign, table: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray]:
    """Stratum codes, stratum labels, PSU codes, PSU strata, units per stratum."""
    count = table[COUNT].to_numpy(dtype=float)
    if design.strata is not None:
        stratum, labels = _codes(table[design.strata])
    else:
        stratum, labels = np.zeros(len(table), dtype=np.int64), np.array([1])
    n_strata = len(labels)
    if design.psu is None:
        n_units = np.bincount(stratum, weights=count, minlength=n_strata)
        return stratum, labels, None, None, n_units
    if design.nest and design.strata is not None:
        psu, first = group_codes(table[[design.strata, design.psu]])
    else:
        psu, first = group_codes(table[[design.psu]])
    psu_stratum = stratum[first]
    n_units = np.bincount(psu_stratum, minlength=n_strata).astype(float)
    return stratum, labels, psu, psu_stratum, n_units


def _popsize(
    design: SurveyDesign, table: pd.DataFrame, stratum: np.ndarray, n_units: np.ndarray
) -> np.ndarray:
    if design.fpc is None:
        return np.full(len(n_units), np.inf)
    fpc = table[design.fpc].to_numpy(dtype=float)
    per_stratum = np.full(len(n_units), np.nan)
    per_stratum[stratum] = fpc
    if np.all(fpc <= 1):
        return n_units / per_stratum
    return per_stratum


def design_rows(design: SurveyDesign, table: pd.DataFrame) -> DesignRows:
    """Design structure and final weights of the rows of ``table``."""
    stratum, _, psu, psu_stratum, n_units = _structure(design, table)
    weight = table[design.weight_column].to_numpy(dtype=float)
    residualizers = []
    for step in design._steps:
        weight, residual = step.apply(table, weight)
        if residual is not None:
            residualizers.append(residual)
    return DesignRows(
        stratum=stratum,
        psu=psu,
        psu_stratum=psu_stratum,
        n_psu=n_units,
        popsize=_popsize(design, table, stratum, n_units),
        count=table[COUNT].to_numpy(dtype=float),
        weight=weight,
        residualizers=tuple(residualizers),
        lonely_psu=design.lonely_psu,
        replicates=design.replicates,
    )


def _check_weights(design: SurveyDesign, table: pd.DataFrame) -> None:
    if design.weights is None:
        return
    column = table[design.weights]
    if not pd.api.types.is_numeric_dtype(column):
        raise ValueError(f"weights column {design.weights!r} is not numeric")
    values = column.to_numpy(dtype=float)
    if np.isnan(values).any():
        raise ValueError(f"weights column {design.weights!r} has missing values")
    if (values < 0).any() or np.isinf(values).any():
        bad = values[(values < 0) | np.isinf(values)][0]
        raise ValueError(
            f"weights column {design.weights!r} has an invalid weight {bad!r}"
        )


def _check_fpc(
    design: SurveyDesign,
    table: pd.DataFrame,
    stratum: np.ndarray,
    labels: np.ndarray,
    n_units: np.ndarray,
) -> None:
    if design.fpc is None:
        return
    column = table[design.fpc]
    if not pd.api.types.is_numeric_dtype(column):
        raise ValueError(f"fpc column {design.fpc!r} is not numeric")
    fpc = column.to_numpy(dtype=float)
    if np.isnan(fpc).any() or (fpc <= 0).any():
        raise ValueError(
            f"fpc column {design.fpc!r} has missing or non-positive values"
        )
    if (fpc > 1).any() and (fpc < 1).any():
        raise ValueError(
            f"fpc column {design.fpc!r} mixes population sizes (> 1) and "
            "sampling fractions (< 1)"
        )
    low = np.full(len(n_units), np.inf)
    high = np.full(len(n_units), -np.inf)
    np.minimum.at(low, stratum, fpc)
    np.maximum.at(high, stratum, fpc)
    varying = low != high
    if varying.any():
        label = _plain(labels[int(np.argmax(varying))])
        raise ValueError(f"fpc column {design.fpc!r} varies within stratum {label!r}")
    popsize = _popsize(design, table, stratum, n_units)
    small = popsize < n_units - 1e-9
    if small.any():
        label = _plain(labels[int(np.argmax(small))])
        raise ValueError(
            f"fpc column {design.fpc!r} implies more than 100% sampling in "
            f"stratum {label!r}"
        )


def validate_design(design: SurveyDesign, table: pd.DataFrame) -> None:
    """Raise ``ValueError`` naming the column and value of a bad design."""
    _check_weights(design, table)
    for role, column in (("strata", design.strata), ("psu", design.psu)):
        if column is not None and table[column].isna().any():
            raise ValueError(f"{role} column {column!r} has missing values")
    stratum, labels, psu, psu_stratum, n_units = _structure(design, table)
    if design.psu is not None and not design.nest and design.strata is not None:
        psu_codes, _ = _codes(table[design.psu])
        _, first = group_codes(pd.DataFrame({"p": psu_codes, "s": stratum}))
        shared = np.bincount(psu_codes[first]) > 1
        if shared.any():
            position = first[np.isin(psu_codes[first], np.flatnonzero(shared))][0]
            label = _plain(table[design.psu].iloc[position])
            raise ValueError(
                f"psu column {design.psu!r}: PSU {label!r} appears in more than one "
                f"stratum of {design.strata!r}; PSU labels repeat across strata? "
                "use nest=True"
            )
    n_psu_total = len(psu_stratum) if psu_stratum is not None else n_units.sum()
    if n_psu_total < 2 and not (design.nest and design.strata is not None):
        raise ValueError("the design has only one primary sampling unit")
    _check_fpc(design, table, stratum, labels, n_units)
    if design.lonely_psu == "fail":
        popsize = _popsize(design, table, stratum, n_units)
        certain = np.isfinite(popsize) & (popsize - n_units < 1e-7 * popsize)
        lonely = (n_units == 1) & ~certain
        if lonely.any():
            label = _plain(labels[int(np.argmax(lonely))])
            where = f"strata column {design.strata!r}" if design.strata else "design"
            raise ValueError(
                f"{where}: stratum {label!r} has only one PSU "
                "(choose lonely_psu='remove', 'adjust', 'average' or 'certainty')"
            )
