"""Importing a table's member list from a spreadsheet, and inviting the people it names.

An upload is read once (tables.documents.member_import) and kept as a `MemberImport`.
Its preview — what each row would do, or why it cannot — is computed again at every
request (tables.selectors.imports), and so is the import itself, inside its transaction:
what the directory holds may have changed in between. The import writes organisations
and memberships only; the people are invited afterwards (`member_import_invite`, a Celery
task): a seat at a table is taken by the person, by accepting an invitation.

Importing the same file twice changes nothing: organisations are found again (by name,
without regard to case, accents or spacing, or by their acronym), memberships already
there are left as they are, and people who already sit for the organisation or were
already invited are passed over.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.models import Delegation, Organisation, User
from members.queue import enqueue

from ..documents.member_import import MemberFile
from ..models import Invitation, MemberImport, Membership, Table
from ..selectors.imports import (
    ImportAnalysis,
    RowOutcome,
    member_import_analyse,
    member_import_good_rows,
)
from .membership import invitation_send

__all__ = [
    "ImportAnalysis",
    "RowOutcome",
    "member_import_analyse",
    "member_import_apply",
    "member_import_create",
    "member_import_good_rows",
    "member_import_invite",
    "member_import_send_invitations",
]

SLUG_LENGTH = 60


def member_import_create(*, table: Table, by: User | None, file: MemberFile, filename: str) -> MemberImport:
    """Keep what was read from an upload until the coordination confirms it."""
    return MemberImport.objects.create(
        table=table,
        created_by=by,
        filename=filename[:255],
        ignored_columns=file.ignored,
        rows=[[line, values] for line, values in file.rows],
    )


# The import ---------------------------------------------------------------------------------


@transaction.atomic
def member_import_apply(
    *, member_import: MemberImport, by: User | None, good_rows_only: bool = False
) -> MemberImport:
    """Write the organisations and memberships of the upload, all or nothing. While a row
    is bad nothing is written, unless `good_rows_only`: then the bad rows are left out
    (and listed in the summary). The people to invite are kept on the import."""
    Table.objects.select_for_update().filter(pk=member_import.table_id).first()
    member_import = MemberImport.objects.select_for_update().select_related("table").get(pk=member_import.pk)
    member_import.set_status(MemberImport.Status.IMPORTED)
    analysis = member_import_analyse(member_import=member_import)
    bad = analysis.bad
    if bad and not good_rows_only:
        raise ValidationError(
            ngettext(
                "%(count)s row has an error: correct it, or import the good rows only.",
                "%(count)s rows have an error: correct them, or import the good rows only.",
                len(bad),
            )
            % {"count": len(bad)},
            code="bad_rows",
        )
    if bad:
        analysis = member_import_good_rows(member_import=member_import, analysis=analysis)
    rows = analysis.good
    if not rows:
        raise ValidationError(_("No row can be imported."), code="nothing")
    table = member_import.table
    organisations = _create_organisations(table, rows)
    today = timezone.localdate()
    new_memberships = {}
    status_changes = defaultdict(list)
    for row in rows:
        organisation_id = row.organisation_id or organisations[row.group]
        row.organisation_id = organisation_id
        if row.membership == "new":
            new_memberships.setdefault(
                organisation_id,
                Membership(table=table, organisation_id=organisation_id, status=row.status, joined=today),
            )
        elif row.membership == "status":
            status_changes[row.status].append(organisation_id)
    Membership.objects.bulk_create(new_memberships.values())
    for status, organisation_ids in status_changes.items():
        Membership.objects.active().filter(table=table, organisation__in=set(organisation_ids)).update(
            status=status
        )
    membership_ids = dict(
        Membership.objects.active()
        .filter(table=table, organisation__in={row.organisation_id for row in rows})
        .values_list("organisation_id", "pk")
    )
    invitees = [
        {
            "line": row.line,
            "membership": membership_ids[row.organisation_id],
            "email": row.email,
            "role": row.role,
            "first_name": row.values.get("first_name", ""),
            "last_name": row.values.get("last_name", ""),
            "phone": row.values.get("phone", ""),
        }
        for row in rows
        if row.person == "invite"
    ]
    counts = analysis.counts()
    member_import.summary = {
        "rows": len(member_import.rows),
        "imported": len(rows),
        "left_out": sorted({line for line, _values in member_import.rows} - {row.line for row in rows}),
        "new_organisations": len(organisations),
        "new_memberships": len(new_memberships),
        "status_changes": sum(len(set(ids)) for ids in status_changes.values()),
        "to_invite": len(invitees),
        "seated": counts["seated"],
    }
    member_import.invitees = invitees
    member_import.imported_by = by
    member_import.imported_at = timezone.now()
    member_import.save()
    return member_import


def _create_organisations(table: Table, rows: list[RowOutcome]) -> dict:
    """The new organisations of the file, in one insert; group key → id."""
    groups = defaultdict(list)
    for row in rows:
        if row.new_organisation:
            groups[row.group].append(row)
    taken = set(Organisation.objects.values_list("slug", flat=True))
    created = {}
    for key, group in groups.items():
        name = group[0].organisation
        acronym = _first(group, "acronym")
        base = slugify(acronym or name)[:SLUG_LENGTH].strip("-") or "organisation"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        created[key] = Organisation(
            name=name,
            slug=slug,
            acronym=acronym,
            sector=_first(group, "_sector"),
            actor_type=_first(group, "_actor_type"),
            region=table.region,
        )
    Organisation.objects.bulk_create(created.values())
    return {key: organisation.pk for key, organisation in created.items()}


# Invitations --------------------------------------------------------------------------------


def member_import_invite(*, member_import: MemberImport, by: User) -> MemberImport:
    """Queue the invitations of an import's people (Celery). Asking again is harmless."""
    from ..tasks.imports import send_import_invitations

    with transaction.atomic():
        locked = MemberImport.objects.select_for_update().get(pk=member_import.pk)
        if not locked.may_send_invitations:
            raise ValidationError(
                _("The invitations are being sent.")
                if locked.is_sending
                else _("There is nobody to invite."),
                code="not_now",
            )
        now = timezone.now()
        MemberImport.objects.filter(pk=locked.pk).update(
            sending=MemberImport.Sending.QUEUED,
            sending_at=now,
            invitations_done=0,
            invitations_sent=0,
            invitations_skipped=0,
            invitations_finished_at=None,
        )
        transaction.on_commit(lambda: enqueue(send_import_invitations, locked.pk, by.pk if by else None))
    member_import.refresh_from_db()
    return member_import


