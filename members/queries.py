"""Query helpers shared by the apps."""

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce


def count_per_row(queryset: QuerySet, path: str) -> Coalesce:
    """How many rows of `queryset` lead to the outer row through `path`, as an annotation.

    A correlated subquery, where a join and GROUP BY would count for every row of the list
    before sorting and cutting out the page: PostgreSQL evaluates it for the rows it
    returns only."""
    rows = queryset.filter(**{path: OuterRef("pk")}).order_by().values(path)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)
