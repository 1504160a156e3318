"""Generated documents (PDF): what they show, when a new one is made, the task that makes
them, the views that ask for and serve them, and the panel other pages include.

The PDFs are opened with pypdf and their text checked. French labels come from the
catalogue (locale/), translated separately: `french` stands in with the wording proposed
for it until it is, so that the French layout (page x de y, PROJET, proposé par) is tested
now.
"""

import gettext
import io
import os
import re
from datetime import time, timedelta
from time import sleep
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import OperationalError, connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import trans_real
from kombu.exceptions import OperationalError as BrokerUnreachable
from PIL import Image
from pypdf import PdfReader

from members.models import User
from tables import services
from tables.models import (
    AgendaItem,
    Attendance,
    Document,
    FollowUp,
    Minutes,
    MinutesNote,
    Resolution,
)
from tables.pdf import LocalFetcher
from tables.services import documents
from tables.tasks.documents import render_document, sweep_documents
from tables.templatetags.pdf import typography
from tests.factories import AgendaItemFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

# The French wording proposed for the catalogue (locale/fr/LC_MESSAGES/django.po).
FRENCH = {
    'page <span class="page-number"></span> of <span class="page-count"></span>': (
        'page <span class="page-number"></span> de <span class="page-count"></span>'
    ),
    "DRAFT": "PROJET",
    "Proposed by %(organisation)s.": "Proposé par %(organisation)s.",
    "Seconded by %(organisation)s.": "Appuyé par %(organisation)s.",
    "Resolution %(number)s": "Résolution %(number)s",
    "Adopted by resolution %(number)s on %(date)s.": "Adopté par la résolution %(number)s le %(date)s.",
}


class ProposedFrench(gettext.NullTranslations):
    def gettext(self, message):
        return FRENCH.get(message, message)

    def ngettext(self, singular, plural, n):
        return singular if n == 1 else plural


@pytest.fixture
def french(monkeypatch):
    """Strings missing from the French catalogue fall back to FRENCH (the catalogue wins
    once it has them)."""
    monkeypatch.setattr(trans_real.translation("fr-ca"), "_fallback", ProposedFrench())


def pdf_reader(document) -> PdfReader:
    with document.file.open("rb") as file:
        return PdfReader(io.BytesIO(file.read()))


def pages_text(document) -> list[str]:
    """The text of each page, line breaks made spaces (a table cell may wrap anywhere)."""
    return [re.sub(r"[ \n]+", " ", page.extract_text()) for page in pdf_reader(document).pages]


def pdf_text(document) -> str:
    return "\n".join(pages_text(document))


def make(source, kind, language="fr-ca") -> Document:
    """Ask for a document and make it here, as the worker would."""
    document = documents.document_request(source=source, kind=kind, language=language)
    return documents.document_render(document)


def document_files(settings):
    return sorted((settings.MEDIA_ROOT / "documents").rglob("*.pdf"))


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (29, 78, 216)).save(buffer, "PNG")
    return buffer.getvalue()


def held_meeting(world):
    """Table A's past meeting with three more members, attendance, notes, two resolutions
    and a follow-up, and its draft minutes."""
    meeting = world.past_meeting_a
    meeting.secretary = world.delegate_a
    meeting.save()
    elan = MembershipFactory(table=world.table_a, organisation=OrganisationFactory(name="Carrefour Élan"))
    facon = MembershipFactory(
        table=world.table_a, organisation=OrganisationFactory(name="Service d'aide à l'emploi Façon")
    )
    absent = MembershipFactory(table=world.table_a, organisation=OrganisationFactory(name="Maison Rivière"))
    item = AgendaItemFactory(meeting=meeting, title="Plan d'action régional", presenter=elan.organisation)
    minutes = Minutes.objects.create(
        meeting=meeting, chair=world.coordinator, opened_at=time(9, 5), closed_at=time(11, 50)
    )
    MinutesNote.objects.create(
        minutes=minutes, item=item, text='Les membres ont présenté "leurs priorités" : emploi, logement.'
    )
    Attendance.objects.create(
        meeting=meeting, membership=elan, present=True, attendee=world.delegate_a, attendee_role="delegate"
    )
    Attendance.objects.create(meeting=meeting, membership=facon, present=True, arrived_at=time(9, 40))
    Attendance.objects.create(
        meeting=meeting, membership=world.membership_a, present=True, left_at=time(11, 15)
    )
    Attendance.objects.create(meeting=meeting, membership=absent, present=False, note="Excusée")
    adopted = Resolution.objects.create(
        table=world.table_a,
        meeting=meeting,
        item=item,
        number="2026-03-01",
        sequence=1,
        text="Il est résolu d'adopter le plan d'action élaboré à la journée de cocréation.",
        proposed_by=elan,
        seconded_by=facon,
        mode=Resolution.Mode.VOTE,
        result=Resolution.Result.MAJORITY,
        votes_for=3,
        votes_against=1,
        abstentions=0,
    )
    Resolution.objects.create(
        table=world.table_a,
        meeting=meeting,
        item=item,
        number="2026-03-02",
        sequence=2,
        text="Il est résolu de créer un comité de suivi.",
        mode=Resolution.Mode.CONSENSUS,
        result=Resolution.Result.CONSENSUS,
        dissent="Le Carrefour Élan préfère attendre l'évaluation.",
    )
    FollowUp.objects.create(
        table=world.table_a,
        meeting=meeting,
        resolution=adopted,
        description="Transmettre le plan au ministère",
        organisation=facon.organisation,
        due=timezone.localdate() + timedelta(days=20),
    )
    return SimpleNamespace(
        meeting=meeting, minutes=minutes, item=item, elan=elan, facon=facon, absent=absent, resolution=adopted
    )


