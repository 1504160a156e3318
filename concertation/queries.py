"""Query helpers shared by the apps."""

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce


def per_row(queryset: QuerySet, path: str, expression) -> Subquery:
    """`expression` over the rows of `queryset` whose `path` leads to the outer row, as an
    annotation (None when there are none).

    A correlated subquery, where a join and GROUP BY would aggregate every row of the list
    before sorting and cutting out the page: PostgreSQL evaluates it for the rows it
    returns only."""
    rows = queryset.filter(**{path: OuterRef("pk")}).order_by().values(path)
    return Subquery(rows.annotate(value=expression).values("value"))


def count_per_row(queryset: QuerySet, path: str) -> Coalesce:
    """How many rows of `queryset` lead to the outer row through `path`, as an annotation."""
    return Coalesce(per_row(queryset, path, Count("pk")), 0)
