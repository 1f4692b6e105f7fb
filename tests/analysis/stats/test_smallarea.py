import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from analysis.stats.smallarea import fay_herriot, rank_intervals, small_area_estimates


def _simulated_areas(m=60, seed=11):
    rng = np.random.default_rng(seed)
    sector = rng.integers(0, 3, m)
    x = np.eye(3)[sector]
    theta = np.array([72.0, 80.0, 86.0])[sector] + rng.normal(0, 4.0, m)
    n = rng.integers(5, 200, m)
    d = 900.0 / n  # design variance of a mean with unit SD 30
    y = theta + rng.normal(0, np.sqrt(d))
    return y, d, x, theta, n, sector


def _reference(y, d, x, a, vbar):
    """Rao & Molina (2015), section 6.1-6.2, written out area by area."""
    m, p = x.shape
    v = np.diag(a + d)
    vinv = np.linalg.inv(v)
    xtvx_inv = np.linalg.inv(x.T @ vinv @ x)
    beta = xtvx_inv @ x.T @ vinv @ y
    est, mse = np.empty(m), np.empty(m)
    for i in range(m):
        gamma = a / (a + d[i])
        est[i] = gamma * y[i] + (1 - gamma) * x[i] @ beta
        g1 = gamma * d[i]
        g2 = (1 - gamma) ** 2 * x[i] @ xtvx_inv @ x[i]
        g3 = d[i] ** 2 * (a + d[i]) ** -3 * vbar
        mse[i] = g1 + g2 + 2 * g3
    return est, mse


def test_prasad_rao_fit_matches_the_published_formulas():
    y, d, x, *_ = _simulated_areas()
    m, p = x.shape
    hat = x @ np.linalg.inv(x.T @ x) @ x.T
    resid = y - hat @ y
    a = max(
        0.0, (resid @ resid - sum(d[i] * (1 - hat[i, i]) for i in range(m))) / (m - p)
    )
    est, mse = _reference(y, d, x, a, 2 * np.sum((a + d) ** 2) / m**2)
    fit = fay_herriot(y, d, x, method="pr")
    assert fit.model_variance == pytest.approx(a, rel=1e-10)
    np.testing.assert_allclose(fit.estimate, est, rtol=1e-10)
    np.testing.assert_allclose(fit.mse, mse, rtol=1e-10)


def test_reml_solves_the_restricted_likelihood_score_equation():
    y, d, x, *_ = _simulated_areas()

    def projection(a):
        vinv = np.diag(1 / (a + d))
        return vinv - vinv @ x @ np.linalg.inv(x.T @ vinv @ x) @ x.T @ vinv

    def score(a):
        proj = projection(a)
        return -0.5 * np.trace(proj) + 0.5 * y @ proj @ proj @ y

    def neg_restricted_loglik(a):
        v = a + d
        xtvx = x.T @ (x / v[:, None])
        return 0.5 * (np.log(v).sum() + np.linalg.slogdet(xtvx)[1]) + 0.5 * (
            y @ projection(a) @ y
        )

    root = optimize.brentq(score, 1e-6, 500.0, xtol=1e-14, rtol=1e-15)
    fit = fay_herriot(y, d, x)
    assert fit.model_variance == pytest.approx(root, rel=1e-8)
    best = optimize.minimize_scalar(
        neg_restricted_loglik, bounds=(0, 500), method="bounded"
    )
    assert fit.model_variance == pytest.approx(best.x, rel=1e-4)
    est, mse = _reference(y, d, x, root, 2 / np.sum((root + d) ** -2.0))
    np.testing.assert_allclose(fit.estimate, est, rtol=1e-8)
    np.testing.assert_allclose(fit.mse, mse, rtol=1e-8)


