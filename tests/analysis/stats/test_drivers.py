from itertools import permutations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.stats.drivers import (
    johnson_weights,
    lmg,
    relative_importance,
)


def _survey(n=400, seed=5):
    rng = np.random.default_rng(seed)
    common = rng.normal(size=n)
    dims = pd.DataFrame(
        rng.normal(size=(n, 4)) + common[:, None] * [0.8, 0.5, 0.2, 0.0],
        columns=["staff", "waiting", "price", "web"],
    )
    overall = dims @ np.array([1.0, 0.6, 0.3, 0.1]) + rng.normal(size=n) * 1.5
    return dims, overall.to_numpy(), rng


def _r2(x, y, w):
    if x.shape[1] == 0:
        return 0.0
    sw = np.sqrt(w)
    design = np.column_stack([np.ones(len(y)), x]) * sw[:, None]
    beta, *_ = np.linalg.lstsq(design, y * sw, rcond=None)
    resid = (y - np.column_stack([np.ones(len(y)), x]) @ beta) ** 2
    ybar = np.average(y, weights=w)
    return 1 - (w @ resid) / (w @ (y - ybar) ** 2)


def test_lmg_equals_brute_force_average_over_all_orders_of_entry():
    dims, y, rng = _survey()
    w = rng.uniform(0.5, 3, len(y))
    x = dims.to_numpy()
    gains = np.zeros(4)
    orders = list(permutations(range(4)))
    for order in orders:
        for pos, j in enumerate(order):
            before = list(order[:pos])
            gains[j] += _r2(x[:, [*before, j]], y, w) - _r2(x[:, before], y, w)
    result = relative_importance(dims, y, weights=w, interval="none")
    np.testing.assert_allclose(result.table.importance, gains / len(orders), rtol=1e-8)
    assert result.r2 == pytest.approx(_r2(x, y, w), rel=1e-8)
    assert result.table.share.sum() == pytest.approx(1.0)


def test_johnson_weights_equal_the_svd_construction_of_the_paper():
    dims, y, _ = _survey()
    x = dims.to_numpy()
    z = (x - x.mean(0)) / x.std(0) / np.sqrt(len(y))  # z'z = R
    yz = (y - y.mean()) / y.std() / np.sqrt(len(y))
    p_, delta, qt = np.linalg.svd(z, full_matrices=False)
    orthogonal = p_ @ qt  # closest orthonormal counterparts of the predictors
    beta = np.linalg.lstsq(orthogonal, yz, rcond=None)[0]
    loadings = np.linalg.lstsq(orthogonal, z, rcond=None)[0]  # x on z
    expected = (loadings.T**2) @ (beta**2)
    result = relative_importance(dims, y, method="relative_weights", interval="none")
    np.testing.assert_allclose(result.table.importance, expected, rtol=1e-8)
    assert result.r2 == pytest.approx(_r2(x, y, np.ones(len(y))), rel=1e-8)


def test_integer_weights_equal_repeated_respondents():
    dims, y, rng = _survey(n=150)
    w = rng.integers(1, 4, len(y))
    weighted = relative_importance(dims, y, weights=w, interval="none")
    repeated = relative_importance(
        dims.loc[dims.index.repeat(w)], np.repeat(y, w), interval="none"
    )
    np.testing.assert_allclose(
        weighted.table.importance, repeated.table.importance, rtol=1e-10
    )


def test_jackknife_equals_explicit_delete_one_cluster_recomputation():
    dims, y, rng = _survey(n=240)
    strata = np.repeat([0, 1], 120)
    clusters = np.repeat(np.arange(12), 20)
    result = relative_importance(
        dims, y, interval="jackknife", clusters=clusters, strata=strata
    )
    full = result.table.importance.to_numpy()
    total = np.zeros(4)
    for g in range(12):
        h = g // 6
        w = np.where(strata == h, 6 / 5, 1.0) * (clusters != g)
        keep = w > 0
        cov = np.cov(np.column_stack([dims.to_numpy(), y])[keep].T, aweights=w[keep])
        corr = cov / np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
        total += 5 / 6 * (lmg(corr) - full) ** 2
    np.testing.assert_allclose(result.table.se, np.sqrt(total), rtol=1e-8)
    assert (result.table.ci_low < full).all() and (full < result.table.ci_high).all()


def test_bootstrap_interval_is_reproducible_and_covers_the_estimate():
    dims, y, _ = _survey()
    one = relative_importance(dims, y, replicates=100, seed=3)
    two = relative_importance(dims, y, replicates=100, seed=3)
    pd.testing.assert_frame_equal(one.table, two.table)
    t = one.table
    assert (t.ci_low < t.importance).all() and (t.importance < t.ci_high).all()
    assert one.replicates == 100


def test_drivers_reject_unknown_variants_and_crossing_clusters():
    dims, y, _ = _survey(n=40)
    with pytest.raises(ValueError, match="lmg"):
        relative_importance(dims, y, method="pls")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="jackknife"):
        relative_importance(dims, y, interval="delta")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="nested"):
        relative_importance(
            dims,
            y,
            clusters=np.arange(40) % 4,
            strata=np.arange(40) % 2 + (np.arange(40) > 20),
        )


def test_lmg_and_johnson_agree_for_uncorrelated_predictors():
    corr = np.eye(4)
    corr[:3, 3] = corr[3, :3] = [0.5, 0.3, 0.1]
    np.testing.assert_allclose(lmg(corr), [0.25, 0.09, 0.01])
    np.testing.assert_allclose(johnson_weights(corr), [0.25, 0.09, 0.01])


def test_driver_shares_become_recorded_index_weights():
    from analysis.stats.scoring import dimension_weights

    dims, y, _ = _survey()
    shares = relative_importance(dims, y, interval="none").table
    weights = dimension_weights(
        dims.columns, "drivers", shares.set_index("dimension")["importance"]
    )
    assert weights.method == "drivers"
    np.testing.assert_allclose(list(weights.weights.values()), shares.share)
    assert max(weights.weights, key=weights.weights.get) == "staff"


def test_non_numeric_dimension_is_named():
    dims, y, _ = _survey(n=20)
    with pytest.raises(ValueError, match="'web'"):
        relative_importance(dims.assign(web="ok"), y)


def test_grouped_bootstrap_and_jackknife_agree_with_respondent_bootstrap():
    dims, y, _ = _survey(n=2000)
    boot = relative_importance(dims, y, replicates=300, seed=1).table.se
    jack = relative_importance(dims, y, interval="jackknife").table.se
    single = relative_importance(
        dims, y, replicates=300, clusters=np.arange(2000), seed=2
    ).table.se
    np.testing.assert_allclose(boot / single, 1.0, atol=0.35)
    np.testing.assert_allclose(jack / single, 1.0, atol=0.35)


@given(st.integers(0, 10_000), st.permutations(range(4)))
@settings(max_examples=25, deadline=None)
def test_lmg_sums_to_r2_is_nonnegative_and_follows_the_predictors(seed, order):
    dims, y, _ = _survey(n=120, seed=seed)
    plain = relative_importance(dims, y, interval="none")
    shuffled = relative_importance(dims.iloc[:, list(order)], y, interval="none")
    assert plain.table.importance.sum() == pytest.approx(plain.r2, rel=1e-12)
    assert (plain.table.importance >= -1e-12).all()
    np.testing.assert_allclose(
        shuffled.table.set_index("dimension").importance[plain.table.dimension],
        plain.table.importance,
        rtol=1e-9,
        atol=1e-14,
    )
