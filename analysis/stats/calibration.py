"""Calibration methods of :class:`~analysis.stats.design.SurveyDesign`.

Post-stratification, raking and trimming return a new design with one more
weighting step (see :mod:`analysis.stats.weighting`); the original design is
never changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import sufficient
from .steps import PostStratification, Raking, Trimming
from .validation import as_list, require_columns
from .weighting import (
    as_population,
    poststratification_factors,
    rake_factors,
    trim_rounds,
)

if TYPE_CHECKING:
    from .design import SurveyDesign

__all__ = ["CalibrationMixin"]

_WEIGHT = "_weight"


class CalibrationMixin:
    """Weighting steps and weight summaries of a survey design."""

    def _calibration_base(
        self: SurveyDesign, variables: Sequence[str]
    ) -> tuple[pd.DataFrame, np.ndarray]:
        if self._stats is None:
            require_columns(self._frame, variables, "calibration")
            for name in variables:
                if self._frame[name].isna().any():
                    raise ValueError(f"calibration column {name!r} has missing values")
        table = self._table((), list(variables))
        rows = self._rows(table)
        return table, rows.weight * rows.count

    def poststratify(
        self: SurveyDesign,
        variables: str | Sequence[str],
        population: Mapping[object, float] | pd.Series,
    ) -> SurveyDesign:
        """Post-stratify to known population counts of crossed cells.

        Parameters
        ----------
        variables : str or list of str
            Post-stratification variables, crossed.
        population : mapping or Series
            Population count of each cell: keys are values (one variable) or
            tuples of values in the order of ``variables``.

        Returns
        -------
        SurveyDesign
            A new design; this one is unchanged.

        Notes
        -----
        :math:`w_i^* = w_i N_c/\\hat N_c` for :math:`i` in cell :math:`c`.
        Variances use the residuals of the influence values from their
        weighted cell means (R's ``svyrecvar``):
        :math:`z_i^* = z_i - w_i^* \\sum_{k\\in c} z_k w_k/w_k^* / \\sum_{k\\in c} w_k`.

        References
        ----------
        Holt, D., & Smith, T. M. F. (1979). Post stratification. *JRSS A*,
        142, 33–46. Lumley (2010), sec. 7.3.

        Examples
        --------
        >>> from analysis.stats import SurveyDesign
        >>> frame = pd.DataFrame({"sex": ["f", "m", "m"], "y": [1.0, 2.0, 4.0]})
        >>> post = SurveyDesign(frame).poststratify("sex", {"f": 50, "m": 50})
        >>> post.mean("y").estimate
        2.0
        """
        names = as_list(variables)
        pop = as_population(names, population)
        table, row_weight = self._calibration_base(names)
        factors = poststratification_factors(names, table[names], row_weight, pop)
        return self._with_steps(PostStratification(tuple(names), factors))

    def rake(
        self: SurveyDesign,
        margins: Mapping[str, Mapping[object, float] | pd.Series],
        max_iter: int = 100,
        tol: float = 1e-10,
    ) -> SurveyDesign:
        """Rake to population margins by iterative proportional fitting.

        Parameters
        ----------
        margins : mapping
            ``{variable: {category: population count}}``.
        max_iter : int
            Maximum IPF sweeps; non-convergence raises ``ValueError`` naming
            the margin furthest from its totals.
        tol : float
            Stop when no joint cell's weight total moves by more than
            ``tol`` times the total weight in a sweep (R's
            ``control$epsilon``).

        Notes
        -----
        Each sweep post-stratifies to every margin in turn (Deming & Stephan
        1940). Variances use the residuals of the influence values after 10
        backfitting sweeps over the margins, as R's ``svyrecvar``.

        References
        ----------
        Deming, W. E., & Stephan, F. F. (1940). *Ann. Math. Stat.*, 11, 427–444.
        Lumley (2010), sec. 7.4.

        Examples
        --------
        >>> from analysis.stats import SurveyDesign
        >>> frame = pd.DataFrame({"sex": ["f", "m", "m", "f"],
        ...                       "age": ["y", "y", "o", "o"],
        ...                       "y": [1.0, 2.0, 3.0, 4.0]})
        >>> raked = SurveyDesign(frame).rake({"sex": {"f": 60, "m": 40},
        ...                                   "age": {"y": 50, "o": 50}})
        >>> round(raked.total("y").estimate, 6)
        250.0
        """
        if not margins:
            raise ValueError("rake needs at least one margin")
        names = list(margins)
        populations = {name: as_population([name], margins[name]) for name in names}
        totals = {name: float(pop.sum()) for name, pop in populations.items()}
        reference = names[0]
        for name in names[1:]:
            if not np.isclose(totals[name], totals[reference], rtol=1e-6, atol=0):
                raise ValueError(
                    f"raking margins disagree: '{reference}' totals "
                    f"{totals[reference]:g} but '{name}' totals {totals[name]:g}"
                )
        table, row_weight = self._calibration_base(names)
        margin_series = {
            name: pop.droplevel(list(range(1, pop.index.nlevels)))
            if pop.index.nlevels > 1
            else pop
            for name, pop in populations.items()
        }
        factors, sweeps = rake_factors(
            margin_series, table[names], row_weight, max_iter=max_iter, tol=tol
        )
        return self._with_steps(Raking(tuple(names), factors, sweeps))

    def trim_weights(
        self: SurveyDesign,
        lower: float | None = None,
        upper: float | None = None,
        strict: bool = False,
    ) -> SurveyDesign:
        """Trim weights to ``[lower, upper]``, as R's ``trimWeights``.

        Notes
        -----
        Weights outside the bounds are set to the bound; the total trimmed
        amount is shared equally among the other respondents,
        :math:`w_i^* = w_i + \\sum_k (w_k - \\tilde w_k)/n_{inside}`, so the
        total weight is kept. With ``strict`` the step repeats until no weight
        lies outside. Calibration residuals of earlier steps are kept, as in R.

        References
        ----------
        Potter, F. J. (1990). A study of procedures to identify and trim
        extreme sampling weights. *Proc. Survey Research Methods Section, ASA*.
        Lumley (2010), sec. 7.5.

        Examples
        --------
        >>> from analysis.stats import SurveyDesign
        >>> frame = pd.DataFrame({"w": [1.0, 1.0, 10.0], "y": [1.0, 2.0, 3.0]})
        >>> trimmed = SurveyDesign(frame, weights="w").trim_weights(upper=5.0)
        >>> round(trimmed.total("y").estimate, 6)
        25.5
        """
        low = -np.inf if lower is None else float(lower)
        high = np.inf if upper is None else float(upper)
        if low > high:
            raise ValueError(f"trim_weights: lower {low:g} exceeds upper {high:g}")
        table, _ = self._calibration_base([])
        rows = self._rows(table)
        shifts = trim_rounds(rows.weight, rows.count, low, high, strict)
        if not shifts:
            return self
        return self._with_steps(Trimming(low, high, shifts))

    def kish_effective_n(self: SurveyDesign) -> float:
        """Kish's effective sample size :math:`(\\sum w_i)^2/\\sum w_i^2`.

        References
        ----------
        Kish (1965), sec. 11.7.

        Examples
        --------
        >>> from analysis.stats import SurveyDesign
        >>> frame = pd.DataFrame({"w": [1.0, 1.0, 2.0]})
        >>> SurveyDesign(frame, weights="w").kish_effective_n()
        2.6666666666666665
        """
        rows = self._rows(self._table((), ()))
        total = float((rows.weight * rows.count).sum())
        return total**2 / float((rows.weight**2 * rows.count).sum())

    def final_weights(self: SurveyDesign) -> pd.Series:
        """Final weight of each respondent (microdata designs only).

        Notes
        -----
        Base weights passed through every calibration and trimming step in
        order, as R's ``weights(design)``.

        Examples
        --------
        >>> from analysis.stats import SurveyDesign
        >>> frame = pd.DataFrame({"sex": ["f", "m", "m"]})
        >>> post = SurveyDesign(frame).poststratify("sex", {"f": 4, "m": 6})
        >>> post.final_weights().tolist()
        [4.0, 3.0, 3.0]
        """
        if self._stats is not None:
            raise ValueError("final_weights needs microdata, not sufficient statistics")
        frame = self._frame if self.weights else self._frame.assign(**{_WEIGHT: 1.0})
        keys = list(dict.fromkeys([*self.design_columns, *self.calibration_columns]))
        codes, first = sufficient.group_codes(frame[keys])
        table = frame[keys].iloc[first].reset_index(drop=True)
        table = table.assign(**{sufficient.COUNT: np.bincount(codes).astype(float)})
        rows = self._rows(table)
        return pd.Series(rows.weight[codes], index=self._frame.index, name="weight")
