"""Population margins (analysis app) as a flat file: one row per cell."""

from __future__ import annotations

from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from analysis.models import PopulationMargin, PopulationMarginCell, Wave
from surveys.models import WeightingVariable


class PopulationMarginCellResource(resources.ModelResource):
    """wave, variables, category, population[, source]; the margin of a
    (wave, variables) pair is created when it does not exist yet."""

    required_columns = ("wave", "variables", "category", "population")

    margin = fields.Field(
        attribute="margin",
        column_name="margin",
        widget=widgets.ForeignKeyWidget(PopulationMargin),
    )
    wave = fields.Field(
        column_name="wave", attribute="margin__wave__slug", readonly=True
    )
    variables = fields.Field(
        column_name="variables", attribute="margin__variables", readonly=True
    )
    source = fields.Field(
        column_name="source", attribute="margin__source", readonly=True
    )
    category = fields.Field(attribute="category", column_name="category")
    population = fields.Field(
        attribute="population", column_name="population", widget=widgets.FloatWidget()
    )

    class Meta:
        model = PopulationMarginCell
        import_id_fields = ("margin", "category")
        fields = ("wave", "variables", "category", "population", "source", "margin")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_import(self, dataset, **kwargs):
        # The margin is found (or created) from each row's wave and variables.
        if "margin" not in dataset.headers:
            dataset.append_col([""] * len(dataset), header="margin")

    def before_import_row(self, row, **kwargs):
        slug = str(row.get("wave") or "").strip()
        wave = Wave.objects.filter(slug=slug).first()
        if wave is None:
            raise ValueError(
                _("Unknown wave “%(slug)s”: expected the code of a wave.")
                % {"slug": slug}
            )
        variables = [v.strip() for v in str(row.get("variables") or "").split(",")]
        unknown = [v for v in variables if v not in WeightingVariable.values]
        if unknown or not any(variables):
            raise ValueError(
                _("Unknown weighting variable %(v)s: expected %(known)s.")
                % {
                    "v": ", ".join(unknown),
                    "known": ", ".join(WeightingVariable.values),
                }
            )
        category = [c.strip() for c in str(row.get("category") or "").split(",")]
        if len(category) != len(variables):
            raise ValueError(
                _("The category has %(n)d values but there are %(m)d variables.")
                % {"n": len(category), "m": len(variables)}
            )
        row["category"] = ",".join(category)
        margin, _created = PopulationMargin.objects.get_or_create(
            wave=wave,
            variables=",".join(variables),
            defaults={"source": str(row.get("source") or "")[:200]},
        )
        row["margin"] = margin.pk
