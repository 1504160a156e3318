"""What each row of an uploaded member list would do, or why it cannot: read against the
table and the directory as they are at the moment of asking, in a handful of queries
whatever the number of rows, with errors and notes in the active language. Used by the
preview, by the import itself (tables.services.imports) and by `import_members`."""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from members.models import ActorType, Delegation, Organisation, Sector, User

from ..documents.member_import import HEADERS, INVITATION, choice_aliases, fold
from ..models import Invitation, MemberImport, Membership, Table

__all__ = ["ImportAnalysis", "RowOutcome", "member_import_analyse", "member_import_good_rows"]

LIMITS = {
    "organisation": Organisation._meta.get_field("name").max_length,
    "acronym": Organisation._meta.get_field("acronym").max_length,
    "first_name": Invitation._meta.get_field("first_name").max_length,
    "last_name": Invitation._meta.get_field("last_name").max_length,
    "email": Invitation._meta.get_field("email").max_length,
    "phone": User._meta.get_field("phone").max_length,
}
# "Centre multiethnique de Québec (CMQ)", as the directory writes an organisation.
NAME_WITH_ACRONYM = re.compile(r"^(?P<name>.+?)\s*\((?P<acronym>[^()\s]{1,30})\)$")


@dataclass
class RowOutcome:
    """What one line of the file would do, or why it cannot."""

    line: int
    values: dict
    organisation: str = ""
    organisation_id: int | None = None
    new_organisation: bool = False
    # "new", "member" (already one, unchanged) or "status" (already one, status changes)
    membership: str = ""
    status: str = ""
    # "" (no person on the line), "invite", "seated", "invited" or "duplicate"
    person: str = ""
    email: str = ""
    role: str = ""
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    group: tuple = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def get_status_display(self):
        return Membership.Status(self.status).label if self.status else ""

    def get_role_display(self):
        return Delegation.Role(self.role).label if self.role else ""


@dataclass
class ImportAnalysis:
    rows: list[RowOutcome]

    @property
    def bad(self) -> list[RowOutcome]:
        return [row for row in self.rows if not row.ok]

    @property
    def good(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.ok]

    def counts(self) -> dict[str, int]:
        good = self.good
        return {
            "rows": len(self.rows),
            "good": len(good),
            "bad": len(self.rows) - len(good),
            "new_organisations": len({row.group for row in good if row.new_organisation}),
            "new_memberships": len({row.group for row in good if row.membership == "new"}),
            "status_changes": len({row.group for row in good if row.membership == "status"}),
            "to_invite": sum(1 for row in good if row.person == "invite"),
            "seated": sum(1 for row in good if row.person in {"seated", "invited"}),
        }


class _Directory:
    """What the analysis compares the file with, read in a handful of queries."""

    def __init__(self, table: Table, emails: set[str]):
        self.names = {}
        self.by_name = defaultdict(list)
        self.by_acronym = defaultdict(list)
        self.sector = {}
        self.actor_type = {}
        for pk, name, acronym, sector, actor_type in Organisation.objects.values_list(
            "pk", "name", "acronym", "sector", "actor_type"
        ):
            self.names[pk] = f"{name} ({acronym})" if acronym else name
            self.by_name[fold(name)].append(pk)
            if acronym:
                self.by_acronym[fold(acronym)].append(pk)
            self.sector[pk] = sector
            self.actor_type[pk] = actor_type
        self.memberships = {
            organisation_id: (pk, status)
            for pk, organisation_id, status in Membership.objects.active()
            .filter(table=table)
            .values_list("pk", "organisation_id", "status")
        }
        membership_ids = [pk for pk, _status in self.memberships.values()]
        self.seats = defaultdict(dict)  # membership id -> {email: role}
        self.delegate = {}  # membership id -> email of its delegate
        for membership_id, email, role in (
            Delegation.objects.active()
            .filter(membership__in=membership_ids)
            .values_list("membership_id", "person__email", "role")
        ):
            self.seats[membership_id][email.lower()] = role
            if role == Delegation.Role.DELEGATE:
                self.delegate[membership_id] = email.lower()
        self.invited = defaultdict(dict)  # membership id -> {email: role}
        for membership_id, email, role in (
            Invitation.objects.pending()
            .filter(membership__in=membership_ids)
            .values_list("membership_id", "email", "role")
        ):
            self.invited[membership_id][email.lower()] = role
        self.accounts = set(User.objects.filter(email__in=emails).values_list("email", flat=True))

    def find(self, name: str, acronym: str) -> list[int]:
        """Ids of the organisations `name` (or `acronym`) may mean, best guesses first."""
        attempts = [(self.by_name, name)]
        match = NAME_WITH_ACRONYM.match(name)
        if match:
            attempts += [(self.by_name, match["name"]), (self.by_acronym, match["acronym"])]
        attempts += [(self.by_acronym, acronym), (self.by_acronym, name)]
        for index, text in attempts:
            found = index.get(fold(text), []) if text else []
            if found:
                members = [pk for pk in found if pk in self.memberships]
                return members or found
        return []