def adopt(world, minutes) -> Resolution:
    """Adopt `minutes` by a resolution of table A's next meeting."""
    resolution = Resolution.objects.create(
        table=world.table_a,
        meeting=world.meeting_a,
        number="2026-04-01",
        sequence=1,
        text="Il est résolu d'adopter le procès-verbal de la rencontre précédente.",
        mode=Resolution.Mode.CONSENSUS,
        result=Resolution.Result.CONSENSUS,
        adopts_minutes=minutes,
    )
    Minutes.objects.filter(pk=minutes.pk).update(
        status=Minutes.Status.ADOPTED, adopted_by=resolution, adopted_at=timezone.now()
    )
    minutes.refresh_from_db()
    return resolution


def load(kind, source):
    """The source as the views load it (with what the permission check needs)."""
    return documents.get_kind(kind).load(source.pk)


def pending_agenda(world, language="en") -> Document:
    """Table A's next agenda, asked for (its task waits for a commit that never comes)."""
    return documents.document_request(
        source=load("agenda", world.meeting_a), kind="agenda", language=language
    )


# French typography -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Note: à lire", "Note\u00a0: à lire"),
        ("Vraiment?! Oui; non!", "Vraiment\u202f?! Oui\u202f; non\u202f!"),
        ("« Bonjour »", "«\u00a0Bonjour\u00a0»"),
        ('le "plan" adopté', "le «\u00a0plan\u00a0» adopté"),
        ("À 14:30, voir https://exemple.qc.ca/?a=1", "À 14:30, voir https://exemple.qc.ca/?a=1"),
        ("Déjà espacé : oui ?", "Déjà espacé\u00a0: oui\u202f?"),
    ],
)
def test_typography_spaces_french_punctuation(text, expected):
    with translation.override("fr-ca"):
        assert str(typography(text)) == expected


def test_typography_escapes_user_text():
    with translation.override("fr-ca"):
        assert str(typography("<b>Gras</b> & co")) == "&lt;b&gt;Gras&lt;/b&gt; &amp; co"


def test_typography_leaves_english_punctuation_alone():
    with translation.override("en"):
        assert str(typography('Note: the "plan"?')) == "Note: the &quot;plan&quot;?"


# What the PDFs show ------------------------------------------------------------------------


def test_agenda_pdf_shows_the_meeting_and_its_numbered_items(world, french):
    # given an agenda with a member's item, in French with accents and quotes
    meeting = world.meeting_a
    presenter = OrganisationFactory(name="Société d'intégration Ça marche")
    AgendaItemFactory(
        meeting=meeting,
        title='Bilan de la "Semaine québécoise des rencontres"',
        description="Présentation des résultats: quelles suites donner?",
        presenter=presenter,
        duration_minutes=25,
    )
    # when the agenda is made
    text = pdf_text(make(load("agenda", meeting), "agenda"))
    # then it shows the meeting, the numbered items and French typography
    assert "Rencontre régulière" in text
    assert "Salle du conseil, 1000 route de l'Église, Québec" in text
    assert "7 Bilan de la «\u00a0Semaine québécoise des rencontres\u00a0»" in text
    assert "résultats\u00a0: quelles suites donner\u202f?" in text
    assert "Société d'intégration Ça marche" in text
    assert "25 min" in text
    assert timezone.localtime(meeting.starts_at).strftime("%Y") in text


def test_agenda_pdf_numbers_sub_items_under_their_item(world):
    item = AgendaItemFactory(meeting=world.meeting_a, title="Projets collectifs")
    AgendaItemFactory(meeting=world.meeting_a, parent=item, title="Appel de projets régional", position=10)
    AgendaItemFactory(meeting=world.meeting_a, parent=item, title="Fonds d'aide à l'accueil", position=20)
    text = pdf_text(make(load("agenda", world.meeting_a), "agenda", "en"))
    assert "7 Projets collectifs" in text
    assert "7.1 Appel de projets régional" in text
    assert "7.2 Fonds d'aide à l'accueil" in text


def test_agenda_pdf_lists_open_follow_ups_under_business_arising_and_marks_overdue_ones(world):
    # given open follow-ups (one overdue) and one done
    today = timezone.localdate()
    organisation = OrganisationFactory(name="Centre d'entraide Élan")
    for description, due, status in [
        ("Envoyer le bilan à la Ville", today - timedelta(days=5), FollowUp.Status.OPEN),
        ("Préparer la journée de cocréation", today + timedelta(days=30), FollowUp.Status.OPEN),
        ("Réserver la salle", today - timedelta(days=40), FollowUp.Status.DONE),
    ]:
        FollowUp.objects.create(
            table=world.table_a,
            meeting=world.past_meeting_a,
            description=description,
            organisation=organisation,
            due=due,
            status=status,
        )
    # when the agenda is made, in English
    text = pdf_text(make(load("agenda", world.meeting_a), "agenda", "en"))
    # then the open ones follow "business arising", the overdue one marked
    arising = text[text.index("Business arising from the minutes") :]
    assert "Envoyer le bilan à la Ville" in arising
    assert "Préparer la journée de cocréation" in arising
    assert "Centre d'entraide Élan" in arising
    assert "Réserver la salle" not in text
    assert text.count("(overdue)") == 1


