"""A simulated satisfaction survey: population of service points and answers.

Shared by the index tests, the Monte Carlo coverage check and
``benchmarks/indexes.py``. Everything is vectorized so a million answers take
well under a second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats.scoring import (
    Item,
    dimension_scores,
    item_scores,
    respondent_index,
    top_box,
)

SECTORS = (
    "education",
    "public_transport",
    "medical",
    "elderly_care",
    "tourism",
    "finance",
    "logistics",
)
REGIONS = ("Nanhu", "Xiuzhou", "Jiashan", "Haiyan", "Haining", "Pinghu", "Tongxiang")
CHANNELS = ("counter", "hotline_96345", "web", "qr_code")
ITEMS = (
    Item("staff_courtesy", "staff", 1, 5, na_codes=(9,)),
    Item("staff_competence", "staff", 1, 5, na_codes=(9,)),
    Item("staff_rude", "staff", 1, 5, reverse=True, na_codes=(9,)),
    Item("wait_time", "waiting", 1, 5, na_codes=(9,)),
    Item("wait_information", "waiting", 1, 5, na_codes=(9,)),
    Item("site_clean", "facilities", 1, 5, na_codes=(9,)),
    Item("site_access", "facilities", 1, 5, na_codes=(9,)),
    Item("info_clear", "information", 1, 5, na_codes=(9,)),
    Item("info_online", "information", 1, 5, na_codes=(9,)),
)
DIMENSION_EFFECT = {
    "staff": 0.9,
    "waiting": 0.6,
    "facilities": 0.35,
    "information": 0.2,
}
SECTOR_LEVEL = np.array([0.45, 0.2, 0.3, 0.5, 0.4, 0.55, 0.25])


def service_points(n_points: int, rng: np.random.Generator) -> pd.DataFrame:
    """Service points with sector, region, true effect and population size."""
    sector = rng.integers(0, len(SECTORS), n_points)
    return pd.DataFrame(
        {
            "service_point": np.arange(n_points),
            "sector": np.asarray(SECTORS)[sector],
            "region": np.asarray(REGIONS)[np.arange(n_points) % len(REGIONS)],
            "level": SECTOR_LEVEL[sector] + rng.normal(0, 0.25, n_points),
            "size": rng.integers(50, 400, n_points),
        }
    )


def answers(levels: np.ndarray, rng: np.random.Generator, na_share=0.03):
    """Ratings of the items and the overall question for latent levels."""
    n = len(levels)
    person = levels + rng.normal(0, 0.8, n)
    ratings, overall = {}, 3.4 + rng.normal(0, 0.45, n)
    for dim, effect in DIMENSION_EFFECT.items():
        latent = person + rng.normal(0, 0.6, n)
        overall = overall + effect * latent * 0.6
        for item in (i for i in ITEMS if i.dimension == dim):
            value = 3.9 + 0.9 * latent + rng.normal(0, 0.6, n)
            rating = np.clip(np.rint(value), 1, 5)
            if item.reverse:
                rating = 6 - rating
            ratings[item.code] = np.where(rng.random(n) < na_share, 9, rating)
    ratings["overall"] = np.clip(np.rint(overall), 1, 5)
    return pd.DataFrame(ratings)


def score(frame: pd.DataFrame) -> pd.DataFrame:
    """Add dimension scores, the respondent index and the satisfied flag."""
    dims = dimension_scores(item_scores(frame, ITEMS), ITEMS)
    return pd.concat(
        [
            frame,
            dims,
            respondent_index(dims).to_frame(),
            top_box(frame, "overall", 5).to_frame(),
        ],
        axis=1,
    )


def survey(
    n_points: int, per_point: int | np.ndarray, seed: int = 0, scored: bool = True
) -> pd.DataFrame:
    """A sample of ``per_point`` respondents in each of ``n_points`` points.

    The design: regions are strata, service points the PSUs (all points taken,
    a varying number of respondents each), weight = point size / respondents.
    """
    rng = np.random.default_rng(seed)
    points = service_points(n_points, rng)
    counts = np.broadcast_to(np.asarray(per_point), (n_points,))
    row = np.repeat(np.arange(n_points), counts)
    frame = points.iloc[row].reset_index(drop=True)
    frame = frame.assign(
        weight=(points["size"].to_numpy() / counts)[row],
        channel=np.asarray(CHANNELS)[rng.integers(0, len(CHANNELS), len(row))],
        age_group=rng.choice(["18-34", "35-59", "60+"], len(row)),
    )
    frame = pd.concat([frame, answers(frame["level"].to_numpy(), rng)], axis=1)
    return score(frame) if scored else frame


#: The design of :func:`small_survey` in R's ``survey``.
R_DESIGN = """
d <- svydesign(ids = ~service_point, strata = ~region, weights = ~weight,
               data = frame)
"""


def small_survey() -> pd.DataFrame:
    """70 service points with 3-24 responses each: the R cross-check data."""
    rng = np.random.default_rng(4)
    columns = [
        "service_point",
        "region",
        "sector",
        "channel",
        "weight",
        "index",
        "satisfied",
        "age_group",
    ]
    return survey(70, rng.integers(3, 25, 70), seed=4)[columns]
