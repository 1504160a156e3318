from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Organisation
from members.validators import validate_upload

from ..models import (
    Action,
    ActionCommitment,
    ActionPlan,
    Agreement,
    AgreementObjective,
    Axis,
    Indicator,
    Measurement,
    Objective,
    Resolution,
    Table,
)
from . import DateInput
from .meetings import AttachmentField


def member_organisations(table: Table):
    return Organisation.objects.filter(memberships__in=table.memberships.active()).order_by("name")


class AgreementForm(forms.ModelForm):
    objectives = forms.CharField(
        label=_("Objectives of the agreement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line, starting with its number: “1.1 Attract workers to the regions”."),
    )

    class Meta:
        model = Agreement
        fields = ["name", "kind", "starts", "ends", "envelope", "parties", "description", "signed_document"]
        widgets = {
            "starts": DateInput(),
            "ends": DateInput(),
            "parties": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, table, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.table = table
        self.fields["parties"].queryset = member_organisations(table)
        if self.instance.pk and not self.is_bound:
            self.initial["objectives"] = "\n".join(
                f"{o.code} {o.title}" for o in self.instance.objectives.all()
            )

    def clean_signed_document(self):
        document = self.cleaned_data.get("signed_document")
        if document and not getattr(document, "_committed", True):
            validate_upload(document, allowed=(".pdf",))
        return document

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", _("The agreement must end after it starts."))
        return cleaned

    def parsed_objectives(self):
        rows = []
        for line in (self.cleaned_data.get("objectives") or "").splitlines():
            line = line.strip()
            if line:
                code, _sep, title = line.partition(" ")
                rows.append((code[:20], (title or code)[:255]))
        return rows


class PlanForm(forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = ["title", "starts", "ends", "agreement", "vision"]
        widgets = {"starts": DateInput(), "ends": DateInput(), "vision": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, table, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.table = table
        self.fields["agreement"].queryset = table.agreements.all()

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", _("The plan must end after it starts."))
        return cleaned


class AxisForm(forms.ModelForm):
    class Meta:
        model = Axis
        fields = ["number", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["axis", "number", "title", "description", "origin", "agreement_objective"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "origin": forms.RadioSelect}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["axis"].queryset = plan.axes.all()
        self.fields["agreement_objective"].queryset = AgreementObjective.objects.filter(
            agreement_id=plan.agreement_id
        )


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = [
            "objective",
            "title",
            "description",
            "lead",
            "starts",
            "ends",
            "budget",
            "status",
            "abandon_reason",
        ]
        widgets = {
            "starts": DateInput(),
            "ends": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "abandon_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(axis__plan=plan).select_related("axis")
        self.fields["lead"].queryset = member_organisations(plan.table)
        if plan.is_frozen:
            # Only progress moves once the plan is adopted.
            for name in ("objective", "title", "description", "lead", "starts", "ends", "budget"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", _("The action must end after it starts."))
        if (
            cleaned.get("status") == Action.Status.ABANDONED
            and not (cleaned.get("abandon_reason") or "").strip()
        ):
            self.add_error("abandon_reason", _("Say why the action is abandoned."))
        return cleaned


class ActionProposalForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["objective", "title", "description", "starts", "ends"]
        widgets = {
            "starts": DateInput(),
            "ends": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(axis__plan=plan).select_related("axis")


class ActionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (Action.State.ACCEPTED, _("Keep it in the plan")),
            (Action.State.MERGED, _("Merge it into a similar action")),
            (Action.State.WITHDRAWN, _("Withdraw it")),
        ],
    )
    merge_into = forms.ModelChoiceField(
        label=_("Similar action"), queryset=Action.objects.none(), required=False
    )

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merge_into"].queryset = (
            Action.objects.in_plan()
            .filter(objective__axis__plan_id=action.objective.axis.plan_id)
            .exclude(pk=action.pk)
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Action.State.MERGED and not cleaned.get("merge_into"):
            self.add_error("merge_into", _("Choose the action it duplicates."))
        return cleaned


class CommitmentForm(forms.ModelForm):
    class Meta:
        model = ActionCommitment
        fields = ["role", "level", "resources", "note"]
        widgets = {"role": forms.RadioSelect, "level": forms.RadioSelect}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == ActionCommitment.Role.PARTNER and not cleaned.get("level"):
            self.add_error("level", _("Say how much the organisation commits."))
        return cleaned


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ProgressForm(forms.Form):
    text = forms.CharField(
        label=_("What moved since the last report"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    attachment = AttachmentField()


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["kind", "name", "unit", "baseline", "target"]
        widgets = {"kind": forms.RadioSelect}


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["measured_on", "value", "source", "note"]
        widgets = {"measured_on": DateInput()}


class AdoptForm(forms.Form):
    resolution = forms.ModelChoiceField(
        label=_("Resolution that adopted this version"),
        queryset=Resolution.objects.none(),
        help_text=_(
            "Record the resolution in the minutes of the meeting first (an item of kind “decision”)."
        ),
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = (
            Resolution.objects.filter(
                table_id=plan.table_id, adopts_plan__isnull=True, adopts_minutes__isnull=True
            )
            .exclude(result=Resolution.Result.REJECTED)
            .select_related("meeting")
            .order_by("-number")
        )
        self.fields["resolution"].label_from_instance = lambda r: f"{r.number} – {r.text[:90]}"


class PlanFilterForm(forms.Form):
    axis = forms.ModelChoiceField(
        label=_("Axis"), queryset=Axis.objects.none(), required=False, empty_label=_("All axes")
    )
    lead = forms.ModelChoiceField(
        label=_("Lead organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Any lead"),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Action.Status.choices], required=False
    )
    late = forms.BooleanField(label=_("Late only"), required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["axis"].queryset = plan.axes.all()
        self.fields["lead"].queryset = member_organisations(plan.table)

    def filters(self):
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "axis": data["axis"].pk if data.get("axis") else None,
            "lead": data["lead"].pk if data.get("lead") else None,
            "status": data.get("status"),
            "late": data.get("late"),
        }
