from django import forms
from django.utils.translation import gettext_lazy as _

from ..assessment import LABELS, SCALE
from ..indicators import QUESTIONS
from ..models import Bilan, SelfAssessment
from . import DateInput


class BilanForm(forms.ModelForm):
    class Meta:
        model = Bilan
        fields = ["title", "starts", "ends", "agreement", "highlights", "challenges"]
        widgets = {
            "starts": DateInput(),
            "ends": DateInput(),
            "highlights": forms.Textarea(attrs={"rows": 6}),
            "challenges": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, table, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.table = table
        self.fields["agreement"].queryset = table.agreements.all()

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", _("The period must end after it starts."))
        return cleaned


class SelfAssessmentForm(forms.ModelForm):
    class Meta:
        model = SelfAssessment
        fields = ["year", "opens", "closes", "introduction"]
        widgets = {
            "opens": DateInput(),
            "closes": DateInput(),
            "introduction": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, table, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.table = table

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if opens and closes and closes < opens:
            self.add_error("closes", _("The self-assessment must close after it opens."))
        return cleaned


class AnswerForm(forms.Form):
    """One radio group per condition, on a scale of 1 to 5."""

    comment = forms.CharField(
        label=_("Anything to add? (optional, anonymous)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in reversed(QUESTIONS):
            self.fields = {
                code: forms.TypedChoiceField(
                    label=LABELS[code], choices=SCALE, coerce=int, widget=forms.RadioSelect
                ),
                **self.fields,
            }

    def scores(self):
        return {code: self.cleaned_data[code] for code in QUESTIONS}
