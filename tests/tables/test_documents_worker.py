"""PDFs made by a real Celery worker through Redis, on the PostgreSQL test database (run
in CI; skipped elsewhere without PostgreSQL and Redis)."""

import io
import os
import re
import signal
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tables.models import Document
from tables.services import documents
from tables.tasks.documents import sweep_documents
from tests.conftest import WORKER_CLAIM_SECONDS
from tests.factories import (
    AgendaItemFactory,
    CoordinatorFactory,
    OrganisationFactory,
    TableFactory,
    meeting_with_agenda,
)

pytestmark = [pytest.mark.needs_worker, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the worker")


def ready(document_id):
    return Document.objects.filter(pk=document_id, status=Document.Status.READY).first()


@pytest.fixture
def meeting():
    table = TableFactory(name="Table régionale de concertation en immigration de la Capitale-Nationale")
    meeting = meeting_with_agenda(table, title="Rencontre de février à Québec")
    AgendaItemFactory(
        meeting=meeting,
        title="Plan d'action : « priorités » de l'année",
        presenter=OrganisationFactory(name="Carrefour d'intégration Élan"),
    )
    return meeting


def test_a_worker_makes_the_agenda_pdf(celery_worker, meeting):
    # when the agenda is asked for (outside a transaction, so its task is sent at once)
    source = documents.get_kind("agenda").load(meeting.pk)
    document = documents.document_request(source=source, kind="agenda", language="fr-ca")
    assert document.status == Document.Status.PENDING
    # then the worker makes it, and its file holds the meeting's text
    document = wait_for(lambda: ready(document.pk))
    assert document.pages == 1
    assert document.render_ms > 0
    with document.file.open("rb") as file:
        text = PdfReader(io.BytesIO(file.read())).pages[0].extract_text()
    # a table cell may wrap anywhere: line breaks count as spaces
    text = re.sub(r"[ \n]+", " ", text)
    assert "Rencontre de février à Québec" in text
    assert "«\u00a0priorités\u00a0»" in text
    assert "Carrefour d'intégration Élan" in text


def test_a_coordinator_asks_follows_and_downloads_through_the_worker(celery_worker, meeting):
    # given the coordinator of the meeting's table, signed in
    client = Client()
    client.force_login(CoordinatorFactory(table=meeting.table).person)
    # when they ask for the agenda from the page (htmx)
    started = time.monotonic()
    response = client.post(
        reverse("tables:document-request"),
        {"kind": "agenda", "source": meeting.pk},
        headers={"HX-Request": "true"},
    )
    answered_in = time.monotonic() - started
    # then the answer comes at once and polls the status
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in response.text
    assert answered_in < 2
    document = Document.objects.get()
    status_url = reverse("tables:document-status", args=[document.pk])
    # and polling ends with the download link once the worker is done
    download_url = reverse("tables:document-download", args=[document.pk])
    wait_for(lambda: download_url in client.get(status_url).text)
    download = client.get(download_url)
    assert download["Content-Disposition"].startswith('attachment; filename="ordre-du-jour-')
    assert b"".join(download.streaming_content).startswith(b"%PDF")


# A worker killed mid-render ------------------------------------------------------------


@pytest.fixture
def long_agenda():
    """An agenda long enough (a dozen pages) that its render can be caught half-way."""
    table = TableFactory()
    meeting = meeting_with_agenda(table, title="Rencontre élargie")
    paragraph = "Présentation des travaux du comité, échanges et pistes de collaboration. " * 12
    for number in range(90):
        AgendaItemFactory(meeting=meeting, title=f"Dossier {number}", description=paragraph)
    source = documents.get_kind("agenda").load(meeting.pk)
    return documents.document_request(source=source, kind="agenda", language="fr-ca")


def claimed(document_id):
    return Document.objects.filter(pk=document_id, status=Document.Status.RENDERING).first()


def files_of(worker, document):
    folder = worker.media_root / "documents" / document.kind / str(document.object_id)
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_pool_process_killed_mid_render_leaves_the_document_made_once_later(celery_worker, long_agenda):
    # given the worker's pool process half-way through drawing the agenda
    rendering = wait_for(lambda: claimed(long_agenda.pk))
    _host, pid = rendering.claimed_by.rsplit(":", 1)
    # when it is killed outright
    os.kill(int(pid), signal.SIGKILL)
    # then the message goes back to the queue and, once the dead claim expires, another
    # pool process makes the document: once, on a second attempt, as one file
    document = wait_for(lambda: ready(long_agenda.pk), timeout=90)
    assert document.attempts == 2
    assert document.claimed_by != rendering.claimed_by
    assert Document.objects.filter(kind="agenda", object_id=document.object_id).count() == 1
    assert [path.name for path in files_of(celery_worker, document)] == [document.file.name.rsplit("/", 1)[1]]


def test_a_whole_worker_killed_mid_render_is_replaced_and_the_sweeper_requeues(
    celery_worker, celery_worker_process, long_agenda, monkeypatch
):
    # (beat's sweeper runs here, with the claim length the workers have)
    monkeypatch.setattr(documents, "CLAIM_EXPIRES", timedelta(seconds=WORKER_CLAIM_SECONDS))
    # given a worker half-way through drawing the agenda
    rendering = wait_for(lambda: claimed(long_agenda.pk))
    # when the whole worker is killed (its message stays unacknowledged in Redis) and a new one starts
    celery_worker_process.kill()
    celery_worker_process.start(connection.settings_dict["NAME"])
    assert Document.objects.get(pk=long_agenda.pk).status == Document.Status.RENDERING
    # then, once the claim has expired, beat's sweeper queues it again and it is made once
    wait_for(lambda: not documents.claim_seconds_left(Document.objects.get(pk=long_agenda.pk)), timeout=30)
    assert sweep_documents() == 1
    document = wait_for(lambda: ready(long_agenda.pk), timeout=90)
    assert document.attempts == 2
    assert document.claimed_by != rendering.claimed_by
    assert len(files_of(celery_worker, document)) == 1
