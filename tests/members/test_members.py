import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from members.access import access_for
from members.models import Affiliation, Organisation
from members.services import person_affiliate
from tests.factories import (
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    TableFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_person_belongs_to_one_organisation_at_a_time_with_history():
    person = UserFactory()
    first, second = OrganisationFactory(), OrganisationFactory()
    person_affiliate(person=person, organisation=first)
    person_affiliate(person=person, organisation=second)
    assert Affiliation.objects.filter(person=person).count() == 2
    assert Affiliation.objects.get(person=person, end__isnull=True).organisation == second


def test_the_database_refuses_two_current_affiliations():
    from django.db import IntegrityError, transaction

    affiliation = AffiliationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Affiliation.objects.create(person=affiliation.person, organisation=OrganisationFactory())


def test_access_of_an_anonymous_visitor_is_empty():
    from django.contrib.auth.models import AnonymousUser

    access = access_for(AnonymousUser())
    assert not access.is_authenticated and not access.coordinated_table_ids and not access.delegations


def test_access_ignores_ended_delegations_and_memberships(world):
    world.delegation_a.end = world.delegation_a.start
    world.delegation_a.save()
    world.delegate_a.refresh_from_db()
    assert not access_for(world.delegate_a).sits_at(world.table_a.pk)


def test_organisation_directory_search_and_filters(world, client):
    OrganisationFactory(name="Ville de Lévis", sector="municipal")
    response = client.get(reverse("members:organisation-list"), {"q": "lévis"})
    assert "Ville de Lévis" in response.text
    assert world.org_a.name not in response.text
    response = client.get(reverse("members:organisation-list"), {"sector": "municipal"})
    assert "Ville de Lévis" in response.text


def test_directory_table_filter_offers_only_visible_tables(world, client):
    response = client.get(reverse("members:organisation-list"))
    choices = [str(choice[1]) for choice in response.context["filter"].form.fields["table"].choices]
    assert world.table_a.name in choices
    assert world.table_b.name not in choices
    # Asking for the private table by id does not reveal its members: the filter is
    # refused and the whole directory is shown, as without it.
    everything = list(client.get(reverse("members:organisation-list")).context["page"].object_list)
    response = client.get(reverse("members:organisation-list"), {"table": world.table_b.pk})
    assert "table" in response.context["filter"].form.errors
    assert list(response.context["page"].object_list) == everything


def test_organisation_page_hides_private_tables_from_outsiders(world, client_for):
    response = client_for("anonymous").get(world.org_b.get_absolute_url())
    assert response.status_code == 200
    assert world.table_b.name not in response.text
    response = client_for("delegate_b").get(world.org_b.get_absolute_url())
    assert world.table_b.name in response.text


def test_organisation_people_are_shown_only_to_those_who_share_a_table(world, client_for):
    assert world.delegate_a.email not in client_for("anonymous").get(world.org_a.get_absolute_url()).text
    assert world.delegate_a.email not in client_for("delegate_b").get(world.org_a.get_absolute_url()).text
    assert world.delegate_a.email in client_for("coordinator").get(world.org_a.get_absolute_url()).text


def test_an_organisation_s_delegates_are_named_for_insiders_of_their_table_only(world, client_for):
    seat = f"{world.delegate_a.display_name} ("
    for role, sees in [("anonymous", False), ("delegate_b", False), ("coordinator", True), ("admin", True)]:
        assert (seat in client_for(role).get(world.org_a.get_absolute_url()).text) is sees, role


def test_coordinator_creates_an_organisation_and_returns_to_the_add_page(world, client_for):
    next_url = reverse("tables:membership-add", args=[world.table_a.slug])
    response = client_for("coordinator").post(
        reverse("members:organisation-create"),
        {"name": "Maison de la famille", "sector": "community", "next": next_url},
    )
    assert Organisation.objects.filter(name="Maison de la famille").exists()
    assert response.url.startswith(next_url + "?q=Maison")


def test_organisation_create_ignores_a_foreign_next_url(world, client_for):
    response = client_for("coordinator").post(
        reverse("members:organisation-create"),
        {"name": "Maison de la famille", "sector": "community", "next": "https://evil.example.com/"},
    )
    assert response.url == Organisation.objects.get(name="Maison de la famille").get_absolute_url()


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, {"name", "sector"}),
        ({"name": "x" * 300, "sector": "community"}, {"name"}),
        ({"name": "Org", "sector": "mafia"}, {"sector"}),
        (
            {"name": "Org", "sector": "community", "website": "pas une adresse", "email": "non"},
            {"website", "email"},
        ),
        ({"name": "Org", "sector": "community", "region": "999"}, {"region"}),
    ],
)
def test_organisation_form_bad_input(world, client_for, data, fields):
    before = Organisation.objects.count()
    response = client_for("coordinator").post(reverse("members:organisation-create"), data)
    assert response.status_code == 200
    assert fields <= set(response.context["form"].errors)
    assert Organisation.objects.count() == before


