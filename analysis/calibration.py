"""Calibrating a wave's respondents to its population margins (no database here).

Checks the margins against the sufficient-statistics table, gives respondents
who skipped a weighting question its modal category, replicates each margin per
sector and rakes each sector to it (sectors are strata, service points PSUs).
:mod:`analysis.compute` estimates from the design this returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.utils.translation import gettext_noop

from analysis.stats.design import SurveyDesign
from analysis.stats.sufficient import COUNT
from analysis.stats.weighting import as_population, rake_factors
from analysis.status_messages import Message

WEIGHTING_PREFIX = "w__"
NOT_ASKED = "(not asked)"


class WaveDataError(ValueError):
    """The wave's data or margins cannot give results; ``problems`` say why.

    Problems are messages, worded in the language of whoever reads them; the
    exception's own text is their source text, for engineers.
    """

    def __init__(self, problems: Sequence[Message]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(p.source_text() for p in self.problems))


@dataclass(frozen=True)
class Margin:
    """A population margin: crossed ``variables`` and the count of each cell."""

    variables: tuple[str, ...]
    cells: Mapping[tuple[str, ...], float]
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or ",".join(self.variables)


def weighting_column(variable: str) -> str:
    return f"{WEIGHTING_PREFIX}{variable}"


def margin_problems(table: pd.DataFrame, margins: Sequence[Margin]) -> list[Message]:
    """Why the margins cannot calibrate this table, in words for an assessor."""
    problems: list[Message] = []
    totals = {m.name: float(sum(m.cells.values())) for m in margins}
    for margin in margins:
        for cells, population in margin.cells.items():
            category = {"margin": margin.name, "category": ",".join(cells)}
            if len(cells) != len(margin.variables):
                problems.append(
                    Message(
                        gettext_noop(
                            "Margin “%(margin)s”: category %(category)s has "
                            "%(values)d values but the margin has %(variables)d "
                            "variables."
                        ),
                        {
                            **category,
                            "values": len(cells),
                            "variables": len(margin.variables),
                        },
                    )
                )
            if not np.isfinite(population) or population < 0:
                problems.append(
                    Message(
                        gettext_noop(
                            "Margin “%(margin)s”: category %(category)s has an "
                            "invalid population %(population)s."
                        ),
                        {**category, "population": repr(population)},
                    )
                )
        if totals[margin.name] <= 0:
            problems.append(
                Message(
                    gettext_noop("Margin “%(margin)s” has no population at all."),
                    {"margin": margin.name},
                )
            )
        missing = [
            v for v in margin.variables if weighting_column(v) not in table.columns
        ]
        if missing:
            problems.append(
                Message(
                    gettext_noop(
                        "Margin “%(margin)s”: no question of the wave's surveys "
                        "is bound to the weighting variable “%(variable)s”."
                    ),
                    {"margin": margin.name, "variable": missing[0]},
                )
            )
            continue
        problems.extend(_uncovered_categories(table, margin))
    if len(totals) > 1:
        first, *rest = totals.items()
        for name, total in rest:
            if not np.isclose(total, first[1], rtol=1e-6):
                problems.append(
                    Message(
                        gettext_noop(
                            "Margins do not add up to the same population: "
                            "“%(first)s” totals %(first_total)s but “%(other)s” "
                            "totals %(other_total)s."
                        ),
                        {
                            "first": first[0],
                            "first_total": f"{first[1]:,.0f}",
                            "other": name,
                            "other_total": f"{total:,.0f}",
                        },
                    )
                )
    return problems


def _uncovered_categories(table: pd.DataFrame, margin: Margin) -> list[Message]:
    columns = [weighting_column(v) for v in margin.variables]
    observed = table[columns].dropna()
    counts = table.loc[observed.index, COUNT].groupby(
        [observed[c] for c in columns], sort=True
    )
    known = set(margin.cells)
    problems = []
    for cell, count in counts.sum().items():
        key = cell if isinstance(cell, tuple) else (cell,)
        key = tuple(str(v) for v in key)
        if key not in known:
            problems.append(
                Message(
                    gettext_noop(
                        "Margin “%(margin)s” has no population for category "
                        "%(category)s, which %(count)d respondents gave: add it "
                        "to the margin."
                    ),
                    {
                        "margin": margin.name,
                        "category": ",".join(key),
                        "count": int(count),
                    },
                )
            )
    return problems


def _impute_missing(
    table: pd.DataFrame, variables: Sequence[str]
) -> tuple[pd.DataFrame, dict[str, int], dict[str, list[str]]]:
    """Give respondents who skipped a weighting question its modal category.

    A sector whose survey never asks the question (no respondent of the sector
    answered it) is not calibrated on it: its rows get :data:`NOT_ASKED`.
    """
    imputed: dict[str, int] = {}
    not_asked: dict[str, list[str]] = {}
    out = table
    for variable in variables:
        column = weighting_column(variable)
        missing = out[column].isna()
        asked = out.loc[~missing, "sector"].unique()
        skipped = ~out["sector"].isin(asked)
        if skipped.any():
            not_asked[variable] = sorted(out.loc[skipped, "sector"].unique())
        missing = missing & ~skipped
        if not len(asked):
            raise WaveDataError(
                [
                    Message(
                        gettext_noop(
                            "No respondent answered the “%(variable)s” weighting "
                            "question."
                        ),
                        {"variable": variable},
                    )
                ]
            )
        values = out[column].where(~skipped, NOT_ASKED)
        if missing.any():
            answered = out.loc[~missing & ~skipped]
            mode = answered.groupby(column)[COUNT].sum().idxmax()
            imputed[variable] = int(out.loc[missing, COUNT].sum())
            values = values.where(~missing, mode)
        out = out.assign(**{column: values})
    return out, imputed, not_asked


def _sector_margins(
    table: pd.DataFrame, margin: Margin, cell_column: str
) -> tuple[dict[str, float], list[Message]]:
    """The margin replicated per sector; empty categories spread over the rest,
    with a note (a message, worded when read) for each sector where they were."""
    notes: list[Message] = []
    population: dict[str, float] = {}
    sampled = table.groupby(["sector", cell_column])[COUNT].sum()
    skipped = table[cell_column].str.contains(NOT_ASKED, regex=False)
    not_asked = set(table.loc[skipped, "sector"])
    for sector in sorted(table["sector"].unique()):
        here = {
            "|".join(cell): float(pop) for cell, pop in margin.cells.items() if pop > 0
        }
        if sector in not_asked:  # one cell holding the whole population
            here = {"|".join([NOT_ASKED] * len(margin.variables)): sum(here.values())}
        seen = set(sampled.loc[sector].index) if sector in sampled.index else set()
        empty = [cell for cell in here if cell not in seen]
        if empty:
            total = sum(here.values())
            kept = {c: p for c, p in here.items() if c in seen}
            scale = total / sum(kept.values())
            here = {c: p * scale for c, p in kept.items()}
            categories = ", ".join(c.replace("|", ",") for c in empty[:5])
            notes.append(
                Message(
                    gettext_noop(
                        "Sector “%(sector)s”: no respondents in %(categories)s of "
                        "margin “%(margin)s”; their population was spread over "
                        "the other categories."
                    ),
                    {
                        # a code: shown as the sector's name where it is read
                        "sector": str(sector),
                        "categories": categories + (" …" if len(empty) > 5 else ""),
                        "margin": margin.name,
                    },
                )
            )
        population.update({f"{sector}#{cell}": pop for cell, pop in here.items()})
    return population, notes


def calibrated_design(
    table: pd.DataFrame, margins: Sequence[Margin]
) -> tuple[SurveyDesign, pd.DataFrame, dict]:
    """Stratified cluster design over ``table``, raked to ``margins`` per sector,
    the table with each row's final weight (``_weight``) and the diagnostics
    (their ``notes`` and ``method`` worded only when read: messages, msgids)."""
    if table["service_point"].nunique() < 2:
        raise WaveDataError(
            [
                Message(
                    gettext_noop(
                        "Too few respondents to estimate: responses from at "
                        "least two service points are needed."
                    )
                )
            ]
        )
    variables = sorted({v for m in margins for v in m.variables})
    table, imputed, not_asked = _impute_missing(table, variables)
    notes: list[Message] = []
    raking: dict[str, dict[str, float]] = {}
    cells: dict[str, pd.Series] = {}
    for k, margin in enumerate(margins):
        joined = table[weighting_column(margin.variables[0])].astype(str)
        for variable in margin.variables[1:]:
            joined = joined + "|" + table[weighting_column(variable)].astype(str)
        column = f"_margin{k}"
        population, margin_notes = _sector_margins(
            table.assign(**{column: joined}), margin, column
        )
        notes.extend(margin_notes)
        raking[column] = population
        cells[column] = table["sector"].astype(str) + "#" + joined
    table = table.assign(**cells)
    design = SurveyDesign.from_sufficient(
        table, strata="sector", psu="service_point", lonely_psu="adjust"
    )
    weight = np.ones(len(table))
    if raking:
        try:
            design = design.rake(raking, max_iter=200, tol=1e-8)
            weight = _raked_weights(table, raking)
        except ValueError as exc:
            # the core's reason is technical and English: a parameter as is
            raise WaveDataError(
                [
                    Message(
                        gettext_noop("Weighting failed: %(reason)s"),
                        {"reason": str(exc)},
                    )
                ]
            ) from exc
    return (
        design,
        table.assign(_weight=weight),
        {
            # msgids, worded in the reader's language when shown
            "method": gettext_noop("raking within sectors")
            if raking
            else gettext_noop("none (equal weights)"),
            "margins": [m.name for m in margins],
            "imputed_modal_category": imputed,
            "not_asked_in_sectors": not_asked,
            "notes": notes,
            "kish_effective_n": round(design.kish_effective_n(), 1),
            "respondents": int(table[COUNT].sum()),
        },
    )


def _raked_weights(table: pd.DataFrame, raking: dict[str, dict[str, float]]):
    """Final weight of each row: the core's raking factor of its joint cell."""
    columns = list(raking)
    factors, _ = rake_factors(
        {c: as_population([c], raking[c]) for c in columns},
        table[columns],
        table[COUNT].to_numpy(float),
        max_iter=200,
        tol=1e-8,
    )
    final = factors[[*columns, len(columns) - 1]].rename(
        columns={len(columns) - 1: "_factor"}
    )
    return table[columns].merge(final, on=columns, how="left")["_factor"].to_numpy()
