"""Totals and shares of a project's budget, computed from its lines (already loaded)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .models import BudgetLine

ZERO = Decimal("0")


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, to one decimal; None when there is no whole."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class OrganisationBudget:
    organisation: object
    requested: Decimal = ZERO
    cash: Decimal = ZERO
    in_kind: Decimal = ZERO
    other: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.requested + self.cash + self.in_kind + self.other


@dataclass
class BudgetTotals:
    total: Decimal = ZERO
    requested: Decimal = ZERO
    contribution_cash: Decimal = ZERO
    contribution_in_kind: Decimal = ZERO
    other_sources: Decimal = ZERO
    by_organisation: dict = field(default_factory=dict)
    by_category: dict = field(default_factory=dict)

    @property
    def contributions(self) -> Decimal:
        return self.contribution_cash + self.contribution_in_kind

    @property
    def requested_share(self) -> Decimal | None:
        return share(self.requested, self.total)

    @property
    def contributions_share(self) -> Decimal | None:
        return share(self.contributions, self.total)

    def organisations(self) -> list[OrganisationBudget]:
        return sorted(self.by_organisation.values(), key=lambda row: -row.total)

    def categories(self) -> list[tuple[str, Decimal, Decimal | None]]:
        labels = dict(BudgetLine.Category.choices)
        return [
            (labels.get(code, code), amount, share(amount, self.total))
            for code, amount in sorted(self.by_category.items(), key=lambda item: -item[1])
        ]


def budget_totals(lines) -> BudgetTotals:
    """Totals by source, by organisation and by category. `lines` need their
    organisation loaded for `by_organisation` to carry it."""
    totals = BudgetTotals()
    by_category = defaultdict(lambda: ZERO)
    for line in lines:
        row = totals.by_organisation.get(line.organisation_id)
        if row is None:
            row = totals.by_organisation[line.organisation_id] = OrganisationBudget(
                organisation=getattr(line, "organisation", None)
            )
        totals.total += line.amount
        by_category[line.category] += line.amount
        if line.source == BudgetLine.Source.REQUESTED:
            totals.requested += line.amount
            row.requested += line.amount
        elif line.source == BudgetLine.Source.CONTRIBUTION:
            if line.nature == BudgetLine.Nature.IN_KIND:
                totals.contribution_in_kind += line.amount
                row.in_kind += line.amount
            else:
                totals.contribution_cash += line.amount
                row.cash += line.amount
        else:
            totals.other_sources += line.amount
            row.other += line.amount
    totals.by_category = dict(by_category)
    return totals