def test_delegate_edits_their_own_organisation(world, client_for):
    response = client_for("delegate_a").post(
        reverse("members:organisation-update", args=[world.org_a.slug]),
        {"name": "Nouveau nom", "sector": "community", "mission": "Accueillir"},
    )
    assert response.status_code == 302
    world.org_a.refresh_from_db()
    assert world.org_a.name == "Nouveau nom"


def test_delegate_cannot_edit_another_organisation(world, client_for):
    response = client_for("delegate_a").post(
        reverse("members:organisation-update", args=[world.org_b.slug]),
        {"name": "Piraté", "sector": "community"},
    )
    assert response.status_code == 403
    world.org_b.refresh_from_db()
    assert world.org_b.name != "Piraté"


def test_profile_saves_name_and_language(world, client_for):
    client = client_for("delegate_a")
    response = client.post(
        reverse("members:profile"), {"first_name": "Amina", "last_name": "Diallo", "language": "en"}
    )
    assert response.status_code == 302
    world.delegate_a.refresh_from_db()
    assert world.delegate_a.language == "en"
    assert '<html lang="en"' in client.get("/").text


def test_profile_bad_input(world, client_for):
    response = client_for("delegate_a").post(
        reverse("members:profile"), {"first_name": "x" * 200, "last_name": "", "language": "klingon"}
    )
    assert response.status_code == 200
    assert {"first_name", "language"} <= set(response.context["form"].errors)


def test_home_lists_my_tables_and_pending_invitations(world, client_for):
    from tests.factories import InvitationFactory

    InvitationFactory(membership=world.membership_b, email=world.delegate_a.email)
    response = client_for("delegate_a").get("/")
    assert world.table_a.name in response.text
    assert (
        reverse("tables:invitation-accept", args=[world.membership_b.invitations.get().token])
        in response.text
    )


def test_home_for_anonymous_lists_public_tables_only(world, client):
    response = client.get("/")
    assert world.table_a.name in response.text
    assert world.table_b.name not in response.text


def test_staff_without_two_factor_is_sent_to_set_it_up(world, client_for, settings):
    settings.REQUIRE_MFA_FOR_STAFF = True
    response = client_for("coordinator").get(world.table_a.get_absolute_url())
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    # Delegates are not asked.
    assert client_for("delegate_a").get(world.table_a.get_absolute_url()).status_code == 200


def test_staff_with_two_factor_passes(world, client_for, settings):
    settings.REQUIRE_MFA_FOR_STAFF = True
    Authenticator.objects.create(user=world.evaluator, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client_for("evaluator").get("/").status_code == 200


def test_two_factor_is_optional_by_default(world, client_for):
    assert client_for("coordinator").get("/").status_code == 200


def test_error_pages_are_translated(client, db):
    response = client.get("/tables/nope/")
    assert response.status_code == 404
    assert "Page introuvable" in response.text or "Page non trouvée" in response.text


def test_healthz_answers_ok(client, db):
    assert client.get("/healthz/").content == b"ok"


def test_a_table_shared_by_two_members_counts_both(db):
    table = TableFactory()
    MembershipFactory.create_batch(3, table=table)
    assert table.memberships.active().count() == 3