def test_shrinkage_beats_direct_estimates_for_small_areas_and_mse_is_calibrated():
    errors_direct, errors_eblup, mse_estimates = [], [], []
    for seed in range(200):
        y, d, x, theta, n, _ = _simulated_areas(seed=seed)
        fit = fay_herriot(y, d, x)
        small = n < 30
        errors_direct.append((y - theta)[small] ** 2)
        errors_eblup.append((fit.estimate - theta)[small] ** 2)
        mse_estimates.append(fit.mse[small])
    direct_mse = np.concatenate(errors_direct).mean()
    eblup_mse = np.concatenate(errors_eblup).mean()
    assert eblup_mse < 0.6 * direct_mse
    assert np.concatenate(mse_estimates).mean() == pytest.approx(eblup_mse, rel=0.15)


def test_points_with_too_few_responses_are_marked_synthetic_and_unranked():
    y, d, x, _, n, sector = _simulated_areas()
    direct = pd.DataFrame(
        {
            "sector": np.array(["bus", "clinic", "bank"])[sector],
            "estimate": y,
            "se": np.sqrt(d),
            "n": n,
        }
    )
    direct.loc[0, "n"] = 3
    out = small_area_estimates(direct, "sector", min_n=10)
    assert out.too_few[0] and pd.isna(out["rank"][0])
    assert out.eblup[0] == pytest.approx(out.synthetic[0])
    assert out.rmse[0] > out.rmse[~out.too_few].max()
    ranks = out[~out.too_few].groupby("sector")["rank"]
    assert (ranks.max() == ranks.count()).all()
    assert (
        ((out.rank_low <= out["rank"]) & (out["rank"] <= out.rank_high)).dropna().all()
    )
    with pytest.raises(ValueError, match="'se'"):
        small_area_estimates(direct.drop(columns="se"), "sector")


def test_uncertain_point_gets_a_wide_rank_interval():
    estimate = np.array([85.0, 80.0, 75.0, 70.0, 60.0])
    mse = np.array([1.0, 1.0, 1.0, 1.0, 400.0])
    ranks = rank_intervals(estimate, mse, draws=2000)
    assert ranks["rank"].tolist() == [1, 2, 3, 4, 5]
    assert ranks.rank_low[4] <= 2 and ranks.rank_high[4] == 5
    assert ranks.rank_high[0] <= 2


def test_fay_herriot_rejects_unknown_method_and_bad_variances():
    with pytest.raises(ValueError, match="reml"):
        fay_herriot(np.ones(3), np.ones(3), np.ones((3, 1)), method="ml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        fay_herriot(np.ones(3), np.zeros(3), np.ones((3, 1)))


def test_pooled_variances_share_the_sectors_per_response_variance():
    direct = pd.DataFrame(
        {
            "sector": ["bus"] * 3 + ["clinic"] * 3,
            "estimate": [70.0, 75, 80, 85, 88, 90],
            "se": [4.0, 2.0, 1.0, 3.0, 3.0, 3.0],
            "n": [10, 20, 40, 10, 10, 10],
        }
    )
    pooled = small_area_estimates(
        direct, "sector", min_n=5, variance="pooled", method="pr"
    )
    unit = (9 * 10 * 16 + 19 * 20 * 4 + 39 * 40 * 1) / (9 + 19 + 39)
    d = unit / np.array([10, 20, 40])
    plain = small_area_estimates(
        direct.assign(se=np.r_[np.sqrt(d), [3.0] * 3]), "sector", min_n=5, method="pr"
    )
    np.testing.assert_allclose(pooled.eblup, plain.eblup, rtol=1e-12)
    with pytest.raises(ValueError, match="pooled"):
        small_area_estimates(direct, "sector", variance="gvf")  # type: ignore[arg-type]


def test_no_between_point_variance_gives_the_synthetic_estimate():
    rng = np.random.default_rng(3)
    d = np.full(30, 25.0)
    y = 80 + rng.normal(0, 2.0, 30)  # spread well below the sampling error
    fit = fay_herriot(y, d, np.ones((30, 1)), method="pr")
    assert fit.model_variance == 0.0
    np.testing.assert_allclose(fit.estimate, y.mean())
    assert (fit.mse < d).all()
