"""Choice fields that answer "not a valid choice" to an id too large for the database.

Django's ModelChoiceField and ModelMultipleChoiceField look the submitted id up and catch
ValueError, TypeError and DoesNotExist; an integer beyond 64 bits instead raises
OverflowError (SQLite) or DataError (PostgreSQL), a server error. Every form of the
project would need its own subclass to avoid it, so the two lookups are guarded once,
here, at start-up.
"""

from django.core.exceptions import ValidationError
from django.db import DataError
from django.forms import models as form_models

MAX_ID = 2**63 - 1


def _too_large(value):
    try:
        return abs(int(str(value))) > MAX_ID
    except (TypeError, ValueError):
        return False


def guard_model_choice_fields():
    if getattr(form_models.ModelChoiceField, "_guarded", False):
        return
    to_python = form_models.ModelChoiceField.to_python
    check_values = form_models.ModelMultipleChoiceField._check_values

    def guarded_to_python(self, value):
        if _too_large(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        try:
            return to_python(self, value)
        except (OverflowError, DataError) as error:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from error

    def guarded_check_values(self, value):
        for item in value or []:
            if _too_large(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        return check_values(self, value)

    form_models.ModelChoiceField.to_python = guarded_to_python
    form_models.ModelMultipleChoiceField._check_values = guarded_check_values
    form_models.ModelChoiceField._guarded = True
