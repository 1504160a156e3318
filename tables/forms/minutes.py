"""Forms of the minutes pages. Choice lists are limited to the meeting and its table, so
that an id from another table is refused like any unknown choice."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Organisation, User

from ..models import FollowUp, Meeting, Membership, Minutes, Resolution
from ..services.minutes import HEADER_FIELDS
from . import DateInput

NOTE_MAX = 20_000
TEXT_MAX = 10_000
COMMENT_MAX = 5_000


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: under the field it names when the
    form has that field, at the top otherwise."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def item_choices(items) -> list[tuple[int, str]]:
    """(pk, "2.1 Title") for items numbered by `number_items`."""
    return [(item.pk, f"{item.number}. {item.display_title}") for item in items]


class NumberedItemField(forms.ModelChoiceField):
    """An agenda item of one meeting, labelled with its agenda number."""

    def __init__(self, *, meeting: Meeting, numbers: dict[int, str], **kwargs):
        self.numbers = numbers
        super().__init__(queryset=meeting.items.retained().order_by("position", "pk"), **kwargs)

    def label_from_instance(self, obj):
        number = self.numbers.get(obj.pk)
        return f"{number}. {obj.display_title}" if number else obj.display_title


class MembershipField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.organisation.name


class MembershipsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.organisation.name


class MinutesChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj.meeting)


class VersionField(forms.IntegerField):
    """The version the editor was opened on, sent back to detect a concurrent save."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)


class InitialInput(forms.HiddenInput):
    """The hidden "initial-…" input of a field: the help and errors the field points to
    with aria-* attributes belong to its visible input, not to this one."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["attrs"] = {key: v for key, v in widget["attrs"].items() if not key.startswith("aria-")}
        return context


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    version = VersionField()


class MinutesHeaderForm(forms.Form):
    chair = forms.ModelChoiceField(
        label=_("Chaired by"), queryset=User.objects.none(), required=False, empty_label=_("Not recorded")
    )
    opened_at = forms.TimeField(label=_("Opened at"), required=False, widget=TimeInput())
    closed_at = forms.TimeField(label=_("Closed at"), required=False, widget=TimeInput())
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: who chaired, who took the minutes, guests."),
    )
    notice_waived = forms.BooleanField(
        label=_("The members present waive the notice of convocation"),
        required=False,
        help_text=_(
            "Only when the convocation went out later than the rules require, or not at all: "
            "the meeting can then sit and decide, and the minutes say so."
        ),
    )
    version = VersionField()

    def __init__(self, *args, meeting: Meeting, **kwargs):
        kwargs.setdefault("auto_id", "minutes-%s")
        super().__init__(*args, **kwargs)
        # Every field carries the value it was opened on ("initial-…"): a save then writes
        # only the fields the person changed, so that two people editing different fields
        # of the opening at once both keep theirs (see `changed_fields`).
        for name in HEADER_FIELDS:
            self.fields[name].show_hidden_initial = True
            self.fields[name].hidden_widget = InitialInput
        # The chair is someone who was there: a person recorded as present, a coordinator
        # of the table, or the secretary.
        self.fields["chair"].queryset = User.objects.filter(
            Q(attendances__meeting=meeting, attendances__present=True)
            | Q(coordinator_roles__table_id=meeting.table_id)
            | Q(pk=meeting.secretary_id)
        ).distinct()

    def clean(self):
        data = super().clean()
        opened, closed = data.get("opened_at"), data.get("closed_at")
        if opened and closed and closed <= opened:
            self.add_error("closed_at", _("The meeting must close after it opens."))
        return data

    def changed_fields(self) -> list[str]:
        """The fields of the opening the person changed since the editor was opened. A
        form sent without the values it was opened on (an older page, a script) changes
        every field it carries, as it always did."""
        changed = set(self.changed_data)
        return [
            name for name in HEADER_FIELDS if name in changed or self[name].html_initial_name not in self.data
        ]

    def base_value(self, name: str):
        """The value a field had when the editor was opened, as the database holds it."""
        field = self.fields[name]
        raw = self.data.get(self[name].html_initial_name)
        try:
            value = field.to_python(raw)
        except ValidationError:
            return None
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value

    def initial_text(self, name: str, value) -> str:
        """`value` as the field's "initial-…" input carries it."""
        prepared = self.fields[name].prepare_value(value)
        return "" if prepared is None else str(prepared)


