import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from .models import ActorType, Organisation, Region, Sector


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    sector = django_filters.ChoiceFilter(
        label=_("Sector"), choices=Sector.choices, empty_label=_("All sectors")
    )
    actor_type = django_filters.ChoiceFilter(
        label=_("Actor type"), choices=ActorType.choices, empty_label=_("All actor types")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), empty_label=_("All regions")
    )
    table = django_filters.ModelChoiceFilter(
        label=_("Sits at"), method="sits_at", queryset=None, empty_label=_("Any table")
    )

    class Meta:
        model = Organisation
        fields = ["q", "sector", "actor_type", "region", "table"]

    def __init__(self, *args, tables=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only tables the visitor may see can be used to filter, so that the filter
        # cannot reveal who sits at a private table.
        self.filters["table"].queryset = tables

    def search(self, queryset, name, value):
        return queryset.search(value)

    def sits_at(self, queryset, name, value):
        from tables.models import Membership

        return queryset.filter(
            Exists(Membership.objects.active().filter(organisation=OuterRef("pk"), table=value))
        )
