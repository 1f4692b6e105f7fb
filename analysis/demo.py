"""Demo waves, margins and results, on top of the surveys' demo data."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from analysis import services
from analysis.models import (
    IndexRun,
    PopulationMargin,
    PopulationMarginCell,
    RunStatus,
    RunTrigger,
    Wave,
)
from surveys.models import Region, SurveyPage

# (label used by the demo surveys, slug, Chinese, English, start, end)
WAVES = [
    ("2026 Q3", "2026-q3", "2026年第三季度", "2026 Q3", (2026, 7, 1), (2026, 9, 30)),
    ("2026 Q4", "2026-q4", "2026年第四季度", "2026 Q4", (2026, 10, 1), (2026, 12, 31)),
]
# Jiaxing's resident population aged 18 and over, rounded (demo figures).
ADULTS = 4_600_000.0
GENDER_SHARES = {"female": 0.495, "male": 0.505}
AGE_SHARES = {"18-29": 0.19, "30-44": 0.27, "45-59": 0.27, "60-74": 0.19, "75+": 0.08}
REGION_SHARES = {
    "nanhu": 0.14,
    "xiuzhou": 0.14,
    "jiashan": 0.12,
    "haiyan": 0.08,
    "haining": 0.2,
    "pinghu": 0.13,
    "tongxiang": 0.19,
}


def _margin(wave: Wave, variables: str, shares: dict[str, float], source: str):
    if PopulationMargin.objects.filter(wave=wave, variables=variables).exists():
        return
    margin = PopulationMargin.objects.create(
        wave=wave, variables=variables, source=source
    )
    PopulationMarginCell.objects.bulk_create(
        PopulationMarginCell(margin=margin, category=value, population=ADULTS * share)
        for value, share in shares.items()
    )


@transaction.atomic
def ensure_demo_waves() -> list[Wave]:
    """The demo surveys' two waves with population margins (idempotent)."""
    regions = set(Region.objects.values_list("code", flat=True))
    waves = []
    for label, slug, name, name_en, start, end in WAVES:
        wave, _ = Wave.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_en": name_en,
                "period_start": dt.date(*start),
                "period_end": dt.date(*end),
            },
        )
        wave.surveys.add(*SurveyPage.objects.filter(wave=label))
        source = "Demo figures shaped like the 2020 census of Jiaxing"
        _margin(wave, "gender", GENDER_SHARES, source)
        _margin(wave, "age_band", AGE_SHARES, source)
        if regions == set(REGION_SHARES):
            _margin(wave, "region", REGION_SHARES, source)
        waves.append(wave)
    return waves


def load_demo_results() -> list[IndexRun]:
    """Run the pipeline once per demo wave; publish the closed wave's results."""
    runs = []
    for wave in ensure_demo_waves():
        run = services.index_run_request(wave=wave, trigger=RunTrigger.DEMO)
        run.refresh_from_db()
        runs.append(run)
        closed = wave.slug == WAVES[0][1]
        if closed and run.status == RunStatus.SUCCEEDED and not wave.published_run:
            services.wave_results_publish(wave=wave, run=run, user=None)
    return runs
