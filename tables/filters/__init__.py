import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from members.models import Region, Sector

from ..models import Membership, Table, Theme


class TableFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), empty_label=_("All regions")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Table.Kind.choices, empty_label=_("All kinds")
    )
    theme = django_filters.ChoiceFilter(label=_("Theme"), choices=Theme.choices, empty_label=_("All themes"))
    sector = django_filters.ChoiceFilter(
        label=_("Sector present"),
        choices=Sector.choices,
        method="sector_present",
        empty_label=_("Any sector"),
    )

    class Meta:
        model = Table
        fields = ["q", "region", "kind", "theme", "sector"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(acronym__icontains=value) | Q(territory__icontains=value)
        )

    def sector_present(self, queryset, name, value):
        members = Membership.objects.active().filter(table=OuterRef("pk"), organisation__sector=value)
        return queryset.filter(Exists(members))