def test_pdfs_are_letter_size(world):
    reader = pdf_reader(make(load("agenda", world.meeting_a), "agenda"))
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == (612, 792)


def test_pdf_footer_counts_pages_in_french(world, french):
    # given a register long enough for several pages
    for n in range(1, 31):
        Resolution.objects.create(
            table=world.table_a,
            meeting=world.past_meeting_a,
            number=f"2026-03-{n:02}",
            sequence=n,
            text="Il est résolu de poursuivre la démarche. " * 8,
            mode=Resolution.Mode.CONSENSUS,
            result=Resolution.Result.CONSENSUS,
        )
    # when it is made in French
    pages = pages_text(make(load("register", world.table_a), "register"))
    # then each page says « page x de N »
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert f"page {number} de {len(pages)}" in text


def test_pdf_footer_counts_pages_in_english(world):
    pages = pages_text(make(load("agenda", world.meeting_a), "agenda", "en"))
    assert f"page 1 of {len(pages)}" in pages[0]


def test_pdf_is_tagged_with_its_title_and_language(world):
    reader = pdf_reader(make(load("agenda", world.meeting_a), "agenda", "en"))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en"
    assert reader.metadata.title == "Convocation and agenda: Rencontre régulière"
    assert reader.metadata.author == "Table A"


def test_french_pdf_declares_french_canada(world):
    reader = pdf_reader(make(load("agenda", world.meeting_a), "agenda", "fr-ca"))
    assert reader.trailer["/Root"]["/Lang"] == "fr-CA"


def test_pdf_header_shows_the_table_logo(world):
    # given a table with a logo
    world.table_a.logo.save("logo.png", ContentFile(png_bytes()))
    # when its agenda is made
    reader = pdf_reader(make(load("agenda", world.meeting_a), "agenda"))
    # then the first page draws an image
    resources = reader.pages[0]["/Resources"]
    images = [x for x in resources["/XObject"].values() if x.get_object()["/Subtype"] == "/Image"]
    assert len(images) == 1


def test_draft_minutes_carry_the_projet_watermark_on_every_page(world, french):
    # given draft minutes long enough for two pages
    held = held_meeting(world)
    MinutesNote.objects.filter(item=held.item).update(text="Échanges nourris sur le plan.\n\n" * 60)
    # when they are made in French
    pages = pages_text(make(load("minutes", held.minutes), "minutes"))
    # then every page is marked PROJET
    assert len(pages) > 1
    assert all("PROJET" in text for text in pages)


def test_adopted_minutes_carry_no_watermark(world, french):
    held = held_meeting(world)
    adopt(world, held.minutes)
    text = pdf_text(make(load("minutes", held.minutes), "minutes"))
    assert "PROJET" not in text


def test_minutes_pdf_shows_resolutions_with_mover_seconder_and_votes(world, french):
    held = held_meeting(world)
    text = pdf_text(make(load("minutes", held.minutes), "minutes"))
    assert "Résolution 2026-03-01" in text
    assert "Il est résolu d'adopter le plan d'action élaboré à la journée de cocréation." in text
    assert "Proposé par Carrefour Élan." in text
    assert "Appuyé par Service d'aide à l'emploi Façon." in text
    assert re.search(r"Pour\s*:\s*3, contre\s*:\s*1, abstentions\s*:\s*0", text)
    assert "Résolution 2026-03-02" in text
    assert "Adoptée par consensus" in text
    assert "Dissidence inscrite Le Carrefour Élan préfère attendre l'évaluation." in text


def test_minutes_pdf_shows_attendance_and_quorum(world):
    held = held_meeting(world)
    text = pdf_text(make(load("minutes", held.minutes), "minutes", "en"))
    present = text[text.index("Present (3 organisations)") : text.index("Absent (1 organisation)")]
    assert "Carrefour Élan" in present
    assert world.delegate_a.display_name in present
    assert "arrived at 9:40" in present
    absent = text[text.index("Absent (1 organisation)") :]
    assert "Maison Rivière — Excusée" in absent
    assert "left at 11:15" in present
    assert "3 of 4 voting members present (3 required)." in text
    assert "Quorum is reached." in text


def test_minutes_pdf_shows_notes_follow_ups_and_header(world, french):
    held = held_meeting(world)
    text = pdf_text(make(load("minutes", held.minutes), "minutes"))
    assert "Les membres ont présenté «\u00a0leurs priorités\u00a0»\u00a0: emploi, logement." in text
    assert "Transmettre le plan au ministère" in text
    assert "9\u00a0h\u00a005" in text and "11\u00a0h\u00a050" in text
    assert f"Présidence {world.coordinator.display_name}" in text
    assert f"Secrétaire {world.delegate_a.display_name}" in text


def test_minutes_pdf_records_the_waiver_of_notice_and_a_mode_other_than_the_rules(world, french):
    # given minutes whose members waived the notice, and a vote where the rules say consensus
    held = held_meeting(world)
    Minutes.objects.filter(pk=held.minutes.pk).update(notice_waived=True)
    Resolution.objects.filter(pk=held.resolution.pk).update(departs_from_rules=True)
    # when they are made
    text = pdf_text(make(load("minutes", held.minutes), "minutes"))
    # then both are stated, once each
    assert text.count("Les membres présents renoncent à l’avis de convocation.") == 1
    assert text.count("un mode autre que celui que prévoient les règles en vigueur") == 1


