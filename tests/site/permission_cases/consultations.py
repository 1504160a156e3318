"""Consultations between meetings: for the table's insiders; opened, closed and decided by
its coordination; answered by the delegates of the organisations consulted."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tables import services
from tables.models import PollSlot

from . import LOGIN, MANAGE_A, MANAGE_A_POST, MANAGE_B, REDIRECT, Case, roles


def a_consultation(w, table=None, **fields):
    now = timezone.now()
    values = {
        "kind": "avis",
        "title": "Avis sur le plan d'action",
        "text": "Vos commentaires sur la version 2.",
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=3),
        "attachment": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf"),
    }
    values.update(fields)
    return services.consultation_open(table=table or w.table_a, by=w.admin, **values)


def a_poll(w):
    start = timezone.now() + timedelta(days=10)
    return a_consultation(
        w,
        kind="poll",
        title="Prochaine rencontre",
        attachment=None,
        slots=[
            (start, start + timedelta(hours=2)),
            (start + timedelta(days=1), start + timedelta(days=1, hours=2)),
        ],
    )


def rules_allowing(w, table=None):
    """Rules that let members propose consultations and the table decide between meetings."""
    table = table or w.table_a
    services.rules_amend(
        table=table,
        by=w.admin,
        effective_from=timezone.localdate() - timedelta(days=1),
        e_votes_allowed=True,
        members_may_propose=True,
    )
    return table


def a_proposal(w):
    rules_allowing(w)
    now = timezone.now()
    return services.consultation_propose(
        table=w.table_a,
        membership=w.membership_a,
        by=w.delegate_a,
        kind="avis",
        title="Avis sur la politique régionale",
        text="Nous proposons de consulter les membres.",
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(days=5),
    )


def a_vote(w):
    rules_allowing(w)
    return a_consultation(
        w,
        kind="vote",
        title="Appui à la démarche",
        text="Que la Table appuie la démarche.",
        attachment=None,
        closes_at=timezone.now() + timedelta(days=4),
    )


def on_a(w, consultation=None):
    return {"slug": w.table_a.slug, "pk": (consultation or a_consultation(w)).pk}


def on_b(w):
    return {"slug": w.table_b.slug, "pk": a_consultation(w, w.table_b).pk}


# The table's insiders: on the public table A, others are refused; B hides its existence.
INSIDERS_A = roles(403, anonymous=LOGIN, delegate_a=200, coordinator=200, admin=200)
INSIDERS_B = roles(404, anonymous=LOGIN, delegate_b=200, admin=200)


CASES = [
    Case("tables:consultation-list", INSIDERS_A, lambda w: {"slug": w.table_a.slug}),
    Case("tables:consultation-list", INSIDERS_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case("tables:consultation-create", MANAGE_A, lambda w: {"slug": w.table_a.slug}),
    Case("tables:consultation-create", MANAGE_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case(
        "tables:consultation-create",
        roles(403, anonymous=LOGIN, coordinator=200, admin=200),
        lambda w: {"slug": w.table_a.slug},
        method="post",
        data=lambda w: {"kind": "avis", "title": "", "slots-TOTAL_FORMS": "0", "slots-INITIAL_FORMS": "0"},
        label="invalid",
    ),
    Case("tables:consultation-detail", INSIDERS_A, on_a),
    Case("tables:consultation-detail", INSIDERS_B, on_b, label="private"),
    Case(
        "tables:consultation-detail",
        roles(403, anonymous=LOGIN, delegate_a=404, coordinator=404, admin=404),
        lambda w: {"slug": w.table_a.slug, "pk": a_consultation(w, w.table_b).pk},
        label="other table's consultation",
    ),
    # Only the organisation's own delegates answer: the coordination does not answer for it.
    Case(
        "tables:consultation-answer",
        roles(403, anonymous=LOGIN, delegate_a=REDIRECT),
        on_a,
        method="post",
        data=lambda w: {"membership": w.membership_a.pk, "comment": "D'accord avec la version 2."},
    ),
    Case(
        "tables:consultation-answer",
        roles(404, anonymous=LOGIN, delegate_b=403, admin=403),
        on_b,
        method="post",
        data=lambda w: {"membership": w.membership_a.pk, "comment": "Pour une autre organisation"},
        label="another organisation",
    ),
    Case("tables:consultation-close", MANAGE_A_POST, on_a, method="post"),
    Case(
        "tables:consultation-close",
        roles(404, anonymous=LOGIN, delegate_b=403, admin=REDIRECT),
        on_b,
        method="post",
        label="private",
    ),
    Case(
        "tables:consultation-choose",
        MANAGE_A_POST,
        lambda w: on_a(w, a_poll(w)),
        method="post",
        data=lambda w: {"slot": PollSlot.objects.latest("pk").pk},
    ),
    Case("tables:consultation-attachment", INSIDERS_A, on_a),
    Case("tables:consultation-attachment", INSIDERS_B, on_b, label="private"),
    Case("tables:consultation-count", MANAGE_A, on_a),
    # Only a member organisation's representatives propose, where the rules allow it.
    Case(
        "tables:consultation-propose",
        roles(403, anonymous=LOGIN, delegate_a=200),
        lambda w: {"slug": rules_allowing(w).slug},
    ),
    Case(
        "tables:consultation-propose",
        roles(403, anonymous=LOGIN),
        lambda w: {"slug": w.table_a.slug},
        label="rules do not allow",
    ),
    Case(
        "tables:consultation-propose",
        roles(404, anonymous=LOGIN, delegate_b=200, admin=403),
        lambda w: {"slug": rules_allowing(w, w.table_b).slug},
        label="private",
    ),
    Case(
        "tables:consultation-propose",
        roles(403, anonymous=LOGIN, delegate_a=REDIRECT),
        lambda w: {"slug": rules_allowing(w).slug},
        method="post",
        data=lambda w: {
            "membership": w.membership_a.pk,
            "kind": "avis",
            "title": "Avis sur la politique",
            "text": "Nous proposons de consulter les membres.",
            "opens_at": (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "audience": "all",
        },
    ),
    # A proposal is for the coordination and the organisation that made it.
    Case("tables:consultation-detail", INSIDERS_A, lambda w: on_a(w, a_proposal(w)), label="proposal"),
    Case("tables:consultation-accept", MANAGE_A_POST, lambda w: on_a(w, a_proposal(w)), method="post"),
    Case(
        "tables:consultation-decline",
        MANAGE_A_POST,
        lambda w: on_a(w, a_proposal(w)),
        method="post",
        data=lambda w: {"reason": "Le sujet sera traité à la rencontre de janvier."},
    ),
    Case(
        "tables:consultation-answer",
        roles(403, anonymous=LOGIN, delegate_a=REDIRECT),
        lambda w: on_a(w, a_vote(w)),
        method="post",
        data=lambda w: {"membership": w.membership_a.pk, "vote": "for"},
        label="vote",
    ),
]
