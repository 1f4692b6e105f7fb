"""Survey designs and design-based estimators (means, totals, ratios, proportions).

:class:`SurveyDesign` mirrors R's ``svydesign`` (stratified, clustered, with
finite population correction) and its estimators ``svymean``, ``svytotal``,
``svyratio``, ``svyciprop`` and ``svyby``; calibration mirrors
``postStratify``, ``rake`` and ``trimWeights``. All estimation runs on tables of
sufficient statistics (see :mod:`analysis.stats.sufficient`), built from the
microdata with one vectorized pass or supplied ready-made (SQL ``GROUP BY``,
merged partitions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import sufficient
from .estimators import Estimator, estimate_table
from .intervals import CI_METHODS, PROPORTION_METHODS, CiMethod, ProportionMethod
from .variance import LONELY_PSU, DesignRows, LonelyPsu
from .weighting import (
    PostStratification,
    Raking,
    Trimming,
    as_population,
    poststratification_factors,
    rake_factors,
    trim_shift,
)

__all__ = ["Estimate", "SurveyDesign"]

_WEIGHT = "_weight"


@dataclass(frozen=True)
class Estimate:
    """A design-based estimate with its uncertainty.

    Attributes
    ----------
    estimate : float
        Point estimate.
    se : float
        Design-based (linearization) standard error.
    ci_low, ci_high : float
        Confidence interval bounds.
    n : int
        Respondents contributing (in the domain, answering, non-zero weight).
    deff : float
        Design effect, as R's ``deff=TRUE`` (variance over the variance under
        simple random sampling without replacement of the same size).
    df : float
        Design degrees of freedom (PSUs minus strata), as R's ``degf``.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    deff: float
    df: float

    def as_dict(self) -> dict[str, float]:
        """The fields as a plain dict."""
        return asdict(self)


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], role: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise ValueError(f"{role} column {column!r} not found in the data")


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


