"""Writes: request and execute index runs, publish a wave's results.

A run's results appear in one transaction with its ``succeeded`` status, so a
killed worker, a timeout or bad data never leaves half a result set, and the
wave's previous results stay current until a new run succeeds.
"""

from __future__ import annotations

import logging
import math
import platform
import subprocess
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from analysis import selectors
from analysis.compute import WaveDataError, WaveSpec, wave_results
from analysis.models import (
    ACTIVE_STATUSES,
    IndexResult,
    IndexRun,
    RunStatus,
    RunTrigger,
    Wave,
)
from analysis.status_messages import Message
from surveys.models import Region, Sector, ServicePoint

logger = logging.getLogger(__name__)

#: Names stored with roll-up results (Chinese, English).
ROLLUP_NAMES = {
    "consumer_services": ("消费性服务业", "Consumer services"),
    "producer_services": ("生产性服务业", "Producer services"),
    "service_sector": ("服务业", "Service sector"),
}
#: A queued or running run silent for longer than this is taken as lost.
STALE_AFTER = timedelta(minutes=15)


class PublishError(ValueError):
    pass


def _software_version() -> str:
    root = Path(settings.BASE_DIR)
    try:
        return subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _mark(run_id: int, **fields) -> None:
    IndexRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now(), **fields)


def _progress(run_id: int, progress: int, msgid: str) -> None:
    _mark(run_id, progress=progress, **Message(msgid).as_fields())


def _fail(run_id: int, message: Message, error: str = "") -> None:
    _mark(
        run_id,
        status=RunStatus.FAILED,
        error=error,
        finished_at=timezone.now(),
        **message.as_fields(),
    )


def _retire_stale_runs(wave: Wave) -> None:
    limit = timezone.now() - STALE_AFTER
    for run in IndexRun.objects.select_for_update().filter(
        wave=wave, status__in=ACTIVE_STATUSES
    ):
        last = run.heartbeat_at or run.requested_at
        if last < limit:
            run.status = RunStatus.FAILED
            run.message = gettext_noop("Interrupted: no progress for 15 minutes.")
            run.message_params = {}
            run.finished_at = timezone.now()
            run.save(
                update_fields=["status", "message", "message_params", "finished_at"]
            )


def _enqueue(run_id: int) -> None:
    from analysis.tasks import run_index_pipeline

    try:
        result = run_index_pipeline.delay(run_id)
    except Exception as exc:  # broker down: say so on the run, never a 500
        logger.warning("index run %s could not be queued: %s", run_id, exc)
        _fail(
            run_id,
            Message(
                gettext_noop(
                    "The task queue is unreachable, so the run could not start. "
                    "Try again in a few minutes."
                )
            ),
            repr(exc),
        )
        return
    IndexRun.objects.filter(pk=run_id, task_id="").update(task_id=result.id or "")


def index_run_request(
    *,
    wave: Wave,
    requested_by=None,
    trigger: str = RunTrigger.MANUAL,
) -> IndexRun:
    """Queue a run of ``wave`` unless one is already queued or running (then
    return that one): asking twice never computes twice."""
    with transaction.atomic():
        Wave.objects.select_for_update().get(pk=wave.pk)
        _retire_stale_runs(wave)
        active = IndexRun.objects.filter(wave=wave, status__in=ACTIVE_STATUSES).first()
        if active is not None:
            return active
        try:
            with transaction.atomic():
                run = IndexRun.objects.create(
                    wave=wave,
                    requested_by=requested_by,
                    trigger=trigger,
                    requested_at=timezone.now(),
                    message=gettext_noop("Waiting for a worker."),
                )
        except IntegrityError:  # lost a race with another request
            return IndexRun.objects.get(wave=wave, status__in=ACTIVE_STATUSES)
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def index_runs_request_for_surveys(
    *, survey_ids: list[int], trigger: str = RunTrigger.IMPORT, requested_by=None
) -> list[IndexRun]:
    """Queue runs of every wave assessing these surveys (after an import)."""
    waves = Wave.objects.filter(surveys__in=survey_ids).distinct()
    return [
        index_run_request(wave=wave, requested_by=requested_by, trigger=trigger)
        for wave in waves
    ]


