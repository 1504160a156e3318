"""Committee decisions: within the envelope (even when two are taken at once), never above
the request, with a resolution of the table when the call says so, with reasons for a
refusal; a disbursement schedule and a letter follow."""

import re
import threading
import time
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from funding import services
from funding.models import Application, Status
from funding.models.application import ApplicationQuerySet
from tables.models import Document
from tests.funding.factories import application_in, call_on, manager_of, resolution_of

pytestmark = pytest.mark.django_db


def decide(application, manager, amount):
    return services.application_decide(
        application=application, by=manager, funded=True, amount=Decimal(amount)
    )


def test_a_decision_beyond_what_is_left_in_the_envelope_is_refused(world):
    # given an envelope of 100 000 with 30 000 committed
    call = call_on(world.table_a, envelope=Decimal("100000"), max_request=None, max_request_share=100)
    manager = manager_of(call)
    decide(application_in(Status.RECOMMENDED, call, manager=manager), manager, "30000")
    second = application_in(Status.RECOMMENDED, call, manager=manager)
    Application.objects.filter(pk=second.pk).update(requested_amount=Decimal("80000"))
    second.refresh_from_db()
    # when 75 000 more is awarded
    with pytest.raises(ValidationError) as refused:
        decide(second, manager, "75000")
    # then it is refused, with what is left
    assert re.search(r"70\s000", refused.value.message_dict["amount"][0])
    second.refresh_from_db()
    assert second.status == Status.RECOMMENDED
    assert Application.objects.filter(call=call).committed_total() == Decimal("30000")


def test_a_decision_that_fills_the_envelope_exactly_is_accepted(world):
    call = call_on(world.table_a, envelope=Decimal("40000"))
    manager = manager_of(call)
    application = application_in(Status.RECOMMENDED, call, manager=manager)
    assert decide(application, manager, "40000").status == Status.FUNDED


def test_the_award_may_not_exceed_the_request(world):
    call = call_on(world.table_a)
    manager = manager_of(call)
    application = application_in(Status.RECOMMENDED, call, manager=manager)
    with pytest.raises(ValidationError):
        decide(application, manager, application.requested_amount + 1)


def test_a_refusal_needs_reasons(world):
    call = call_on(world.table_a)
    manager = manager_of(call)
    application = application_in(Status.RECOMMENDED, call, manager=manager)
    with pytest.raises(ValidationError):
        services.application_decide(application=application, by=manager, funded=False, note=" ")


def test_a_call_deciding_by_resolution_requires_one(world):
    call = call_on(world.table_a, decision_by_resolution=True)
    application = application_in(Status.RECOMMENDED, call)
    with pytest.raises(ValidationError):
        decide(application, world.coordinator, "20000")


def test_a_resolution_of_another_table_is_refused(world):
    call = call_on(world.table_a, decision_by_resolution=True)
    application = application_in(Status.RECOMMENDED, call)
    other = resolution_of(world.table_b, by=world.coordinator_b)
    with pytest.raises(ValidationError):
        services.application_decide(
            application=application,
            by=world.coordinator,
            funded=True,
            amount=Decimal("20000"),
            resolution=other,
        )


def test_the_decision_records_the_resolution_of_the_table(world):
    call = call_on(world.table_a, decision_by_resolution=True)
    application = application_in(Status.RECOMMENDED, call)
    resolution = resolution_of(world.table_a, by=world.coordinator)
    funded = services.application_decide(
        application=application,
        by=world.coordinator,
        funded=True,
        amount=Decimal("20000"),
        resolution=resolution,
    )
    assert funded.resolution == resolution


def test_funding_creates_a_schedule_adding_up_to_the_award(world):
    # given
    call = call_on(world.table_a)
    manager = manager_of(call)
    application = application_in(Status.RECOMMENDED, call, manager=manager)
    # when
    funded = decide(application, manager, "33333.33")
    # then
    tranches = list(funded.tranches.order_by("number"))
    assert sum(t.amount for t in tranches) == Decimal("33333.33")
    assert tranches[0].report is None
    assert [t.report.kind for t in tranches[1:]] == ["progress", "final"]


def test_a_decision_asks_for_its_letter(world, django_capture_on_commit_callbacks):
    call = call_on(world.table_a)
    manager = manager_of(call)
    application = application_in(Status.RECOMMENDED, call, manager=manager)
    with (
        mock.patch("tables.services.documents.document_queue") as queue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        decide(application, manager, "20000")
    document = Document.objects.get(kind="decision_letter", object_id=application.pk)
    queue.assert_called_once_with(document.pk)


def test_the_envelope_cannot_be_lowered_below_what_is_committed(world):
    call = call_on(world.table_a, envelope=Decimal("100000"))
    manager = manager_of(call)
    decide(application_in(Status.RECOMMENDED, call, manager=manager), manager, "30000")
    with pytest.raises(ValidationError):
        services.call_update(call=call, by=world.coordinator, envelope=Decimal("29999"))


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_decisions_taken_at_once_never_overcommit_the_envelope(world):
    """Two managers fund two applications at the same moment; each fits alone, not both.
    Reading what is committed is slowed down so that, without the row lock on the call,
    both would read 0 and both would commit."""
    # given an envelope of 50 000 and two applications asking for 40 000 each
    call = call_on(world.table_a, envelope=Decimal("50000"))
    manager = manager_of(call)
    first = application_in(Status.RECOMMENDED, call, manager=manager)
    second = application_in(Status.RECOMMENDED, call, manager=manager)
    barrier = threading.Barrier(2)
    outcomes = []
    original = ApplicationQuerySet.committed_total

    def slow_total(queryset):
        total = original(queryset)
        time.sleep(0.3)
        return total

    def fund(application):
        barrier.wait()
        try:
            decide(
                Application.objects.select_related("call", "project").get(pk=application.pk), manager, "40000"
            )
            outcomes.append("funded")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    # when
    with mock.patch.object(ApplicationQuerySet, "committed_total", slow_total):
        threads = [threading.Thread(target=fund, args=(a,)) for a in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    # then
    assert sorted(outcomes) == ["funded", "refused"]
    assert Application.objects.filter(call=call).committed_total() == Decimal("40000")