class SurveyDesign:
    """A complex survey design over a frame of respondents.

    Parameters
    ----------
    frame : DataFrame
        One row per respondent. Never modified.
    weights : str, optional
        Sampling-weight column (inverse inclusion probabilities). Equal
        weights when omitted.
    strata : str, optional
        Stratum column.
    psu : str, optional
        First-stage cluster (PSU) column; each respondent is its own PSU when
        omitted.
    fpc : str, optional
        Finite population correction: population PSUs per stratum (values
        > 1) or the first-stage sampling fraction (values <= 1).
    nest : bool, default False
        PSU labels are only unique within strata (R's ``nest=TRUE``).
    lonely_psu : {"fail", "remove", "adjust", "average", "certainty"}
        Treatment of strata with a single PSU, as R's ``survey.lonely.psu``.

    Notes
    -----
    Variances use Taylor linearization with the ultimate-cluster
    approximation (R's ``svydesign`` default): an estimator's influence
    values are totalled per PSU and
    :math:`\\hat V = \\sum_h (1-f_h) \\frac{n_h}{n_h-1}\\sum_j (z_{hj}-\\bar z_h)^2`.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
    Särndal, C.-E., Swensson, B., & Wretman, J. (1992). *Model Assisted Survey
    Sampling*. Springer.
    Kish, L. (1965). *Survey Sampling*. Wiley.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "region": ["n", "n", "n", "n", "s", "s", "s", "s"],
    ...     "psu": [1, 1, 2, 2, 3, 3, 4, 4],
    ...     "w": [10.0, 10.0, 12.0, 12.0, 20.0, 20.0, 25.0, 25.0],
    ...     "score": [3.0, 4.0, 5.0, 4.0, 2.0, 3.0, 4.0, 1.0],
    ... })
    >>> design = SurveyDesign(frame, weights="w", strata="region", psu="psu")
    >>> result = design.mean("score")
    >>> round(result.estimate, 4), round(result.se, 4), result.n, result.df
    (3.0075, 0.1975, 8, 2.0)
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        weights: str | None = None,
        strata: str | None = None,
        psu: str | None = None,
        fpc: str | None = None,
        nest: bool = False,
        lonely_psu: LonelyPsu = "fail",
    ) -> None:
        self._init(frame, weights, strata, psu, fpc, nest, lonely_psu, stats=None)

    @classmethod
    def from_sufficient(
        cls,
        table: pd.DataFrame,
        weights: str | None = None,
        strata: str | None = None,
        psu: str | None = None,
        fpc: str | None = None,
        nest: bool = False,
        lonely_psu: LonelyPsu = "fail",
    ) -> SurveyDesign:
        """A design over a table of sufficient statistics instead of microdata.

        ``table`` holds one row per group of (strata, psu, fpc, weights,
        calibration and domain columns) with ``_count`` and ``y__n``,
        ``y__sum``, ``y__sumsq`` per outcome, as built by
        :func:`analysis.stats.sufficient.aggregate` or an SQL ``GROUP BY``.
        Estimates equal those from the microdata.

        Examples
        --------
        >>> frame = pd.DataFrame({"g": [1, 1, 2, 2], "y": [1.0, 2.0, 3.0, 5.0]})
        >>> table = sufficient.aggregate(frame, ["g"], ["y"])
        >>> SurveyDesign.from_sufficient(table, strata="g").mean("y").estimate
        2.75
        """
        design = cls.__new__(cls)
        design._init(table, weights, strata, psu, fpc, nest, lonely_psu, stats=table)
        return design

    def _init(
        self,
        frame: pd.DataFrame,
        weights: str | None,
        strata: str | None,
        psu: str | None,
        fpc: str | None,
        nest: bool,
        lonely_psu: str,
        stats: pd.DataFrame | None,
    ) -> None:
        if lonely_psu not in LONELY_PSU:
            raise ValueError(
                f"unknown lonely_psu {lonely_psu!r}; "
                f"choose one of {', '.join(LONELY_PSU)}"
            )
        given = [c for c in (weights, strata, psu, fpc) if c is not None]
        _require_columns(frame, given, "design")
        if stats is not None:
            _require_columns(frame, [sufficient.COUNT], "sufficient-statistics")
        self._frame = frame
        self._stats = stats
        self.weights = weights
        self.strata = strata
        self.psu = psu
        self.fpc = fpc
        self.nest = nest
        self.lonely_psu: LonelyPsu = lonely_psu  # type: ignore[assignment]
        self._steps: tuple[PostStratification | Raking | Trimming, ...] = ()
        self._cache: dict[tuple[Any, ...], pd.DataFrame] = {}
        from .validation import validate_design

        validate_design(self, self._table((), ()))

    # ------------------------------------------------------------------ tables
    @property
    def weight_column(self) -> str:
        """Column of the base weights in the statistics tables."""
        return self.weights if self.weights is not None else _WEIGHT

    @property
    def design_columns(self) -> list[str]:
        """Key columns describing the design (strata, psu, fpc, weight)."""
        columns = [c for c in (self.strata, self.psu, self.fpc) if c is not None]
        return [*columns, self.weight_column]

    @property
    def calibration_columns(self) -> list[str]:
        """Variables used by calibration steps so far."""
        seen: list[str] = []
        for step in self._steps:
            seen.extend(v for v in step.variables if v not in seen)
        return seen

    def _with_steps(self, step: PostStratification | Raking | Trimming) -> SurveyDesign:
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        new._steps = (*self._steps, step)
        new._cache = self._cache
        return new

    def _table(self, outcomes: Sequence[str], extra: Sequence[str]) -> pd.DataFrame:
        keys = list(
            dict.fromkeys([*self.design_columns, *self.calibration_columns, *extra])
        )
        cache_key = (tuple(outcomes), tuple(keys))
        if cache_key in self._cache:
            return self._cache[cache_key]
        if self._stats is None:
            frame = self._frame
            if self.weights is None:
                frame = frame.assign(**{_WEIGHT: 1.0})
            _require_columns(frame, keys, "grouping")
            table = sufficient.aggregate(frame, keys, outcomes)
        else:
            stats = self._stats
            if self.weights is None and _WEIGHT not in stats.columns:
                stats = stats.assign(**{_WEIGHT: 1.0})
            _require_columns(stats, keys, "grouping")
            for outcome in outcomes:
                _require_columns(
                    stats,
                    sufficient.stat_columns(outcome),
                    f"statistics of outcome {outcome!r}:",
                )
            table = sufficient.collapse(stats, keys) if len(keys) else stats
        self._cache[cache_key] = table
        return table

    def _rows(self, table: pd.DataFrame) -> DesignRows:
        from .validation import design_rows

        return design_rows(self, table)

    # -------------------------------------------------------------- estimation
    def _numeric_outcomes(self, outcomes: str | Sequence[str]) -> list[str]:
        names = _as_list(outcomes)
        if self._stats is None:
            _require_columns(self._frame, names, "outcome")
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
        self,
        estimator: Estimator,
        outcomes: str | Sequence[str],
        by: str | Sequence[str] | None,
        **options: Any,
    ) -> Estimate | pd.DataFrame:
        names = self._numeric_outcomes(outcomes)
        by_list = _as_list(by)
        if self._stats is None:
            _require_columns(self._frame, by_list, "domain")
        table = self._table(estimator.table_outcomes(names), by_list)
        rows = self._rows(table)
        result = estimate_table(estimator, rows, table, names, by_list, **options)
        if not by_list and isinstance(outcomes, str):
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
        self,
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
        self,
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
        >>> frame = pd.DataFrame({"w": [1.0, 3.0], "y": [1.0, 2.0]})
        >>> SurveyDesign(frame, weights="w").total("y").estimate
        7.0
        """
        self._check_ci(ci)
        return self._estimate(Estimator("total"), outcome, by, ci=ci, level=level)

    def ratio(
        self,
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
        self,
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

    def _derived(self, frame: pd.DataFrame) -> SurveyDesign:
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        new._frame = frame
        new._cache = {}
        return new

    # ------------------------------------------------------------- weighting
    def _calibration_base(
        self, variables: Sequence[str]
    ) -> tuple[pd.DataFrame, np.ndarray]:
        if self._stats is None:
            _require_columns(self._frame, variables, "calibration")
            for name in variables:
                if self._frame[name].isna().any():
                    raise ValueError(f"calibration column {name!r} has missing values")
        table = self._table((), list(variables))
        rows = self._rows(table)
        return table, rows.weight * rows.count

    def poststratify(
        self,
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
        >>> frame = pd.DataFrame({"sex": ["f", "m", "m"], "y": [1.0, 2.0, 4.0]})
        >>> post = SurveyDesign(frame).poststratify("sex", {"f": 50, "m": 50})
        >>> post.mean("y").estimate
        2.0
        """
        names = _as_list(variables)
        pop = as_population(names, population)
        table, row_weight = self._calibration_base(names)
        factors = poststratification_factors(names, table[names], row_weight, pop)
        return self._with_steps(PostStratification(tuple(names), factors))

    def rake(
        self,
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
        self,
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
        >>> frame = pd.DataFrame({"w": [1.0, 1.0, 10.0], "y": [1.0, 2.0, 3.0]})
        >>> trimmed = SurveyDesign(frame, weights="w").trim_weights(upper=5.0)
        >>> round(trimmed.total("y").estimate, 6)
        25.5
        """
        low = -np.inf if lower is None else float(lower)
        high = np.inf if upper is None else float(upper)
        if low > high:
            raise ValueError(f"trim_weights: lower {low:g} exceeds upper {high:g}")
        design = self
        for _ in range(1000):
            table, _ = design._calibration_base([])
            rows = design._rows(table)
            outside = (rows.weight < low) | (rows.weight > high)
            if not outside.any():
                return design
            shift = trim_shift(rows.weight, rows.count, low, high)
            design = design._with_steps(Trimming(low, high, shift))
            if not strict:
                return design
        raise ValueError("trim_weights(strict=True) did not settle in 1000 rounds")

    def kish_effective_n(self) -> float:
        """Kish's effective sample size :math:`(\\sum w_i)^2/\\sum w_i^2`.

        References
        ----------
        Kish (1965), sec. 11.7.

        Examples
        --------
        >>> frame = pd.DataFrame({"w": [1.0, 1.0, 2.0]})
        >>> SurveyDesign(frame, weights="w").kish_effective_n()
        2.6666666666666665
        """
        rows = self._rows(self._table((), ()))
        total = float((rows.weight * rows.count).sum())
        return total**2 / float((rows.weight**2 * rows.count).sum())

    def final_weights(self) -> pd.Series:
        """Final weight of each respondent (microdata designs only)."""
        if self._stats is not None:
            raise ValueError("final_weights needs microdata, not sufficient statistics")
        frame = self._frame if self.weights else self._frame.assign(**{_WEIGHT: 1.0})
        keys = list(dict.fromkeys([*self.design_columns, *self.calibration_columns]))
        codes, first = sufficient.group_codes(frame[keys])
        table = frame[keys].iloc[first].reset_index(drop=True)
        table = table.assign(**{sufficient.COUNT: np.bincount(codes).astype(float)})
        rows = self._rows(table)
        return pd.Series(rows.weight[codes], index=self._frame.index, name="weight")