def test_adopted_minutes_say_by_which_resolution_and_list_corrections(world, french):
    # given adopted minutes later corrected by a resolution
    held = held_meeting(world)
    adopt(world, held.minutes)
    Resolution.objects.create(
        table=world.table_a,
        meeting=world.meeting_a,
        number="2026-04-02",
        sequence=2,
        text="Il est résolu de corriger l'orthographe du nom de l'organisme Façon.",
        mode=Resolution.Mode.CONSENSUS,
        result=Resolution.Result.CONSENSUS,
        corrects=held.minutes,
    )
    # when they are made
    text = pdf_text(make(load("minutes", held.minutes), "minutes"))
    # then the adoption and the correction are stated
    assert "Adopté par la résolution 2026-04-01 à la rencontre du" in text
    assert "Il est résolu de corriger l'orthographe du nom de l'organisme Façon." in text


def test_register_lists_every_resolution_of_its_table_only(world):
    # given resolutions at tables A and B
    held = held_meeting(world)
    Resolution.objects.create(
        table=world.table_b,
        meeting=world.meeting_b,
        number="2026-05-01",
        sequence=1,
        text="Résolution confidentielle de la table B.",
        mode=Resolution.Mode.CONSENSUS,
        result=Resolution.Result.CONSENSUS,
    )
    # when table A's register is made
    text = pdf_text(make(load("register", world.table_a), "register", "en"))
    # then it lists A's resolutions, with their meeting and result, and nothing of B
    assert "2026-03-01" in text and "2026-03-02" in text
    assert held.meeting.title in text
    assert "Adopted by majority" in text
    assert "minutes not yet adopted" in text
    assert "confidentielle" not in text


# The URL fetcher -----------------------------------------------------------------------------


def test_pdf_fetcher_serves_static_files_from_disk():
    response = LocalFetcher().fetch("http://127.0.0.1:8000/static/css/pdf.css")
    assert b"size: letter" in response.read()


def test_pdf_fetcher_never_goes_to_the_network():
    with pytest.raises(ValueError):
        LocalFetcher().fetch("https://example.com/font.woff2")


def test_pdf_fetcher_keeps_media_paths_inside_media_root(settings):
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    with pytest.raises(ValueError):
        LocalFetcher().fetch("http://127.0.0.1:8000/media/../../../etc/passwd")


# One document per version ------------------------------------------------------------------


def test_asking_again_without_changes_returns_the_same_document(world):
    meeting = load("agenda", world.meeting_a)
    first = documents.document_request(source=meeting, kind="agenda", language="fr-ca")
    again = pending_agenda(world, "fr-ca")
    assert again.pk == first.pk
    assert Document.objects.count() == 1


def test_a_new_agenda_item_makes_a_new_document(world):
    first = pending_agenda(world, "fr-ca")
    AgendaItemFactory(meeting=world.meeting_a, title="Nouveau point")
    again = pending_agenda(world, "fr-ca")
    assert again.pk != first.pk
    assert again.source_version != first.source_version


def test_reordering_the_agenda_changes_the_fingerprint(world):
    # given two items; reordering only updates their positions
    first = AgendaItemFactory(meeting=world.meeting_a, position=500)
    second = AgendaItemFactory(meeting=world.meeting_a, position=510)
    before = documents.fingerprint(load("agenda", world.meeting_a), "agenda")
    # when they swap places
    AgendaItem.objects.filter(pk=first.pk).update(position=510)
    AgendaItem.objects.filter(pk=second.pk).update(position=500)
    # then the agenda is another version
    assert documents.fingerprint(load("agenda", world.meeting_a), "agenda") != before


def test_a_new_follow_up_changes_the_agenda_fingerprint(world):
    before = documents.fingerprint(load("agenda", world.meeting_a), "agenda")
    FollowUp.objects.create(
        table=world.table_a, meeting=world.past_meeting_a, description="Relancer la Ville"
    )
    assert documents.fingerprint(load("agenda", world.meeting_a), "agenda") != before


def test_changes_at_another_table_leave_the_agenda_as_it_is(world):
    before = documents.fingerprint(load("agenda", world.meeting_a), "agenda")
    AgendaItemFactory(meeting=world.meeting_b)
    FollowUp.objects.create(table=world.table_b, meeting=world.meeting_b, description="Autre table")
    assert documents.fingerprint(load("agenda", world.meeting_a), "agenda") == before


def test_recording_attendance_changes_the_minutes_fingerprint(world):
    held = held_meeting(world)
    before = documents.fingerprint(load("minutes", held.minutes), "minutes")
    Attendance.objects.filter(membership=held.absent).update(present=True)
    assert documents.fingerprint(load("minutes", held.minutes), "minutes") != before


def test_each_language_is_its_own_document(world):
    meeting = load("agenda", world.meeting_a)
    french = documents.document_request(source=meeting, kind="agenda", language="fr-ca")
    english = documents.document_request(source=meeting, kind="agenda", language="en")
    assert french.pk != english.pk


# Asking returns at once; a worker makes it ------------------------------------------------


