"""Organisations, tables, memberships, invitations, accounts."""

from django.core.files.uploadedfile import SimpleUploadedFile

from members.documents.email import unsubscribe_token
from members.models import EmailKind, Notification
from tables.models import MemberImport
from tests.factories import InvitationFactory

from . import (
    EVERYONE_200,
    LOGIN,
    MANAGE_A,
    MANAGE_A_POST,
    MANAGE_B,
    MANAGE_B_POST,
    REDIRECT,
    SIGNED_IN_200,
    SIGNED_OUT_ONLY,
    VIEW_B,
    Case,
    roles,
)


def a_notification(w):
    return Notification.objects.create(
        recipient=w.delegate_a, kind=Notification.Kind.CALL_PUBLISHED, title="Appel", url="/"
    )


def pending_invitation(w):
    return InvitationFactory(membership=w.membership_a, email=w.delegate_a.email)


MEMBER_LIST = "Organisation;Secteur;Courriel\r\nCentre importé;Communautaire;importe@x.org\r\n".encode()


def a_member_list(w):
    return {"file": SimpleUploadedFile("membres.csv", MEMBER_LIST)}


def an_import(w, table=None, **fields):
    rows = [[2, {"organisation": "Centre importé", "sector": "Communautaire", "email": "importe@x.org"}]]
    return MemberImport.objects.create(table=table or w.table_a, filename="membres.csv", rows=rows, **fields)


def an_imported_list(w):
    invitee = {"line": 2, "membership": w.membership_a.pk, "email": "importe@x.org", "role": "substitute"}
    return an_import(w, status=MemberImport.Status.IMPORTED, invitees=[invitee])