def _emails(rows) -> set[str]:
    return {values["email"].strip().lower() for _line, values in rows if values.get("email")}


def member_import_analyse(*, member_import: MemberImport, lines: set[int] | None = None) -> ImportAnalysis:
    """What each row of the upload would do, against the table and the directory as they
    are now: errors and notes in the active language. `lines` limits it to those rows."""
    rows = [(line, values) for line, values in member_import.rows if lines is None or line in lines]
    directory = _Directory(member_import.table, _emails(rows))
    aliases = {name: choice_aliases(name) for name in ("sector", "actor_type", "status", "role")}
    outcomes = [_read_row(line, values, aliases) for line, values in rows]
    _resolve_organisations(outcomes, directory)
    _resolve_people(outcomes, directory)
    return ImportAnalysis(outcomes)


def _read_row(line: int, values: dict, aliases) -> RowOutcome:
    """The checks a row passes on its own."""
    row = RowOutcome(
        line=line, values=values, organisation=values.get("organisation") or values.get("acronym", "")
    )
    for name, limit in LIMITS.items():
        if len(values.get(name, "")) > limit:
            row.errors.append(
                _("%(column)s: longer than %(limit)s characters.") % {"column": HEADERS[name], "limit": limit}
            )
    if not values.get("organisation") and not values.get("acronym"):
        row.errors.append(_("No organisation."))
    for name, message in (
        ("sector", _("Unknown sector « %(value)s ».")),
        ("actor_type", _("Unknown actor type « %(value)s ».")),
        ("status", _("Unknown status « %(value)s » (voting member or observer).")),
        ("role", _("Unknown role « %(value)s » (delegate or substitute).")),
    ):
        text = values.get(name, "")
        if text and fold(text) not in aliases[name]:
            row.errors.append(message % {"value": text})
    row.status = aliases["status"].get(fold(values.get("status", "")), "")
    row.role = aliases["role"].get(fold(values.get("role", "")), "")
    # Kept for the organisation's resolution: the codes of what the row says.
    row.values = {
        **values,
        "_sector": aliases["sector"].get(fold(values.get("sector", "")), ""),
        "_actor_type": aliases["actor_type"].get(fold(values.get("actor_type", "")), ""),
    }
    if any(values.get(name) for name in ("first_name", "last_name", "email", "role", "phone")):
        email = values.get("email", "").strip()
        if not email:
            row.errors.append(_("No email address: one is needed to invite this person."))
        else:
            try:
                validate_email(email)
            except ValidationError:
                row.errors.append(_("« %(value)s » is not a valid email address.") % {"value": email})
            else:
                row.email = email.lower()
    return row


def _resolve_organisations(outcomes: list[RowOutcome], directory: _Directory) -> None:
    """Find each row's organisation in the directory, or in an earlier row of the file,
    and check that the rows of one organisation agree."""
    new_by_name, new_by_acronym = {}, {}
    groups = defaultdict(list)
    for row in outcomes:
        name = row.values.get("organisation", "")
        acronym = row.values.get("acronym", "")
        if not name and not acronym:
            continue
        found = directory.find(name, acronym)
        if len(found) > 1:
            row.errors.append(
                _(
                    "Several organisations of the directory match « %(value)s »: %(names)s. "
                    "Write its full name."
                )
                % {"value": name or acronym, "names": "; ".join(directory.names[pk] for pk in found[:5])}
            )
            continue
        if found:
            row.organisation_id = found[0]
            row.organisation = directory.names[found[0]]
            row.group = ("id", found[0])
        else:
            bare, short = name, acronym
            match = NAME_WITH_ACRONYM.match(name)
            if match and not acronym:
                # "Centre multiethnique de Québec (CMQ)": a name and its acronym.
                bare, short = match["name"], match["acronym"]
            keys = [(new_by_name, bare), (new_by_name, name), (new_by_acronym, short)]
            key = next(
                (
                    index[fold(text)]
                    for index, text in [*keys, (new_by_acronym, name)]
                    if text and fold(text) in index
                ),
                None,
            )
            if key is None:
                if not name:
                    row.errors.append(
                        _("No organisation of the directory has the acronym « %(value)s »; write its name.")
                        % {"value": acronym}
                    )
                    continue
                key = ("new", fold(bare))
                row.values.update(organisation=bare, acronym=short)
            for index, text in keys:
                if text:
                    index.setdefault(fold(text), key)
            row.group = key
            row.new_organisation = True
            row.organisation = bare or short
        groups[row.group].append(row)
    for rows in groups.values():
        _check_group(rows, directory)


def _first(rows, name):
    return next(((row.line, row.values[name]) for row in rows if row.values.get(name)), (None, ""))


