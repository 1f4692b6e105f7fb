"""Runs and reports store what their status said (msgid and parameters).

Existing rows hold finished words, in English or in Chinese. Those that read
as one of the messages of the time, in either language, are turned back into
that message's msgid and parameters (the problem behind "No results" and the
problems in a run's diagnostics too), so they are shown in the reader's
language; anything else stays as it is and is shown as it is. The msgids are
copied here, not imported, because they are those of the time.
"""

import re

from django.db import migrations, models
from django.utils import translation

#: The status messages runs and reports wrote before this migration.
RUN_MESSAGES = (
    "Waiting for a worker.",
    "Started.",
    "Restarted.",
    "Aggregating responses in the database.",
    "Weighting and estimating.",
    "Storing results.",
    "Finished: %(n)d results stored.",
    "No results: %(why)s",
    "Interrupted: no progress for 15 minutes.",
    "The task queue is unreachable, so the run could not start. "
    "Try again in a few minutes.",
    "The computation failed unexpectedly; the previous results stay.",
    "Stopped: the run took longer than %(s)d seconds.",
    "Stopped: the database was unavailable.",
)
REPORT_MESSAGES = (
    "Waiting for a worker.",
    "Generating.",
    "The task queue is unreachable.",
    "Stopped: took longer than %(s)d seconds.",
    "Stopped: the database was unavailable.",
    "The report could not be generated.",
)
#: The problems a run without results gave (in English only, until now).
PROBLEMS = (
    "Margin “%(margin)s”: category %(category)s has %(values)d values but the "
    "margin has %(variables)d variables.",
    "Margin “%(margin)s”: category %(category)s has an invalid population "
    "%(population)s.",
    "Margin “%(margin)s” has no population at all.",
    "Margin “%(margin)s”: no question of the wave's surveys is bound to the "
    "weighting variable “%(variable)s”.",
    "Margins do not add up to the same population: “%(first)s” totals "
    "%(first_total)s but “%(other)s” totals %(other_total)s.",
    "Margin “%(margin)s” has no population for category %(category)s, which "
    "%(count)d respondents gave: add it to the margin.",
    "No respondent answered the “%(variable)s” weighting question.",
    "Too few respondents to estimate: responses from at least two service "
    "points are needed.",
    "Weighting failed: %(reason)s",
    "The wave has no analysable responses yet.",
)
PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)([ds])")


def _reader(msgid: str):
    """A regular expression reading ``msgid``'s words back into parameters."""
    return re.compile(
        PLACEHOLDER.sub(
            lambda m: rf"(?P<{m[1]}>\d+)" if m[2] == "d" else rf"(?P<{m[1]}>.+)",
            re.escape(msgid),
        )
    )


def _readers(msgids):
    readers = []
    for msgid in msgids:
        with translation.override("zh-hans"):
            chinese = translation.gettext(msgid)
        readers += [(msgid, _reader(msgid)), (msgid, _reader(chinese))]
    return readers


def _read(words: str, readers) -> dict | None:
    """The message (as stored in JSON) that ``words`` are the wording of."""
    for msgid, reader in readers:
        said = reader.fullmatch(words)
        if said is not None:
            params = {
                name: int(value) if value.isdigit() else value
                for name, value in said.groupdict().items()
            }
            return {"msgid": msgid, "params": params}
    return None


def _restate(model, msgids) -> None:
    readers, problems = _readers(msgids), _readers(PROBLEMS)
    for row in model.objects.exclude(message="").only("pk", "message"):
        said = _read(row.message, readers)
        if said is None:
            continue
        params = said["params"]
        if "why" in params:  # the problem behind "No results: %(why)s"
            params["why"] = _read(params["why"], problems) or params["why"]
        model.objects.filter(pk=row.pk).update(
            message=said["msgid"], message_params=params
        )


def _restate_problems(model) -> None:
    problems = _readers(PROBLEMS)
    for run in model.objects.filter(diagnostics__has_key="problems"):
        stored = run.diagnostics["problems"]
        if not isinstance(stored, list):
            continue
        restated = [
            (_read(p, problems) or p) if isinstance(p, str) else p for p in stored
        ]
        model.objects.filter(pk=run.pk).update(
            diagnostics={**run.diagnostics, "problems": restated}
        )


def restate_messages(apps, schema_editor) -> None:
    runs = apps.get_model("analysis", "IndexRun")
    _restate(runs, RUN_MESSAGES)
    _restate_problems(runs)
    _restate(apps.get_model("analysis", "Report"), REPORT_MESSAGES)


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0005_field_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="indexrun",
            name="message_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="report",
            name="message_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(restate_messages, migrations.RunPython.noop),
    ]
