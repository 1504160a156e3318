import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.models import Delegation
from tables.models import GovernanceRules, Invitation, Membership, Table
from tests.factories import DelegationFactory, MembershipFactory, OrganisationFactory, TableFactory

pytestmark = pytest.mark.django_db


def test_public_visitors_see_member_organisations_but_not_delegates(world, client_for):
    response = client_for("anonymous").get(world.table_a.get_absolute_url())
    assert response.status_code == 200
    assert world.org_a.name in response.text
    assert world.delegate_a.last_name not in response.text


def test_insiders_see_who_represents_each_member(world, client_for):
    response = client_for("delegate_a").get(world.table_a.get_absolute_url())
    assert world.delegate_a.display_name in response.text


def test_delegate_of_another_table_cannot_see_a_private_table(world, client_for):
    response = client_for("delegate_a").get(world.table_b.get_absolute_url())
    assert response.status_code == 404


def test_private_tables_are_not_listed_for_outsiders(world, client_for):
    response = client_for("delegate_a").get(reverse("tables:table-list"))
    assert world.table_a.name in response.text
    assert world.table_b.name not in response.text
    response = client_for("delegate_b").get(reverse("tables:table-list"))
    assert world.table_b.name in response.text


def test_table_cards_count_the_organisations_sitting_today(world, client_for):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    table = TableFactory(name="Table comptée", slug="table-comptee")
    MembershipFactory.create_batch(3, table=table)
    MembershipFactory(table=table, left=today - timedelta(days=1))
    MembershipFactory(table=table, joined=today + timedelta(days=7))
    TableFactory(name="Table vide", slug="table-vide")
    for url in (reverse("home"), reverse("tables:table-list") + "?q=Table"):
        response = client_for("anonymous").get(url)
        assert "3 organisations membres" in response.text
        assert "0 organisation membre" in response.text
    # A delegate's own tables, on their home page.
    sitting = Membership.objects.active().filter(table=world.table_a).count()
    MembershipFactory(table=world.table_a, left=today - timedelta(days=1))
    response = client_for("delegate_a").get(reverse("home"))
    assert f"{world.table_a.region.name} · {sitting} membre" in response.text


def test_table_list_filters_by_sector_present(world, client_for):
    MembershipFactory(table=world.table_a, organisation=OrganisationFactory(sector="municipal"))
    other = TableFactory(name="Sans municipalité")
    response = client_for("anonymous").get(reverse("tables:table-list"), {"sector": "municipal"})
    assert world.table_a.name in response.text
    assert other.name not in response.text


