"""Reads beside the stored results: the tourist-complaint settlement rate of
a wave's period and the data quality of its responses.

The settlement rate is computed here (:func:`analysis.stats.settlement.
settlement_rates_by` on the complaint register, a complete count), not
stored by the index pipeline.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.utils import timezone

from analysis.dashboard.overview import Settlement, verdict_words
from analysis.models import IndexRun, Wave
from analysis.stats.settlement import settlement_rates_by


def wave_settlement(wave: Wave, language: str) -> Settlement | None:
    """Tourist complaints received in the wave's period: settlement vs 100%."""
    from complaints.selectors import complaints_frame

    start = timezone.make_aware(dt.datetime.combine(wave.period_start, dt.time()))
    end = timezone.make_aware(
        dt.datetime.combine(wave.period_end + dt.timedelta(days=1), dt.time())
    )
    frame = complaints_frame(received_from=start, received_to=end)
    if frame.empty:
        return None
    as_of = min(pd.Timestamp(timezone.now()), pd.Timestamp(end))
    overall = settlement_rates_by(frame, as_of=as_of, dimensions=())["overall"]
    row = overall.iloc[0]
    rate = None if pd.isna(row["settlement_rate"]) else float(row["settlement_rate"])
    return Settlement(
        counted=int(row["counted"]),
        settled=int(row["settled"]),
        rate=rate,
        ci_low=None if pd.isna(row["lower"]) else float(row["lower"]),
        ci_high=None if pd.isna(row["upper"]) else float(row["upper"]),
        target=float(row["target"]),
        verdict=str(row["verdict"]),
        verdict_label=verdict_words(str(row["verdict"]), language),
    )


# ------------------------------------------------------------------ quality
def wave_data_quality(wave: Wave, run: IndexRun) -> dict:
    """Responses, flags, exclusions and response rates per sector, and the
    run's weighting diagnostics (Kish effective sample size)."""
    from django.db.models import Count, Q

    from surveys.models import Invitation, Response, ResponseStatus

    per_sector = (
        Response.objects.filter(
            survey__in=wave.surveys.all(), status=ResponseStatus.SUBMITTED
        )
        .values("survey__sector__code")
        .annotate(
            submitted=Count("id"),
            excluded=Count("id", filter=Q(excluded=True)),
            flagged=Count("id", filter=~Q(flags=[])),
            invited=Count("id", filter=Q(invitation__isnull=False)),
        )
        .order_by("survey__sector__code")
    )
    invitations = dict(
        Invitation.objects.filter(survey__in=wave.surveys.all())
        .values("survey__sector__code")
        .annotate(n=Count("id"))
        .values_list("survey__sector__code", "n")
    )
    sectors = {}
    for row in per_sector:
        code = row["survey__sector__code"]
        sent = invitations.get(code, 0)
        sectors[code] = {
            "submitted": row["submitted"],
            "excluded": row["excluded"],
            "flagged": row["flagged"],
            "invitations": sent,
            "response_rate": row["invited"] / sent if sent else None,
        }
    diagnostics = run.diagnostics or {}
    provenance = (run.provenance or {}).get("weighting", {})
    return {
        "sectors": sectors,
        "respondents": diagnostics.get("respondents"),
        "kish_effective_n": diagnostics.get("kish_effective_n")
        or provenance.get("kish_effective_n"),
        "weighting": diagnostics.get("method") or provenance.get("method", ""),
        "notes": list(diagnostics.get("notes") or provenance.get("notes") or []),
    }
