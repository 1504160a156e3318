"""Filters of the follow-up list and of the resolution register."""

import django_filters
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Organisation

from ..models import FollowUp, Resolution, Table


class FollowUpFilter(django_filters.FilterSet):
    OPEN, OVERDUE, DONE, CANCELLED = "open", "overdue", "done", "cancelled"

    state = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            (OPEN, _("Open")),
            (OVERDUE, _("Overdue")),
            (DONE, _("Done")),
            (CANCELLED, _("Cancelled")),
        ],
        method="filter_state",
        empty_label=_("All"),
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=_("All organisations")
    )
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = FollowUp
        fields = ["state", "organisation", "q"]

    def __init__(self, *args, table: Table, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the table's organisations: another table's id is an invalid choice.
        self.filters["organisation"].queryset = Organisation.objects.filter(
            pk__in=table.memberships.values("organisation_id")
        ).order_by("name")

    def filter_state(self, queryset, name, value):
        if value == self.OVERDUE:
            return queryset.overdue(timezone.localdate())
        return queryset.filter(status=value)

    def search(self, queryset, name, value):
        return queryset.filter(Q(description__icontains=value) | Q(closing_note__icontains=value))


class ResolutionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    year = django_filters.ChoiceFilter(label=_("Year"), method="filter_year", empty_label=_("All years"))
    result = django_filters.ChoiceFilter(
        label=_("Result"), choices=Resolution.Result.choices, empty_label=_("All results")
    )

    class Meta:
        model = Resolution
        fields = ["q", "year", "result"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The years of the register itself, read from the numbers (YYYY-MM-NN).
        years = (
            self.queryset.order_by()
            .annotate(year=Substr("number", 1, 4))
            .values_list("year", flat=True)
            .distinct()
        )
        self.filters["year"].extra["choices"] = [(year, year) for year in sorted(set(years), reverse=True)]

    def filter_year(self, queryset, name, value):
        return queryset.filter(number__startswith=f"{value}-")

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value)
            | Q(text__icontains=value)
            | Q(dissent__icontains=value)
            | Q(meeting__title__icontains=value)
        )
