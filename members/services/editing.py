"""What every editor of the site shares: the refusal of a save that would overwrite what
someone else saved since the form was opened."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from members.models import User

__all__ = ["EditConflict"]


class EditConflict(ValidationError):
    """Someone else saved the same thing after the form was opened. Carries what is saved
    now (`current`: a text, or a dict of fields), its `version`, and who saved it and
    when, so that the page can show both and let the person merge. Nothing was written.
    `message` (with a `%(name)s` for who saved) says which part it was about."""

    def __init__(
        self,
        *,
        current,
        version: int,
        saved_by: User | None,
        saved_at: datetime | None,
        message: str | None = None,
    ):
        self.current = current
        self.version = version
        self.saved_by = saved_by
        self.saved_at = saved_at
        message = message or _("%(name)s saved this while you were editing it. Nothing of yours was lost.")
        super().__init__(message % {"name": self.saved_by_name}, code="conflict")

    @property
    def saved_by_name(self) -> str:
        return self.saved_by.display_name if self.saved_by else _("Someone else")
