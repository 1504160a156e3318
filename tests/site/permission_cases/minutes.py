"""Minutes, resolutions, the register and follow-ups."""

from tables import services
from tables.models import Meeting
from tests.factories import meeting_with_agenda

from . import EVERYONE_200, LOGIN, MANAGE_A, MANAGE_A_POST, MANAGE_B, MANAGE_B_POST, REDIRECT, Case, roles

INSIDERS_A = roles(403, anonymous=LOGIN, delegate_a=200, coordinator=200, admin=200)
INSIDERS_B = roles(404, delegate_b=200, admin=200)
SIGNED_IN_INSIDERS_B = roles(404, anonymous=LOGIN, delegate_b=200, admin=200)


def draft(w, meeting=None):
    meeting = meeting or w.past_meeting_a
    return services.minutes_start(meeting=meeting, by=None)


def circulated(w, meeting=None):
    minutes = draft(w, meeting)
    services.minutes_circulate(minutes=minutes, by=w.coordinator)
    return minutes


def past_meeting_b(w):
    return meeting_with_agenda(w.table_b, days_ahead=-30, status=Meeting.Status.HELD)


def published(w):
    """Minutes of table A adopted at a later meeting, on a table that publishes them."""
    minutes = circulated(w)
    later = meeting_with_agenda(w.table_a, days_ahead=-2, status=Meeting.Status.HELD)
    services.resolution_record(
        meeting=later,
        by=w.coordinator,
        text="Adopté",
        mode="consensus",
        result="consensus",
        adopts_minutes=minutes,
    )
    w.table_a.publish_minutes = True
    w.table_a.save()
    return minutes


def resolution(w, meeting=None):
    return services.resolution_record(
        meeting=meeting or w.past_meeting_a,
        by=w.coordinator,
        text="Résolu",
        mode="consensus",
        result="consensus",
    )


def comment(w):
    minutes = circulated(w)
    return services.comment_add(minutes=minutes, by=w.delegate_a, organisation=w.org_a, text="Une précision")


def follow_up(w):
    return services.followup_create(
        meeting=w.past_meeting_a, by=w.coordinator, description="Envoyer le bilan", organisation=w.org_a
    )


def meeting_a(w, **extra):
    return {"slug": w.table_a.slug, "pk": w.past_meeting_a.pk, **extra}


