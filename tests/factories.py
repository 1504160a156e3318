from datetime import date

import factory
from allauth.account.models import EmailAddress

from funding.models import Funder, FunderStaff
from members.models import Affiliation, Delegation, Organisation, Sector, User
from members.regions import ensure_regions
from tables.models import Coordinator, GovernanceRules, Invitation, Membership, Table


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_CA")
    last_name = factory.Faker("last_name", locale="fr_CA")
    password = factory.django.Password("secret-password-123")

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisme {n}")
    slug = factory.Sequence(lambda n: f"organisme-{n}")
    sector = Sector.COMMUNITY
    region = factory.LazyFunction(lambda: ensure_regions()["03"])


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    start = date(2024, 1, 1)


class TableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Table
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Table de concertation {n}")
    slug = factory.Sequence(lambda n: f"table-{n}")
    kind = Table.Kind.THEMATIC
    scope = Table.Scope.MULTISECTORAL
    theme = "immigration"
    region = factory.LazyFunction(lambda: ensure_regions()["03"])
    visibility = Table.Visibility.PUBLIC

    @factory.post_generation
    def rules(self, create, extracted, **kwargs):
        if create:
            GovernanceRules.objects.create(table=self, version=1, effective_from=date(2020, 1, 1), **kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    table = factory.SubFactory(TableFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    joined = date(2020, 1, 1)


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation
        skip_postgeneration_save = True

    membership = factory.SubFactory(MembershipFactory)
    person = factory.SubFactory(UserFactory)
    role = Delegation.Role.DELEGATE
    start = date(2020, 1, 1)

    @factory.post_generation
    def affiliate(self, create, extracted, **kwargs):
        if create and not Affiliation.objects.filter(person=self.person, end__isnull=True).exists():
            Affiliation.objects.create(
                person=self.person, organisation=self.membership.organisation, start=self.start
            )


class CoordinatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coordinator

    table = factory.SubFactory(TableFactory)
    person = factory.SubFactory(UserFactory)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    membership = factory.SubFactory(MembershipFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Delegation.Role.DELEGATE


class FunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funder

    organisation = factory.SubFactory(OrganisationFactory, sector=Sector.GOVERNMENT)
    kind = Funder.Kind.MINISTRY


class FunderStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FunderStaff

    funder = factory.SubFactory(FunderFactory)
    person = factory.SubFactory(UserFactory)
    role = FunderStaff.Role.EVALUATOR


def meeting_with_agenda(table, *, days_ahead=30, hours=3, status=None, by=None, **fields):
    """A meeting planned through the service (standard items included)."""
    from datetime import timedelta

    from django.utils import timezone

    from tables import services
    from tables.models import Meeting

    starts = (timezone.now() + timedelta(days=days_ahead)).replace(minute=0, second=0, microsecond=0)
    meeting = services.meeting_create(
        table=table,
        by=by,
        title=fields.pop("title", "Rencontre régulière"),
        starts_at=fields.pop("starts_at", starts),
        ends_at=fields.pop("ends_at", starts + timedelta(hours=hours)),
        place=fields.pop("place", "Salle du conseil, 1000 route de l'Église, Québec"),
        **fields,
    )
    if status:
        Meeting.objects.filter(pk=meeting.pk).update(status=status)
        meeting.refresh_from_db()
    return meeting


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tables.AgendaItem"

    title = factory.Sequence(lambda n: f"Point {n}")
    kind = "discussion"
    duration_minutes = 15
    position = factory.Sequence(lambda n: 100 + n * 10)
