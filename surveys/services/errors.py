"""What the answering flow refuses, as exceptions the views turn into pages."""

from __future__ import annotations


class SurveyError(Exception):
    """A request the flow refuses, with a message fit to show the respondent."""


class SurveyClosed(SurveyError):
    pass


class InvitationInvalid(SurveyError):
    pass


class InvitationUsed(SurveyError):
    pass


class ResponseNotFound(SurveyError):
    pass


class ResumeExpired(SurveyError):
    pass


class ResponseIncomplete(SurveyError):
    def __init__(self, section: int):
        super().__init__(section)
        self.section = section