CASES = [
    # The procès-verbal
    Case("tables:minutes-detail", INSIDERS_A, lambda w: meeting_a(w) if draft(w) else None, label="draft"),
    Case(
        "tables:minutes-detail",
        INSIDERS_A,
        lambda w: {"slug": w.table_a.slug, "pk": w.meeting_a.pk},
        label="not started",
    ),
    Case(
        "tables:minutes-detail",
        EVERYONE_200,
        lambda w: {"slug": w.table_a.slug, "pk": published(w).meeting_id},
        label="published",
    ),
    Case(
        "tables:minutes-detail",
        INSIDERS_B,
        lambda w: {"slug": w.table_b.slug, "pk": draft(w, past_meeting_b(w)).meeting_id},
        label="private",
    ),
    Case(
        "tables:minutes-detail",
        roles(404),
        lambda w: {"slug": w.table_a.slug, "pk": draft(w, past_meeting_b(w)).meeting_id},
        label="other table's meeting",
    ),
    Case("tables:minutes-start", MANAGE_A_POST, meeting_a, method="post"),
    Case("tables:minutes-update", MANAGE_A, lambda w: meeting_a(w) if draft(w) else None),
    Case(
        "tables:minutes-update",
        MANAGE_A_POST,
        lambda w: meeting_a(w) if draft(w) else None,
        method="post",
        data=lambda w: {"version": 1, "introduction": "Bienvenue"},
        label="post",
    ),
    Case(
        "tables:minutes-note",
        MANAGE_A,
        lambda w: meeting_a(w, item_pk=draft(w).notes.first().item_id),
    ),
    Case(
        "tables:minutes-note",
        MANAGE_A_POST,
        lambda w: meeting_a(w, item_pk=draft(w).notes.first().item_id),
        method="post",
        data=lambda w: {"version": 1, "text": "Tour de table"},
        label="post",
    ),
    Case(
        "tables:minutes-circulate", MANAGE_A_POST, lambda w: meeting_a(w) if draft(w) else None, method="post"
    ),
    Case(
        "tables:minutes-circulate",
        MANAGE_B_POST,
        lambda w: {"slug": w.table_b.slug, "pk": draft(w, past_meeting_b(w)).meeting_id},
        method="post",
        label="private",
    ),
    # Comments: the table's delegates, while the draft is circulated.
    Case(
        "tables:minutes-comment",
        roles(403, anonymous=LOGIN, delegate_a=200),
        lambda w: meeting_a(w) if circulated(w) else None,
    ),
    Case(
        "tables:minutes-comment",
        roles(403, anonymous=LOGIN, delegate_a=REDIRECT),
        lambda w: meeting_a(w) if circulated(w) else None,
        method="post",
        data=lambda w: {"organisation": w.org_a.pk, "text": "Une coquille au point 3."},
        label="post",
    ),
    Case(
        "tables:minutes-comment",
        roles(403, anonymous=LOGIN),
        lambda w: meeting_a(w) if draft(w) else None,
        label="draft",
    ),
    Case(
        "tables:minutes-comment",
        roles(404, anonymous=LOGIN, delegate_b=200, admin=403),
        lambda w: {"slug": w.table_b.slug, "pk": circulated(w, past_meeting_b(w)).meeting_id},
        label="private",
    ),
    Case(
        "tables:minutes-comment-reply",
        MANAGE_A,
        lambda w: meeting_a(w, comment_pk=comment(w).pk),
    ),
    Case(
        "tables:minutes-comment-reply",
        MANAGE_A_POST,
        lambda w: meeting_a(w, comment_pk=comment(w).pk),
        method="post",
        data=lambda w: {"text": "Corrigé."},
        label="post",
    ),
    # Resolutions
    Case("tables:resolution-create", MANAGE_A, meeting_a),
    Case(
        "tables:resolution-create",
        MANAGE_A_POST,
        meeting_a,
        method="post",
        data=lambda w: {"text": "Il est résolu…", "mode": "consensus", "result": "consensus"},
        label="post",
    ),
    Case(
        "tables:resolution-create",
        MANAGE_B,
        lambda w: {"slug": w.table_b.slug, "pk": past_meeting_b(w).pk},
        label="private",
    ),
    Case("tables:resolution-update", MANAGE_A, lambda w: {"slug": w.table_a.slug, "pk": resolution(w).pk}),
    Case(
        "tables:resolution-update",
        roles(404, anonymous=LOGIN),
        lambda w: {"slug": w.table_a.slug, "pk": resolution(w, past_meeting_b(w)).pk},
        label="other table's resolution",
    ),
    Case("tables:resolution-delete", MANAGE_A, lambda w: {"slug": w.table_a.slug, "pk": resolution(w).pk}),
    Case(
        "tables:resolution-delete",
        MANAGE_A_POST,
        lambda w: {"slug": w.table_a.slug, "pk": resolution(w).pk},
        method="post",
        label="post",
    ),
    # The register
    Case("tables:resolution-list", INSIDERS_A, lambda w: {"slug": w.table_a.slug}),
    Case(
        "tables:resolution-list",
        EVERYONE_200,
        lambda w: {"slug": w.table_a.slug} if published(w) else None,
        label="published",
    ),
    Case("tables:resolution-list", INSIDERS_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    # Follow-ups
    Case("tables:follow-up-list", INSIDERS_A, lambda w: {"slug": w.table_a.slug}),
    Case("tables:follow-up-list", SIGNED_IN_INSIDERS_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case("tables:follow-up-create", MANAGE_A, meeting_a),
    Case(
        "tables:follow-up-create",
        MANAGE_A_POST,
        meeting_a,
        method="post",
        data=lambda w: {"description": "Préparer le bilan", "organisation": w.org_a.pk},
        label="post",
    ),
    Case("tables:follow-up-update", MANAGE_A, lambda w: {"slug": w.table_a.slug, "pk": follow_up(w).pk}),
    Case(
        "tables:follow-up-complete",
        INSIDERS_A,
        lambda w: {"slug": w.table_a.slug, "pk": follow_up(w).pk},
    ),
    Case(
        "tables:follow-up-complete",
        roles(403, anonymous=LOGIN, delegate_a=REDIRECT, coordinator=REDIRECT, admin=REDIRECT),
        lambda w: {"slug": w.table_a.slug, "pk": follow_up(w).pk},
        method="post",
        label="post",
    ),
]
