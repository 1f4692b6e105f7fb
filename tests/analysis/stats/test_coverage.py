"""Monte Carlo: repeated stratified cluster samples from a known population.

Replicate samples are stacked (25 at a time) into one frame with disjoint
strata and PSUs, so one design estimates all of them at once as domains; a
domain made of whole strata has exactly the estimate and variance of its
sample analysed alone (checked below).
"""

import numpy as np
import pandas as pd
import pytest

from analysis.stats.design import SurveyDesign
from analysis.stats.smallarea import small_area_estimates
from tests.analysis.stats.simulated_survey import (
    REGIONS,
    answers,
    score,
    service_points,
)

POINTS_PER_REGION, SAMPLED_POINTS = 60, 6


@pytest.fixture(scope="module")
def population():
    rng = np.random.default_rng(2026)
    points = service_points(POINTS_PER_REGION * len(REGIONS), rng)
    points = points.assign(region=np.repeat(REGIONS, POINTS_PER_REGION))
    people = points.loc[points.index.repeat(points["size"])].reset_index(drop=True)
    people = score(
        pd.concat([people, answers(people["level"].to_numpy(), rng)], axis=1)
    )
    return points, people


def _samples(population, replicates, per_point, seed):
    points, people = population
    rng = np.random.default_rng(seed)
    n_regions = len(REGIONS)
    order = rng.random((replicates, n_regions, POINTS_PER_REGION)).argsort(axis=2)
    chosen = order[:, :, :SAMPLED_POINTS] + (
        np.arange(n_regions)[None, :, None] * POINTS_PER_REGION
    )
    point = np.repeat(chosen.ravel(), per_point)
    replicate = np.repeat(np.arange(replicates), n_regions * SAMPLED_POINTS * per_point)
    size = points["size"].to_numpy()[point]
    start = np.concatenate([[0], np.cumsum(points["size"].to_numpy())[:-1]])[point]
    person = start + np.floor(rng.random(len(point)) * size).astype(int)
    sample = people.iloc[person][["sector", "region", "index", "satisfied"]]
    return sample.reset_index(drop=True).assign(
        replicate=replicate,
        service_point=replicate * 10_000 + point,
        point=point,
        stratum=replicate * n_regions + point // POINTS_PER_REGION,
        weight=POINTS_PER_REGION / SAMPLED_POINTS * size / per_point,
    )


def _stacked_design(sample):
    return SurveyDesign(sample, weights="weight", strata="stratum", psu="service_point")


def test_stacked_replicates_equal_separate_analyses(population):
    sample = _samples(population, 3, 8, seed=1)
    stacked = _stacked_design(sample).mean("index", by="replicate", ci="t")
    alone = _stacked_design(sample[sample.replicate == 2]).mean("index", ci="t")
    assert stacked.estimate[2] == pytest.approx(alone.estimate, rel=1e-12)
    assert stacked.se[2] == pytest.approx(alone.se, rel=1e-10)
    assert stacked.ci_low[2] == pytest.approx(alone.ci_low, rel=1e-10)


def test_95_percent_intervals_cover_the_true_index_and_rate(population):
    _, people = population
    answered = people.dropna(subset=["index"])
    true_index, true_rate = answered["index"].mean(), people["satisfied"].mean()
    index, rate = [], []
    for chunk in range(40):  # stacks of 25: the domain loop grows with stack size
        design = _stacked_design(_samples(population, 25, 8, seed=700 + chunk))
        index.append(design.mean("index", by="replicate", ci="t"))
        rate.append(design.proportion("satisfied", by="replicate", method="logit"))
    index, rate = pd.concat(index), pd.concat(rate)
    cover_index = np.mean((index.ci_low <= true_index) & (true_index <= index.ci_high))
    cover_rate = np.mean((rate.ci_low <= true_rate) & (true_rate <= rate.ci_high))
    print(f"coverage index {cover_index:.3f} rate {cover_rate:.3f}")
    assert 0.93 <= cover_index <= 0.97, cover_index
    assert 0.93 <= cover_rate <= 0.97, cover_rate
    assert abs(index.estimate.mean() - true_index) < 0.1 * index.se.mean()


def test_shrinkage_has_lower_error_than_direct_for_small_points(population):
    points, people = population
    true_point = (
        people.assign(point=np.repeat(points.index, points["size"]))
        .groupby("point")["index"]
        .mean()
    )
    sample = _samples(population, 100, 5, seed=11).dropna(subset=["index"])
    # weights are constant within a point, so the within-point direct estimate
    # is the plain mean with se s/sqrt(n) (point_direct_estimates, checked
    # against this in test_indexes)
    direct = sample.groupby("service_point").agg(
        replicate=("replicate", "first"),
        point=("point", "first"),
        sector=("sector", "first"),
        estimate=("index", "mean"),
        sd=("index", "std"),
        n=("index", "size"),
    )
    direct = direct.assign(se=direct.sd / np.sqrt(direct.n))

    def shrunk(variance):
        return np.concatenate(
            [
                small_area_estimates(
                    one, "sector", min_n=3, variance=variance, draws=10
                )["eblup"]
                for _, one in direct.groupby("replicate")
            ]
        )

    truth = true_point[direct.point].to_numpy()
    mse_direct = np.mean((direct.estimate.to_numpy() - truth) ** 2)
    mse_eblup = np.mean((shrunk("direct") - truth) ** 2)
    mse_pooled = np.mean((shrunk("pooled") - truth) ** 2)
    print(f"mse direct {mse_direct:.2f} eblup {mse_eblup:.2f} pooled {mse_pooled:.2f}")
    assert mse_eblup < 0.7 * mse_direct, (mse_eblup, mse_direct)
    assert mse_pooled < 0.7 * mse_direct, (mse_pooled, mse_direct)
