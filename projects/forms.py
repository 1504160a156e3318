"""Forms of the project workspace. Every choice list is limited to the project (its lead
and partners, its call's documents), so that an id from another project is refused like
any unknown choice."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from members.models import Organisation, Region, User
from members.validators import validate_upload
from tables.forms import DateInput
from tables.models import ActionPlan, Membership, Objective

from .models import BudgetLine, Collaborator, Partnership, Project, ProjectIndicator

TEXT_MAX = 10_000
COMMENT_MAX = 5_000
MONEY_MAX = Decimal("99999999.99")


def money_field(label, *, required=False, help_text=""):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_value=MONEY_MAX,
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class VersionField(forms.IntegerField):
    """The version the form was opened on, sent back to detect a concurrent save."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.acronym})" if obj.acronym else obj.name


def plan_objectives(table):
    """The objectives of the table's adopted (or running) action plans."""
    return (
        Objective.objects.filter(
            axis__plan__table=table,
            axis__plan__status__in=[ActionPlan.Status.ADOPTED, ActionPlan.Status.IN_PROGRESS],
        )
        .select_related("axis")
        .order_by("axis__number", "number")
    )


class ObjectiveChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} {obj.title}"


class ProjectStartForm(forms.Form):
    lead = OrganisationChoiceField(queryset=Organisation.objects.none(), label=_("Lead organisation"))
    title = forms.CharField(label=_("Title of the project"), max_length=200)

    def __init__(self, *args, lead_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = Organisation.objects.filter(pk__in=lead_ids).order_by("name")
        if len(lead_ids) == 1:
            self.fields["lead"].initial = next(iter(lead_ids))
            self.fields["lead"].widget = forms.HiddenInput()


class ProjectForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Project
        fields = [
            "title",
            "summary",
            "needs",
            "target_population",
            "territory",
            "regions",
            "objectives",
            "starts",
            "ends",
            "activities",
            "deliverables",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "needs": forms.Textarea(attrs={"rows": 4}),
            "target_population": forms.Textarea(attrs={"rows": 3}),
            "activities": forms.Textarea(attrs={"rows": 6}),
            "deliverables": forms.Textarea(attrs={"rows": 4}),
            "regions": forms.CheckboxSelectMultiple,
            "starts": DateInput(),
            "ends": DateInput(),
        }

    def __init__(self, *args, call=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("summary", "needs", "target_population", "activities", "deliverables"):
            self.fields[name].validators.append(MaxLengthValidator(TEXT_MAX))
            self.fields[name].widget.attrs["maxlength"] = TEXT_MAX
        regions = Region.objects.all()
        objectives = plan_objectives(self.instance.table)
        if call is not None:
            eligible = list(call.regions.all())
            if eligible:
                regions = regions.filter(pk__in=[r.pk for r in eligible])
            wanted = list(call.objectives.all())
            if wanted:
                objectives = Objective.objects.filter(pk__in=[o.pk for o in wanted]).order_by(
                    "axis__number", "number"
                )
        self.fields["regions"].queryset = regions
        self.fields["objectives"] = ObjectiveChoiceField(
            queryset=objectives,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=_("Action-plan objectives served"),
            initial=self.initial.get("objectives"),
        )
        if not objectives.exists():
            del self.fields["objectives"]

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", _("The project must end after it starts."))
        return cleaned


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = ProjectIndicator
        fields = ["kind", "name", "unit", "target"]
        widgets = {"kind": forms.RadioSelect}
        help_texts = {
            "kind": _("Result: what changes for people. Process: how well the partners work together."),
            "name": _(
                "For example: people who found a job in their field; partners at each committee meeting."
            ),
        }


def _terms_fields(form):
    form.fields["role"] = forms.CharField(
        label=_("Role in the project"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    form.fields["cash"] = money_field(_("Cash contribution ($)"))
    form.fields["in_kind"] = money_field(
        _("In-kind contribution, valued ($)"),
        help_text=_("Staff time, premises, equipment… valued in dollars."),
    )
    form.fields["in_kind_description"] = forms.CharField(
        label=_("What the in-kind contribution is"), max_length=500, required=False
    )


class TermsMixin:
    def clean(self):
        cleaned = super().clean()
        for name in ("cash", "in_kind"):
            if cleaned.get(name) is None and name in self.fields:
                cleaned[name] = Decimal("0")
        if cleaned.get("in_kind") and not (cleaned.get("in_kind_description") or "").strip():
            self.add_error(
                "in_kind_description",
                _("Say what the in-kind contribution is, so that its value can be checked."),
            )
        return cleaned


class PartnerInviteForm(TermsMixin, forms.Form):
    organisation = OrganisationChoiceField(queryset=Organisation.objects.none(), label=_("Organisation"))
    message = forms.CharField(
        label=_("Message to the partner"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, project, call, **kwargs):
        super().__init__(*args, **kwargs)
        taken = Partnership.objects.filter(project=project).values("organisation")
        queryset = Organisation.objects.exclude(pk=project.lead_id).exclude(pk__in=taken)
        if call is None or call.partners_must_be_members:
            queryset = queryset.filter(
                pk__in=Membership.objects.active().filter(table_id=project.table_id).values("organisation")
            )
        self.fields["organisation"].queryset = queryset.order_by("name")
        _terms_fields(self)
        self.fields["role"].help_text = _("What you propose; the partner confirms or changes it.")
        self.order_fields(["organisation", "role", "cash", "in_kind", "in_kind_description", "message"])


class PartnerTermsForm(TermsMixin, forms.Form):
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _terms_fields(self)
        self.order_fields(["role", "cash", "in_kind", "in_kind_description", "version"])


class PartnerAnswerForm(TermsMixin, forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            ("confirm", _("We take part, with this role and contribution")),
            ("decline", _("We decline")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the lead"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = VersionField()

    def __init__(self, *args, letter_document=None, has_letter=False, **kwargs):
        super().__init__(*args, **kwargs)
        _terms_fields(self)
        if letter_document is not None:
            self.fields["letter"] = forms.FileField(
                label=_("Your organisation's %(document)s") % {"document": letter_document.name},
                required=False,
                help_text=(
                    _(
                        "Already received: a new file replaces it. "
                        "PDF, Word, OpenDocument or image, 10 MB at most."
                    )
                    if has_letter
                    else _("PDF, Word, OpenDocument or image, 10 MB at most.")
                ),
            )
        self.order_fields(
            ["answer", "role", "cash", "in_kind", "in_kind_description", "letter", "note", "version"]
        )

    def clean_letter(self):
        upload = self.cleaned_data.get("letter")
        if upload:
            validate_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == "decline":
            # Declining commits nothing: the terms do not matter.
            self.errors.pop("in_kind_description", None)
        return cleaned


class BudgetLineForm(forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = BudgetLine
        fields = ["organisation", "category", "description", "source", "nature", "other_source", "amount"]
        widgets = {"source": forms.RadioSelect, "nature": forms.RadioSelect}
        field_classes = {"organisation": OrganisationChoiceField}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        involved = Partnership.objects.involved().filter(project=project).values("organisation")
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[project.lead_id]
        ) | Organisation.objects.filter(pk__in=involved)
        self.fields["organisation"].empty_label = None
        self.fields["amount"].validators.append(MinValueValidator(Decimal("0.01")))
        self.fields["amount"].validators.append(MaxValueValidator(MONEY_MAX))
        self.fields["amount"].widget.attrs.update({"step": "0.01", "inputmode": "decimal"})

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("source") == BudgetLine.Source.REQUESTED
            and cleaned.get("nature") == BudgetLine.Nature.IN_KIND
        ):
            self.add_error("nature", _("What is requested from the call is paid in cash."))
        if (
            cleaned.get("source") == BudgetLine.Source.OTHER
            and not (cleaned.get("other_source") or "").strip()
        ):
            self.add_error("other_source", _("Name the other source."))
        return cleaned


class CollaboratorForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person"))
    right = forms.ChoiceField(label=_("Right"), choices=Collaborator.Right.choices, widget=forms.RadioSelect)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        person = User.objects.filter(email=email, is_active=True).first()
        if person is None:
            raise forms.ValidationError(
                _("Nobody has an account with this address. Ask the person to sign up first.")
            )
        self.cleaned_data["person"] = person
        return email


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, Word, Excel, OpenDocument or image, 10 MB at most.")
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    required_document = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Answers the call's requirement")
    )
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(), required=False, label=_("From the organisation")
    )

    def __init__(self, *args, project, call, organisation_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        from funding.models import RequiredDocument

        self.fields["required_document"].queryset = (
            RequiredDocument.objects.filter(call=call) if call else RequiredDocument.objects.none()
        )
        # Only the organisations the person speaks for: nobody attaches a document "from"
        # another organisation (a partner's letter of support comes from the partner).
        involved = Partnership.objects.involved().filter(project=project).values("organisation")
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[project.lead_id]
        ) | Organisation.objects.filter(pk__in=involved)
        self.fields["organisation"].queryset = self.fields["organisation"].queryset.filter(
            pk__in=list(organisation_ids)
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload)
        return upload
