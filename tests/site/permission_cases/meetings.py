"""Meetings, agendas, answers, attendance, calendars, committees."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tables import services
from tables.models import CalendarFeed, Committee
from tables.rsvp import rsvp_token

from . import (
    EVERYONE_200,
    LOGIN,
    MANAGE_A,
    MANAGE_A_POST,
    MANAGE_B,
    REDIRECT,
    SIGNED_IN_200,
    VIEW_B,
    Case,
    roles,
)


def meeting_a(w):
    return {"slug": w.table_a.slug, "pk": w.meeting_a.pk}


def an_item(w):
    return services.item_add(meeting=w.meeting_a, by=w.coordinator, title="Point ajouté", kind="discussion")


def a_proposal(w):
    return services.item_propose(
        meeting=w.meeting_a, by=w.delegate_a, organisation=w.org_a, title="Proposition"
    )


def an_attachment(w, meeting=None):
    meeting = meeting or w.meeting_a
    item = meeting.items.retained().first()
    upload = SimpleUploadedFile("note.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    return services.attachment_add(item=item, upload=upload, by=w.admin)


def a_feed(w):
    return CalendarFeed.objects.create(owner=w.delegate_a, scope=CalendarFeed.Scope.PERSON)


def a_communique(w, table=None):
    from tables.models import Communique

    table = table or w.table_a
    return Communique.objects.create(
        table=table, subject="Rappel", body="Texte", created_by=w.coordinator, recipients=1
    )


def a_communique_b(w):
    return {"slug": w.table_b.slug, "pk": a_communique(w, w.table_b).pk}


def a_committee(w):
    return Committee.objects.create(table=w.table_a, name="Comité emploi")


ANSWER = roles(403, anonymous=LOGIN, delegate_a=REDIRECT, coordinator=REDIRECT, admin=REDIRECT)
WRITERS = roles(403, anonymous=LOGIN, coordinator=200, admin=200)
DELEGATE_A_ONLY = roles(403, anonymous=LOGIN, delegate_a=200)

# Communiqués are written to the table's members: its insiders read them.
INSIDERS_A = roles(403, anonymous=LOGIN, delegate_a=200, coordinator=200, admin=200)

CASES = [
    Case("tables:communique-list", INSIDERS_A, lambda w: {"slug": w.table_a.slug}),
    Case(
        "tables:communique-list",
        roles(404, anonymous=LOGIN, delegate_b=200, admin=200),
        lambda w: {"slug": w.table_b.slug},
        label="private",
    ),
    Case(
        "tables:communique-list",
        roles(403, anonymous=LOGIN, coordinator=200, admin=200),
        lambda w: {"slug": w.table_a.slug},
        method="post",
        data=lambda w: {"audience": "all", "subject": "", "body": ""},
        label="write",
    ),
    Case(
        "tables:communique-detail", INSIDERS_A, lambda w: {"slug": w.table_a.slug, "pk": a_communique(w).pk}
    ),
    Case(
        "tables:communique-detail",
        roles(404, anonymous=LOGIN, delegate_b=200, admin=200),
        a_communique_b,
        label="private",
    ),
    Case("tables:communique-status", MANAGE_A, lambda w: {"slug": w.table_a.slug, "pk": a_communique(w).pk}),
    Case("tables:meeting-list", EVERYONE_200, lambda w: {"slug": w.table_a.slug}),
    Case("tables:meeting-list", VIEW_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case("tables:meeting-create", MANAGE_A, lambda w: {"slug": w.table_a.slug}),
    Case("tables:meeting-create", MANAGE_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case("tables:meeting-detail", EVERYONE_200, meeting_a),
    Case(
        "tables:meeting-detail",
        VIEW_B,
        lambda w: {"slug": w.table_b.slug, "pk": w.meeting_b.pk},
        label="private",
    ),
    Case(
        "tables:meeting-detail",
        roles(404),
        lambda w: {"slug": w.table_a.slug, "pk": w.meeting_b.pk},
        label="other table's meeting",
    ),
    Case("tables:meeting-update", MANAGE_A, meeting_a),
    Case(
        "tables:meeting-update",
        MANAGE_B,
        lambda w: {"slug": w.table_b.slug, "pk": w.meeting_b.pk},
        label="private",
    ),
    Case("tables:meeting-cancel", MANAGE_A, meeting_a),
    Case("tables:meeting-convene", MANAGE_A, meeting_a),
    Case("tables:meeting-resend-failed", MANAGE_A_POST, meeting_a, method="post"),
    Case(
        "tables:meeting-answer",
        ANSWER,
        meeting_a,
        method="post",
        data=lambda w: {"membership": w.membership_a.pk, "response": "present"},
    ),
    Case("tables:meeting-attendance", WRITERS, meeting_a),
    Case("tables:item-create", MANAGE_A, meeting_a),
    Case("tables:item-propose", DELEGATE_A_ONLY, meeting_a),
    Case("tables:item-update", MANAGE_A, lambda w: {**meeting_a(w), "item": an_item(w).pk}),
    Case(
        "tables:item-delete", MANAGE_A_POST, lambda w: {**meeting_a(w), "item": an_item(w).pk}, method="post"
    ),
    Case("tables:item-decide", MANAGE_A, lambda w: {**meeting_a(w), "item": a_proposal(w).pk}),
    Case(
        "tables:item-move",
        MANAGE_A_POST,
        lambda w: {**meeting_a(w), "item": an_item(w).pk},
        method="post",
        data=lambda w: {"direction": "up"},
    ),
    Case(
        "tables:agenda-reorder",
        roles(403, anonymous=LOGIN, coordinator=200, admin=200),
        meeting_a,
        method="post",
        data=lambda w: {
            "items": list(w.meeting_a.items.retained().values_list("pk", flat=True)),
            "parent": None,
        },
        content_type="application/json",
    ),
    Case(
        "tables:attachment-download",
        EVERYONE_200,
        lambda w: {**meeting_a(w), "attachment": an_attachment(w).pk},
    ),
    Case(
        "tables:attachment-download",
        VIEW_B,
        lambda w: {
            "slug": w.table_b.slug,
            "pk": w.meeting_b.pk,
            "attachment": an_attachment(w, w.meeting_b).pk,
        },
        label="private",
    ),
    Case(
        "tables:attachment-delete",
        MANAGE_A_POST,
        lambda w: {**meeting_a(w), "attachment": an_attachment(w).pk},
        method="post",
    ),
    Case("tables:ownership", EVERYONE_200, lambda w: {"slug": w.table_a.slug}),
    Case("tables:ownership", VIEW_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case("tables:committee-list", MANAGE_A, lambda w: {"slug": w.table_a.slug}),
    Case("tables:committee-update", MANAGE_A, lambda w: {"slug": w.table_a.slug, "pk": a_committee(w).pk}),
    Case(
        "tables:rsvp-signed",
        EVERYONE_200,
        lambda w: {"token": rsvp_token(w.meeting_a, w.membership_a, w.delegate_a)},
    ),
    Case("tables:calendar-list", SIGNED_IN_200),
    Case(
        "tables:calendar-revoke",
        roles(404, anonymous=LOGIN, delegate_a=REDIRECT),
        lambda w: {"pk": a_feed(w).pk},
        method="post",
    ),
    Case("tables:calendar-feed", EVERYONE_200, lambda w: {"token": f"{a_feed(w).token}.ics"}),
    Case("tables:reminder-settings", MANAGE_A, lambda w: {"slug": w.table_a.slug}),
    Case("tables:reminder-settings", MANAGE_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case(
        "tables:reminder-settings",
        MANAGE_A_POST,
        lambda w: {"slug": w.table_a.slug},
        method="post",
        data=lambda w: REMINDER_SETTINGS,
    ),
]

REMINDER_SETTINGS = {
    "convocation_unanswered": "on",
    "convocation_unanswered_days": "3",
    "consultation_unanswered": "on",
    "consultation_unanswered_days": "1",
    "proposal_deadline_days": "2",
    "follow_up_due_days": "3",
    "follow_up_overdue_days": "7",
    "minutes_comments_days": "2",
    "progress_report_days": "90",
}
