from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from members.models import Delegation, Organisation
from members.validators import IMAGES, validate_upload

from .models import Communique, GovernanceRules, Invitation, Membership, ReminderSettings, Table


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TableForm(forms.ModelForm):
    class Meta:
        model = Table
        fields = [
            "name",
            "acronym",
            "slug",
            "kind",
            "scope",
            "theme",
            "region",
            "territory",
            "mandate",
            "founded",
            "coordinating_organisation",
            "visibility",
            "publish_minutes",
            "logo",
        ]
        widgets = {
            "mandate": forms.Textarea(attrs={"rows": 5}),
            "founded": DateInput(),
            "kind": forms.RadioSelect,
            "scope": forms.RadioSelect,
            "visibility": forms.RadioSelect,
        }
        help_texts = {"slug": _("Used in the page address; letters, digits and hyphens.")}

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and logo.size and not getattr(logo, "_committed", False):
            validate_upload(logo, allowed=IMAGES, max_bytes=2 * 1024 * 1024)
        return logo

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["coordinating_organisation"]
        field.queryset = field.queryset.only("id", "name", "acronym")
        if self.instance.pk:
            # Keep the choice list short: the organisations already at the table.
            field.queryset = field.queryset.filter(memberships__table=self.instance).distinct()


class RulesForm(forms.ModelForm):
    class Meta:
        model = GovernanceRules
        fields = [
            "effective_from",
            "quorum_percent",
            "quorum_strictly_more",
            "notice_days",
            "decision_mode",
            "majority_percent",
            "one_vote_per_organisation",
            "substitutes_may_vote",
            "note",
        ]
        widgets = {
            "effective_from": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
            "decision_mode": forms.RadioSelect,
        }
        help_texts = {"note": _("For example: amended by resolution 2026-03-04.")}


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["status", "joined", "contributions", "roles", "powers", "note"]
        widgets = {
            "joined": DateInput(),
            "status": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 3}),
        }


class MembershipAddForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        error_messages={"invalid_choice": _("Choose an organisation from the list.")},
    )


class MembershipEndForm(forms.Form):
    left = forms.DateField(label=_("Date of departure"), widget=DateInput(), initial=timezone.localdate)


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "first_name", "last_name", "role", "message"]
        widgets = {
            "role": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "message": _("Optional. Added to the invitation email."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = Delegation.Role.DELEGATE


class CommuniqueForm(forms.ModelForm):
    class Meta:
        model = Communique
        fields = ["audience", "sector", "committee", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}
        help_texts = {
            "body": _(
                "Plain text. Each delegate and substitute receives it in their notifications and by email."
            ),
            "sector": _("Only when writing to the members of one sector."),
            "committee": _("Only when writing to the members of a committee."),
        }

    def __init__(self, *args, table, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = table.committees.all()
        self.fields["audience"].widget = forms.RadioSelect(choices=Communique.Audience.choices)


class ReminderSettingsForm(forms.ModelForm):
    """Each reminder on or off, with its number of days."""

    PAIRS = [
        ("convocation_unanswered", "convocation_unanswered_days"),
        ("proposal_deadline", "proposal_deadline_days"),
        ("follow_up_due", "follow_up_due_days"),
        ("follow_up_overdue", "follow_up_overdue_days"),
        ("minutes_comments", "minutes_comments_days"),
        ("progress_report", "progress_report_days"),
    ]

    class Meta:
        model = ReminderSettings
        fields = [
            "convocation_unanswered",
            "convocation_unanswered_days",
            "proposal_deadline",
            "proposal_deadline_days",
            "follow_up_due",
            "follow_up_due_days",
            "follow_up_overdue",
            "follow_up_overdue_days",
            "minutes_comments",
            "minutes_comments_days",
            "progress_report",
            "progress_report_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for switch, days in self.PAIRS:
            # The model's limits, said once (not also the form's own "at least 0"), and
            # given to the browser.
            self.fields[switch].label = _("Send this reminder")
            field = self.fields[days]
            field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator)]
            for validator in ReminderSettings._meta.get_field(days).validators:
                if isinstance(validator, MinValueValidator):
                    field.widget.attrs["min"] = validator.limit_value
                elif isinstance(validator, MaxValueValidator):
                    field.widget.attrs["max"] = validator.limit_value

    def reminders(self):
        """(name, switch, days) for each reminder, for the template: one fieldset each."""
        return [
            (capfirst(ReminderSettings._meta.get_field(switch).verbose_name), self[switch], self[days])
            for switch, days in self.PAIRS
        ]


# Consultations ------------------------------------------------------------------------------