def test_a_request_returns_a_pending_document_and_queues_the_render_on_commit(
    world, django_capture_on_commit_callbacks
):
    # when a document is asked for
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = pending_agenda(world)
    # then it is pending, with nothing made yet, and its task waits for the commit
    assert document.status == Document.Status.PENDING
    assert not document.file
    assert len(callbacks) == 1
    # and once committed, the (eager) task makes it
    callbacks[0]()
    document.refresh_from_db()
    assert document.status == Document.Status.READY


def test_asking_for_a_document_being_made_queues_nothing_more(world, django_capture_on_commit_callbacks):
    meeting = load("agenda", world.meeting_a)
    documents.document_request(source=meeting, kind="agenda", language="en")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        documents.document_request(source=meeting, kind="agenda", language="en")
    assert callbacks == []


def test_a_request_succeeds_when_the_broker_is_unreachable(world, django_capture_on_commit_callbacks):
    # given a broker that cannot be reached
    unreachable = BrokerUnreachable("connection refused")
    # when a document is asked for and the transaction commits
    with (
        mock.patch.object(render_document, "apply_async", side_effect=unreachable),
        django_capture_on_commit_callbacks(execute=True),
    ):
        document = pending_agenda(world)
    # then the document stays pending, for the sweeper
    document.refresh_from_db()
    assert document.status == Document.Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_the_page_says_queued_when_the_broker_is_down(world, client_for):
    # given a broker that cannot be reached; outside a test transaction the task is sent
    # during the request, as in production
    unreachable = BrokerUnreachable("connection refused")
    with mock.patch.object(render_document, "apply_async", side_effect=unreachable) as send:
        # when the coordinator asks for the agenda
        response = client_for("coordinator").post(
            request_url(), {"kind": "agenda", "source": world.meeting_a.pk}, headers={"HX-Request": "true"}
        )
    # then the page answers that the PDF is queued, and the document waits for the sweeper
    assert send.called
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in response.text
    assert Document.objects.get().status == Document.Status.PENDING


def test_the_convocation_email_carries_the_agenda_pdf(world, django_capture_on_commit_callbacks):
    # when the coordinator convenes the meeting (its emails go out from the eager task)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_convene(meeting=world.meeting_a, by=world.coordinator, message="Bienvenue à tous")
    # then the email carries the agenda made by document_ensure_ready
    attachments = [
        content for _name, content, mime in mail.outbox[0].attachments if mime == "application/pdf"
    ]
    assert len(attachments) == 1
    text = PdfReader(io.BytesIO(attachments[0])).pages[0].extract_text()
    assert "Bienvenue à tous" in text
    assert Document.objects.get(kind="agenda").status == Document.Status.READY


def test_the_sweeper_queues_documents_left_pending_or_abandoned(world):
    # given documents whose task was lost ten minutes ago, never sent (the broker was down)
    # thirty seconds ago, claimed by a worker that died, sent a minute ago, and just asked for
    now = timezone.now()
    meeting, table = load("agenda", world.meeting_a), load("register", world.table_a)
    lost = documents.document_request(source=meeting, kind="agenda", language="en")
    unsent = documents.document_request(source=table, kind="register", language="fr-ca")
    abandoned = documents.document_request(source=meeting, kind="agenda", language="fr-ca")
    waiting = documents.document_request(source=table, kind="register", language="en")
    fresh = documents.document_request(source=load("agenda", world.meeting_b), kind="agenda", language="en")
    Document.objects.filter(pk=lost.pk).update(
        created_at=now - timedelta(minutes=10), queued_at=now - timedelta(minutes=10)
    )
    Document.objects.filter(pk=unsent.pk).update(created_at=now - timedelta(seconds=30), queued_at=None)
    Document.objects.filter(pk=abandoned.pk).update(
        status=Document.Status.RENDERING, alive_at=now - timedelta(minutes=10), attempts=1
    )
    Document.objects.filter(pk=waiting.pk).update(
        created_at=now - timedelta(minutes=1), queued_at=now - timedelta(minutes=1)
    )
    Document.objects.filter(pk=fresh.pk).update(queued_at=None)
    # when the sweeper runs
    with mock.patch.object(render_document, "apply_async") as queued:
        count = sweep_documents()
    # then the lost, unsent and abandoned ones are queued again, the others left to their task
    assert count == 3
    assert sorted(call.args[0][0] for call in queued.call_args_list) == sorted(
        [lost.pk, unsent.pk, abandoned.pk]
    )
    # and sending them is recorded, so that the next sweep leaves them alone for a while
    assert Document.objects.get(pk=unsent.pk).queued_at > now


def test_the_render_task_is_idempotent(world, settings):
    # given a pending document
    document = pending_agenda(world)
    # when the task runs twice (a message delivered again)
    render_document(document.pk)
    render_document(document.pk)
    # then there is one ready document and one file
    document.refresh_from_db()
    assert Document.objects.count() == 1
    assert document.status == Document.Status.READY
    assert document.attempts == 1
    assert len(document_files(settings)) == 1


def test_a_document_made_again_after_an_interruption_keeps_one_file(world, settings):
    # given a document made once, then given back as if its worker died before recording it
    document = make(load("agenda", world.meeting_a), "agenda", "en")
    Document.objects.filter(pk=document.pk).update(status=Document.Status.PENDING)
    # when it is made again
    render_document(document.pk)
    # then the file was replaced, not doubled
    assert [path.name for path in document_files(settings)] == [document.file.name.rsplit("/", 1)[1]]