def test_table_list_answers_htmx_with_the_results_only(world, client_for):
    response = client_for("anonymous").get(reverse("tables:table-list"), headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert world.table_a.name in response.text


def test_coordinator_edits_the_table(world, client_for):
    url = reverse("tables:table-update", args=[world.table_a.slug])
    data = {
        "name": "Table A renommée",
        "slug": world.table_a.slug,
        "kind": "territorial",
        "scope": "multisectoral",
        "theme": "employment",
        "region": world.table_a.region_id,
        "visibility": "public",
    }
    response = client_for("coordinator").post(url, data)
    assert response.status_code == 302
    world.table_a.refresh_from_db()
    assert world.table_a.name == "Table A renommée"


def test_table_form_refuses_a_coordinating_organisation_that_is_not_at_the_table(world, client_for):
    url = reverse("tables:table-update", args=[world.table_a.slug])
    data = {
        "name": "Table A",
        "slug": world.table_a.slug,
        "kind": "thematic",
        "scope": "multisectoral",
        "theme": "immigration",
        "region": world.table_a.region_id,
        "visibility": "public",
        "coordinating_organisation": world.org_b.pk,
    }
    response = client_for("coordinator").post(url, data)
    assert response.status_code == 200
    assert "coordinating_organisation" in response.context["form"].errors
    world.table_a.refresh_from_db()
    assert world.table_a.coordinating_organisation is None


def test_table_form_keeps_what_was_typed_and_saves_nothing_on_bad_input(world, client_for):
    url = reverse("tables:table-update", args=[world.table_a.slug])
    data = {
        "name": "x" * 250,
        "slug": "bad slug!",
        "kind": "nope",
        "region": "abc",
        "mandate": "Notre mandat",
    }
    response = client_for("coordinator").post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert {"name", "slug", "kind", "scope", "theme", "region", "visibility"} <= set(form.errors)
    assert "Notre mandat" in response.text
    assert 'aria-invalid="true"' in response.text
    world.table_a.refresh_from_db()
    assert world.table_a.name == "Table A"


def test_admin_creates_a_table_with_its_first_rules(world, client_for):
    data = {
        "name": "Table jeunesse de l'Estrie",
        "slug": "jeunesse-estrie",
        "kind": "thematic",
        "scope": "multisectoral",
        "theme": "youth",
        "region": world.table_a.region_id,
        "visibility": "private",
    }
    response = client_for("admin").post(reverse("tables:table-create"), data)
    table = Table.objects.get(slug="jeunesse-estrie")
    assert response.url == table.get_absolute_url()
    assert table.rules_versions.count() == 1


def test_coordinator_records_a_new_version_of_the_rules(world, client_for):
    url = reverse("tables:rules-list", args=[world.table_a.slug])
    data = {
        "effective_from": "2026-09-01",
        "quorum_percent": "40",
        "notice_days": "7",
        "decision_mode": "consent",
        "majority_percent": "50",
        "one_vote_per_organisation": "on",
        "note": "Résolution 2026-06-02",
    }
    response = client_for("coordinator").post(url, data)
    assert response.status_code == 302
    assert list(
        world.table_a.rules_versions.order_by("version").values_list("version", "quorum_percent")
    ) == [
        (1, 50),
        (2, 40),
    ]


def test_rules_form_bad_input_saves_nothing(world, client_for):
    url = reverse("tables:rules-list", args=[world.table_a.slug])
    response = client_for("coordinator").post(
        url,
        {
            "effective_from": "pas une date",
            "quorum_percent": "0",
            "notice_days": "-3",
            "majority_percent": "20",
        },
    )
    assert response.status_code == 200
    assert {"effective_from", "quorum_percent", "notice_days", "decision_mode", "majority_percent"} <= set(
        response.context["form"].errors
    )
    assert GovernanceRules.objects.filter(table=world.table_a).count() == 1


def test_delegate_cannot_post_new_rules(world, client_for):
    url = reverse("tables:rules-list", args=[world.table_a.slug])
    response = client_for("delegate_a").post(url, {"effective_from": "2026-09-01", "quorum_percent": "10"})
    assert response.status_code == 403
    assert GovernanceRules.objects.filter(table=world.table_a).count() == 1


def test_coordinator_adds_a_member_from_the_directory(world, client_for):
    url = reverse("tables:membership-add", args=[world.table_a.slug])
    response = client_for("coordinator").get(url, {"q": world.other_org.name})
    assert world.other_org.name in response.text
    response = client_for("coordinator").post(url, {"organisation": world.other_org.pk})
    membership = Membership.objects.get(table=world.table_a, organisation=world.other_org)
    assert response.url == reverse("tables:membership-update", args=[world.table_a.slug, membership.pk])


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_adding_a_member_with_a_bad_organisation_id_adds_nothing(world, client_for, value):
    url = reverse("tables:membership-add", args=[world.table_a.slug])
    before = Membership.objects.count()
    response = client_for("coordinator").post(url, {"organisation": value}, follow=True)
    assert response.status_code == 200
    assert Membership.objects.count() == before
    assert list(response.context["messages"])


def test_adding_an_existing_member_again_is_refused(world, client_for):
    url = reverse("tables:membership-add", args=[world.table_a.slug])
    response = client_for("coordinator").post(url, {"organisation": world.org_a.pk}, follow=True)
    assert Membership.objects.filter(table=world.table_a, organisation=world.org_a).count() == 1
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_coordinator_sets_roles_and_powers(world, client_for):
    url = reverse("tables:membership-update", args=[world.table_a.slug, world.membership_a.pk])
    response = client_for("coordinator").post(
        url,
        {
            "status": "observer",
            "joined": "2021-01-01",
            "contributions": ["expertise", "skills"],
            "powers": ["decision"],
        },
    )
    assert response.status_code == 302
    world.membership_a.refresh_from_db()
    assert world.membership_a.status == "observer"
    assert world.membership_a.contributions == ["expertise", "skills"]
    assert world.membership_a.powers == ["decision"]


def test_membership_form_refuses_unknown_choices(world, client_for):
    url = reverse("tables:membership-update", args=[world.table_a.slug, world.membership_a.pk])
    response = client_for("coordinator").post(
        url, {"status": "boss", "joined": "hier", "contributions": ["money"], "powers": ["veto"]}
    )
    assert response.status_code == 200
    assert {"status", "joined", "contributions", "powers"} <= set(response.context["form"].errors)
    world.membership_a.refresh_from_db()
    assert world.membership_a.status == "voting"


def test_coordinator_of_a_cannot_edit_a_membership_of_b_through_a(world, client_for):
    # Another table's id in the URL of my own table answers 404 and changes nothing.
    url = reverse("tables:membership-update", args=[world.table_a.slug, world.membership_b.pk])
    response = client_for("coordinator").post(url, {"status": "observer", "joined": "2021-01-01"})
    assert response.status_code == 404
    world.membership_b.refresh_from_db()
    assert world.membership_b.status == "voting"


def test_coordinator_cannot_end_a_delegation_of_another_table(world, client_for):
    url = reverse("tables:delegation-end", args=[world.table_a.slug, world.delegation_b.pk])
    assert client_for("coordinator").post(url).status_code == 404
    world.delegation_b.refresh_from_db()
    assert world.delegation_b.end is None


def test_member_leaving_before_it_joined_is_refused(world, client_for):
    url = reverse("tables:membership-end", args=[world.table_a.slug, world.membership_a.pk])
    response = client_for("coordinator").post(url, {"left": "2010-01-01"})
    assert response.status_code == 200
    assert "left" in response.context["form"].errors
    world.membership_a.refresh_from_db()
    assert world.membership_a.left is None


def test_member_leaves(world, client_for):
    url = reverse("tables:membership-end", args=[world.table_a.slug, world.membership_a.pk])
    response = client_for("coordinator").post(url, {"left": "2026-01-01"})
    assert response.status_code == 302
    world.membership_a.refresh_from_db()
    assert str(world.membership_a.left) == "2026-01-01"


def test_coordinator_invites_a_delegate(world, client_for, django_capture_on_commit_callbacks):
    url = reverse("tables:invitation-create", args=[world.table_a.slug, world.membership_a.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("coordinator").post(
            url, {"email": "nouvelle@example.org", "first_name": "Nadia", "role": "substitute"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="nouvelle@example.org")
    assert invitation.membership == world.membership_a
    assert invitation.invited_by == world.coordinator
    assert mail.outbox[0].to == ["nouvelle@example.org"]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, {"email", "role"}),
        ({"email": "pas-un-courriel", "role": "delegate"}, {"email"}),
        ({"email": "a@example.org", "role": "chief"}, {"role"}),
        ({"email": "a@example.org", "role": "delegate", "first_name": "x" * 200}, {"first_name"}),
    ],
)
def test_invitation_form_bad_input(world, client_for, data, fields):
    url = reverse("tables:invitation-create", args=[world.table_a.slug, world.membership_a.pk])
    response = client_for("coordinator").post(url, data)
    assert response.status_code == 200
    assert fields <= set(response.context["form"].errors)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_coordinator_withdraws_an_invitation(world, client_for):
    invitation = Invitation.objects.create(
        membership=world.membership_a, email="x@example.org", role="delegate"
    )
    client_for("coordinator").post(
        reverse("tables:invitation-revoke", args=[world.table_a.slug, invitation.pk])
    )
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED


def test_swapping_roles_from_the_members_screen(world, client_for):
    substitute = DelegationFactory(membership=world.membership_a, role="substitute")
    client_for("coordinator").post(
        reverse("tables:delegation-swap", args=[world.table_a.slug, substitute.pk])
    )
    assert (
        Delegation.objects.active().get(membership=world.membership_a, role="delegate").person
        == substitute.person
    )


def test_invitation_page_for_anonymous_offers_signup_with_the_address_verified(world, client):
    invitation = Invitation.objects.create(
        membership=world.membership_a, email="new@example.org", role="delegate"
    )
    response = client.get(reverse("tables:invitation-accept", args=[invitation.token]))
    assert response.status_code == 200
    assert client.session["account_verified_email"] == "new@example.org"
    signup = reverse("account_signup")
    assert signup in response.text


def test_invitation_signup_creates_a_verified_account_that_can_accept(world, client):
    invitation = Invitation.objects.create(
        membership=world.membership_a, email="new@example.org", role="delegate"
    )
    accept_url = reverse("tables:invitation-accept", args=[invitation.token])
    client.get(accept_url)
    response = client.post(
        reverse("account_signup") + f"?next={accept_url}",
        {
            "email": "new@example.org",
            "first_name": "Nadia",
            "last_name": "Bélanger",
            "password1": "un-mot-de-passe-solide-42",
            "password2": "un-mot-de-passe-solide-42",
        },
    )
    assert response.status_code == 302
    assert response.url == accept_url  # signed in at once: the emailed link proved the address
    response = client.post(accept_url)
    assert response.url == world.table_a.get_absolute_url()
    delegation = Delegation.objects.active().get(
        membership=world.membership_a, person__email="new@example.org"
    )
    assert delegation.person.first_name == "Nadia"


def test_used_invitation_link_says_so(world, client):
    invitation = Invitation.objects.create(
        membership=world.membership_a, email="new@example.org", role="delegate"
    )
    invitation.revoked_at = invitation.created_at
    invitation.save()
    response = client.get(reverse("tables:invitation-accept", args=[invitation.token]))
    assert response.status_code == 410


def test_an_invitation_link_opens_no_seat_once_the_organisation_has_left(world, client_for):
    # given a pending invitation to represent org A, which has since left the table
    invitation = Invitation.objects.create(
        membership=world.membership_a, email=world.outsider.email, role="delegate"
    )
    EmailAddress.objects.update_or_create(
        user=world.outsider, email=world.outsider.email, defaults={"verified": True}
    )
    world.membership_a.left = timezone.localdate()
    world.membership_a.save(update_fields=["left"])
    url = reverse("tables:invitation-accept", args=[invitation.token])
    client = client_for("outsider")

    # when the invited person opens the link, then tries to accept anyway
    page = client.get(url)
    accepted = client.post(url)

    # then the link says why it no longer works, offers no button, and seats nobody
    assert page.status_code == 410
    assert "n’est plus membre de la table" in page.text
    assert "Accepter l’invitation" not in page.text
    assert accepted.status_code == 410
    assert not Delegation.objects.filter(person=world.outsider).exists()


def test_unknown_invitation_token_is_404(client, db):
    assert client.get(reverse("tables:invitation-accept", args=["nope"])).status_code == 404


def test_signed_in_person_with_another_address_is_told_to_switch(world, client_for):
    invitation = Invitation.objects.create(
        membership=world.membership_a, email="someone@example.org", role="delegate"
    )
    url = reverse("tables:invitation-accept", args=[invitation.token])
    client = client_for("outsider")
    response = client.post(url, follow=True)
    assert not Delegation.objects.filter(person=world.outsider).exists()
    assert "someone@example.org" in response.text


def test_table_logo_must_be_an_image(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("tables:table-update", args=[world.table_a.slug])
    data = {
        "name": "Table A",
        "slug": world.table_a.slug,
        "kind": "thematic",
        "scope": "multisectoral",
        "theme": "immigration",
        "region": world.table_a.region_id,
        "visibility": "public",
        "logo": SimpleUploadedFile("logo.png", b"<script>alert(1)</script>", content_type="image/png"),
    }
    response = client_for("coordinator").post(url, data)
    assert response.status_code == 200
    assert "logo" in response.context["form"].errors
    world.table_a.refresh_from_db()
    assert not world.table_a.logo


def test_public_table_page_lists_published_minutes_only_when_chosen(world, client):
    from tables.models import Minutes

    meeting = world.past_meeting_a
    Minutes.objects.create(meeting=meeting, status=Minutes.Status.ADOPTED)
    minutes_url = reverse("tables:minutes-detail", args=[world.table_a.slug, meeting.pk])
    assert minutes_url not in client.get(world.table_a.get_absolute_url()).text
    world.table_a.publish_minutes = True
    world.table_a.save()
    assert minutes_url in client.get(world.table_a.get_absolute_url()).text
