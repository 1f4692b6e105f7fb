"""Reads beside the stored results: the tourist-complaint settlement rate of
a wave's period and the data quality of its responses.

The settlement rate is computed here (:func:`analysis.stats.settlement.
settlement_rates_by` on the complaint register, a complete count), not
stored by the index pipeline. A run's weighting method and notes are stored
as msgids and messages (the worker that writes them does not know who will
read them) and worded here in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from django.utils import timezone, translation

from analysis.dashboard.overview import Settlement, verdict_words
from analysis.models import DomainType, IndexResult, IndexRun, ResultKind, Wave
from analysis.stats.settlement import settlement_rates_by
from analysis.status_messages import Message, from_json
from core.i18n import localized_value

#: The parameter of a run's note that holds a sector's code.
SECTOR = "sector"


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


# ------------------------------------------------------------------ run notes
def run_sector_names(run: IndexRun, language: str) -> dict[str, str]:
    """The names of the run's sectors in ``language``, as its results store
    them (the names the dashboard and the reports show)."""
    rows = IndexResult.objects.filter(
        run=run, kind=ResultKind.INDEX, domain_type=DomainType.SECTOR
    ).values("domain", "domain_name", "domain_name_en")
    return {
        row["domain"]: localized_value(row, "domain_name", language) or row["domain"]
        for row in rows
    }


def _named(note: Message, sector_names: Mapping[str, str]) -> Message:
    code = note.params.get(SECTOR)
    if not isinstance(code, str) or code not in sector_names:
        return note
    return Message(note.msgid, {**note.params, SECTOR: sector_names[code]})


def run_notes(
    stored: Sequence[Any] | Any, *, language: str, sector_names: Mapping[str, str]
) -> list[str]:
    """A run's weighting and estimation notes, worded in ``language``, each
    sector named rather than coded; notes that older runs stored as finished
    words are shown as they are."""
    if isinstance(stored, str | Mapping):  # one note where a list belongs
        stored = [stored]
    with translation.override(language):
        return [str(_named(from_json(note), sector_names)) for note in stored]


def weighting_method(stored: Any, *, language: str) -> str:
    """The run's weighting method (a msgid; older runs: words) in ``language``."""
    with translation.override(language):
        return str(from_json(stored or ""))


# ------------------------------------------------------------------ quality
def wave_data_quality(wave: Wave, run: IndexRun, language: str) -> dict:
    """Responses, flags, exclusions and response rates per sector, and the
    run's weighting diagnostics (Kish effective sample size, method, notes)
    worded in ``language``."""
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
        "weighting": weighting_method(
            diagnostics.get("method") or provenance.get("method"), language=language
        ),
        "notes": run_notes(
            diagnostics.get("notes") or provenance.get("notes") or [],
            language=language,
            sector_names=run_sector_names(run, language),
        ),
    }
