"""Sample-size planning: responses needed per domain before fieldwork."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "plan_domains",
    "plan_from_previous_wave",
    "sample_size_for_margin",
    "sample_size_for_verdict",
]


def _finish(
    n0: np.ndarray, population: np.ndarray | float | None, response_rate: float
) -> np.ndarray:
    if not 0 < response_rate <= 1:
        raise ValueError(f"response_rate must be in (0, 1], got {response_rate}")
    n = np.asarray(n0, float)
    if population is not None:
        big_n = np.asarray(population, float)
        n = n / (1 + (n - 1) / big_n)
    # the tiny tolerance keeps exact integers (e.g. 96.00000000000001) exact
    return np.ceil(n / response_rate - 1e-9).astype(int)


def _variance(sd, proportion) -> np.ndarray:
    if (sd is None) == (proportion is None):
        raise ValueError("give exactly one of sd (index) or proportion (rate)")
    if sd is not None:
        return np.asarray(sd, float) ** 2
    p = np.asarray(proportion, float)
    return p * (1 - p)


def sample_size_for_margin(
    margin: float | np.ndarray,
    sd: float | np.ndarray | None = None,
    proportion: float | np.ndarray | None = None,
    confidence: float = 0.95,
    deff: float | np.ndarray = 1.0,
    population: float | np.ndarray | None = None,
    response_rate: float = 1.0,
) -> np.ndarray:
    """Responses needed so the CI half-width is at most ``margin``.

    Parameters
    ----------
    margin : float or ndarray
        Half-width in index points (index) or as a share (rate).
    sd : float or ndarray, optional
        Standard deviation of the respondent index (about 15-20 points).
    proportion : float or ndarray, optional
        Expected satisfied rate (0.5 is the safe choice).
    confidence : float
    deff : float or ndarray
        Design effect expected from clustering and weights (from the previous
        wave's ``deff`` column).
    population : float or ndarray, optional
        Domain population, for the finite population correction.
    response_rate : float
        Expected response rate; the result is the number to approach.

    Returns
    -------
    ndarray of int

    Notes
    -----
    :math:`n_0 = z_{1-\\alpha/2}^2\\, S^2\\, \\mathrm{deff} / e^2`, then
    :math:`n = n_0 / (1 + (n_0 - 1)/N)` and :math:`n / r`
    (Cochran 1977, sec. 4.4; Kish 1965, sec. 8.2).

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. Wiley.
    Kish, L. (1965). *Survey Sampling*. Wiley.

    Examples
    --------
    >>> sample_size_for_margin(0.05, proportion=0.5, deff=1.5).tolist()
    [577]
    >>> sample_size_for_margin(2.0, sd=18.0, deff=1.2).tolist()
    [374]
    """
    z = stats.norm.ppf((1 + confidence) / 2)
    variance = _variance(sd, proportion)
    n0 = z**2 * variance * np.asarray(deff, float) / np.asarray(margin, float) ** 2
    return np.atleast_1d(_finish(n0, population, response_rate))


def sample_size_for_verdict(
    expected: float | np.ndarray,
    target: float | np.ndarray,
    sd: float | np.ndarray | None = None,
    metric: str = "index",
    confidence: float = 0.95,
    power: float = 0.8,
    deff: float | np.ndarray = 1.0,
    population: float | np.ndarray | None = None,
    response_rate: float = 1.0,
) -> np.ndarray:
    """Responses needed for a clear target verdict with the given power.

    If the true value is ``expected``, the one-sided bound of
    :func:`analysis.stats.targets.verdict` will exclude the target (verdict
    "met" when expected > target, "not met" when below) with probability
    ``power``.

    Parameters
    ----------
    expected, target : float or ndarray
        Index points, or shares for ``metric="rate"``.
    sd : float or ndarray, optional
        Standard deviation of the respondent index (index metric).
    metric : {"index", "rate"}
    confidence : float
        One-sided confidence of the verdict bound.
    power : float
    deff, population, response_rate
        As :func:`sample_size_for_margin`.

    Returns
    -------
    ndarray of int

    Notes
    -----
    Index: :math:`n_0 = \\mathrm{deff}\\,S^2 (z_{c} + z_{\\pi})^2 /
    (\\mu - \\mu_0)^2`. Rate: :math:`n_0 = \\mathrm{deff}\\,(z_c
    \\sqrt{p_0(1-p_0)} + z_\\pi\\sqrt{p(1-p)})^2/(p - p_0)^2`. A 100% target
    cannot be shown met by a sample: only a census verifies it.

    Examples
    --------
    >>> sample_size_for_verdict(83.0, 80.0, sd=18.0, deff=1.3).tolist()
    [290]
    >>> sample_size_for_verdict(0.9, 0.85, metric="rate").tolist()
    [283]
    """
    if metric not in ("index", "rate"):
        raise ValueError(f"metric must be one of ('index', 'rate'), got {metric!r}")
    mu, mu0 = np.asarray(expected, float), np.asarray(target, float)
    if np.any(mu == mu0):
        raise ValueError("expected equals target: no sample can tell them apart")
    z_c, z_p = stats.norm.ppf(confidence), stats.norm.ppf(power)
    if metric == "index":
        if sd is None:
            raise ValueError("the index metric needs sd")
        spread = (z_c + z_p) * np.asarray(sd, float)
    else:
        if np.any((mu0 >= 1) | (mu0 <= 0)):
            raise ValueError("a 0% or 100% rate target can only be verified by census")
        spread = z_c * np.sqrt(mu0 * (1 - mu0)) + z_p * np.sqrt(mu * (1 - mu))
    n0 = np.asarray(deff, float) * spread**2 / (mu - mu0) ** 2
    return np.atleast_1d(_finish(n0, population, response_rate))


def plan_domains(
    domains: pd.DataFrame,
    margin: float = 3.0,
    target: float | None = 80.0,
    confidence: float = 0.95,
    power: float = 0.8,
    response_rate: float = 1.0,
) -> pd.DataFrame:
    """Advice per domain: responses for the margin and for a target verdict.

    Parameters
    ----------
    domains : DataFrame
        ``domain, expected, sd`` and optionally ``deff`` and ``population``
        (e.g. last wave's domain indexes with their SD and design effect).
    margin : float
        Wanted CI half-width in index points.
    target : float, optional
        Target index; None skips the verdict column.
    confidence, power, response_rate
        As above.

    Returns
    -------
    DataFrame
        ``domain, n_margin, n_verdict, n_advised`` (the larger of the two).

    Notes
    -----
    :math:`n = \\max(n_{margin}, n_{verdict})` with the formulas of
    :func:`sample_size_for_margin` and :func:`sample_size_for_verdict`.

    Examples
    --------
    >>> d = pd.DataFrame({"domain": ["bus", "clinic"], "expected": [75.0, 81.0],
    ...                   "sd": [18.0, 16.0], "deff": [1.4, 1.2]})
    >>> plan_domains(d).values.tolist()
    [['bus', 194, 113, 194], ['clinic', 132, 1900, 1900]]
    """
    for column in ("domain", "expected", "sd"):
        if column not in domains.columns:
            raise ValueError(f"domains lack column {column!r}")
    deff = domains["deff"].to_numpy(float) if "deff" in domains else 1.0
    population = (
        domains["population"].to_numpy(float) if "population" in domains else None
    )
    n_margin = sample_size_for_margin(
        margin,
        sd=domains["sd"].to_numpy(float),
        confidence=confidence,
        deff=deff,
        population=population,
        response_rate=response_rate,
    )
    out = pd.DataFrame({"domain": domains["domain"], "n_margin": n_margin})
    if target is None:
        return out.assign(n_advised=n_margin)
    n_verdict = sample_size_for_verdict(
        domains["expected"].to_numpy(float),
        target,
        sd=domains["sd"].to_numpy(float),
        confidence=confidence,
        power=power,
        deff=deff,
        population=population,
        response_rate=response_rate,
    )
    return out.assign(n_verdict=n_verdict, n_advised=np.maximum(n_margin, n_verdict))


def plan_from_previous_wave(
    previous: pd.DataFrame,
    margin: float = 3.0,
    target: float | None = 80.0,
    confidence: float = 0.95,
    power: float = 0.8,
    response_rate: float = 1.0,
) -> pd.DataFrame:
    """Advice for the next wave from the previous wave's domain indexes.

    Parameters
    ----------
    previous : DataFrame
        ``domain, estimate, se, n, deff`` per domain, e.g. one ``domain_type``
        of :func:`analysis.stats.indexes.domain_indexes`.
    margin, target, confidence, power, response_rate
        As :func:`plan_domains`.

    Returns
    -------
    DataFrame
        As :func:`plan_domains`, plus the ``sd`` and ``deff`` used.

    Notes
    -----
    The respondent-level SD follows from the design effect:
    :math:`\\mathrm{se}^2 = \\mathrm{deff}\\,S^2/n`, so
    :math:`S = \\mathrm{se}\\sqrt{n/\\mathrm{deff}}`; the previous estimate is
    the expected value. Planning for the margin the previous wave reached
    gives back its number of responses.

    Examples
    --------
    >>> prev = pd.DataFrame({"domain": ["bus"], "estimate": [78.0], "se": [1.5],
    ...                      "n": [250], "deff": [1.6]})
    >>> plan = plan_from_previous_wave(prev)
    >>> plan[["domain", "sd", "n_margin", "n_verdict"]].values.tolist()
    [['bus', 18.75, 241, 870]]
    """
    for column in ("domain", "estimate", "se", "n", "deff"):
        if column not in previous.columns:
            raise ValueError(f"previous wave lacks column {column!r}")
    deff = previous["deff"].to_numpy(float)
    sd = previous["se"].to_numpy(float) * np.sqrt(previous["n"].to_numpy(float) / deff)
    domains = pd.DataFrame(
        {
            "domain": previous["domain"].to_numpy(),
            "expected": previous["estimate"].to_numpy(float),
            "sd": sd,
            "deff": deff,
        }
    )
    plan = plan_domains(domains, margin, target, confidence, power, response_rate)
    return plan.assign(sd=sd, deff=deff)
