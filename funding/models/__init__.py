from .application import (
    COMMITTED,
    COUNTED,
    DECIDED,
    SUBMITTED_ONCE,
    TRANSITIONS,
    Actor,
    Application,
    ApplicationVersion,
    AuditEntry,
    Status,
)
from .call import SCORE_MAX, CallFunder, Criterion, FundingCall, RequiredDocument
from .followup import Report, ReportContribution, ReportIndicatorValue, Tranche
from .funder import Funder, FunderStaff
from .review import Declaration, Review, ReviewAssignment, Reviewer, Score, weighted_total

__all__ = [
    "COMMITTED",
    "COUNTED",
    "DECIDED",
    "SCORE_MAX",
    "SUBMITTED_ONCE",
    "TRANSITIONS",
    "Actor",
    "Application",
    "ApplicationVersion",
    "AuditEntry",
    "CallFunder",
    "Criterion",
    "Declaration",
    "Funder",
    "FunderStaff",
    "FundingCall",
    "Report",
    "ReportContribution",
    "ReportIndicatorValue",
    "RequiredDocument",
    "Review",
    "ReviewAssignment",
    "Reviewer",
    "Score",
    "Status",
    "Tranche",
    "weighted_total",
]
