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

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from . import sufficient
from .calibration import CalibrationMixin
from .estimation import EstimationMixin
from .replicates import JACKKNIFE_TYPES, JackknifeType
from .steps import PostStratification, Raking, Trimming
from .validation import require_columns
from .variance import LONELY_PSU, DesignRows, LonelyPsu

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

    Notes
    -----
    Intervals are :math:`\\hat\\theta \\pm q\\,\\widehat{SE}` (normal or t),
    or ``svyciprop``'s for proportions; see ``docs/methodology.md``.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys*, ch. 2. Wiley.

    Examples
    --------
    >>> Estimate(3.1, 0.2, 2.7, 3.5, 120, 1.4, 11.0).as_dict()["se"]
    0.2
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


class SurveyDesign(EstimationMixin, CalibrationMixin):
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
        require_columns(frame, given, "design")
        if stats is not None:
            require_columns(frame, [sufficient.COUNT], "sufficient-statistics")
        self._frame = frame
        self._stats = stats
        self.weights = weights
        self.strata = strata
        self.psu = psu
        self.fpc = fpc
        self.nest = nest
        self.lonely_psu: LonelyPsu = lonely_psu  # type: ignore[assignment]
        self.replicates: JackknifeType | None = None
        self._steps: tuple[PostStratification | Raking | Trimming, ...] = ()
        self._cache: dict[tuple[Any, ...], pd.DataFrame] = {}
        self._codes: dict[str, tuple[np.ndarray, int]] = {}
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
        if self.replicates is not None:
            raise ValueError(
                "calibrating a jackknife design is not supported yet (its "
                "replicates would need recalibrating); use Taylor variance"
            )
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        new._steps = (*self._steps, step)
        new._cache = self._cache
        return new

    def _table(self, outcomes: Sequence[str], extra: Sequence[str]) -> pd.DataFrame:
        """Sufficient statistics of ``outcomes`` by design, calibration, ``extra``.

        Tables are cached (they hold base weights, so calibration steps share
        them); a request that a cached finer table covers is collapsed from it
        instead of passing over the microdata again.
        """
        keys = list(
            dict.fromkeys([*self.design_columns, *self.calibration_columns, *extra])
        )
        cache_key = (tuple(outcomes), tuple(keys))
        if cache_key in self._cache:
            return self._cache[cache_key]
        finer = self._covering_table(outcomes, keys)
        if finer is not None:
            table = sufficient.collapse(finer, keys)
        elif self._stats is None:
            frame = self._frame
            if self.weights is None:
                frame = frame.assign(**{_WEIGHT: 1.0})
            require_columns(frame, keys, "grouping")
            table = sufficient.aggregate(frame, keys, outcomes, self._codes)
        else:
            stats = self._stats
            if self.weights is None and _WEIGHT not in stats.columns:
                stats = stats.assign(**{_WEIGHT: 1.0})
            require_columns(stats, keys, "grouping")
            for outcome in outcomes:
                require_columns(
                    stats,
                    sufficient.stat_columns(outcome),
                    f"statistics of outcome {outcome!r}:",
                )
            table = sufficient.collapse(stats, keys)
        self._cache[cache_key] = table
        return table

    def _covering_table(
        self, outcomes: Sequence[str], keys: Sequence[str]
    ) -> pd.DataFrame | None:
        for (cached_outcomes, cached_keys), table in self._cache.items():
            if set(outcomes) <= set(cached_outcomes) and set(keys) < set(cached_keys):
                return table
        return None

    def _rows(self, table: pd.DataFrame) -> DesignRows:
        from .validation import design_rows

        return design_rows(self, table)

    def jackknife(self, type: Literal["auto", "JK1", "JKn"] = "auto") -> SurveyDesign:
        """The same design with jackknife replicate variance (R's ``as.svrepdesign``).

        Parameters
        ----------
        type : {"auto", "JK1", "JKn"}
            ``JK1`` for unstratified designs, ``JKn`` for stratified ones;
            ``auto`` picks by the presence of strata, as R.

        Notes
        -----
        Replicate :math:`(h,j)` sets the weights of PSU :math:`j` of stratum
        :math:`h` to 0 and multiplies the rest of the stratum by
        :math:`n_h/(n_h-1)`;
        :math:`v = \\sum_{hj} (1-f_h)\\frac{n_h-1}{n_h}(\\hat\\theta_{(hj)}-
        \\bar\\theta)^2`. Calibrated designs are not supported yet (R
        recalibrates every replicate); call ``jackknife`` on the sampling
        design. Without PSUs every respondent is one (microdata only).

        References
        ----------
        Wolter (2007), ch. 4; Lumley (2010), sec. 2.6.

        Examples
        --------
        >>> frame = pd.DataFrame({"h": [1, 1, 1, 2, 2, 2],
        ...                       "y": [1.0, 2.0, 4.0, 3.0, 5.0, 4.0]})
        >>> design = SurveyDesign(frame, strata="h").jackknife()
        >>> round(design.mean("y").se, 6)
        0.527046
        """
        if type not in ("auto", *JACKKNIFE_TYPES):
            raise ValueError(f"unknown jackknife type {type!r}; choose auto, JK1, JKn")
        if self._steps:
            raise ValueError(
                "jackknife variance of a calibrated design is not supported yet "
                "(its replicates would need recalibrating)"
            )
        chosen = ("JKn" if self.strata else "JK1") if type == "auto" else type
        if chosen == "JK1" and self.strata is not None:
            raise ValueError("JK1 needs an unstratified design; use JKn")
        if chosen == "JKn" and self.strata is None:
            raise ValueError("JKn needs strata; use JK1")
        if self.lonely_psu == "adjust":
            raise ValueError("jackknife does not support lonely_psu='adjust'")
        design = self
        if self.psu is None:
            if self._stats is not None:
                raise ValueError("jackknife without PSUs needs microdata")
            units = self._frame.assign(_respondent=np.arange(len(self._frame)))
            design = self._derived(units)
            design.psu = "_respondent"
            design._codes = {}
        new = design.__class__.__new__(design.__class__)
        new.__dict__.update(design.__dict__)
        new.replicates = chosen
        new._cache = {}
        return new

    def _derived(self, frame: pd.DataFrame) -> SurveyDesign:
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        new._frame = frame
        new._cache = {}  # key columns (and their codes) are unchanged
        return new
