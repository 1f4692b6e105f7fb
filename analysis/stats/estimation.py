"""Estimation methods of :class:`~analysis.stats.design.SurveyDesign`.

Means, totals, ratios and proportions, overall or by domain, each returning
:class:`~analysis.stats.design.Estimate` fields computed by
:mod:`analysis.stats.estimators` from a table of sufficient statistics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import sufficient
from .estimators import Estimator, estimate_table
from .intervals import CI_METHODS, PROPORTION_METHODS, CiMethod, ProportionMethod
from .validation import as_list, require_columns

if TYPE_CHECKING:
    from .design import Estimate, SurveyDesign

__all__ = ["EstimationMixin"]


class EstimationMixin:
    """Design-based estimators of a survey design."""

    def _numeric_outcomes(
        self: SurveyDesign, outcomes: str | Sequence[str]
    ) -> list[str]:
        names = as_list(outcomes)
        if self._stats is None:
            require_columns(self._frame, names, "outcome")
            for name in names:
                column = self._frame[name]
                if not (
                    pd.api.types.is_numeric_dtype(column)
                    or pd.api.types.is_bool_dtype(column)
                ):
                    raise ValueError(
                        f"outcome column {name!r} is not numeric (dtype {column.dtype})"
                    )
        return names

    def _estimate(
        self: SurveyDesign,
        estimator: Estimator,
        outcomes: str | Sequence[str],
        by: str | Sequence[str] | None,
        **options: Any,
    ) -> Estimate | pd.DataFrame:
        names = self._numeric_outcomes(outcomes)
        by_list = as_list(by)
        if self._stats is None:
            require_columns(self._frame, by_list, "domain")
        table = self._table(estimator.table_outcomes(names), by_list)
        rows = self._rows(table)
        result = estimate_table(estimator, rows, table, names, by_list, **options)
        if not by_list and isinstance(outcomes, str):
            from .design import Estimate  # noqa: F811 (design imports this module)

            record = result.iloc[0]
            return Estimate(
                estimate=float(record["estimate"]),
                se=float(record["se"]),
                ci_low=float(record["ci_low"]),
                ci_high=float(record["ci_high"]),
                n=int(record["n"]),
                deff=float(record["deff"]),
                df=float(record["df"]),
            )
        if isinstance(outcomes, str):
            result = result.drop(columns="variable")
        return result

    def mean(
        self: SurveyDesign,
        outcome: str | Sequence[str],
        by: str | Sequence[str] | None = None,
        *,
        ci: CiMethod = "normal",
        level: float = 0.95,
    ) -> Estimate | pd.DataFrame:
        """Weighted mean, as R's ``svymean`` (``svyby`` for domains).

        Parameters
        ----------
        outcome : str or list of str
            Numeric column(s); missing answers are left out (``na.rm=TRUE``).
        by : str or list of str, optional
            Domain column(s): one row per domain, each estimated as a
            subpopulation of the full design.
        ci : {"normal", "t"}
            Normal quantile (R's ``confint`` default) or Student t with the
            design degrees of freedom.
        level : float

        Returns
        -------
        Estimate, or DataFrame with columns ``estimate, se, ci_low, ci_high,
        n, deff, df`` (plus the domain columns and ``variable``).

        Notes
        -----
        :math:`\\hat{\\bar y} = \\sum_i w_i y_i / \\sum_i w_i`; influence
        :math:`z_i = w_i (y_i - \\hat{\\bar y})/\\hat N`, zero outside the
        domain. Design effect: :math:`\\hat V/\\hat V_{srs}` with
        :math:`\\hat V_{srs} = s_w^2 (1 - n/\\hat N)/n` and
        :math:`s_w^2 = \\frac{n}{n-1}\\sum w_i (y_i-\\hat{\\bar y})^2/\\hat N`.

        References
        ----------
        Lumley (2010), sec. 2.2–2.4; Kish (1965), sec. 8.2.

        Examples
        --------
        >>> from analysis.stats import SurveyDesign
        >>> frame = pd.DataFrame({"w": [1.0, 3.0, 2.0, 2.0], "y": [1.0, 2.0, 3.0, 4.0],
        ...                       "d": ["a", "a", "b", "b"]})
        >>> design = SurveyDesign(frame, weights="w")
        >>> design.mean("y").estimate
        2.625
        >>> design.mean("y", by="d")[["d", "estimate"]]
           d  estimate
        0  a      1.75
        1  b      3.50
        """
        self._check_ci(ci)
        return self._estimate(Estimator("mean"), outcome, by, ci=ci, level=level)

    def total(
        self: SurveyDesign,
        outcome: str | Sequence[str],
        by: str | Sequence[str] | None = None,
        *,
        ci: CiMethod = "normal",
        level: float = 0.95,
    ) -> Estimate | pd.DataFrame:
        """Weighted total, as R's ``svytotal``.

        Notes
        -----
        :math:`\\hat Y = \\sum_i w_i y_i`, influence :math:`z_i = w_i y_i`;
        :math:`\\hat V_{srs} = \\hat N^2 s_w^2 (1-n/\\hat N)/n`.

        References
        ----------
        Horvitz, D. G., & Thompson, D. J. (1952). *JASA*, 47, 663–685.
        Lumley (2010), sec. 2.2.

        Examples
        --------
        >>> from analysis.stats import SurveyDesign
        >>> frame = pd.DataFrame({"w": [1.0, 3.0], "y": [1.0, 2.0]})
        >>> SurveyDesign(frame, weights="w").total("y").estimate
        7.0
        """
        self._check_ci(ci)
        return self._estimate(Estimator("total"), outcome, by, ci=ci, level=level)

    def ratio(
        self: SurveyDesign,
        numerator: str,
        denominator: str,
        by: str | Sequence[str] | None = None,
        *,
        ci: CiMethod = "normal",
        level: float = 0.95,
    ) -> Estimate | pd.DataFrame:
        """Ratio of totals, as R's ``svyratio`` (combined ratio estimator).

        Notes
        -----
        :math:`\\hat R = \\hat Y/\\hat X`, influence
        :math:`z_i = w_i (y_i - \\hat R x_i)/\\hat X`. Respondents missing
        either variable are left out.

        References
        ----------
        Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., ch. 6. Wiley.
        Lumley (2010), sec. 2.4.

        Examples
        --------
        >>> from analysis.stats import SurveyDesign
        >>> frame = pd.DataFrame({"w": [1.0, 3.0], "y": [1.0, 2.0], "x": [2.0, 2.0]})
        >>> SurveyDesign(frame, weights="w").ratio("y", "x").estimate
        0.875
        """
        self._check_ci(ci)
        names = self._numeric_outcomes([numerator, denominator])
        design = self
        if self._stats is None:
            derived = sufficient.add_ratio_outcomes(self._frame, *names)
            design = self._derived(derived)
        result = design._estimate(
            Estimator("ratio", denominator), numerator, by, ci=ci, level=level
        )
        return result

    def proportion(
        self: SurveyDesign,
        outcome: str | Sequence[str],
        by: str | Sequence[str] | None = None,
        *,
        method: ProportionMethod = "logit",
        level: float = 0.95,
    ) -> Estimate | pd.DataFrame:
        """Proportion of a 0/1 (or bool) outcome with R's ``svyciprop`` intervals.

        Parameters
        ----------
        method : {"logit", "beta", "wilson", "mean", "asin", "xlogit"}
            See :func:`analysis.stats.intervals.proportion_interval`. Intervals
            use Student t with the design degrees of freedom, as ``svyciprop``.

        Notes
        -----
        The estimate, SE and design effect are those of the mean of the
        indicator.

        References
        ----------
        Korn & Graubard (1998); Lumley (2010), sec. 2.3.1.

        Examples
        --------
        >>> from analysis.stats import SurveyDesign
        >>> frame = pd.DataFrame({"ok": [True, False, True, True]})
        >>> round(SurveyDesign(frame).proportion("ok").estimate, 2)
        0.75
        """
        if method not in PROPORTION_METHODS:
            raise ValueError(
                f"unknown method {method!r}; "
                f"choose one of {', '.join(PROPORTION_METHODS)}"
            )
        names = self._numeric_outcomes(outcome)
        if self._stats is None:
            for name in names:
                values = self._frame[name].dropna().to_numpy(dtype=float)
                if values.size and not np.isin(values, (0.0, 1.0)).all():
                    bad = values[~np.isin(values, (0.0, 1.0))][0]
                    raise ValueError(
                        f"proportion column {name!r} must be 0/1 or bool; found {bad!r}"
                    )
        return self._estimate(
            Estimator("proportion"), outcome, by, method=method, level=level
        )

    @staticmethod
    def _check_ci(ci: str) -> None:
        if ci not in CI_METHODS:
            raise ValueError(
                f"unknown ci {ci!r}; choose one of {', '.join(CI_METHODS)}"
            )
