"""Forms of the regional view: thresholds, network and calendar filters, declared activities."""

from datetime import date, datetime, timedelta

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Organisation, Region, Sector

from ..models import Activity, RegionalSettings, Theme

# Longer than this, an activity is a programme, not an event that can collide with another.
MAX_ACTIVITY_DAYS = 31


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)

    def format_value(self, value):
        # A month typed wrong is not sent back into the field: browsers refuse it there.
        if isinstance(value, str):
            try:
                datetime.strptime(value, "%Y-%m")
            except ValueError:
                return None
        return super().format_value(value)


class RegionalSettingsForm(forms.ModelForm):
    class Meta:
        model = RegionalSettings
        fields = ["max_tables_per_organisation", "max_hours_per_month"]
        help_texts = {
            "max_tables_per_organisation": _(
                "An organisation sitting on more tables of the region is flagged."
            ),
            "max_hours_per_month": _(
                "An organisation spending more estimated hours a month in the region's meetings is flagged."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = {"max_tables_per_organisation": 100, "max_hours_per_month": 300}
        for name, ceiling in limits.items():
            field = self.fields[name]
            field.min_value, field.max_value = 1, ceiling
            field.widget.attrs.update({"min": 1, "max": ceiling})
            field.validators += [MinValueValidator(1), MaxValueValidator(ceiling)]


class NetworkFilterForm(forms.Form):
    theme = forms.ChoiceField(
        label=_("Theme"), required=False, choices=[("", _("All themes")), *Theme.choices]
    )
    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", _("All sectors")), *Sector.choices]
    )


MEETINGS = "meetings"


class CalendarFilterForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All of Québec"),
    )
    kind = forms.ChoiceField(
        label=_("Meetings or activities"),
        required=False,
        choices=[
            ("", _("Meetings and activities")),
            (MEETINGS, _("Tables' meetings")),
            *Activity.Kind.choices,
        ],
    )
    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=MonthInput(),
        error_messages={"invalid": _("Give a month as year and month, for example 2026-03.")},
    )

    def clean_month(self):
        month = self.cleaned_data.get("month")
        if month and not date(2000, 1, 1) <= month <= date(2100, 12, 1):
            raise forms.ValidationError(_("Choose a month between 2000 and 2100."))
        return month

    def first_day(self):
        month = self.cleaned_data.get("month") if self.is_valid() else None
        return (month or timezone.localdate()).replace(day=1)


class ActivityForm(forms.ModelForm):
    """Declare (or correct) an activity for one of the organisations the person acts for."""

    class Meta:
        model = Activity
        fields = [
            "organisation",
            "title",
            "kind",
            "audience",
            "place",
            "starts",
            "ends",
            "region",
            "description",
        ]
        widgets = {
            "starts": DateInput(),
            "ends": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "region": _("The region the activity comes from. Leave empty: the organisation's region."),
        }

    def __init__(self, *args, organisation_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=organisation_ids).order_by(
            "name"
        )
        self.fields["organisation"].help_text = _("Only the organisations you represent.")
        self.fields["region"].required = False
        self.fields["region"].empty_label = _("The organisation's region")
        if len(organisation_ids) == 1 and not self.instance.pk:
            self.fields["organisation"].initial = next(iter(organisation_ids))

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends:
            if ends < starts:
                self.add_error("ends", _("The activity must end on or after the day it starts."))
            elif ends - starts > timedelta(days=MAX_ACTIVITY_DAYS):
                self.add_error(
                    "ends", _("An activity lasts at most %(days)s days.") % {"days": MAX_ACTIVITY_DAYS}
                )
        changed_start = not self.instance.pk or "starts" in self.changed_data
        if starts and changed_start and starts < timezone.localdate():
            self.add_error("starts", _("Declare activities before they happen."))
        organisation = cleaned.get("organisation")
        if organisation and not cleaned.get("region"):
            if organisation.region_id:
                cleaned["region"] = organisation.region
            else:
                self.add_error("region", _("This organisation has no region: choose the activity's region."))
        return cleaned
