"""A table's members and their people as a spreadsheet (CSV, XLSX) or as vCards.

What a file holds depends on who asks (`level_for`): the coordination (and platform
administrators) get the contact details, email and phone, and the invitations still
pending; the table's delegates and substitutes get organisations and names; anyone else
who may see the table gets its member organisations only, as its public page shows them.

The spreadsheet's columns are those the member import reads (`member_import.HEADERS`), so
that an export imports back into another table as it was.
"""

import uuid
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from members.models import Delegation

from ..models import Invitation, Table
from ..permissions import can_manage_table, can_see_delegates
from .member_import import HEADERS, INVITATION

ORGANISATIONS, NAMES, CONTACTS = "organisations", "names", "contacts"

ORGANISATION_COLUMNS = ("organisation", "acronym", "sector", "actor_type", "status")
PERSON_COLUMNS = ("first_name", "last_name", "role")
CONTACT_COLUMNS = ("email", "phone")

VCARD_CONTENT_TYPE = "text/vcard; charset=utf-8"
# A fixed namespace, so that a person's card keeps its UID from one export to the next and
# an address book updates it instead of adding a copy.
VCARD_NAMESPACE = uuid.UUID("6f1d3c52-1b7e-4b8e-9a43-3f1d2f6c0a11")


def level_for(user, table: Table) -> str:
    """How much of the member list `user` may take away (the table being visible to them)."""
    if can_manage_table(user, table):
        return CONTACTS
    if can_see_delegates(user, table):
        return NAMES
    return ORGANISATIONS


@dataclass
class Person:
    first_name: str
    last_name: str
    email: str
    phone: str
    role: str
    invited: bool = False

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


def _memberships(table: Table, level: str):
    memberships = (
        table.memberships.active().select_related("organisation").order_by("organisation__name", "pk")
    )
    if level == ORGANISATIONS:
        return memberships
    memberships = memberships.prefetch_related(
        Prefetch(
            "delegations",
            queryset=Delegation.objects.active()
            .select_related("person")
            .order_by("role", "person__last_name", "person__first_name", "pk"),
            to_attr="current_delegations",
        )
    )
    if level == CONTACTS:
        memberships = memberships.prefetch_related(
            Prefetch(
                "invitations",
                queryset=Invitation.objects.pending().order_by("role", "email", "-created_at"),
                to_attr="pending_invitations",
            )
        )
    return memberships


def _people(membership, level: str) -> list[Person]:
    if level == ORGANISATIONS:
        return []
    people = [
        Person(
            first_name=delegation.person.first_name,
            last_name=delegation.person.last_name,
            email=delegation.person.email,
            phone=delegation.person.phone,
            role=delegation.role,
        )
        for delegation in membership.current_delegations
    ]
    if level == CONTACTS:
        seated = {person.email.lower() for person in people}
        invited = set()
        for invitation in membership.pending_invitations:
            email = invitation.email.lower()
            if email in seated or email in invited:
                continue
            invited.add(email)
            people.append(
                Person(
                    first_name=invitation.first_name,
                    last_name=invitation.last_name,
                    email=invitation.email,
                    phone="",
                    role=invitation.role,
                    invited=True,
                )
            )
    return people


def columns_for(level: str) -> tuple[str, ...]:
    if level == ORGANISATIONS:
        return ORGANISATION_COLUMNS
    if level == NAMES:
        return ORGANISATION_COLUMNS + PERSON_COLUMNS
    return ORGANISATION_COLUMNS + PERSON_COLUMNS + CONTACT_COLUMNS


def member_sheet(table: Table, level: str) -> tuple[list, list[list]]:
    """The header and the rows: one row a person (delegate first, then substitutes, then,
    for the coordination, the people invited), one for a member without anybody."""
    columns = columns_for(level)
    header = [str(HEADERS[name]) for name in columns]
    if level == CONTACTS:
        header.append(str(HEADERS[INVITATION]))
    rows = []
    for membership in _memberships(table, level):
        organisation = membership.organisation
        base = [
            organisation.name,
            organisation.acronym,
            organisation.get_sector_display(),
            organisation.get_actor_type_display(),
            membership.get_status_display(),
        ]
        people = _people(membership, level)
        if not people:
            rows.append(base + [""] * (len(header) - len(base)))
            continue
        for person in people:
            row = [*base, person.first_name, person.last_name, Delegation.Role(person.role).label]
            if level == CONTACTS:
                row += [person.email, person.phone, _("pending") if person.invited else ""]
            rows.append(row)
    return header, rows


# vCard (RFC 6350) ---------------------------------------------------------------------------


def _escape(value) -> str:
    """A text value as RFC 6350 § 3.4 writes it."""
    return (
        str(value or "")
        .replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """A content line cut into lines of 75 octets at most, each continuation starting with
    a space (RFC 6350 § 3.2), never inside a multi-octet UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current, size, limit = [], [], 0, 75
    for character in line:
        width = len(character.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74
        current.append(character)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _card(lines: list[str]) -> str:
    return "".join(_fold(line) + "\r\n" for line in ["BEGIN:VCARD", "VERSION:4.0", *lines, "END:VCARD"])


def member_vcards(table: Table, level: str) -> bytes:
    """One vCard 4.0 a person (for those who may see names), or one an organisation (for
    the others), UTF-8, CRLF line ends."""
    category = _escape(table.acronym or table.name)
    cards = []
    for membership in _memberships(table, level):
        organisation = membership.organisation
        people = _people(membership, level)
        if level == ORGANISATIONS:
            cards.append(
                _card(
                    [
                        "KIND:org",
                        f"FN:{_escape(organisation.name)}",
                        f"ORG:{_escape(organisation.name)}",
                        f"CATEGORIES:{category}",
                        f"UID:urn:uuid:{uuid.uuid5(VCARD_NAMESPACE, f'org:{organisation.pk}')}",
                    ]
                )
            )
            continue
        for person in people:
            name = person.full_name or person.email or organisation.name
            lines = [
                "KIND:individual",
                f"FN:{_escape(name)}",
                f"N:{_escape(person.last_name)};{_escape(person.first_name)};;;",
                f"ORG:{_escape(organisation.name)}",
                f"ROLE:{_escape(Delegation.Role(person.role).label)}",
                f"CATEGORIES:{category}",
            ]
            if level == CONTACTS:
                if person.email:
                    lines.append(f"EMAIL;TYPE=work:{_escape(person.email)}")
                if person.phone:
                    lines.append(f"TEL;VALUE=text;TYPE=work,voice:{_escape(person.phone)}")
                if person.invited:
                    lines.append(f"NOTE:{_escape(_('Invitation pending'))}")
            # Only those who see the address get a UID made from it: a UID derived from an
            # address would let anyone confirm a guessed one.
            key = person.email.lower() if level == CONTACTS and person.email else f"{organisation.pk}:{name}"
            lines.append(f"UID:urn:uuid:{uuid.uuid5(VCARD_NAMESPACE, f'person:{key}')}")
            cards.append(_card(lines))
    return "".join(cards).encode("utf-8")
