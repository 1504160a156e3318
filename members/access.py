"""What a signed-in person may act on, computed once per request.

Each app's permissions.py asks this object rather than querying on its own, so that a page
costs the same few queries whatever it shows.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone


@dataclass(frozen=True)
class Access:
    is_authenticated: bool = False
    is_admin: bool = False
    organisation_id: int | None = None
    coordinated_table_ids: frozenset[int] = frozenset()
    # table id -> ids of the organisations the person represents there
    delegations: dict[int, frozenset[int]] = field(default_factory=dict)
    funder_ids: frozenset[int] = frozenset()

    @property
    def delegated_table_ids(self) -> frozenset[int]:
        return frozenset(self.delegations)

    @property
    def table_ids(self) -> frozenset[int]:
        """The tables the person coordinates or sits at: the private ones they may see."""
        return self.coordinated_table_ids | self.delegated_table_ids

    @property
    def is_coordinator(self) -> bool:
        return bool(self.coordinated_table_ids)

    @property
    def is_funder_staff(self) -> bool:
        return bool(self.funder_ids)

    def coordinates(self, table_id: int) -> bool:
        return self.is_admin or table_id in self.coordinated_table_ids

    def sits_at(self, table_id: int) -> bool:
        return table_id in self.delegations

    def represents(self, table_id: int, organisation_id: int) -> bool:
        return organisation_id in self.delegations.get(table_id, ())


ANONYMOUS = Access()


def access_for(user) -> Access:
    """The Access of `user`, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_access", None)
    if cached is not None:
        return cached

    from funding.models import FunderStaff
    from members.models import Delegation
    from tables.models import Coordinator

    delegations: dict[int, set[int]] = {}
    rows = (
        Delegation.objects.active()
        .filter(person=user)
        .filter(Q(membership__left__isnull=True) | Q(membership__left__gt=timezone.localdate()))
        .values_list("membership__table_id", "membership__organisation_id")
    )
    for table_id, organisation_id in rows:
        delegations.setdefault(table_id, set()).add(organisation_id)
    affiliation = user.affiliations.filter(end__isnull=True).values_list("organisation_id", flat=True).first()
    access = Access(
        is_authenticated=True,
        is_admin=user.is_superuser,
        organisation_id=affiliation,
        coordinated_table_ids=frozenset(
            Coordinator.objects.filter(person=user).values_list("table_id", flat=True)
        ),
        delegations={k: frozenset(v) for k, v in delegations.items()},
        funder_ids=frozenset(
            FunderStaff.objects.filter(person=user, active=True).values_list("funder_id", flat=True)
        ),
    )
    user._access = access
    return access


def forget_access(user) -> None:
    """Drop the cached Access after a change to the user's roles within the same request."""
    if hasattr(user, "_access"):
        del user._access
