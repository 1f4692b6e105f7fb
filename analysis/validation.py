"""Checks of population margins as an assessor enters them, in plain words."""

from __future__ import annotations

import itertools
import math

from django.utils.translation import gettext as _

from analysis.models import PopulationMargin, Wave
from surveys.models import QuestionKind, WeightingVariable


def survey_options(wave: Wave) -> dict[str, set[str]]:
    """Answer options the wave's surveys offer for each weighting variable."""
    offered: dict[str, set[str]] = {}
    for survey in wave.surveys.all():
        for question in survey.questionnaire.questions:
            if question.kind == QuestionKind.DEMOGRAPHIC and question.variable:
                offered.setdefault(question.variable, set()).update(
                    option.value for option in question.options
                )
    return offered


def _cell_errors(variables: list[str], cells) -> list[str]:
    errors = []
    seen: set[tuple[str, ...]] = set()
    for category, population in cells:
        values = tuple(v.strip() for v in (category or "").split(","))
        if len(values) != len(variables):
            errors.append(
                _(
                    "Category “%(category)s” has %(got)d values but the margin has "
                    "%(want)d variables (%(variables)s): give one value per "
                    "variable, comma-separated."
                )
                % {
                    "category": category,
                    "got": len(values),
                    "want": len(variables),
                    "variables": ", ".join(variables),
                }
            )
        if values in seen:
            errors.append(_("Category “%s” appears twice.") % category)
        seen.add(values)
        if population is None or not math.isfinite(population) or population < 0:
            errors.append(
                _("Category “%s” needs a population of 0 or more.") % category
            )
    return errors


def _coverage_errors(wave: Wave, variables: list[str], cells) -> list[str]:
    offered = survey_options(wave)
    if not all(v in offered for v in variables):
        return []
    expected = set(itertools.product(*(sorted(offered[v]) for v in variables)))
    given = {tuple(v.strip() for v in (c or "").split(",")) for c, _p in cells}
    errors = [
        _(
            "The margin is missing category “%(category)s”, which the surveys "
            "offer: add its population (0 if nobody is in it)."
        )
        % {"category": ",".join(cell)}
        for cell in sorted(expected - given)[:10]
    ]
    errors += [
        _(
            "Category “%(category)s” is not an answer option of the wave's surveys; "
            "check its spelling (options: %(options)s)."
        )
        % {
            "category": ",".join(cell),
            "options": "; ".join(
                f"{v}: {', '.join(sorted(offered[v]))}" for v in variables
            ),
        }
        for cell in sorted(given - expected)[:10]
    ]
    return errors


def _total_errors(wave: Wave, variables: str, cells, instance_pk) -> list[str]:
    total = sum(p for _c, p in cells if p is not None)
    others = PopulationMargin.objects.filter(wave=wave).exclude(pk=instance_pk)
    errors = []
    for other in others.prefetch_related("cells"):
        other_total = sum(cell.population for cell in other.cells.all())
        if other_total and not math.isclose(total, other_total, rel_tol=1e-6):
            errors.append(
                _(
                    "This margin adds up to %(total)s but the wave's margin "
                    "“%(other)s” adds up to %(other_total)s: all margins of a "
                    "wave must describe the same population."
                )
                % {
                    "total": f"{total:,.0f}",
                    "other": other.variables,
                    "other_total": f"{other_total:,.0f}",
                }
            )
    return errors


def margin_form_errors(
    *, wave: Wave | None, variables: str, cells, instance_pk=None
) -> list[str]:
    """Every reason the margin cannot be used, or an empty list."""
    names = [v.strip() for v in (variables or "").split(",") if v.strip()]
    unknown = [v for v in names if v not in WeightingVariable.values]
    if unknown:
        return [
            _("Unknown weighting variable “%(name)s”; choose from %(choices)s.")
            % {"name": unknown[0], "choices": ", ".join(WeightingVariable.values)}
        ]
    if not names:
        return [_("Name at least one weighting variable.")]
    if len(set(names)) != len(names):
        return [_("A variable is named twice.")]
    errors = _cell_errors(names, cells)
    if wave is None or errors:
        return errors
    return _coverage_errors(wave, names, cells) + _total_errors(
        wave, variables, cells, instance_pk
    )