CASES = [
    Case("home", EVERYONE_200),
    Case("healthz", EVERYONE_200),
    # members
    Case("members:organisation-list", EVERYONE_200),
    Case("members:organisation-detail", EVERYONE_200, lambda w: {"slug": w.org_a.slug}),
    Case("members:organisation-detail", EVERYONE_200, lambda w: {"slug": w.org_b.slug}, label="private"),
    Case("members:organisation-create", roles(403, anonymous=LOGIN, coordinator=200, admin=200)),
    Case(
        "members:organisation-update",
        roles(403, anonymous=LOGIN, delegate_a=200, coordinator=200, admin=200),
        lambda w: {"slug": w.org_a.slug},
    ),
    Case("members:profile", SIGNED_IN_200),
    Case("members:set-language", roles(REDIRECT), method="post", data=lambda w: {"language": "en"}),
    Case("members:notification-list", SIGNED_IN_200),
    Case("members:notification-preferences", SIGNED_IN_200),
    Case("members:notification-read-all", roles(REDIRECT, anonymous=LOGIN), method="post"),
    # Only its recipient opens a notification.
    Case(
        "members:notification-open",
        roles(404, anonymous=LOGIN, delegate_a=REDIRECT),
        lambda w: {"pk": a_notification(w).pk},
    ),
    # The signed link is the proof: the same page for whoever opens it, and a 404 for a
    # token that was altered or names a notice that cannot be turned off.
    Case(
        "members:unsubscribe",
        EVERYONE_200,
        lambda w: {"token": unsubscribe_token(w.delegate_a.email, EmailKind.MINUTES)},
    ),
    Case(
        "members:unsubscribe",
        EVERYONE_200,
        lambda w: {"token": unsubscribe_token(w.delegate_a.email, EmailKind.MINUTES)},
        method="post",
        data=lambda w: {"List-Unsubscribe": "One-Click"},
        label="one-click",
    ),
    Case(
        "members:unsubscribe",
        roles(404),
        lambda w: {"token": unsubscribe_token(w.delegate_a.email, EmailKind.MINUTES)[:-2] + "xx"},
        label="tampered",
    ),
    Case(
        "members:unsubscribe",
        roles(404),
        lambda w: {"token": unsubscribe_token(w.delegate_a.email, EmailKind.NOTICE)},
        label="notice",
    ),
    # tables
    Case("tables:table-list", EVERYONE_200),
    Case("tables:table-create", roles(403, anonymous=LOGIN, admin=200)),
    Case("tables:table-detail", EVERYONE_200, lambda w: {"slug": w.table_a.slug}),
    Case("tables:table-detail", VIEW_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case("tables:table-update", MANAGE_A, lambda w: {"slug": w.table_a.slug}),
    Case("tables:table-update", MANAGE_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case("tables:rules-list", EVERYONE_200, lambda w: {"slug": w.table_a.slug}),
    Case("tables:rules-list", VIEW_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case("tables:membership-list", MANAGE_A, lambda w: {"slug": w.table_a.slug}),
    Case("tables:membership-list", MANAGE_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    # Importing members is the coordination's; the export gives each reader what they may
    # see (tests/tables/test_member_export.py), and nothing of a private table to outsiders.
    Case("tables:member-import", MANAGE_A, lambda w: {"slug": w.table_a.slug}),
    Case("tables:member-import", MANAGE_B, lambda w: {"slug": w.table_b.slug}, label="private"),
    Case(
        "tables:member-import",
        MANAGE_A_POST,
        lambda w: {"slug": w.table_a.slug},
        method="post",
        data=a_member_list,
        label="upload",
    ),
    Case("tables:member-import-template", MANAGE_A, lambda w: {"slug": w.table_a.slug, "fmt": "xlsx"}),
    Case(
        "tables:member-import-template",
        MANAGE_B,
        lambda w: {"slug": w.table_b.slug, "fmt": "csv"},
        label="private",
    ),
    Case("tables:member-import-confirm", MANAGE_A, lambda w: {"slug": w.table_a.slug, "pk": an_import(w).pk}),
    Case(
        "tables:member-import-confirm",
        MANAGE_B,
        lambda w: {"slug": w.table_b.slug, "pk": an_import(w, w.table_b).pk},
        label="private",
    ),
    Case(
        "tables:member-import-confirm",
        MANAGE_A_POST,
        lambda w: {"slug": w.table_a.slug, "pk": an_import(w).pk},
        method="post",
        label="confirm",
    ),
    Case(
        "tables:member-import-invite",
        MANAGE_A_POST,
        lambda w: {"slug": w.table_a.slug, "pk": an_imported_list(w).pk},
        method="post",
    ),
    Case(
        "tables:member-import-status",
        MANAGE_A,
        lambda w: {"slug": w.table_a.slug, "pk": an_imported_list(w).pk},
    ),
    Case("tables:member-export", EVERYONE_200, lambda w: {"slug": w.table_a.slug, "fmt": "xlsx"}),
    Case(
        "tables:member-export", EVERYONE_200, lambda w: {"slug": w.table_a.slug, "fmt": "vcf"}, label="vcard"
    ),
    Case("tables:member-export", VIEW_B, lambda w: {"slug": w.table_b.slug, "fmt": "csv"}, label="private"),
    Case("tables:membership-add", MANAGE_A, lambda w: {"slug": w.table_a.slug}),
    Case(
        "tables:membership-add",
        MANAGE_A_POST,
        lambda w: {"slug": w.table_a.slug},
        method="post",
        data=lambda w: {"organisation": w.other_org.pk},
        label="post",
    ),
    Case("tables:membership-update", MANAGE_A, lambda w: {"slug": w.table_a.slug, "pk": w.membership_a.pk}),
    Case(
        "tables:membership-update",
        MANAGE_B,
        lambda w: {"slug": w.table_b.slug, "pk": w.membership_b.pk},
        label="private",
    ),
    Case("tables:membership-end", MANAGE_A, lambda w: {"slug": w.table_a.slug, "pk": w.membership_a.pk}),
    Case("tables:invitation-create", MANAGE_A, lambda w: {"slug": w.table_a.slug, "pk": w.membership_a.pk}),
    Case(
        "tables:invitation-revoke",
        MANAGE_A_POST,
        lambda w: {"slug": w.table_a.slug, "pk": pending_invitation(w).pk},
        method="post",
    ),
    Case(
        "tables:invitation-resend",
        MANAGE_A_POST,
        lambda w: {"slug": w.table_a.slug, "pk": pending_invitation(w).pk},
        method="post",
    ),
    Case(
        "tables:delegation-end",
        MANAGE_A_POST,
        lambda w: {"slug": w.table_a.slug, "pk": w.delegation_a.pk},
        method="post",
    ),
    Case(
        "tables:delegation-end",
        MANAGE_B_POST,
        lambda w: {"slug": w.table_b.slug, "pk": w.delegation_b.pk},
        method="post",
        label="private",
    ),
    Case(
        "tables:delegation-swap",
        MANAGE_A_POST,
        lambda w: {"slug": w.table_a.slug, "pk": w.delegation_a.pk},
        method="post",
    ),
    Case("tables:invitation-accept", EVERYONE_200, lambda w: {"token": pending_invitation(w).token}),
    # django-allauth: none of these may leak or fail; signed-in people are sent on.
    Case("account_login", SIGNED_OUT_ONLY),
    Case("account_logout", roles(200, anonymous=REDIRECT)),
    Case("account_inactive", EVERYONE_200),
    Case("account_signup", SIGNED_OUT_ONLY),
    Case("account_reauthenticate", SIGNED_IN_200),
    Case("account_email", SIGNED_IN_200),
    Case("account_email_verification_sent", EVERYONE_200),
    Case("account_change_password", SIGNED_IN_200),
    Case("account_set_password", roles(REDIRECT, anonymous=LOGIN)),
    Case("account_reset_password", EVERYONE_200),
    Case("account_confirm_login_code", roles(REDIRECT, anonymous=LOGIN)),
    Case("account_confirm_email", EVERYONE_200, lambda w: {"key": "not-a-real-key"}),
    Case("account_reset_password_from_key_done", EVERYONE_200),
    Case("account_reset_password_from_key", EVERYONE_200, lambda w: {"uidb36": "zz", "key": "bad-key"}),
    Case("account_reset_password_done", EVERYONE_200),
    Case("mfa_index", SIGNED_IN_200),
    Case("mfa_authenticate", roles(REDIRECT, anonymous=LOGIN)),
    Case("mfa_reauthenticate", roles(REDIRECT, anonymous=LOGIN)),
    # Setting up two-factor asks for the password again first (recent sign-in required).
    Case("mfa_activate_totp", roles(REDIRECT, anonymous=LOGIN)),
    # Without an authenticator there is nothing to deactivate or list.
    Case("mfa_deactivate_totp", roles(404, anonymous=LOGIN)),
    Case("mfa_view_recovery_codes", roles(404, anonymous=LOGIN)),
    Case("mfa_generate_recovery_codes", roles(REDIRECT, anonymous=LOGIN)),
    Case("mfa_download_recovery_codes", roles(404, anonymous=LOGIN)),
]
