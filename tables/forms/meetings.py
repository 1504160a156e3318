from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Delegation, Organisation, User
from members.validators import validate_upload

from ..models import AgendaItem, Attendance, CalendarFeed, Committee, Coordinator, Meeting, Table


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "title",
            "committee",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "proposals_deadline",
            "secretary",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "proposals_deadline": DateTimeInput(),
        }
        help_texts = {"online_url": _("For a hybrid or online meeting.")}

    def __init__(self, *args, table, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.table = table
        self.fields["committee"].queryset = Committee.objects.filter(table=table)
        # The table's delegates and coordinators: a UNION the database reads through the
        # table's indexes (an OR across the two scanned every person of the network).
        delegates = Delegation.objects.active().filter(membership__table=table).order_by().values("person")
        coordinators = Coordinator.objects.filter(table=table).order_by().values("person")
        self.fields["secretary"].queryset = User.objects.filter(
            pk__in=delegates.union(coordinators)
        ).order_by("last_name", "first_name")
        self.fields["online_url"].assume_scheme = "https"
        if not self.instance.pk:
            del self.fields["proposals_deadline"]
            self.fields["proposals_deadline"] = forms.DateTimeField(
                label=_("deadline for members' proposals"),
                required=False,
                widget=DateTimeInput(),
                help_text=_("Leave empty: three days before the notice period."),
            )

    def clean(self):
        cleaned = super().clean()
        place, online = cleaned.get("place"), cleaned.get("online_url")
        if not place and not online and not self.errors:
            raise forms.ValidationError(_("Give a place, an online link, or both."))
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Sent to every person who received the convocation."),
    )


class ConveneForm(forms.Form):
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. Added to the convocation email above the agenda."),
    )
    accept_warnings = forms.BooleanField(
        label=_("Send anyway, I have read the warnings above"), required=False
    )

    def __init__(self, *args, warnings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings = list(warnings)
        if not self.warnings:
            del self.fields["accept_warnings"]

    def clean(self):
        cleaned = super().clean()
        if self.warnings and not cleaned.get("accept_warnings"):
            raise forms.ValidationError(_("Confirm that you read the warnings before sending."))
        return cleaned


class AttachmentField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Attach a document"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("PDF, office document, image or text; 10 MB at most."))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            validate_upload(upload)
        return upload


class AgendaItemForm(forms.ModelForm):
    attachment = AttachmentField()

    class Meta:
        model = AgendaItem
        fields = ["title", "description", "kind", "duration_minutes", "presenter", "table_role", "powers"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "kind": forms.RadioSelect}

    def __init__(self, *args, table, **kwargs):
        super().__init__(*args, **kwargs)
        if "presenter" in self.fields:
            self.fields["presenter"].queryset = Organisation.objects.filter(
                memberships__in=table.memberships.active()
            ).order_by("name")
        self.fields["duration_minutes"].widget.attrs.update(min=1, max=600)
        if self.instance.standard:
            # The title of a standard item is fixed (and translated).
            del self.fields["title"]

    def clean_duration_minutes(self):
        duration = self.cleaned_data["duration_minutes"]
        if not 1 <= duration <= 600:
            raise forms.ValidationError(_("Between 1 and 600 minutes."))
        return duration


class ProposalForm(AgendaItemForm):
    """What a delegate fills in to propose an item; their organisation presents it."""

    class Meta(AgendaItemForm.Meta):
        fields = ["title", "description", "kind", "duration_minutes", "table_role"]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (AgendaItem.Status.RETAINED, _("Put it on the agenda")),
            (AgendaItem.Status.DEFERRED, _("Defer it to a later meeting")),
            (AgendaItem.Status.DECLINED, _("Decline it")),
        ],
    )
    defer_to = forms.ModelChoiceField(
        label=_("Later meeting"), queryset=Meeting.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason given to the proposer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to decline; the proposer sees it."),
    )

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["defer_to"].queryset = (
            Meeting.objects.filter(table_id=item.meeting.table_id, starts_at__gt=item.meeting.starts_at)
            .filter(status__in=[Meeting.Status.PLANNED, Meeting.Status.CONVENED])
            .order_by("starts_at")
        )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == AgendaItem.Status.DEFERRED and not cleaned.get("defer_to"):
            self.add_error("defer_to", _("Choose the meeting it is deferred to."))
        if decision == AgendaItem.Status.DECLINED and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Tell the proposer why the item is declined."))
        return cleaned


class AnswerForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Answer"), choices=Attendance.Response.choices, widget=forms.RadioSelect
    )


class AttendanceRowForm(forms.Form):
    """Who came for one member organisation."""

    present = forms.BooleanField(label=_("Present"), required=False)
    attendee = forms.TypedChoiceField(label=_("Person"), coerce=int, required=False, empty_value=None)
    attendee_role = forms.ChoiceField(
        label=_("As"), choices=[("", "—"), *Delegation.Role.choices], required=False
    )
    arrived_at = forms.TimeField(
        label=_("Arrived late at"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    left_at = forms.TimeField(
        label=_("Left early at"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args, membership, people, **kwargs):
        """`people`: the persons who may sit for this organisation (already loaded, so
        that a table of fifty rows costs no query per row)."""
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.people = {person.pk: person for person in people}
        self.fields["attendee"].choices = [
            ("", "—"),
            *((pk, p.display_name) for pk, p in self.people.items()),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("attendee") is not None:
            cleaned["attendee"] = self.people.get(cleaned["attendee"])
        if cleaned.get("present") and not cleaned.get("attendee"):
            self.add_error("attendee", _("Who represented the organisation?"))
        arrived, left = cleaned.get("arrived_at"), cleaned.get("left_at")
        if arrived and left and left <= arrived:
            self.add_error("left_at", _("The departure must come after the arrival."))
        return cleaned


class CalendarFeedForm(forms.ModelForm):
    class Meta:
        model = CalendarFeed
        fields = ["scope", "table"]
        widgets = {"scope": forms.RadioSelect}

    def __init__(self, *args, tables, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["table"].queryset = tables
        self.fields["table"].required = False
        self.fields["table"].label = _("Table")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == CalendarFeed.Scope.TABLE and not cleaned.get("table"):
            self.add_error("table", _("Choose the table."))
        return cleaned


class CommitteeForm(forms.ModelForm):
    class Meta:
        model = Committee
        fields = ["name", "mandate", "members"]
        widgets = {"mandate": forms.Textarea(attrs={"rows": 3}), "members": forms.CheckboxSelectMultiple}

    def __init__(self, *args, table: Table, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.table = table
        self.fields["members"].queryset = table.memberships.active().select_related("organisation")
        self.fields["members"].label_from_instance = lambda membership: membership.organisation.name


def default_start():
    now = timezone.localtime() + timedelta(days=21)
    return now.replace(hour=9, minute=30, second=0, microsecond=0)


__all__ = [
    "AgendaItemForm",
    "AnswerForm",
    "AttendanceRowForm",
    "CalendarFeedForm",
    "CancelForm",
    "CommitteeForm",
    "ConveneForm",
    "DecisionForm",
    "MeetingForm",
    "ProposalForm",
    "default_start",
]
