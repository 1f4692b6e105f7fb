"""What a run or a report said, kept as source text and parameters.

A status is written where the reader is unknown: a Celery worker runs in the
default language (zh-hans), a web request in its requester's. So a message is
stored as its msgid (the English source text, marked with ``gettext_noop`` so
``makemessages`` keeps it in the catalogue) and its parameters (JSON), and is
worded in the reader's language only when shown. A parameter may itself be a
message (the problem behind "No results: %(why)s"), worded the same way.

Rows written before messages were stored this way hold finished text and no
parameters; they are shown as they are (and translated when their text
happens to be a msgid), so old runs keep their messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

MSGID = "msgid"
PARAMS = "params"


@dataclass(frozen=True)
class Message:
    """A msgid and its parameters (numbers, strings or nested messages)."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        """The message in the active language: what a template shows."""
        return self.text(translate=True)

    def source_text(self) -> str:
        """The message in its source language, for engineers (``error``, logs)."""
        return self.text(translate=False)

    def text(self, *, translate: bool) -> str:
        if not self.msgid:  # gettext("") is the catalogue's header
            return ""
        pattern = gettext(self.msgid) if translate else self.msgid
        if not self.params:
            return pattern
        params = {
            name: value.text(translate=translate)
            if isinstance(value, Message)
            else value
            for name, value in self.params.items()
        }
        try:
            return pattern % params
        except (KeyError, TypeError, ValueError):
            # parameters stored by an older version of the code no longer fit
            # the text: show the text rather than fail the page
            return pattern

    def as_json(self) -> dict[str, Any]:
        """The message as stored in a JSON field (a nested problem, a list)."""
        return {MSGID: self.msgid, PARAMS: self.stored_params()}

    def stored_params(self) -> dict[str, Any]:
        return {
            name: value.as_json() if isinstance(value, Message) else value
            for name, value in self.params.items()
        }

    def as_fields(self) -> dict[str, Any]:
        """The ``message`` and ``message_params`` fields of a run or report."""
        return {"message": self.msgid, "message_params": self.stored_params()}


def from_json(stored: Any) -> Message:
    """The message stored by :meth:`Message.as_json`; older plain text too."""
    if isinstance(stored, Mapping) and isinstance(stored.get(MSGID), str):
        return from_fields(stored[MSGID], stored.get(PARAMS))
    return Message("" if stored is None else str(stored))


def from_fields(msgid: str, params: Any) -> Message:
    """The message of a run's or report's ``message`` and ``message_params``."""
    if not isinstance(params, Mapping):
        return Message(msgid)
    return Message(
        msgid,
        {
            name: from_json(value) if isinstance(value, Mapping) else value
            for name, value in params.items()
        },
    )
