"""Forms of the funding pages. Choice lists are limited to the call (its table's
resolutions, its applications' reports, its candidates as reviewers), so that an id of
another call is refused like any unknown choice."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from members.formatting import money
from members.models import Region, Sector, User
from projects.forms import (
    MONEY_MAX,
    TEXT_MAX,
    ObjectiveChoiceField,
    VersionField,
    money_field,
    plan_objectives,
)
from tables.forms import DateInput
from tables.forms.meetings import DateTimeInput
from tables.models import Resolution

from .models import SCORE_MAX, CallFunder, Criterion, Funder, FundingCall, RequiredDocument, Status


class CallForm(forms.ModelForm):
    class Meta:
        model = FundingCall
        fields = [
            "title",
            "description",
            "envelope",
            "opens_at",
            "closes_at",
            "regions",
            "objectives",
            "min_partners",
            "min_sectors",
            "max_applications_per_lead",
            "max_request",
            "max_request_share",
            "partners_must_be_members",
            "decision_by_resolution",
            "results_public",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "opens_at": DateTimeInput(),
            "closes_at": DateTimeInput(),
            "regions": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, table, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.table = table
        self.fields["description"].validators.append(MaxLengthValidator(TEXT_MAX))
        self.fields["description"].widget.attrs["maxlength"] = TEXT_MAX
        for name in ("envelope", "max_request"):
            self.fields[name].validators.append(MaxValueValidator(MONEY_MAX))
        self.fields["regions"].queryset = Region.objects.all()
        objectives = plan_objectives(table)
        self.fields["objectives"] = ObjectiveChoiceField(
            queryset=objectives,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=_("Action-plan objectives a project must serve"),
            help_text=_("A project must serve at least one of them. Leave empty for none."),
            initial=self.initial.get("objectives"),
        )
        if not objectives.exists():
            del self.fields["objectives"]

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The call must close after it opens."))
        return cleaned


class FunderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.organisation.name


class ShareForm(forms.Form):
    funder = FunderChoiceField(
        queryset=Funder.objects.select_related("organisation").order_by("organisation__name"),
        label=_("Funder"),
        required=False,
    )
    amount = money_field(_("Share of the envelope ($)"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("funder") and not cleaned.get("amount"):
            self.add_error("amount", _("Enter the funder's share."))
        if cleaned.get("amount") and not cleaned.get("funder"):
            self.add_error("funder", _("Choose the funder."))
        return cleaned


class BaseShareFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        funders = [f.cleaned_data["funder"].pk for f in self.forms if f.cleaned_data.get("funder")]
        if len(funders) != len(set(funders)):
            raise ValidationError(_("Each funder appears once."))

    def shares(self):
        return [
            (f.cleaned_data["funder"], f.cleaned_data["amount"])
            for f in self.forms
            if f.cleaned_data.get("funder")
        ]


ShareFormSet = forms.formset_factory(
    ShareForm, formset=BaseShareFormSet, extra=2, max_num=10, validate_max=True
)


class RowsFormSet(forms.BaseFormSet):
    """Rows of a call (criteria, documents) keyed by their id; an id that is not one of
    this call's rows is refused."""

    def __init__(self, *args, allowed_ids=(), **kwargs):
        self.allowed_ids = set(allowed_ids)
        super().__init__(*args, **kwargs)

    def clean(self):
        if any(self.errors):
            return
        for form in self.forms:
            pk = form.cleaned_data.get("id")
            if pk and pk not in self.allowed_ids:
                raise ValidationError(_("This line belongs to another call."))

    def rows(self):
        return [
            form.cleaned_data
            for form in self.forms
            # untouched extra forms have no cleaned data
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


class CriterionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Criterion"), max_length=200)
    guidance = forms.CharField(
        label=_("Guidance for reviewers"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    weight = forms.IntegerField(label=_("Weight (points)"), min_value=1, max_value=100)


CriterionFormSet = forms.formset_factory(
    CriterionForm, formset=RowsFormSet, extra=1, can_delete=True, max_num=20, validate_max=True
)


class DocumentForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Document"), max_length=200)
    description = forms.CharField(label=_("What it must contain"), max_length=500, required=False)
    mandatory = forms.BooleanField(label=_("Required for submission"), required=False, initial=True)
    from_each_partner = forms.BooleanField(
        label=_("One from each partner"),
        required=False,
        help_text=_("A letter of support, say: each confirmed partner uploads its own, when it confirms."),
    )


DocumentFormSet = forms.formset_factory(
    DocumentForm, formset=RowsFormSet, extra=1, can_delete=True, max_num=20, validate_max=True
)


def criterion_initial(call) -> list[dict]:
    return [
        {"id": c.pk, "title": c.title, "guidance": c.guidance, "weight": c.weight}
        for c in Criterion.objects.filter(call=call)
    ]


def document_initial(call) -> list[dict]:
    return [
        {
            "id": d.pk,
            "name": d.name,
            "description": d.description,
            "mandatory": d.mandatory,
            "from_each_partner": d.from_each_partner,
        }
        for d in RequiredDocument.objects.filter(call=call)
    ]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} <{obj.email}>"


class ReviewerForm(forms.Form):
    person = PersonChoiceField(queryset=User.objects.none(), label=_("Person"))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = candidates.order_by("last_name", "first_name")


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolutionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} – {obj.text[:90]}"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("fund", _("Fund")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    amount = money_field(_("Amount awarded ($)"))
    conditions = forms.CharField(
        label=_("Conditions"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        label=_("Reasons"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a refusal: the applicants read them."),
    )
    resolution = ResolutionChoiceField(
        queryset=Resolution.objects.none(), required=False, label=_("Resolution of the table")
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = (
            Resolution.objects.filter(table_id=call.table_id)
            .exclude(result=Resolution.Result.REJECTED)
            .order_by("-number")
        )
        self.fields["resolution"].required = call.decision_by_resolution

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "fund" and not cleaned.get("amount"):
            self.add_error("amount", _("Enter the amount awarded."))
        if cleaned.get("decision") == "refuse" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Give the reasons of the refusal: the applicants read them."))
        return cleaned


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you, your organisation or a close relation have an interest in this project?"),
        choices=[
            ("no", _("No, I have no conflict of interest")),
            ("yes", _("Yes, I have a conflict of interest")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=_("If yes, what is it?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("has_conflict") and not (cleaned.get("details") or "").strip():
            self.add_error("details", _("Say briefly what the conflict is (a link, an interest)."))
        return cleaned


SCORE_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(SCORE_MAX + 1)]


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The applicants read the comments after the decision, without your name."),
    )
    version = VersionField()

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("%(criterion)s: score (0 to %(max)s)")
                % {"criterion": criterion.title, "max": SCORE_MAX},
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                help_text=criterion.guidance,
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": criterion.title},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.order_fields(
            [name for c in self.criteria for name in (f"score_{c.pk}", f"note_{c.pk}")]
            + ["comment", "version"]
        )

    def scores(self) -> dict:
        return {
            c.pk: (self.cleaned_data.get(f"score_{c.pk}"), self.cleaned_data.get(f"note_{c.pk}", ""))
            for c in self.criteria
        }


class TrancheForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput)
    amount = money_field(_("Amount ($)"), required=True)
    planned_on = forms.DateField(label=_("Planned"), widget=DateInput())
    report = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Released once this report is accepted")
    )

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = reports


class BaseTrancheFormSet(forms.BaseFormSet):
    def __init__(self, *args, reports, **kwargs):
        self.reports = reports
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "reports": self.reports}


TrancheFormSet = forms.formset_factory(TrancheForm, formset=BaseTrancheFormSet, extra=0, max_num=12)


class ReportForm(forms.Form):
    summary = forms.CharField(
        label=_("What was done"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    results = forms.CharField(
        label=_("Results for the people reached"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    collaboration = forms.CharField(
        label=_("How the partnership worked"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Participation of the partners, decisions taken together, difficulties met."),
    )
    next_steps = forms.CharField(
        label=_("Next steps"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = VersionField()

    def __init__(self, *args, indicators, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        self.partnerships = list(partnerships)
        for indicator in self.indicators:
            target = (
                f" ({_('target')}: {indicator.target} {indicator.unit})"
                if indicator.target is not None
                else ""
            )
            self.fields[f"value_{indicator.pk}"] = forms.DecimalField(
                label=f"{indicator.name}{target}",
                required=False,
                max_digits=14,
                decimal_places=2,
                max_value=MONEY_MAX,
            )
            self.fields[f"comment_{indicator.pk}"] = forms.CharField(
                label=_("Comment on this indicator"), required=False, max_length=500
            )
        for partnership in self.partnerships:
            name = partnership.organisation.short_name
            self.fields[f"cash_{partnership.pk}"] = money_field(
                _("%(organisation)s: cash delivered ($)") % {"organisation": name},
                help_text=_("Confirmed: %(amount)s") % {"amount": money(partnership.cash, 2)},
            )
            self.fields[f"in_kind_{partnership.pk}"] = money_field(
                _("%(organisation)s: in kind delivered ($)") % {"organisation": name},
                help_text=_("Confirmed: %(amount)s") % {"amount": money(partnership.in_kind, 2)},
            )
            self.fields[f"delivery_{partnership.pk}"] = forms.CharField(
                label=_("%(organisation)s: note") % {"organisation": name}, required=False, max_length=500
            )
            self.fields[f"reason_{partnership.pk}"] = contribution_reason_field(name)

    def indicator_values(self) -> dict:
        return {
            i.pk: (self.cleaned_data.get(f"value_{i.pk}"), self.cleaned_data.get(f"comment_{i.pk}", ""))
            for i in self.indicators
        }

    def contributions(self) -> dict:
        return {
            p.pk: (
                self.cleaned_data.get(f"cash_{p.pk}"),
                self.cleaned_data.get(f"in_kind_{p.pk}"),
                self.cleaned_data.get(f"delivery_{p.pk}", ""),
                self.cleaned_data.get(f"reason_{p.pk}", ""),
            )
            for p in self.partnerships
        }


def contribution_reason_field(organisation_name: str) -> forms.CharField:
    return forms.CharField(
        label=_("%(organisation)s: why it is far above the commitment") % {"organisation": organisation_name},
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required when the figure is well above what the partner confirmed; the funder reads it."
        ),
    )


class ContributionConfirmForm(forms.Form):
    """A partner organisation's own figures for a report: what it actually provided."""

    cash = forms.DecimalField(
        label=_("Cash provided ($)"), min_value=0, max_value=MONEY_MAX, max_digits=12, decimal_places=2
    )
    in_kind = forms.DecimalField(
        label=_("In kind provided, valued ($)"),
        min_value=0,
        max_value=MONEY_MAX,
        max_digits=12,
        decimal_places=2,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    reason = forms.CharField(
        label=_("Why it is far above the commitment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required when the figure is well above what your organisation confirmed; the funder reads it."
        ),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))


CALL_CHOICES = 60


class DashboardFilterForm(forms.Form):
    call = forms.ModelChoiceField(queryset=FundingCall.objects.none(), required=False, label=_("Call"))
    funder = FunderChoiceField(queryset=Funder.objects.none(), required=False, label=_("Funder"))
    region = forms.ModelChoiceField(queryset=Region.objects.all(), required=False, label=_("Region served"))
    sector = forms.ChoiceField(
        choices=[("", _("All sectors")), *Sector.choices], required=False, label=_("Sector")
    )

    def __init__(self, *args, calls, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = calls.order_by("-opens_at")
        self.fields["call"].empty_label = _("All calls")
        # Every call of a large network would be thousands of options: the list offers the
        # most recent and the chosen one, while any call in scope is accepted.
        offered = list(calls.order_by("-opens_at", "-pk")[:CALL_CHOICES])
        chosen = str(self.data.get("call", "")) if self.is_bound else ""
        if chosen.isdigit() and int(chosen) not in {call.pk for call in offered}:
            offered += list(calls.filter(pk=int(chosen)))
        self.fields["call"].widget.choices = [("", _("All calls"))] + [
            (call.pk, str(call)) for call in offered
        ]
        # EXISTS rather than a join and DISTINCT, which sorted every share of every call.
        shares = CallFunder.objects.filter(funder=OuterRef("pk"), call__in=calls)
        self.fields["funder"].queryset = Funder.objects.filter(Exists(shares)).select_related("organisation")
        self.fields["funder"].empty_label = _("All funders")
        self.fields["region"].empty_label = _("All regions")


# Review assignments (funding/assignments.py) -------------------------------------------------


class ReviewDueForm(forms.Form):
    due_on = forms.DateField(
        label=_("Reviews due by default"),
        required=False,
        widget=DateInput(),
        help_text=_("New assignments get this date unless you give another."),
    )


class ApplicationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.project.title} – {obj.project.lead.short_name}"


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.person.display_name


class AssignmentForm(forms.Form):
    application = ApplicationChoiceField(queryset=FundingCall.objects.none(), label=_("Application"))
    reviewer = ReviewerChoiceField(queryset=FundingCall.objects.none(), label=_("Reviewer"))
    due_on = forms.DateField(
        label=_("Due by"), required=False, widget=DateInput(), help_text=_("Empty: the call's default date.")
    )

    def __init__(self, *args, applications, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications
        self.fields["reviewer"].queryset = reviewers


class BalanceForm(forms.Form):
    per_application = forms.IntegerField(
        label=_("Reviewers per application"), min_value=1, max_value=6, initial=2
    )
    due_on = forms.DateField(
        label=_("Due by"), required=False, widget=DateInput(), help_text=_("Empty: the call's default date.")
    )
