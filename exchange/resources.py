"""django-import-export resources for reference data and the question bank,
and the dry-run/run adapter the import jobs use for them.

Files are read by :mod:`exchange.readers` (encodings, size and zip limits,
formulas, blank rows) before django-import-export sees a row; headers may be
Chinese or English. Each run is all or nothing (``use_transactions`` with
rollback on any error or validation error).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from exchange.columns import normalize_header
from exchange.problems import FileRejected, Problem
from exchange.tables import read_table
from surveys.blocks.streams import QuestionStreamBlock
from surveys.models import QuestionSet, Region, Sector, ServicePoint


class CodeOrNameWidget(widgets.ForeignKeyWidget):
    """A foreign key given by its code, Chinese name or English name."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        model = self.model
        found = (
            model.objects.filter(code=text).first()
            or model.objects.filter(name=text).first()
            or model.objects.filter(name_en__iexact=text).first()
        )
        if found is None:
            codes = ", ".join(model.objects.values_list("code", flat=True)[:20])
            raise ValueError(
                _("Unknown %(what)s “%(text)s”: expected one of %(codes)s.")
                % {"what": model._meta.verbose_name, "text": text, "codes": codes}
            )
        return found


class YesNoWidget(widgets.BooleanWidget):
    TRUE = {"1", "true", "yes", "y", "是", "启用", "有效", "x", "✓"}
    FALSE = {"0", "false", "no", "n", "否", "停用", "无效", ""}

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().casefold()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("Expected yes or no (是/否), not “%(v)s”.") % {"v": value})


class ServicePointResource(resources.ModelResource):
    required_columns = ("code", "name", "sector", "region")

    code = fields.Field(attribute="code", column_name="code")
    name = fields.Field(attribute="name", column_name="name")
    name_en = fields.Field(attribute="name_en", column_name="name_en")
    sector = fields.Field(
        attribute="sector",
        column_name="sector",
        widget=CodeOrNameWidget(Sector, "code"),
    )
    region = fields.Field(
        attribute="region",
        column_name="region",
        widget=CodeOrNameWidget(Region, "code"),
    )
    active = fields.Field(
        attribute="active", column_name="active", widget=YesNoWidget(), default=True
    )

    class Meta:
        model = ServicePoint
        import_id_fields = ("code",)
        fields = ("code", "name", "name_en", "sector", "region", "active")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class StreamJSONWidget(widgets.Widget):
    """A question set's questions as the JSON Wagtail stores, checked by the
    same StreamBlock the editor uses."""

    block = QuestionStreamBlock()

    def clean(self, value, row=None, **kwargs):
        try:
            raw = json.loads(value or "[]")
        except json.JSONDecodeError as error:
            raise ValueError(_("Not valid JSON: %(e)s") % {"e": error}) from None
        stream = self.block.to_python(raw)
        try:
            self.block.clean(stream)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None
        return raw

    def render(self, value, obj=None, **kwargs):
        return json.dumps(list(value.raw_data), ensure_ascii=False)


class QuestionSetResource(resources.ModelResource):
    required_columns = ("sector", "name", "questions")

    sector = fields.Field(
        attribute="sector",
        column_name="sector",
        widget=CodeOrNameWidget(Sector, "code"),
    )
    name = fields.Field(attribute="name", column_name="name")
    name_en = fields.Field(attribute="name_en", column_name="name_en")
    description = fields.Field(attribute="description", column_name="description")
    body = fields.Field(
        attribute="body", column_name="questions", widget=StreamJSONWidget()
    )

    class Meta:
        model = QuestionSet
        import_id_fields = ("sector", "name")
        fields = ("sector", "name", "name_en", "description", "body")
        skip_unchanged = True
        report_skipped = True


HEADER_ALIASES = {
    "编码": "code",
    "代码": "code",
    "名称": "name",
    "中文名称": "name",
    "英文名称": "name_en",
    "name (english)": "name_en",
    "行业": "sector",
    "地区": "region",
    "区县": "region",
    "启用": "active",
    "是否启用": "active",
    "题目": "questions",
    "说明": "description",
    "波次": "wave",
    "变量": "variables",
    "类别": "category",
    "人口数": "population",
    "来源": "source",
}


def resource_for(kind: str) -> resources.Resource:
    from exchange.models import ImportKind

    if kind == ImportKind.SERVICE_POINTS:
        return ServicePointResource()
    if kind == ImportKind.QUESTION_BANK:
        return QuestionSetResource()
    if kind == ImportKind.MARGINS:
        from exchange.margins import PopulationMarginCellResource

        return PopulationMarginCellResource()
    raise ValueError(f"no resource for {kind!r}")


def dataset_for(job, resource) -> tablib.Dataset:
    """The upload as a Dataset with the resource's own column names."""
    with job.upload.open("rb") as handle:
        table = read_table(handle, name=job.original_name)
    known = {f.column_name for f in resource.get_import_fields()} | {
        f.column_name for f in resource.fields.values()
    }
    known.discard("margin")
    headers, problems = [], []
    for header in table.headers:
        key = normalize_header(header)
        name = HEADER_ALIASES.get(key) or key.replace(" ", "_")
        if name not in known:
            problems.append(
                Problem(
                    _("Unknown column: expected %(known)s.")
                    % {"known": ", ".join(sorted(known))},
                    row=1,
                    column=header,
                )
            )
        elif name in headers:
            problems.append(
                Problem(_("This column appears twice."), row=1, column=header)
            )
        headers.append(name)
    missing = [n for n in getattr(resource, "required_columns", ()) if n not in headers]
    problems += [
        Problem(_("The column is missing."), row=1, column=name) for name in missing
    ]
    if problems:
        raise FileRejected(problems)
    return tablib.Dataset(
        *table.frame.itertuples(index=False, name=None), headers=headers
    )


@dataclass
class Outcome:
    total: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _outcome(result, dataset) -> Outcome:
    outcome = Outcome(total=len(dataset))
    labels = {"new": "create", "update": "update", "skip": "skip"}
    for index, row_result in enumerate(result.rows):
        row = index + 2  # the header is row 1
        why: list[str] = []
        if row_result.errors:
            why = [str(error.error) for error in row_result.errors]
        elif row_result.validation_error is not None:
            error = row_result.validation_error
            items = getattr(error, "message_dict", {"": error.messages})
            why = [
                f"{k}: {' '.join(v)}" if k else " ".join(v) for k, v in items.items()
            ]
        if why:
            outcome.problems += [Problem(message, row=row) for message in why]
            outcome.rows.append({"row": row, "action": "reject", "why": why})
            continue
        action = labels.get(row_result.import_type, row_result.import_type)
        outcome.rows.append({"row": row, "action": action, "why": []})
    outcome.problems += [Problem(str(e.error)) for e in result.base_errors]
    outcome.created = result.totals.get("new", 0)
    outcome.updated = result.totals.get("update", 0)
    outcome.skipped = result.totals.get("skip", 0)
    return outcome


def _import(job, *, dry_run: bool) -> Outcome:
    resource = resource_for(job.kind)
    dataset = dataset_for(job, resource)
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        raise_errors=False,
    )
    return _outcome(result, dataset)


def resource_check(job) -> Outcome:
    """The dry run: what each row would do; the transaction is rolled back."""
    return _import(job, dry_run=True)


def resource_run(job) -> Outcome:
    """Import every row or none; ``FileRejected`` when any row fails."""
    outcome = _import(job, dry_run=False)
    if outcome.problems:
        raise FileRejected(outcome.problems)
    return outcome
