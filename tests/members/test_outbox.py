"""Emails and caching survive a broker (Redis) outage: nothing is lost, no page fails."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from members.emails import queue_email
from members.models import EmailKind, OutboxEmail
from members.tasks import deliver_email, sweep_outbox

pytestmark = pytest.mark.django_db


def test_an_email_is_written_to_the_outbox_and_sent_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email(subject="Bonjour", body="Texte", to=["a@example.org"], kind=EmailKind.ACCOUNT)
    email.refresh_from_db()
    assert email.sent_at is not None
    assert len(mail.outbox) == 1
    assert deliver_email(email.pk) is False  # a second delivery sends nothing
    assert len(mail.outbox) == 1


def test_with_the_broker_down_the_request_succeeds_and_the_sweep_sends_later(
    django_capture_on_commit_callbacks,
):
    # given a broker that refuses every message
    with (
        mock.patch.object(deliver_email, "apply_async", side_effect=OperationalError("Redis is down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        email = queue_email(subject="Bonjour", body="Texte", to=["a@example.org"], kind=EmailKind.ACCOUNT)
    # then nothing was sent and nothing raised
    email.refresh_from_db()
    assert email.sent_at is None and mail.outbox == []
    # when Redis is back and the sweep runs a few minutes later
    OutboxEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    assert sweep_outbox() == 1
    email.refresh_from_db()
    assert email.sent_at is not None and len(mail.outbox) == 1


def test_a_mail_server_failure_is_kept_for_a_later_attempt():
    email = OutboxEmail.objects.create(subject="S", body="B", to=["a@example.org"])
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("SMTP down")):
        assert deliver_email(email.pk) is False
    email.refresh_from_db()
    assert (email.sent_at, email.attempts) == (None, 1)
    assert "SMTP down" in email.error


def test_the_sweep_waits_longer_after_each_failure():
    email = OutboxEmail.objects.create(subject="S", body="B", to=["a@example.org"], attempts=3)
    OutboxEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    assert sweep_outbox() == 0  # 2 x 2**3 = 16 minutes not yet elapsed


def test_the_cache_answers_a_miss_when_redis_is_down():
    from members.cache import ResilientRedisCache

    cache = ResilientRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    assert cache.get("anything", "fallback") == "fallback"
    assert cache.add("key", 1) is False
    cache.set("key", 1)
    assert cache.incr("counter") == 1


def test_a_convocation_is_not_lost_when_the_broker_is_down(world, django_capture_on_commit_callbacks):
    from tables import services
    from tables.models import ConvocationDelivery
    from tables.tasks import send_meeting_emails, sweep_convocations

    meeting = world.meeting_a
    with (
        mock.patch.object(send_meeting_emails, "apply_async", side_effect=OperationalError("Redis is down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.meeting_convene(meeting=meeting, by=world.coordinator)
    assert ConvocationDelivery.objects.filter(status="queued").count() == 1
    ConvocationDelivery.objects.update(created_at=timezone.now() - timedelta(minutes=6))
    assert sweep_convocations() == 1
    assert ConvocationDelivery.objects.get().status == "sent"
