from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _

from members.formatting import date_long, datetime_long, time_short
from members.models import Delegation, Organisation
from members.validators import IMAGES, validate_upload

from ..models import (
    Communique,
    Consultation,
    ConsultationAnswer,
    GovernanceRules,
    Invitation,
    Membership,
    PollChoice,
    ReminderSettings,
    Resolution,
    Table,
)
from .meetings import DateTimeInput


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
            "e_votes_allowed",
            "e_vote_majority",
            "e_vote_majority_percent",
            "e_vote_participation_percent",
            "e_vote_min_days",
            "e_vote_objections",
            "members_may_propose",
            "note",
        ]
        widgets = {
            "effective_from": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
            "decision_mode": forms.RadioSelect,
            "e_vote_majority": forms.RadioSelect,
        }
        help_texts = {"note": _("For example: amended by resolution 2026-03-04.")}

    # Only read when electronic votes are allowed: left empty, they keep the version in
    # force (or the defaults).
    E_VOTE_FIELDS = (
        "e_vote_majority",
        "e_vote_majority_percent",
        "e_vote_participation_percent",
        "e_vote_min_days",
        "e_vote_objections",
    )

    resolution = forms.ModelChoiceField(
        queryset=Resolution.objects.none(),
        label=_("Adopted by resolution"),
        help_text=_("The table's resolution that adopted this version, from its register."),
    )
    field_order = ["resolution"]

    def __init__(self, *args, table, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.E_VOTE_FIELDS:
            self.fields[name].required = False
        field = self.fields["resolution"]
        field.queryset = (
            Resolution.objects.filter(table=table, adopts_rules__isnull=True)
            .exclude(result=Resolution.Result.REJECTED)
            .order_by("-number")
        )
        field.label_from_instance = lambda resolution: (
            f"{resolution.number} — {Truncator(resolution.text).chars(90)}"
        )
        # A table that keeps its register elsewhere records its founding rules first.
        field.required = field.queryset.exists()

    def clean(self):
        cleaned = super().clean()
        for name in self.E_VOTE_FIELDS:
            if cleaned.get(name) in (None, "") and name not in self.errors:
                cleaned[name] = self.initial.get(name, GovernanceRules._meta.get_field(name).default)
        return cleaned


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
        ("consultation_unanswered", "consultation_unanswered_days"),
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
            "consultation_unanswered",
            "consultation_unanswered_days",
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


class ConsultationForm(forms.ModelForm):
    attachment = forms.FileField(
        label=_("Document to comment"),
        required=False,
        help_text=_("Optional. PDF, office document, image or text; 10 MB at most."),
    )

    class Meta:
        model = Consultation
        fields = ["kind", "title", "text", "opens_at", "closes_at", "audience", "committee", "anonymous"]
        widgets = {
            "kind": forms.RadioSelect,
            "audience": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 8}),
            "opens_at": DateTimeInput(),
            "closes_at": DateTimeInput(),
        }
        help_texts = {
            "text": _(
                "For an opinion: the text members comment on. For an electronic vote: the proposed "
                "resolution, as it would enter the register. For a poll: what the meeting is about."
            ),
            "opens_at": _("Members are told at once, with the dates; they answer from this time."),
            "committee": _("Only when consulting the members of a committee."),
        }

    def __init__(self, *args, table, memberships=None, **kwargs):
        """`memberships`: for a member's proposal, the organisations the person may
        propose for (an opinion or a vote only, never a poll)."""
        super().__init__(*args, **kwargs)
        self.instance.table = table
        self.fields["committee"].queryset = table.committees.all()
        self.fields["audience"].widget = forms.RadioSelect(choices=Consultation.Audience.choices)
        self.fields["audience"].help_text = _("An electronic vote always consults the voting members.")
        kinds = Consultation.Kind.choices
        if memberships is not None:
            kinds = [choice for choice in kinds if choice[0] != Consultation.Kind.POLL]
            self.fields["membership"] = forms.TypedChoiceField(
                label=_("Proposed by"), coerce=int, choices=[(m.pk, m.organisation.name) for m in memberships]
            )
            if len(memberships) == 1:
                self.fields["membership"].widget = forms.HiddenInput()
                self.fields["membership"].initial = memberships[0].pk
            self.order_fields(["membership"])
        self.fields["kind"].choices = kinds
        self.fields["kind"].widget = forms.RadioSelect(choices=kinds)
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("opens_at", now)
            self.initial.setdefault("closes_at", now + timedelta(days=7))

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            validate_upload(upload)
        return upload


class PollSlotForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), required=False, widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), required=False, widget=DateTimeInput())

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if bool(starts_at) != bool(ends_at) and not self.errors:
            raise forms.ValidationError(_("Give both the start and the end of the slot."))
        return cleaned


