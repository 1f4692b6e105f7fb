"""Runs and reports store what their status said (msgid and parameters).

Existing rows hold finished words, in English or in Chinese. Those that read
as one of the messages of the time, in either language, are turned back into
that message's msgid and parameters, so they too are shown in the reader's
language; anything else stays as it is and is shown as it is.
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


def _restate(model, msgids) -> None:
    readers = _readers(msgids)
    for row in model.objects.exclude(message="").only("pk", "message"):
        for msgid, reader in readers:
            said = reader.fullmatch(row.message)
            if said is None:
                continue
            params = {
                name: int(value) if value.isdigit() else value
                for name, value in said.groupdict().items()
            }
            model.objects.filter(pk=row.pk).update(message=msgid, message_params=params)
            break


def restate_messages(apps, schema_editor) -> None:
    _restate(apps.get_model("analysis", "IndexRun"), RUN_MESSAGES)
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
