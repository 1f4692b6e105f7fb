import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.stats.reliability import cronbach_alpha, reliability_table
from analysis.stats.scoring import Item
from tests.rsupport import run_r


def _items(seed: int = 7, n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    loadings = np.array([0.9, 0.7, 0.5, 0.3])
    scores = trait[:, None] * loadings + rng.normal(size=(n, 4)) * [1, 1.5, 0.8, 2]
    frame = pd.DataFrame(np.round(scores * 10 + 50, 1), columns=["a", "b", "c", "d"])
    return frame.assign(w=rng.uniform(0.5, 4.0, n))


@pytest.mark.r
def test_alpha_and_item_statistics_match_psych():
    data = _items()
    r = run_r(
        """
        a <- psych::alpha(data[, c("a", "b", "c", "d")], warnings = FALSE)
        result <- list(raw = a$total$raw_alpha, std = a$total$std.alpha,
                       avr = a$total$average_r, rdrop = a$item.stats$r.drop,
                       drop_raw = a$alpha.drop$raw_alpha,
                       drop_std = a$alpha.drop$std.alpha)
        """,
        {"data": data},
        packages=("psych",),
    )
    ours = cronbach_alpha(data[["a", "b", "c", "d"]])
    assert ours.raw == pytest.approx(r["raw"], rel=1e-8)
    assert ours.standardized == pytest.approx(r["std"], rel=1e-8)
    assert ours.average_r == pytest.approx(r["avr"], rel=1e-8)
    np.testing.assert_allclose(ours.items.item_rest_r, r["rdrop"], rtol=1e-8)
    np.testing.assert_allclose(ours.items.alpha_if_deleted, r["drop_raw"], rtol=1e-8)
    np.testing.assert_allclose(
        ours.items.std_alpha_if_deleted, r["drop_std"], rtol=1e-8
    )


@pytest.mark.r
def test_weighted_alpha_matches_svycralpha_and_weighted_correlations():
    data = _items(seed=3)
    r = run_r(
        """
        d <- svydesign(ids = ~1, weights = ~w, data = data)
        R <- cov2cor(cov.wt(data[, c("a", "b", "c", "d")], wt = data$w)$cov)
        result <- list(alpha = unname(svycralpha(~a + b + c + d, d)),
                       std = (4 / 3) * (1 - 4 / sum(R)))
        """,
        {"data": data},
    )
    ours = cronbach_alpha(data[["a", "b", "c", "d"]], data["w"])
    assert ours.raw == pytest.approx(r["alpha"], rel=1e-8)
    assert ours.standardized == pytest.approx(r["std"], rel=1e-8)
    assert ours.raw != pytest.approx(cronbach_alpha(data[["a", "b", "c", "d"]]).raw)


def test_table_per_dimension_skips_single_item_dimensions_and_incomplete_rows():
    data = _items()
    data.loc[3, "a"] = np.nan
    items = [Item(c, "x", 0, 100) for c in "abc"] + [Item("d", "y", 0, 100)]
    dims, table = reliability_table(data, items, weights=data["w"])
    assert dims.dimension.tolist() == ["x"]
    assert dims.n[0] == len(data) - 1
    assert table.columns[:2].tolist() == ["dimension", "item"]
    assert "weighted_item_rest_r" in table
    reference = cronbach_alpha(data[["a", "b", "c"]].dropna())
    assert dims.alpha[0] == pytest.approx(reference.raw, rel=1e-12)


def test_alpha_rises_when_a_noise_item_is_deleted():
    data = _items().assign(noise=np.random.default_rng(0).normal(size=120))
    result = cronbach_alpha(data[["a", "b", "c", "noise"]])
    assert result.items.alpha_if_deleted.iloc[3] > result.raw


def test_two_items_needed():
    with pytest.raises(ValueError, match="two item"):
        cronbach_alpha(_items()[["a"]])


def test_non_numeric_item_column_is_named():
    data = _items()[["a", "b"]].assign(c="good")
    with pytest.raises(ValueError, match="'c'"):
        cronbach_alpha(data)


@given(
    st.lists(st.floats(0.1, 10), min_size=4, max_size=4),
    st.lists(st.floats(-50, 50), min_size=4, max_size=4),
)
def test_standardized_alpha_ignores_item_scales_raw_alpha_a_common_scale(scale, shift):
    data = _items(seed=9)[["a", "b", "c", "d"]]
    base = cronbach_alpha(data)
    rescaled = cronbach_alpha(data * scale + shift)
    assert rescaled.standardized == pytest.approx(base.standardized, rel=1e-9)
    common = cronbach_alpha(data * scale[0] + shift[0])
    assert common.raw == pytest.approx(base.raw, rel=1e-9)