def test_the_document_records_pages_and_timings(world):
    document = make(load("agenda", world.meeting_a), "agenda", "en")
    assert document.pages == 1
    assert document.gather_ms is not None and document.render_ms > 0
    assert document.finished_at is not None
    assert document.file.name.endswith(".pdf")


def test_a_failure_is_recorded_with_its_error(world):
    document = pending_agenda(world)
    with mock.patch("tables.services.documents.render_pdf", side_effect=ValueError("bad layout")):
        render_document(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert document.error == "ValueError: bad layout"
    assert not document.file


def test_a_failed_document_can_be_asked_for_again(world, django_capture_on_commit_callbacks):
    # given a failed document
    meeting = load("agenda", world.meeting_a)
    document = documents.document_request(source=meeting, kind="agenda", language="en")
    with mock.patch("tables.services.documents.render_pdf", side_effect=ValueError("bad layout")):
        documents.document_render(document)
    # when it is asked for again
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = documents.document_request(source=meeting, kind="agenda", language="en")
    # then the same document is queued again and made
    assert again.pk == document.pk
    assert len(callbacks) == 1
    again.refresh_from_db()
    assert again.status == Document.Status.READY
    assert again.error == ""


def test_running_out_of_time_fails_the_document_in_plain_words(world):
    from celery.exceptions import SoftTimeLimitExceeded

    document = pending_agenda(world)
    with mock.patch("tables.services.documents.render_pdf", side_effect=SoftTimeLimitExceeded()):
        documents.document_render(document)
    assert document.status == Document.Status.FAILED
    assert document.error == "Making the PDF took longer than the time allowed."


def test_a_transient_database_error_gives_the_document_back_for_a_retry(world):
    document = pending_agenda(world)
    with (
        mock.patch("tables.services.documents.render_pdf", side_effect=OperationalError("server closed")),
        pytest.raises(OperationalError),
    ):
        documents.document_render(document)
    document.refresh_from_db()
    assert document.status == Document.Status.PENDING


def test_a_document_claimed_by_another_worker_is_not_made_twice(world):
    # given a document another worker has just claimed
    document = pending_agenda(world)
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.RENDERING, alive_at=timezone.now(), attempts=1
    )
    # when this worker tries to make it
    with mock.patch("tables.services.documents.render_pdf") as render:
        documents.document_render(document)
    # then it leaves it alone
    render.assert_not_called()
    assert document.status == Document.Status.RENDERING


def test_a_redelivered_task_waits_for_the_claim_to_expire(world):
    # given a document claimed a while ago by a worker that may have died
    document = pending_agenda(world)
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.RENDERING, alive_at=timezone.now() - documents.CLAIM_EXPIRES / 2, attempts=1
    )
    # when its message is delivered again, the task retries when the claim expires
    with (
        mock.patch.object(render_document, "retry", side_effect=RuntimeError("retry")) as retry,
        pytest.raises(RuntimeError),
    ):
        render_document(document.pk)
    countdown = retry.call_args.kwargs["countdown"]
    left = documents.CLAIM_EXPIRES / 2
    assert left.total_seconds() - 5 <= countdown <= left.total_seconds() + 1


@pytest.mark.django_db(transaction=True)
def test_a_long_render_keeps_renewing_its_claim(world, monkeypatch):
    # given claims that expire fast, and a PDF that takes longer than that to draw
    monkeypatch.setattr(documents, "CLAIM_EXPIRES", timedelta(seconds=0.4))
    with mock.patch.object(documents, "document_queue"):
        document = pending_agenda(world)
    signs_of_life = []

    def slow_render(*args, **kwargs):
        for _ in range(6):
            sleep(0.1)
            signs_of_life.append(Document.objects.values_list("alive_at", flat=True).get(pk=document.pk))
        return b"%PDF-1.7", 1

    # when it is drawn
    with mock.patch("tables.services.documents.render_pdf", side_effect=slow_render):
        document = documents.document_render(document)
    # then the claim was renewed while drawing, so no other worker took the document
    assert document.status == Document.Status.READY
    assert len(set(signs_of_life)) >= 3
    assert document.attempts == 1
    assert document.claimed_by.endswith(f":{os.getpid()}")


def test_an_abandoned_claim_is_taken_over_once_expired(world):
    # given a document claimed long ago by a worker that died
    document = pending_agenda(world)
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.RENDERING, alive_at=timezone.now() - documents.CLAIM_EXPIRES * 2, attempts=1
    )
    # when a worker gets to it
    render_document(document.pk)
    # then it is made, on the second attempt
    document.refresh_from_db()
    assert document.status == Document.Status.READY
    assert document.attempts == 2


def test_a_document_that_keeps_killing_its_worker_is_given_up(world):
    document = pending_agenda(world)
    Document.objects.filter(pk=document.pk).update(attempts=documents.MAX_ATTEMPTS)
    with mock.patch("tables.services.documents.render_pdf") as render:
        documents.document_render(document)
    render.assert_not_called()
    assert document.status == Document.Status.FAILED
    assert "Given up after" in document.error


def test_the_render_task_ignores_a_document_that_is_gone():
    assert render_document(987654) is None


def test_ensure_ready_makes_the_document_in_the_calling_worker(world):
    document = documents.document_ensure_ready(
        source=load("agenda", world.meeting_a), kind="agenda", language="en"
    )
    assert document.status == Document.Status.READY
    assert "Rencontre régulière" in pdf_text(document)


