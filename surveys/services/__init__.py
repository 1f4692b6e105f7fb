"""Writes: starting, saving, submitting and reviewing responses.

One module per concern: ``tokens`` (tokens, digests, start stamps),
``clients`` (per-client limits and duplicate checks), ``invitations``,
``answering`` (start, resume, save a section), ``quality`` (flags and the
speeder median), ``quotas``, ``submission`` and ``review``. Import from here.
"""

from .answering import (
    SECTION_SECONDS_CAP,
    first_unanswered_section,
    questionnaire_for,
    response_for_token,
    response_start,
    section_save,
)
from .clients import (
    START_SCOPE,
    ClientChecks,
    answers_digest_key,
    client_fingerprint,
    client_rate_limited,
    complete_submission_checks,
    duplicate_seen,
)
from .errors import (
    InvitationInvalid,
    InvitationUsed,
    ResponseIncomplete,
    ResponseNotFound,
    ResumeExpired,
    SurveyClosed,
    SurveyError,
)
from .invitations import invitation_issue
from .quality import (
    AUTO_EXCLUDED_FLAGS,
    NA_MIN_ITEMS,
    SPEEDER_MIN_SAMPLE,
    STRAIGHT_LINE_MIN_ITEMS,
    answer_flags,
    forget_median_duration,
    median_duration,
    quality_flags,
)
from .quotas import forget_quota_cells, quota_cells
from .review import response_review
from .submission import CompleteSubmission, response_submit, response_submit_complete
from .tokens import (
    STARTED_MAX_AGE,
    STARTED_SALT,
    new_token,
    seconds_since_started,
    started_stamp,
    to_the_hour,
    token_digest,
)

__all__ = [
    "AUTO_EXCLUDED_FLAGS",
    "NA_MIN_ITEMS",
    "SECTION_SECONDS_CAP",
    "SPEEDER_MIN_SAMPLE",
    "STARTED_MAX_AGE",
    "STARTED_SALT",
    "START_SCOPE",
    "STRAIGHT_LINE_MIN_ITEMS",
    "ClientChecks",
    "CompleteSubmission",
    "InvitationInvalid",
    "InvitationUsed",
    "ResponseIncomplete",
    "ResponseNotFound",
    "ResumeExpired",
    "SurveyClosed",
    "SurveyError",
    "answer_flags",
    "answers_digest_key",
    "client_fingerprint",
    "client_rate_limited",
    "complete_submission_checks",
    "duplicate_seen",
    "first_unanswered_section",
    "forget_median_duration",
    "forget_quota_cells",
    "invitation_issue",
    "median_duration",
    "new_token",
    "quality_flags",
    "questionnaire_for",
    "quota_cells",
    "response_for_token",
    "response_review",
    "response_start",
    "response_submit",
    "response_submit_complete",
    "section_save",
    "seconds_since_started",
    "started_stamp",
    "to_the_hour",
    "token_digest",
]