def _claim(run_id: int, task_id: str) -> IndexRun | None:
    with transaction.atomic():
        run = (
            IndexRun.objects.select_for_update(of=("self",))
            .select_related("wave", "requested_by")
            .filter(pk=run_id)
            .first()
        )
        if run is None or run.status not in ACTIVE_STATUSES:
            return None  # done already (or gone): a redelivery does nothing
        now = timezone.now()
        run.status = RunStatus.RUNNING
        run.started_at = run.started_at or now
        run.heartbeat_at = now
        run.attempts += 1
        run.progress = 5
        run.message = (
            gettext_noop("Started.")
            if run.attempts == 1
            else gettext_noop("Restarted.")
        )
        run.message_params = {}
        run.task_id = task_id or run.task_id
        run.save()
    return run


def _names() -> dict[str, dict[str, tuple[str, str]]]:
    def table(model) -> dict[str, tuple[str, str]]:
        return {
            code: (name, name_en)
            for code, name, name_en in model.objects.values_list(
                "code", "name", "name_en"
            )
        }

    return {
        "rollup": ROLLUP_NAMES,
        "all": {"all": ("全体受访者", "All respondents")},
        "sector": table(Sector),
        "region": table(Region),
        "service_point": table(ServicePoint),
    }


def _label(names: dict, domain_type: str, domain: str) -> tuple[str, str]:
    """Chinese and English names of a domain; a district x sector cell is
    named after both."""
    if domain_type == "sector_region":
        sector, _, region = domain.partition("/")
        first = names["sector"].get(sector, (sector, sector))
        second = names["region"].get(region, (region, region))
        return f"{first[0]} · {second[0]}", f"{first[1]} · {second[1]}"
    return names.get(domain_type, {}).get(domain, ("", ""))


