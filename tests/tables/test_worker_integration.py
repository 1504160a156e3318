"""The email pipeline through a real Celery worker and Redis (run in CI)."""

import time

import pytest

from tables import services
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.needs_worker, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_invitation_email_is_sent_by_the_worker(celery_worker):
    membership = MembershipFactory()
    invitation = services.invitation_send(
        membership=membership, email="worker@example.org", role="delegate", by=UserFactory()
    )
    files = wait_for(celery_worker.emails)
    text = files[0].read_text()
    assert "To: worker@example.org" in text
    assert f"/invitations/{invitation.token}/" in text