class BasePollSlotFormSet(forms.BaseFormSet):
    """The slots of a poll; checked only when the consultation is a poll (`poll`)."""

    poll = False

    def slots(self):
        return [
            (form.cleaned_data["starts_at"], form.cleaned_data["ends_at"])
            for form in self.forms
            if form.cleaned_data.get("starts_at") and form.cleaned_data.get("ends_at")
        ]

    def clean(self):
        if not self.poll or any(form.errors for form in self.forms):
            return
        from ..services.consultations import check_slots

        try:
            check_slots(self.slots())
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["slots"]) from error


PollSlotFormSet = forms.formset_factory(PollSlotForm, formset=BasePollSlotFormSet, extra=5, max_num=12)


class ConsultationAnswerForm(forms.Form):
    """One organisation's answer: its opinion, or its availability at each slot."""

    membership = forms.TypedChoiceField(label=_("Answering for"), coerce=int)
    comment = forms.CharField(
        label=_("Your organisation's opinion"), widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, consultation, memberships, answer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        self.fields["membership"].choices = [(m.pk, m.organisation.name) for m in memberships]
        if len(memberships) == 1:
            self.fields["membership"].widget = forms.HiddenInput()
            self.fields["membership"].initial = memberships[0].pk
        self.slot_fields = []
        if consultation.is_poll:
            comment = self.fields.pop("comment")
            comment.required = False
            comment.label = _("Comment")
            comment.widget.attrs["rows"] = 3
            chosen = {c.slot_id: c.available for c in answer.choices.all()} if answer else {}
            for slot in consultation.slots.all():
                name = f"slot_{slot.pk}"
                self.fields[name] = forms.ChoiceField(
                    label=slot_label(slot),
                    choices=PollChoice.Available.choices,
                    widget=forms.RadioSelect,
                    initial=chosen.get(slot.pk),
                    error_messages={"required": _("Say whether you are available at this time.")},
                )
                self.slot_fields.append(name)
            self.fields["comment"] = comment
        if answer is not None:
            self.fields["comment"].initial = answer.comment

    def slot_rows(self):
        return [self[name] for name in self.slot_fields]

    def choices(self) -> dict[int, str]:
        return {int(name.removeprefix("slot_")): self.cleaned_data[name] for name in self.slot_fields}


class ConsultationVoteForm(forms.Form):
    """One voting organisation's vote on a proposed resolution."""

    membership = forms.TypedChoiceField(label=_("Voting for"), coerce=int)
    vote = forms.ChoiceField(
        label=_("Your organisation's vote"),
        choices=ConsultationAnswer.Vote.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose for, against or abstention.")},
    )
    objection = forms.BooleanField(
        label=_("We ask that this question be decided at a meeting"),
        required=False,
        help_text=_("Enough such requests, as the table's rules set, send the proposal to the next meeting."),
    )
    comment = forms.CharField(
        label=_("Explanation (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, consultation, memberships, answer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        self.fields["membership"].choices = [(m.pk, m.organisation.name) for m in memberships]
        if len(memberships) == 1:
            self.fields["membership"].widget = forms.HiddenInput()
            self.fields["membership"].initial = memberships[0].pk


class ProposalDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason given to the organisation"), widget=forms.Textarea(attrs={"rows": 3})
    )


def slot_label(slot) -> str:
    """« mardi 14 avril 2026, 13 h 30 à 15 h 30 », in the reader's language."""
    start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    return _("%(day)s, %(start)s to %(end)s") % {
        "day": date_long(start, weekday=True),
        "start": time_short(start),
        "end": time_short(end) if end.date() == start.date() else datetime_long(end),
    }


class MemberImportForm(forms.Form):
    """A member list to import: read at once, so that a file that cannot be read is
    refused here with its reason, and nothing is kept of it."""

    file = forms.FileField(
        label=_("Member list (CSV or XLSX)"),
        help_text=_("2 MB and 5,000 rows at most; the first line names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        error_messages={"required": _("Choose the file to import.")},
    )

    def clean_file(self):
        from ..documents.member_import import MAX_BYTES, read_member_file

        upload = self.cleaned_data["file"]
        # A file over the limit is refused without reading it whole.
        content = upload.read(MAX_BYTES + 1) if upload.size <= MAX_BYTES else b""
        self.member_file = read_member_file(content, upload.name, size=upload.size)
        return upload


class MemberImportConfirmForm(forms.Form):
    good_rows_only = forms.BooleanField(
        label=_("Import the good rows only, and leave out the rows with an error"), required=False
    )
