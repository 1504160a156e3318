"""The links of a table's page to each of its parts, each shown only to those who may open
it: every link asks the permission function its destination view asks, never a looser one.

Apps above `tables` in the app order (funding) add their own links at start-up, in their
`AppConfig.ready()`, with `register`: a provider takes (user, table) and returns
`TableLink`s. Providers read the person's roles from `access_for(user)` and must cost a
fixed number of queries whatever the data.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from ..permissions import (
    can_manage_table,
    can_read_bilans,
    can_see_delegates,
    can_view_follow_ups,
    can_view_register,
)


@dataclass(frozen=True)
class TableLink:
    """`coordination` links (settings and membership) are listed apart from the table's work."""

    label: str
    url: str
    coordination: bool = False


Provider = Callable[..., Iterable[TableLink]]

_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add `provider(user, table) -> Iterable[TableLink]`; registering twice (a second
    `ready()` in tests) keeps one copy. Usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def _own_links(user, table) -> Iterable[TableLink]:
    def url(name):
        return reverse(f"tables:{name}", args=[table.slug])

    yield TableLink(_("Meetings"), url("meeting-list"))
    if can_view_register(user, table):
        yield TableLink(_("Resolution register"), url("resolution-list"))
    if can_view_follow_ups(user, table):
        yield TableLink(_("Follow-ups"), url("follow-up-list"))
    yield TableLink(_("Action plans"), url("plan-list"))
    # Who may read the table's communiqués (tables.views.communiques.readable_communiques):
    # its coordination and its delegates, which is what can_see_delegates answers.
    if can_see_delegates(user, table):
        yield TableLink(_("Consultations"), url("consultation-list"))
        yield TableLink(_("Communiqués"), url("communique-list"))
    yield TableLink(_("Agenda ownership"), url("ownership"))
    if can_read_bilans(user, table):
        yield TableLink(_("Indicators"), url("indicators"))
        yield TableLink(_("Self-assessment"), url("assessment-list"))
        yield TableLink(_("Bilans"), url("bilan-list"))
    yield TableLink(_("Governance rules"), url("rules-list"))
    if can_manage_table(user, table):
        yield TableLink(_("Manage members"), url("membership-list"), coordination=True)
        yield TableLink(_("Committees"), url("committee-list"), coordination=True)
        yield TableLink(_("Reminders"), url("reminder-settings"), coordination=True)
        yield TableLink(_("Edit the table"), url("table-update"), coordination=True)


def table_links(user, table) -> list[TableLink]:
    """The table's own links, then those the other apps registered, in their order."""
    return [*_own_links(user, table), *(link for provider in _providers for link in provider(user, table))]
