"""Assessors' import and export pages in the Wagtail admin. Each view checks
the permission, validates the form and calls one service."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from exchange import exports, formats, services
from exchange.forms import (
    EXPORT_PERMISSION,
    KIND_PERMISSIONS,
    ExportForm,
    ImportForm,
    allowed_kinds,
)
from exchange.models import Export, ImportJob, ImportStatus
from surveys.models import SurveyPage
from surveys.selectors import revision_questionnaire

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
}


class ExchangeView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "download"

    def has_permission(self, user) -> bool:
        return bool(allowed_kinds(user)) or user.has_perm(EXPORT_PERMISSION)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not self.has_permission(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        """Home › Imports and exports › this page: the admin's header shows
        the breadcrumbs, so without them it read only "Home"."""
        index = {"url": reverse("exchange:index"), "label": _("Imports and exports")}
        here = {"url": "", "label": self.get_page_title()}
        if self.request.resolver_match.url_name == "index":
            return [*self.breadcrumbs_items, here]
        return [*self.breadcrumbs_items, index, here]


def _jobs_for(user):
    jobs = ImportJob.objects.select_related("survey", "created_by")
    return jobs if user.is_superuser else jobs.filter(created_by=user)


def _job(request: HttpRequest, pk: int) -> ImportJob:
    job = get_object_or_404(_jobs_for(request.user), pk=pk)
    if not request.user.has_perms(KIND_PERMISSIONS[job.kind]):
        raise PermissionDenied
    return job


class ImportIndexView(ExchangeView):
    template_name = "exchange/import_index.html"
    page_title = gettext_lazy("Imports and exports")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        return super().get_context_data(
            jobs=_jobs_for(user)[:50],
            exports=Export.objects.filter(created_by=user)[:20],
            form=ImportForm(user=user) if allowed_kinds(user) else None,
            can_export=user.has_perm(EXPORT_PERMISSION),
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            job = services.import_create(
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["upload"],
                user=request.user,
                survey=form.cleaned_data["survey"],
            )
        except services.ImportRefused as refused:
            form.add_error("upload", str(refused))
            return self.render_to_response(self.get_context_data(form=form))
        return redirect("exchange:job", pk=job.pk)


class ImportJobView(ExchangeView):
    template_name = "exchange/import_job.html"

    def get_page_title(self) -> str:
        return _("Import: %(name)s") % {"name": self.job.original_name}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.job = _job(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        job = self.job
        return super().get_context_data(
            job=job,
            running=job.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING),
            can_confirm=job.status == ImportStatus.READY,
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            job = services.import_confirm(job_id=self.job.pk, user=request.user)
        except services.ImportRefused as refused:
            messages.error(request, str(refused))
            return redirect("exchange:job", pk=self.job.pk)
        if job.status == ImportStatus.DONE:
            messages.success(
                request,
                _(
                    "Imported: %(created)d created, %(updated)d updated, "
                    "%(skipped)d skipped."
                )
                % {
                    "created": job.created_count,
                    "updated": job.updated_count,
                    "skipped": job.skipped_count,
                },
            )
        return redirect("exchange:job", pk=job.pk)


def job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "processed": job.processed_rows,
            "total": job.total_rows,
            "percent": job.progress_percent,
        }
    )


def job_report(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    if not job.report:
        raise Http404("no report")
    return FileResponse(
        job.report.open("rb"),
        as_attachment=True,
        filename=f"import-{job.pk}-report.csv",
        content_type=CONTENT_TYPES["csv"],
    )


def survey_template(request: HttpRequest, pk: int) -> FileResponse:
    """The XLSX template of one survey, with drop-down lists for choices."""
    if not request.user.has_perm("surveys.add_response"):
        raise PermissionDenied
    survey = get_object_or_404(SurveyPage, pk=pk)
    revision_id = survey.live_revision_id or survey.latest_revision_id
    if revision_id is None:
        raise Http404("no questionnaire")
    questionnaire = revision_questionnaire(revision_id)[0]
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    formats.write_template(
        Path(handle.name),
        survey=survey,
        questionnaire=questionnaire,
        revision_id=revision_id,
    )
    return FileResponse(
        open(handle.name, "rb"),  # noqa: SIM115
        as_attachment=True,
        filename=f"{survey.slug}-template.xlsx",
        content_type=CONTENT_TYPES["xlsx"],
    )


class ExportView(ExchangeView):
    template_name = "exchange/export.html"
    page_title = gettext_lazy("Export responses")

    def has_permission(self, user) -> bool:
        return user.has_perm(EXPORT_PERMISSION)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", ExportForm(self.request.GET or None))
        return super().get_context_data(
            exports=Export.objects.filter(created_by=self.request.user)[:20], **kwargs
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ExportForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        filters = exports.ExportFilters(
            survey_ids=(data["survey"].pk,) if data["survey"] else (),
            wave=data["wave"].slug if data["wave"] else "",
            sector_id=data["sector"].pk if data["sector"] else None,
            service_point_id=data["service_point"].pk
            if data["service_point"]
            else None,
            flags=tuple(data["flags"]),
            unflagged_only=data["unflagged_only"],
            include_excluded=data["include_excluded"],
        )
        file_format = data["file_format"]
        export, rows, header = exports.export_begin(
            filters=filters, file_format=file_format, user=request.user
        )
        name = f"responses-{timezone.localdate():%Y%m%d}-{export.pk}.{file_format}"
        if file_format == "csv":
            response = StreamingHttpResponse(
                exports.stream_csv(export, rows, header),
                content_type=CONTENT_TYPES["csv"],
            )
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        if file_format == "xlsx" and export.expected_rows > formats.XLSX_MAX_DATA_ROWS:
            form.add_error(
                "file_format",
                _("Excel holds at most %(n)d rows; choose CSV, SPSS or Stata.")
                % {"n": formats.XLSX_MAX_DATA_ROWS},
            )
            return self.render_to_response(self.get_context_data(form=form))
        handle = tempfile.NamedTemporaryFile(suffix="." + file_format)  # noqa: SIM115
        formats.export_to_file(
            export=export, rows=rows, header=header, path=Path(handle.name)
        )
        return FileResponse(
            open(handle.name, "rb"),  # noqa: SIM115
            as_attachment=True,
            filename=name,
            content_type=CONTENT_TYPES[file_format],
        )
