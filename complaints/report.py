"""The settlement report: complaint frames through ``analysis.stats``, for display.

Officials' dashboards and the analysis reports can call
:func:`settlement_report` too; it computes, templates only show.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analysis.stats.settlement import (
    handling_satisfaction,
    settlement_rates_by,
    with_period,
)
from analysis.stats.settlement_times import (
    settlement_durations,
)
from analysis.stats.survival import kaplan_meier_by, median_table

from .choices import ComplaintCategory, ComplaintChannel
from .selectors import complaints_frame, handling_feedback_frame

DIMENSIONS = ("period", "scenic_area", "category", "channel")
VERDICT_LABELS = {
    "met": _("met"),
    "not met": _("not met"),
    "not distinguishable": _("not distinguishable"),
    "no data": _("no data"),
}
LABELS = {"category": ComplaintCategory, "channel": ComplaintChannel}
SETTLEMENT_DAYS_SHOWN = (5, 15, 30)


class ReportForm(forms.Form):
    received_from = forms.DateField(label=_("Received from"), required=False)
    received_to = forms.DateField(label=_("Received until (inclusive)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def cleaned_period(self) -> dict[str, dt.datetime | None]:
        def local_midnight(day: dt.date | None) -> dt.datetime | None:
            if day is None:
                return None
            return timezone.make_aware(dt.datetime.combine(day, dt.time()))

        end = self.cleaned_data.get("received_to")
        return {
            "received_from": local_midnight(self.cleaned_data.get("received_from")),
            "received_to": local_midnight(end + dt.timedelta(days=1) if end else None),
        }


def default_period() -> dict[str, dt.datetime | None]:
    return {"received_from": None, "received_to": None}


@dataclass
class SettlementReport:
    as_of: dt.datetime
    complaints: int
    rates: dict[str, pd.DataFrame] = field(default_factory=dict)
    medians: pd.DataFrame | None = None
    settled_within: list[tuple[int, float]] = field(default_factory=list)
    satisfaction: pd.DataFrame | None = None
    satisfaction_by_area: pd.DataFrame | None = None


def _labelled(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """Readable labels for codes and verdicts, in the active language."""
    table = table.assign(
        verdict_label=[str(VERDICT_LABELS[verdict]) for verdict in table["verdict"]]
    )
    if name in LABELS:
        choices = LABELS[name]
        table = table.assign(
            **{name: [str(choices(code).label) for code in table[name]]}
        )
    return table


def settlement_report(
    *,
    received_from: dt.datetime | None = None,
    received_to: dt.datetime | None = None,
    as_of: dt.datetime | None = None,
) -> SettlementReport:
    """Settlement rates (overall, by month, scenic area, category, channel),
    time to settlement (Kaplan–Meier) and satisfaction with handling."""
    as_of = as_of or timezone.now()
    frame = complaints_frame(received_from=received_from, received_to=received_to)
    frame = frame[frame["received_at"] <= pd.Timestamp(as_of)]
    report = SettlementReport(as_of=as_of, complaints=len(frame))
    monthly = with_period(frame, freq="M", timezone=settings.TIME_ZONE).assign(
        period=lambda f: f["period"].astype(str)
    )
    rates = settlement_rates_by(
        monthly, as_of=pd.Timestamp(as_of), dimensions=DIMENSIONS
    )
    report.rates = {name: _labelled(name, table) for name, table in rates.items()}
    if (frame["status"] != "rejected").any():
        durations = settlement_durations(frame, as_of=pd.Timestamp(as_of))
        everyone = str(_("All complaints"))
        curves = kaplan_meier_by(
            durations["days"],
            durations["settled"],
            frame.loc[durations.index, "scenic_area"],
            overall=everyone,
        )
        curve = curves[everyone]
        report.medians = median_table(curves)
        settled = 1 - curve.survival_at(list(SETTLEMENT_DAYS_SHOWN))
        report.settled_within = list(zip(SETTLEMENT_DAYS_SHOWN, settled, strict=True))
    answers = handling_feedback_frame()
    answers = answers[answers["complaint_id"].isin(frame["complaint_id"])]
    if len(answers):
        report.satisfaction = handling_satisfaction(answers)
        report.satisfaction_by_area = handling_satisfaction(answers, by="service_point")
    return report


def csv_response(report: SettlementReport) -> HttpResponse:
    """All rate tables in one CSV (a ``table`` column says which)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="settlement.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 Chinese correctly with a BOM
    frames = [
        table.rename(columns={name: "group"} if name != "overall" else {}).assign(
            table=name
        )
        for name, table in report.rates.items()
    ]
    combined = pd.concat(frames, ignore_index=True)
    columns = ["table", "group", *[c for c in combined if c not in ("table", "group")]]
    writer = csv.writer(response)
    writer.writerow(columns)
    for row in combined.reindex(columns=columns).itertuples(index=False):
        writer.writerow(["" if pd.isna(value) else value for value in row])
    return response
