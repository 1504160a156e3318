"""The demo shows a table between its meetings: an open consultation and an open vote, a
closed electronic vote in the register awaiting ratification at the next meeting, a
member's proposal waiting on the coordination, and notifications for the demo accounts."""

import pytest

from members.models import Notification
from tables.demo import DEMO_ACCOUNTS, MAIN_SLUG
from tables.models import Consultation, Resolution, StandardItem
from tests.pages import seed_whole_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_table_between_its_meetings():
    # One seeding for every check: the whole demo takes some fifteen seconds.
    seed_whole_demo()

    consultations = Consultation.objects.filter(table__slug=MAIN_SLUG)
    assert consultations.filter(kind="avis", status="open").exists()
    assert consultations.filter(kind="vote", status="open").exists()
    assert consultations.filter(status="proposed", proposed_by__isnull=False).exists()
    closed = consultations.get(kind="vote", status="closed")
    assert closed.outcome == Consultation.Outcome.ADOPTED

    resolution = Resolution.objects.get(table__slug=MAIN_SLUG, mode=Resolution.Mode.ELECTRONIC)
    assert resolution == closed.resolution and not resolution.is_ratified
    meeting = resolution.ratification_meeting
    assert meeting is not None and meeting.is_editable
    assert meeting.items.filter(standard=StandardItem.RATIFICATION).exists()

    # The platform's administrator sits at no table and reviews nothing: nothing happens
    # for them to be told of.
    roles = ["coordinator", "delegate", "delegate_other_table", "funder_evaluator"]
    told = {
        role: Notification.objects.filter(recipient__email=DEMO_ACCOUNTS[role][0]).count() for role in roles
    }
    assert all(told.values()), told