def test_ensure_ready_reuses_a_ready_document(world):
    meeting = load("agenda", world.meeting_a)
    first = make(meeting, "agenda", "en")
    with mock.patch("tables.services.documents.render_pdf") as render:
        again = documents.document_ensure_ready(source=meeting, kind="agenda", language="en")
    render.assert_not_called()
    assert again.pk == first.pk


def test_the_latest_document_is_the_last_one_made_even_if_outdated(world):
    meeting = load("agenda", world.meeting_a)
    made = make(meeting, "agenda", "en")
    AgendaItemFactory(meeting=world.meeting_a)
    meeting = load("agenda", world.meeting_a)
    assert documents.current_document(meeting, "agenda", "en") is None
    assert documents.latest_document(meeting, "agenda", "en") == made


# Views -------------------------------------------------------------------------------------


def request_url():
    return reverse("tables:document-request")


def test_asking_with_htmx_answers_the_status_partial_that_polls(world, client_for):
    # when the coordinator asks for the agenda from the page, with htmx
    response = client_for("coordinator").post(
        request_url(), {"kind": "agenda", "source": world.meeting_a.pk}, headers={"HX-Request": "true"}
    )
    # then the answer is the partial, which polls while the document is queued
    document = Document.objects.get()
    assert response.status_code == 200
    assert f'hx-get="{reverse("tables:document-status", args=[document.pk])}?seen=pending"' in response.text
    assert 'hx-trigger="every 1s"' in response.text
    assert "<html" not in response.text


def test_asking_without_htmx_goes_back_to_the_page(world, client_for):
    page = reverse("tables:table-detail", args=[world.table_a.slug])
    response = client_for("coordinator").post(
        request_url(), {"kind": "agenda", "source": world.meeting_a.pk, "next": page}
    )
    assert response.status_code == 302
    assert response.url == page


def test_asking_never_redirects_to_another_site(world, client_for):
    response = client_for("coordinator").post(
        request_url(), {"kind": "agenda", "source": world.meeting_a.pk, "next": "https://evil.example.com/"}
    )
    assert not response.url.startswith("https://evil.example.com")


def test_asking_for_an_unknown_kind_is_404(world, client_for):
    response = client_for("coordinator").post(request_url(), {"kind": "bilan", "source": world.meeting_a.pk})
    assert response.status_code == 404


def test_the_status_shows_the_download_link_with_size_and_pages(world, client_for):
    document = make(load("agenda", world.meeting_a), "agenda", "en")
    response = client_for("delegate_a").get(reverse("tables:document-status", args=[document.pk]))
    assert reverse("tables:document-download", args=[document.pk]) in response.text
    assert re.search(r"\d+,\d\xa0Kio, 1 page", response.text)
    assert "hx-trigger" not in response.text


def test_the_status_of_a_failed_document_explains_and_offers_to_try_again(world, client_for):
    document = pending_agenda(world)
    with mock.patch("tables.services.documents.render_pdf", side_effect=ValueError("bad layout")):
        documents.document_render(document)
    response = client_for("coordinator").get(reverse("tables:document-status", args=[document.pk]))
    assert "Le PDF n’a pas pu être produit." in response.text
    assert "ValueError: bad layout" in response.text
    assert f'action="{request_url()}"' in response.text
    assert "Réessayer" in response.text


def test_polling_answers_204_while_nothing_changed(world, client_for):
    document = pending_agenda(world)
    url = reverse("tables:document-status", args=[document.pk])
    response = client_for("coordinator").get(url, {"seen": "pending"}, headers={"HX-Request": "true"})
    assert response.status_code == 204


