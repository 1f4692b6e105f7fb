from .bank import QuestionSet
from .choices import (
    Channel,
    Dimension,
    QualityFlag,
    QuestionKind,
    RegionKind,
    ResponseStatus,
    ServiceClass,
    WeightingVariable,
)
from .pages import SurveyIndexPage, SurveyPage
from .reference import Region, Sector, ServicePoint
from .responses import FollowUpContact, Invitation, Quota, Response, ResponseReview

__all__ = [
    "Channel",
    "Dimension",
    "FollowUpContact",
    "Invitation",
    "QualityFlag",
    "QuestionKind",
    "QuestionSet",
    "Quota",
    "Region",
    "RegionKind",
    "Response",
    "ResponseReview",
    "ResponseStatus",
    "Sector",
    "ServiceClass",
    "ServicePoint",
    "SurveyIndexPage",
    "SurveyPage",
    "WeightingVariable",
]