def _check_group(rows: list[RowOutcome], directory: _Directory) -> None:
    first = rows[0]
    if first.new_organisation:
        first.organisation = first.values.get("organisation") or first.organisation
        for row in rows:
            row.organisation = first.organisation
    for name, differs, kept in (
        (
            "_sector",
            _("The sector differs from line %(line)s for the same organisation."),
            _("The directory gives it the sector « %(known)s »; it is kept."),
        ),
        (
            "_actor_type",
            _("The actor type differs from line %(line)s for the same organisation."),
            _("The directory gives it the actor type « %(known)s »; it is kept."),
        ),
    ):
        line, value = _first(rows, name)
        for row in rows:
            if row.values.get(name) and row.values[name] != value:
                row.errors.append(differs % {"line": line})
        if first.new_organisation:
            if name == "_sector" and not value:
                for row in rows:
                    row.errors.append(
                        _("No sector: one is needed to add a new organisation to the directory.")
                    )
        elif value and value != getattr(directory, name[1:])[first.organisation_id]:
            known = getattr(directory, name[1:])[first.organisation_id]
            choices = Sector if name == "_sector" else ActorType
            rows[0].notes.append(kept % {"known": choices(known).label if known else "—"})
    line, status = next(((row.line, row.status) for row in rows if row.status), (None, ""))
    for row in rows:
        if row.status and row.status != status:
            row.errors.append(
                _("The status differs from line %(line)s for the same organisation.") % {"line": line}
            )
    membership = directory.memberships.get(first.organisation_id) if not first.new_organisation else None
    for row in rows:
        if membership is None:
            row.membership, row.status = "new", status or Membership.Status.VOTING
        elif status and status != membership[1]:
            row.membership, row.status = "status", status
        else:
            row.membership, row.status = "member", membership[1]
    if membership is not None and status and status != membership[1]:
        rows[0].notes.append(
            _("Its status changes from « %(old)s » to « %(new)s ».")
            % {"old": Membership.Status(membership[1]).label, "new": Membership.Status(status).label}
        )


def _resolve_people(outcomes: list[RowOutcome], directory: _Directory) -> None:
    """Give each person a role (a blank one makes the organisation's first person its
    delegate, when it has none, and the others substitutes), then check, line by line,
    that each address appears once and each organisation has one delegate."""
    by_group = defaultdict(list)
    for row in outcomes:
        if row.group and row.email:
            by_group[row.group].append(row)
    for key, rows in by_group.items():
        membership_id = _membership_id(key, directory)
        current_delegate = directory.delegate.get(membership_id)
        delegate = next((row for row in rows if row.role == Delegation.Role.DELEGATE), None)
        for row in rows:
            if not row.role:
                takes_seat = delegate is None and current_delegate in {None, row.email}
                row.role = Delegation.Role.DELEGATE if takes_seat else Delegation.Role.SUBSTITUTE
                if takes_seat:
                    delegate = row
            elif row.role == Delegation.Role.DELEGATE and delegate is not row and delegate.email != row.email:
                if row.values.get(INVITATION) or delegate.values.get(INVITATION):
                    # As an export writes a delegate invited to replace the one sitting.
                    row.notes.append(
                        _("Line %(line)s also names a delegate: the last one to accept the invitation sits.")
                        % {"line": delegate.line}
                    )
                else:
                    row.errors.append(
                        _("Line %(line)s already names the delegate of this organisation; one only.")
                        % {"line": delegate.line}
                    )
    seen: dict[str, RowOutcome] = {}
    for row in outcomes:
        if not (row.group and row.email):
            continue
        earlier = seen.get(row.email)
        if earlier is None:
            seen[row.email] = row
            membership_id = _membership_id(row.group, directory)
            _place_person(row, membership_id, directory.delegate.get(membership_id), directory)
        elif earlier.group != row.group:
            row.errors.append(
                _("This address is already on line %(line)s, for another organisation.")
                % {"line": earlier.line}
            )
        elif earlier.role != row.role:
            row.errors.append(
                _("This address is already on line %(line)s, with another role.") % {"line": earlier.line}
            )
        else:
            row.person = "duplicate"
            row.notes.append(_("The same person as line %(line)s.") % {"line": earlier.line})


def _membership_id(key, directory: _Directory):
    membership = directory.memberships.get(key[1]) if key[0] == "id" else None
    return membership[0] if membership else None


def _place_person(row: RowOutcome, membership_id, current_delegate, directory: _Directory) -> None:
    seated = directory.seats.get(membership_id, {}).get(row.email)
    if seated:
        row.person = "seated"
        if seated != row.role:
            row.notes.append(
                _("Already sits as %(role)s; the role is not changed here (the members page changes it).")
                % {"role": Delegation.Role(seated).label}
            )
        return
    if directory.invited.get(membership_id, {}).get(row.email) == row.role:
        row.person = "invited"
        return
    row.person = "invite"
    if row.role == Delegation.Role.DELEGATE and current_delegate and current_delegate != row.email:
        row.notes.append(_("Once they accept, they replace the current delegate."))
    if row.email in directory.accounts:
        row.notes.append(_("Already has an account."))


def member_import_good_rows(*, member_import: MemberImport, analysis: ImportAnalysis) -> ImportAnalysis:
    """What importing the good rows only would import: the good rows analysed again, until
    they stay good, for a row may have counted on a bad one (the sector of a new
    organisation given only there)."""
    while analysis.bad and analysis.good:
        good = {row.line for row in analysis.good}
        analysis = member_import_analyse(member_import=member_import, lines=good)
    return analysis