class ResolutionForm(forms.ModelForm):
    text = forms.CharField(
        label=_("Text of the resolution"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    dissent = forms.CharField(
        label=_("Dissent recorded"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("When an organisation asks that its dissent be recorded: who, and why."),
    )

    class Meta:
        model = Resolution
        fields = [
            "item",
            "text",
            "mode",
            "result",
            "votes_for",
            "votes_against",
            "abstentions",
            "proposed_by",
            "seconded_by",
            "dissenting",
            "dissent",
            "adopts_minutes",
            "corrects",
            "departs_from_rules",
        ]
        widgets = {"mode": forms.RadioSelect, "result": forms.RadioSelect}
        labels = {"departs_from_rules": _("The meeting decided in another mode than the rules provide")}
        help_texts = {"abstentions": _("Abstentions are not votes cast.")}

    def __init__(self, *args, meeting: Meeting, numbers: dict[int, str], majority_percent: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        # The model's own checks (votes against the majority) run on this instance.
        self.instance.table_id = meeting.table_id
        self.instance.meeting = meeting
        if self.instance.pk is None:
            self.instance.majority_percent = majority_percent
        present = (
            Membership.objects.filter(
                table_id=meeting.table_id, attendances__meeting=meeting, attendances__present=True
            )
            .select_related("organisation")
            .order_by("organisation__name")
        )
        self.fields["item"] = NumberedItemField(
            meeting=meeting,
            numbers=numbers,
            label=_("Agenda item"),
            required=False,
            empty_label=_("No particular item"),
        )
        # Radio buttons without the empty "---------" choice: a resolution has both.
        self.fields["mode"].choices = [
            c for c in Resolution.Mode.choices if c[0] != Resolution.Mode.ELECTRONIC
        ]
        self.fields["result"].choices = Resolution.Result.choices
        proposer_help = _("Organisations recorded as present at the meeting.")
        self.fields["proposed_by"] = MembershipField(
            queryset=present, label=_("Proposed by"), required=False, help_text=proposer_help
        )
        self.fields["seconded_by"] = MembershipField(
            queryset=present, label=_("Seconded by"), required=False, help_text=proposer_help
        )
        self.fields["dissenting"] = MembershipsField(
            queryset=present,
            label=_("Dissenting organisations"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        earlier = Minutes.objects.filter(
            meeting__table_id=meeting.table_id, meeting__starts_at__lt=meeting.starts_at
        ).select_related("meeting")
        adoptable = Q(status__in=[Minutes.Status.DRAFT, Minutes.Status.CIRCULATED])
        if self.instance.pk:
            adoptable |= Q(adopted_by=self.instance)
        self.fields["adopts_minutes"] = MinutesChoiceField(
            queryset=earlier.filter(adoptable).order_by("-meeting__starts_at"),
            label=_("Adopts the minutes of"),
            required=False,
            empty_label=_("No minutes"),
            help_text=_("When adopted, these minutes are locked and their meeting is closed."),
        )
        self.fields["corrects"] = MinutesChoiceField(
            queryset=Minutes.objects.filter(meeting__table_id=meeting.table_id, status=Minutes.Status.ADOPTED)
            .select_related("meeting")
            .order_by("-meeting__starts_at"),
            label=_("Corrects the adopted minutes of"),
            required=False,
            empty_label=_("No minutes"),
        )


class CommentForm(forms.Form):
    """A member's comment on the circulated draft. The choices are plain lists computed
    once per page, so that a form under every item costs no query."""

    organisation = forms.TypedChoiceField(label=_("For the organisation"), coerce=int)
    item = forms.TypedChoiceField(label=_("On the item"), coerce=int, required=False, empty_value=None)
    text = forms.CharField(
        label=_("Comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organisations: list[Organisation], items: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {organisation.pk: organisation for organisation in organisations}
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
        self.fields["item"].choices = [("", _("The minutes as a whole")), *items]
        if len(organisations) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = organisations[0].pk

    def clean_organisation(self):
        return self.organisations[self.cleaned_data["organisation"]]


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Answer"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(forms.ModelForm):
    description = forms.CharField(
        label=_("What"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    closing_note = forms.CharField(
        label=_("Note"), required=False, max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = FollowUp
        fields = ["description", "organisation", "due", "item", "resolution", "status", "closing_note"]
        widgets = {
            "due": DateInput(),
            "status": forms.RadioSelect,
        }

    def __init__(self, *args, meeting: Meeting, numbers: dict[int, str], frozen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # The service checks that the organisation sat at the table on the meeting's day.
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=Membership.objects.filter(table_id=meeting.table_id).values("organisation_id")
        ).order_by("name")
        self.fields["organisation"].required = True
        self.fields["item"] = NumberedItemField(
            meeting=meeting,
            numbers=numbers,
            label=_("Agenda item"),
            required=False,
            empty_label=_("No particular item"),
        )
        self.fields["resolution"].queryset = meeting.resolutions.order_by("number")
        self.fields["resolution"].empty_label = _("No resolution")
        if self.instance.pk is None:
            del self.fields["status"]
            del self.fields["closing_note"]
        if frozen:
            # Adopted minutes fix what was committed to; only the follow-through changes.
            for name in ("description", "organisation", "item", "resolution"):
                self.fields[name].disabled = True


class FollowUpCompleteForm(forms.Form):
    note = forms.CharField(
        label=_("What was done (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
