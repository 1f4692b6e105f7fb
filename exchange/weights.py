"""The calibrated weight of each exported response, as the index pipeline
computes it for the response's wave.

The pipeline aggregates a wave to one row per group of sector, service point,
region, channel and weighting answers, and rakes those groups to the wave's
population margins (:func:`analysis.calibration.calibrated_design`, the
statistical core's ``rake_factors``). Every respondent of a group gets the
group's weight, so an export needs the few groups' weights, not one per row:
:class:`WaveWeights` computes them once per wave and looks each row up by its
group. Rows outside the analysis (excluded, not submitted, a survey the wave
does not assess) have no weight.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

import numpy as np

from analysis.calibration import WaveDataError, calibrated_design, weighting_column
from analysis.compute import NO_SERVICE_POINT
from analysis.models import Wave
from analysis.selectors import survey_scoring, wave_margins, wave_statistics
from analysis.sql import KEYS, UNKNOWN_REGION

logger = logging.getLogger(__name__)
GroupKey = tuple


@dataclass
class GroupWeights:
    """One wave's weights by group, and the question code of each weighting
    variable per survey."""

    wave: Wave
    variables: list[str]
    by_group: dict[GroupKey, float]
    codes_by_survey: dict[int, list[str | None]]
    problem: str = ""


def wave_group_weights(wave: Wave) -> GroupWeights:
    """Weights of every group of the wave's analysed responses; empty with
    ``problem`` set when the wave cannot be weighted (too few service points,
    margins that do not cover the answers)."""
    margins = wave_margins(wave)
    variables = sorted({v for m in margins for v in m.variables})
    surveys = list(wave.surveys.select_related("sector"))
    codes = {
        s.pk: [survey_scoring(s).weighting_codes.get(v) for v in variables]
        for s in surveys
    }
    table = wave_statistics(wave, variables)
    if table.empty:
        return GroupWeights(wave, variables, {}, codes)
    try:
        _design, weighted, _diagnostics = calibrated_design(table, margins)
    except WaveDataError as error:
        logger.info("wave %s: no weights for the export: %s", wave.slug, error)
        return GroupWeights(wave, variables, {}, codes, problem=str(error))
    # ``weighted``'s weighting columns may hold imputed categories, so the keys
    # are read from the original table, aligned on the index.
    key_columns = [*KEYS, *(weighting_column(v) for v in variables)]
    keys = table[key_columns].astype(object).where(table[key_columns].notna(), None)
    weight = weighted["_weight"].reindex(table.index).to_numpy(float)
    known = np.isfinite(weight)
    by_group = dict(
        zip(
            map(tuple, keys.to_numpy()[known]),
            np.round(weight[known], 10).tolist(),
            strict=True,
        )
    )
    return GroupWeights(wave, variables, by_group, codes)


def answer_key_text(json_text: str | None) -> str | None:
    """A stored answer as the pipeline groups it (``#>> '{}'``): a string's
    text, a number's JSON, NULL for no answer."""
    if json_text is None:
        return None
    value = json.loads(json_text)
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


@dataclass
class WaveWeights:
    """Looks up the weight of exported rows. ``wave_for_survey`` decides each
    survey's wave (the export's wave filter, else the latest wave assessing
    the survey); each wave's weights are computed on first use."""

    wave_for_survey: dict[int, Wave | None]
    column_of_code: dict[str, int]  # question code -> position in the record
    _computed: dict[int, GroupWeights] = field(default_factory=dict)
    _answer_texts: dict[str | None, str | None] = field(default_factory=dict)

    def weights(self, wave: Wave) -> GroupWeights:
        if wave.pk not in self._computed:
            self._computed[wave.pk] = wave_group_weights(wave)
        return self._computed[wave.pk]

    def wave_slug(self, survey_id: int) -> str:
        wave = self.wave_for_survey.get(survey_id)
        return wave.slug if wave is not None else ""

    def weight(
        self,
        *,
        survey_id: int,
        sector: str,
        point: str | None,
        region: str | None,
        channel: str,
        answers: tuple,
    ) -> float | str:
        """The row's weight, or "" when it has none."""
        wave = self.wave_for_survey.get(survey_id)
        if wave is None:
            return ""
        group = self.weights(wave)
        if not group.by_group:
            return ""
        texts = []
        for code in group.codes_by_survey.get(survey_id, ()):
            position = self.column_of_code.get(code) if code else None
            raw = answers[position] if position is not None else None
            if raw not in self._answer_texts:
                self._answer_texts[raw] = answer_key_text(raw)
            texts.append(self._answer_texts[raw])
        key = (
            sector,
            point or NO_SERVICE_POINT,
            region or UNKNOWN_REGION,
            channel,
            *texts,
        )
        return group.by_group.get(key, "")


def waves_for_surveys(survey_ids: list[int], wave: Wave | None) -> dict:
    """Each survey's wave for its weights: ``wave`` when the export is of one
    wave, else the latest wave (by end of fieldwork) that assesses it."""
    if wave is not None:
        assessed = set(wave.surveys.values_list("pk", flat=True))
        return {s: wave if s in assessed else None for s in survey_ids}
    chosen: dict[int, Wave | None] = dict.fromkeys(survey_ids)
    waves = Wave.objects.filter(surveys__in=survey_ids).order_by(
        "period_end", "pk"
    )
    for candidate in waves.prefetch_related("surveys").distinct():
        for survey in candidate.surveys.all():
            if survey.pk in chosen:
                chosen[survey.pk] = candidate  # later waves overwrite earlier
    return chosen