INVITATION_BATCH = 50


def member_import_send_invitations(*, member_import_id: int, by: User | None = None) -> int:
    """Invite the import's people by batches, saving the progress after each, so that the
    coordination sees it move and a worker that died resumes where it stopped. Whoever
    already sits for the organisation or has a pending invitation to the same seat is
    passed over: safe to run twice. Returns how many invitations this run sent."""
    sent_here = 0
    while True:
        with transaction.atomic():
            member_import = (
                MemberImport.objects.select_for_update(skip_locked=True)
                .filter(
                    pk=member_import_id,
                    sending__in=[MemberImport.Sending.QUEUED, MemberImport.Sending.SENDING],
                )
                .first()
            )
            if member_import is None:
                return sent_here
            start = member_import.invitations_done
            batch = member_import.invitees[start : start + INVITATION_BATCH]
            if not batch:
                MemberImport.objects.filter(pk=member_import.pk).update(
                    sending=MemberImport.Sending.DONE,
                    sending_at=timezone.now(),
                    invitations_finished_at=timezone.now(),
                )
                return sent_here
            sent = _invite_batch(member_import, batch, by)
            MemberImport.objects.filter(pk=member_import.pk).update(
                sending=MemberImport.Sending.SENDING,
                sending_at=timezone.now(),
                invitations_done=F("invitations_done") + len(batch),
                invitations_sent=F("invitations_sent") + sent,
                invitations_skipped=F("invitations_skipped") + len(batch) - sent,
            )
            sent_here += sent


def _invite_batch(member_import: MemberImport, batch: list[dict], by: User | None) -> int:
    """Invite each person of `batch` not yet seated nor invited; how many were invited.
    The batch's memberships stay locked meanwhile, so that two runs cannot both invite."""
    memberships = {
        membership.pk: membership
        for membership in Membership.objects.active()
        .select_for_update(of=("self",))
        .select_related("table", "organisation")
        .filter(pk__in={invitee["membership"] for invitee in batch}, table_id=member_import.table_id)
    }
    emails = {invitee["email"] for invitee in batch}
    seated = set(
        Delegation.objects.active()
        .filter(membership__in=list(memberships), person__email__in=emails)
        .values_list("membership_id", "person__email")
    )
    invited = set(
        Invitation.objects.pending()
        .filter(membership__in=list(memberships), email__in=emails)
        .values_list("membership_id", "email", "role")
    )
    sent = 0
    for invitee in batch:
        membership = memberships.get(invitee["membership"])
        email, role = invitee["email"], invitee["role"]
        if membership is None or (membership.pk, email) in seated or (membership.pk, email, role) in invited:
            continue
        try:
            invitation_send(
                membership=membership,
                email=email,
                role=role,
                by=by,
                first_name=invitee.get("first_name", ""),
                last_name=invitee.get("last_name", ""),
            )
        except ValidationError:
            continue
        invited.add((membership.pk, email, role))
        sent += 1
    return sent


def _first(rows: list[RowOutcome], name: str) -> str:
    return next((row.values[name] for row in rows if row.values.get(name)), "")