def test_polling_answers_the_new_state_once_it_changed(world, client_for):
    document = pending_agenda(world)
    url = reverse("tables:document-status", args=[document.pk])
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.RENDERING, started_at=timezone.now()
    )
    response = client_for("coordinator").get(url, {"seen": "pending"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "?seen=rendering" in response.text


def test_download_is_an_attachment_with_a_readable_name(world, client_for):
    document = make(load("agenda", world.meeting_a), "agenda", "fr-ca")
    response = client_for("delegate_a").get(reverse("tables:document-download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    day = world.meeting_a.date.isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="ordre-du-jour-{day}.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_english_minutes_download_under_an_english_name(world, client_for):
    held = held_meeting(world)
    document = make(load("minutes", held.minutes), "minutes", "en")
    response = client_for("coordinator").get(reverse("tables:document-download", args=[document.pk]))
    assert f'filename="minutes-{held.meeting.date.isoformat()}.pdf"' in response["Content-Disposition"]


def test_a_document_not_ready_cannot_be_downloaded(world, client_for):
    document = pending_agenda(world)
    response = client_for("coordinator").get(reverse("tables:document-download", args=[document.pk]))
    assert response.status_code == 404


def test_a_delegate_of_table_b_gets_404_on_table_a_documents(world, client_for):
    held = held_meeting(world)
    client = client_for("delegate_b")
    for source, kind in [(world.meeting_a, "agenda"), (held.minutes, "minutes"), (world.table_a, "register")]:
        document = make(load(kind, source), kind, "en")
        assert client.get(reverse("tables:document-status", args=[document.pk])).status_code == 404
        assert client.get(reverse("tables:document-download", args=[document.pk])).status_code == 404
        assert client.post(request_url(), {"kind": kind, "source": source.pk}).status_code == 404


def test_a_delegate_of_table_a_gets_404_on_table_b_documents(world, client_for):
    client = client_for("delegate_a")
    for source, kind in [(world.meeting_b, "agenda"), (world.table_b, "register")]:
        document = make(load(kind, source), kind, "en")
        assert client.get(reverse("tables:document-status", args=[document.pk])).status_code == 404
        assert client.get(reverse("tables:document-download", args=[document.pk])).status_code == 404
        assert client.post(request_url(), {"kind": kind, "source": source.pk}).status_code == 404


def test_anyone_may_download_adopted_minutes_a_public_table_publishes(world, client_for):
    # given adopted minutes of table A, which publishes them
    world.table_a.publish_minutes = True
    world.table_a.save()
    held = held_meeting(world)
    adopt(world, held.minutes)
    document = make(load("minutes", held.minutes), "minutes", "en")
    # then even a visitor may download them
    response = client_for("anonymous").get(reverse("tables:document-download", args=[document.pk]))
    assert response.status_code == 200


def test_draft_minutes_stay_hidden_from_the_public_even_when_published(world, client_for):
    world.table_a.publish_minutes = True
    world.table_a.save()
    held = held_meeting(world)
    document = make(load("minutes", held.minutes), "minutes", "en")
    response = client_for("anonymous").get(reverse("tables:document-download", args=[document.pk]))
    assert response.status_code == 404


# The panel other pages include ------------------------------------------------------------


def render_panel(user, source, kind, language="en"):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    template = Template("{% load documents %}{% document_panel source kind %}")
    with translation.override(language):
        return template.render(
            Context({"request": request, "source": source, "kind": kind, "csrf_token": "t"})
        )


def test_the_panel_offers_to_make_the_pdf(world):
    html = render_panel(world.coordinator, load("agenda", world.meeting_a), "agenda")
    assert 'aria-live="polite"' in html
    assert "Make the PDF" in html
    assert 'name="kind" value="agenda"' in html
    assert 'name="next" value="/somewhere/"' in html


def test_the_panel_offers_the_download_once_made(world):
    meeting = load("agenda", world.meeting_a)
    document = make(meeting, "agenda", "en")
    html = render_panel(world.coordinator, meeting, "agenda")
    assert "Download the PDF" in html
    assert reverse("tables:document-download", args=[document.pk]) in html


def test_the_panel_offers_the_outdated_pdf_while_a_new_one_is_not_made(world):
    made = make(load("agenda", world.meeting_a), "agenda", "en")
    AgendaItemFactory(meeting=world.meeting_a)
    html = render_panel(world.coordinator, load("agenda", world.meeting_a), "agenda")
    assert "Make the PDF" in html
    assert "does not show the latest changes" in html
    assert reverse("tables:document-download", args=[made.pk]) in html


def test_the_panel_shows_nothing_to_someone_who_may_not_download(world):
    assert render_panel(world.delegate_b, load("agenda", world.meeting_a), "agenda").strip() == ""


# Query counts ------------------------------------------------------------------------------


def grow(world, n):
    """n more agenda items, open follow-ups, attendance rows and older documents."""
    meeting = world.meeting_a
    for i in range(n):
        membership = MembershipFactory(table=world.table_a)
        AgendaItemFactory(meeting=meeting, presenter=membership.organisation)
        FollowUp.objects.create(
            table=world.table_a,
            meeting=world.past_meeting_a,
            description="Suivi",
            organisation=membership.organisation,
        )
        Attendance.objects.create(meeting=meeting, membership=membership, present=True)
        Document.objects.create(
            source=meeting, kind="agenda", language="en", source_version=f"old-{n}-{i}", status="ready"
        )


def count_queries(action) -> int:
    with CaptureQueriesContext(connection) as context:
        action()
    return len(context.captured_queries)


def test_the_status_partial_costs_the_same_queries_whatever_the_data(world, client_for):
    client = client_for("coordinator")
    document = make(load("agenda", world.meeting_a), "agenda", "en")
    url = reverse("tables:document-status", args=[document.pk])
    grow(world, 2)
    small = count_queries(lambda: client.get(url))
    grow(world, 15)
    large = count_queries(lambda: client.get(url))
    assert large == small


def test_the_panel_costs_the_same_queries_whatever_the_data(world):
    make(load("agenda", world.meeting_a), "agenda", "en")

    def panel():
        # a fresh user each time, as on a new request (access is cached on the user)
        render_panel(User.objects.get(pk=world.coordinator.pk), load("agenda", world.meeting_a), "agenda")

    grow(world, 2)
    panel()  # warm the content-type cache
    small = count_queries(panel)
    grow(world, 15)
    large = count_queries(panel)
    assert large == small
    assert small <= 10


def test_asking_for_a_long_agenda_costs_no_more_queries_than_for_a_short_one(world, client_for):
    client = client_for("coordinator")

    def ask():
        client.post(
            request_url(), {"kind": "agenda", "source": world.meeting_a.pk}, headers={"HX-Request": "true"}
        )

    grow(world, 2)
    small = count_queries(ask)
    grow(world, 15)
    large = count_queries(ask)
    assert large == small


def test_agenda_pdf_names_standard_items_in_the_language_of_the_document(world):
    text = pdf_text(make(load("agenda", world.meeting_a), "agenda", "en"))
    assert "Adoption of the agenda" in text
    assert "Business arising from the minutes" in text
