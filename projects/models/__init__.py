from .partnership import Partnership, PartnershipAnswer
from .project import Project, ProjectIndicator
from .workspace import BudgetLine, Collaborator, ProjectAttachment, ProjectComment

__all__ = [
    "BudgetLine",
    "Collaborator",
    "Partnership",
    "PartnershipAnswer",
    "Project",
    "ProjectAttachment",
    "ProjectComment",
    "ProjectIndicator",
]