def _float(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _json_safe(value):
    if isinstance(value, Message):  # a diagnostics note: worded when read
        return value.as_json()
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _result_rows(run: IndexRun, frame: pd.DataFrame) -> list[IndexResult]:
    names = _names()
    rows = []
    for record in frame.to_dict("records"):
        label = _label(names, record["domain_type"], record["domain"])
        rows.append(
            IndexResult(
                run=run,
                wave_id=run.wave_id,
                kind=record["kind"],
                dimension=record["dimension"],
                domain_type=record["domain_type"],
                domain=record["domain"],
                domain_name=label[0],
                domain_name_en=label[1],
                estimate=_float(record["estimate"]),
                se=_float(record["se"]),
                ci_low=_float(record["ci_low"]),
                ci_high=_float(record["ci_high"]),
                n=int(record["n"]),
                deff=_float(record["deff"]),
                df=_float(record["df"]),
                target=_float(record["target"]),
                verdict=record["verdict"] or "",
                p_value=_float(record["p_value"]),
                details=_json_safe(record["details"]),
            )
        )
    return rows


def _provenance(run: IndexRun, wave: Wave, inputs: dict, diagnostics: dict) -> dict:
    return _json_safe(
        {
            "wave": {"id": wave.pk, "slug": wave.slug, "confidence": wave.confidence},
            "surveys": inputs["revisions"],
            "margins": inputs["margins"],
            "rollup_weights": inputs["rollup_weights"],
            "weighting": diagnostics,
            "software": {
                "platform": _software_version(),
                "python": platform.python_version(),
                "numpy": np.__version__,
                "pandas": pd.__version__,
                "scipy": scipy.__version__,
            },
            "requested_by": run.requested_by.get_username()
            if run.requested_by
            else None,
            "trigger": run.trigger,
            "started_at": run.started_at.isoformat() if run.started_at else None,
            "data_fingerprint": inputs["fingerprint"],
        }
    )


def _compute(run: IndexRun) -> tuple[pd.DataFrame, dict, dict]:
    wave = run.wave
    margins = selectors.wave_margins(wave)
    # one scan for the fingerprint and the revisions answered, one GROUP BY
    # per survey for every sum the estimates need
    summary = selectors.wave_response_summary(wave)
    fingerprint = selectors.wave_fingerprint(wave, summary)
    _mark(run.pk, data_fingerprint=fingerprint)
    variables = sorted({v for m in margins for v in m.variables})
    _progress(run.pk, 10, gettext_noop("Aggregating responses in the database."))
    table, moments = selectors.wave_aggregates(wave, variables)
    _progress(run.pk, 60, gettext_noop("Weighting and estimating."))
    spec = WaveSpec(
        sector_classes=dict(Sector.objects.values_list("code", "service_class")),
        margins=margins,
        rollup_weights=selectors.wave_rollup_weights(wave),
        confidence=wave.confidence,
    )
    frame, diagnostics = wave_results(table, spec, moments)
    inputs = {
        "margins": {
            "digest": selectors.margins_digest(margins),
            "tables": [
                {"variables": m.name, "categories": len(m.cells)} for m in margins
            ],
            "revisions": list(
                wave.margins.values_list("variables", "latest_revision_id")
            ),
        },
        "rollup_weights": spec.rollup_weights,
        "fingerprint": fingerprint,
        "revisions": selectors.wave_revisions(wave, summary),
    }
    return frame, diagnostics, inputs


def _store(run: IndexRun, frame: pd.DataFrame, provenance: dict, diagnostics) -> bool:
    with transaction.atomic():
        locked = IndexRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RunStatus.RUNNING:
            return False
        IndexResult.objects.filter(run=locked).delete()
        IndexResult.objects.bulk_create(_result_rows(locked, frame), batch_size=1000)
        now = timezone.now()
        provenance["finished_at"] = now.isoformat()
        locked.status = RunStatus.SUCCEEDED
        locked.progress = 100
        locked.message = gettext_noop("Finished: %(n)d results stored.")
        locked.message_params = {"n": len(frame)}
        locked.finished_at = now
        locked.heartbeat_at = now
        locked.provenance = provenance
        locked.diagnostics = _json_safe(diagnostics)
        locked.error = ""
        locked.save()
    return True


def index_run_execute(*, run_id: int, task_id: str = "") -> IndexRun | None:
    """Compute and store a run's results; a run already finished is left as is.

    Bad data fails the run with the reasons; database errors propagate so the
    task can retry (the run stays ``running`` and is claimed again).
    """
    run = _claim(run_id, task_id)
    if run is None:
        return IndexRun.objects.filter(pk=run_id).first()
    try:
        frame, diagnostics, inputs = _compute(run)
        _progress(run.pk, 85, gettext_noop("Storing results."))
        provenance = _provenance(run, run.wave, inputs, diagnostics)
        _store(run, frame, provenance, diagnostics)
    except WaveDataError as exc:
        _fail(
            run.pk,
            Message(gettext_noop("No results: %(why)s"), {"why": exc.problems[0]}),
            str(exc),
        )
        IndexRun.objects.filter(pk=run.pk).update(
            diagnostics={"problems": [p.as_json() for p in exc.problems]}
        )
    except (DatabaseError, SoftTimeLimitExceeded):
        raise  # the task retries or records the time limit
    except Exception as exc:
        logger.exception("index run %s failed", run_id)
        _fail(
            run.pk,
            Message(
                gettext_noop(
                    "The computation failed unexpectedly; the previous results stay."
                )
            ),
            repr(exc),
        )
    return IndexRun.objects.get(pk=run_id)


def index_run_fail(*, run_id: int, message: Message, error: str = "") -> None:
    """Record that a run stopped (time limit, retries exhausted)."""
    IndexRun.objects.filter(pk=run_id, status__in=ACTIVE_STATUSES).update(
        status=RunStatus.FAILED,
        error=error,
        finished_at=timezone.now(),
        **message.as_fields(),
    )


def wave_results_publish(*, wave: Wave, run: IndexRun, user) -> Wave:
    """Approve ``run`` as the wave's public results."""
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave.pk)
        if run.wave_id != wave.pk:
            raise PublishError(_("That run belongs to another wave."))
        if run.status != RunStatus.SUCCEEDED:
            raise PublishError(_("Only a finished, successful run can be published."))
        wave.published_run = run
        wave.published_by = user
        wave.published_at = timezone.now()
        wave.save(update_fields=["published_run", "published_by", "published_at"])
    return wave


def wave_results_withdraw(*, wave: Wave) -> Wave:
    """Take a wave's results off the public page and the API."""
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave.pk)
        wave.published_run = None
        wave.published_by = None
        wave.published_at = None
        wave.save(update_fields=["published_run", "published_by", "published_at"])
    return wave
