from .complaint import Complaint, ComplaintPhoto, ComplaintTransition
from .feedback import HandlingFeedback
from .reference import Agency, CalendarDay, CategoryDeadline, ComplaintSettings

__all__ = [
    "Agency",
    "CalendarDay",
    "CategoryDeadline",
    "Complaint",
    "ComplaintPhoto",
    "ComplaintSettings",
    "ComplaintTransition",
    "HandlingFeedback",
]
