"""Writes: every change to a complaint goes through one of these services."""

from .feedback import feedback_submit
from .imports import ImportSummary, complaints_import
from .intake import complaint_add_information, complaint_submit
from .privacy import complaint_contacts_purge
from .workflow import (
    TRANSITIONS,
    complaint_note,
    complaint_reassign,
    complaint_transition,
)

__all__ = [
    "TRANSITIONS",
    "ImportSummary",
    "complaint_add_information",
    "complaint_contacts_purge",
    "complaint_note",
    "complaint_reassign",
    "complaint_submit",
    "complaint_transition",
    "complaints_import",
    "feedback_submit",
]
