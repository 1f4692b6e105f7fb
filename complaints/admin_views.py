"""Handlers' views in the Wagtail admin: handle one complaint, overdue list,
imports, photos and the settlement report. Each validates and calls one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import report, selectors, services
from .choices import ComplaintAction
from .errors import ComplaintError, ImportRejected
from .forms import ImportForm, NoteForm, ReassignForm, TransitionForm
from .models import Complaint, ComplaintPhoto
from .services.workflow import TRANSITIONS

INDEX_URL = "wagtailadmin_complaints:index"


class PermissionRequiredAdminView(WagtailAdminTemplateMixin, TemplateView):
    permission = "complaints.change_complaint"
    header_icon = "warning"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse(INDEX_URL), "label": _("Complaints")},
            {"url": "", "label": self.get_page_title()},
        ]


# Which buttons a status offers, in order; the service decides what is allowed.
ACTIONS_BY_STATUS = {
    status: [action for action, rule in TRANSITIONS.items() if status in rule.sources]
    for rule in TRANSITIONS.values()
    for status in rule.sources
}


class ComplaintHandleView(PermissionRequiredAdminView):
    template_name = "complaints/admin/complaint_handle.html"

    def get_page_title(self) -> str:
        return _("Complaint %(reference)s") % {"reference": self.complaint.reference}

    @staticmethod
    def refuse(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Adding and deleting complaints is not part of the workflow."""
        raise PermissionDenied

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.complaint = get_object_or_404(
            selectors.complaints_for_handlers(), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        complaint = self.complaint
        version = {"version": complaint.version}
        actions = [
            {
                "action": action,
                "label": ComplaintAction(action).label,
                "needs_note": TRANSITIONS[action].note_field is not None,
                "form": TransitionForm(initial={**version, "action": action}),
            }
            for action in ACTIONS_BY_STATUS.get(complaint.status, [])
        ]
        return super().get_context_data(
            complaint=complaint,
            timeline=selectors.complaint_timeline(complaint),
            photos=complaint.photos.all(),
            actions=actions,
            reassign_form=kwargs.get("reassign_form") or ReassignForm(initial=version),
            note_form=kwargs.get("note_form") or NoteForm(initial=version),
            overdue=complaint.is_overdue(timezone.now()),
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        kind = request.POST.get("form")
        forms = {"transition": TransitionForm, "reassign": ReassignForm}
        form = forms.get(kind, NoteForm)(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                _("Please correct the form: %(errors)s")
                % {
                    "errors": " ".join(
                        str(message)
                        for errors in form.errors.values()
                        for message in errors
                    )
                },
            )
            self.complaint.refresh_from_db()
            return self.render_to_response(self.get_context_data(), status=400)
        data = form.cleaned_data
        common = {
            "complaint_id": self.complaint.pk,
            "actor": request.user,
            "expected_version": data["version"],
        }
        try:
            if kind == "transition":
                services.complaint_transition(
                    action=data["action"], note=data["note"], **common
                )
            elif kind == "reassign":
                services.complaint_reassign(
                    handler=data["handler"],
                    agency=data["agency"],
                    note=data["note"],
                    **common,
                )
            else:
                services.complaint_note(note=data["note"], **common)
        except ComplaintError as refused:
            messages.error(request, refused.message)
            self.complaint.refresh_from_db()
            return self.render_to_response(self.get_context_data(), status=409)
        messages.success(request, _("Saved."))
        return redirect("wagtailadmin_complaints:edit", self.complaint.pk)


class OverdueView(PermissionRequiredAdminView):
    permission = "complaints.view_complaint"
    template_name = "complaints/admin/overdue.html"
    page_title = gettext_lazy("Overdue complaints")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        now = timezone.now()
        return super().get_context_data(
            complaints=selectors.complaints_overdue(now), now=now, **kwargs
        )


class ImportView(PermissionRequiredAdminView):
    permission = "complaints.import_complaints"
    template_name = "complaints/admin/import.html"
    page_title = gettext_lazy("Import hotline and platform cases")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", ImportForm())
        return super().get_context_data(**kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            summary = services.complaints_import(
                dataset=form.cleaned_data["file"],
                channel=form.cleaned_data["channel"],
                actor=request.user,
            )
        except ImportRejected as rejected:
            context = self.get_context_data(form=form, problems=rejected.problems)
            return self.render_to_response(context, status=400)
        messages.success(
            request,
            _("Imported %(created)d cases; skipped %(skipped)d already known.")
            % {"created": summary.created, "skipped": len(summary.duplicates)},
        )
        return redirect(INDEX_URL)


class SettlementReportView(PermissionRequiredAdminView):
    permission = "complaints.view_complaintstatistics"
    template_name = "complaints/admin/settlement_report.html"
    page_title = gettext_lazy("Settlement of tourist complaints")
    header_icon = "table"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = report.ReportForm(request.GET or None)
        period = form.cleaned_period() if form.is_valid() else report.default_period()
        result = report.settlement_report(**period)
        if request.GET.get("format") == "csv":
            return report.csv_response(result)
        context = self.get_context_data(form=form, report=result)
        return self.render_to_response(context, status=400 if form.errors else 200)


def complaint_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A complaint photo, to handlers only; never cached by the browser."""
    if not request.user.has_perm("complaints.view_complaint"):
        raise PermissionDenied
    photo = get_object_or_404(ComplaintPhoto, pk=pk)
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def complaint_qr(request: HttpRequest, point: str) -> HttpResponse:
    """SVG QR code of a service point's complaint link, for posters at the site."""
    if not request.user.has_perm("complaints.view_complaint"):
        raise PermissionDenied
    from surveys.models import ServicePoint
    from surveys.qr import qr_svg

    service_point = get_object_or_404(ServicePoint, code=point)
    url = request.build_absolute_uri(
        reverse("complaints:new_at", args=[service_point.code])
    )
    return HttpResponse(qr_svg(url), content_type="image/svg+xml")


__all__ = [
    "ComplaintHandleView",
    "ImportView",
    "OverdueView",
    "SettlementReportView",
    "complaint_photo",
    "complaint_qr",
    "Complaint",
]
