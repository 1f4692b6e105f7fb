"""Errors a complaint service refuses with; each carries a message for the user."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ComplaintError(Exception):
    """Base: the action was refused; ``message`` says why, in the user's language."""

    default_message = _("This action is not possible.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class TransitionNotAllowed(ComplaintError):
    default_message = _("This step is not allowed from the complaint's current status.")


class StaleComplaint(ComplaintError):
    default_message = _(
        "Someone else changed this complaint while you were looking at it. "
        "Its current state is shown below; please check it and try again."
    )


class NoteRequired(ComplaintError):
    default_message = _("Please give a reason or resolution for this step.")


class ComplaintConcluded(ComplaintError):
    default_message = _(
        "This complaint has been concluded; information can no longer be added."
    )


class FeedbackNotOpen(ComplaintError):
    default_message = _("The satisfaction survey opens once the complaint is settled.")


class FeedbackAlreadyGiven(ComplaintError):
    default_message = _("You have already answered the satisfaction survey. Thank you.")


class ImportRejected(ComplaintError):
    """The whole file was refused; ``problems`` lists one message per bad row."""

    default_message = _("Nothing was imported: the file has errors.")

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__()
