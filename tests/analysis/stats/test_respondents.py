import numpy as np
import pandas as pd
import pytest

from analysis.stats.respondents import IndexConfig, score_respondents
from analysis.stats.scoring import Item, dimension_weights
from tests.analysis.stats.simulated_survey import ITEMS, score, survey


def test_config_pipeline_equals_the_step_by_step_scores():
    raw = survey(20, 15, seed=3, scored=False)
    config = IndexConfig(items=ITEMS, overall="overall")
    ours = score_respondents(raw, config, keep=["sector", "weight"])
    reference = score(raw)
    pd.testing.assert_series_equal(ours["index"], reference["index"])
    pd.testing.assert_series_equal(ours["satisfied"], reference["satisfied"])
    assert ours.columns[:2].tolist() == ["sector", "weight"]
    with_items = score_respondents(raw, config, include_items=True)
    assert with_items.columns[0] == ITEMS[0].code
    assert with_items[ITEMS[2].code].max() <= 100


def test_configured_weights_and_strict_dimensions_are_applied():
    items = (Item("q1", "staff", 1, 5), Item("q2", "waiting", 1, 5))
    answers = pd.DataFrame({"q1": [5, 5], "q2": [1, np.nan]})
    weights = dimension_weights(
        ["staff", "waiting"], "configured", {"staff": 3, "waiting": 1}
    )
    strict = IndexConfig(items, weights=weights, require_all_dimensions=True)
    out = score_respondents(answers, strict)
    assert out["index"].iloc[0] == pytest.approx(75.0)
    assert np.isnan(out["index"].iloc[1])
    assert "satisfied" not in out


def test_weights_for_an_unknown_dimension_are_rejected():
    items = (Item("q1", "staff", 1, 5),)
    weights = dimension_weights(["price"], "equal")
    with pytest.raises(ValueError, match="'price'"):
        score_respondents(pd.DataFrame({"q1": [1]}), IndexConfig(items, weights))
    with pytest.raises(ValueError, match="'region'"):
        score_respondents(
            pd.DataFrame({"q1": [1]}), IndexConfig(items), keep=["region"]
        )
