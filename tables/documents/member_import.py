"""Reading a member list from a spreadsheet, CSV or XLSX, into rows of known columns.

A file is judged by its content, not its name: an XLSX is a zip holding a workbook, a CSV
is UTF-8 text (with or without a byte-order mark) whose separator, `;` or `,` (or a tab),
is the one that makes the most of its first line's cells known column names. Column
names and choice values are matched without regard to case, accents, punctuation or
surrounding spaces, in French or in English (`fold`).

Cells are kept as text and never evaluated: a formula in an XLSX cell (`=SUM(…)`) is kept
as the text of the formula. The quote our own exports put before such text
(members.documents.exports.safe_cell) is taken off again, so that an export imports back
as it was.
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.documents.exports import FORMULA_START
from members.models import ActorType, Delegation, Sector

from ..models import Membership

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 60
# An XLSX is compressed: what it may hold once unzipped (a zip bomb is refused unread).
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024
# Rows an XLSX may declare, blank ones included, before it is refused as too long.
MAX_SHEET_ROWS = MAX_ROWS * 4
EXTENSIONS = (".csv", ".txt", ".xlsx")

FIELDS = (
    "organisation",
    "acronym",
    "sector",
    "actor_type",
    "status",
    "first_name",
    "last_name",
    "email",
    "role",
    "phone",
)
PERSON_FIELDS = ("first_name", "last_name", "email", "role", "phone")
# Written by the export for the coordination: a person only invited, not yet sitting.
INVITATION = "invitation"

# The column headers our exports and template write, in the reader's language. They are
# also recognised in every language of the site (`column_aliases`).
HEADERS = {
    "organisation": gettext_lazy("Organisation"),
    "acronym": gettext_lazy("Acronym"),
    "sector": gettext_lazy("Sector"),
    "actor_type": gettext_lazy("Actor type"),
    "status": gettext_lazy("Status"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("Email"),
    "role": gettext_lazy("Role"),
    "phone": gettext_lazy("Phone"),
    INVITATION: gettext_lazy("Invitation"),
}

# Other names people give these columns, French and English.
COLUMN_NAMES = {
    "organisation": [
        "organisation",
        "organization",
        "organisme",
        "organisation membre",
        "organisme membre",
        "member organisation",
        "member organization",
        "nom de l'organisation",
        "nom de l'organisme",
        "organisation name",
        "organization name",
        "membre",
        "member",
    ],
    "acronym": ["sigle", "acronyme", "acronym", "nom court", "short name", "abréviation", "abbreviation"],
    "sector": ["secteur", "sector", "secteur d'activité", "secteur d'activités"],
    "actor_type": ["type d'acteur", "type d'acteurs", "type d'acteur·rice", "actor type", "type of actor"],
    "status": ["statut", "status", "statut de membre", "statut du membre", "membership status"],
    "first_name": ["prénom", "first name", "firstname", "given name"],
    "last_name": ["nom", "nom de famille", "last name", "lastname", "surname", "family name"],
    "email": [
        "courriel",
        "email",
        "e-mail",
        "mail",
        "adresse courriel",
        "adresse de courriel",
        "adresse électronique",
        "courrier électronique",
        "email address",
        "e-mail address",
    ],
    "role": ["rôle", "role", "rôle à la table", "role at the table", "délégation"],
    "phone": ["téléphone", "telephone", "tél", "tel", "phone", "phone number", "numéro de téléphone"],
    INVITATION: ["invitation", "invitation en attente", "pending invitation"],
}

# Other ways people write the choices, beside their codes and their labels in every
# language of the site.
CHOICE_NAMES = {
    "sector": {
        Sector.COMMUNITY: ["communautaire", "organisme communautaire", "community", "community organisation"],
        Sector.PUBLIC_HEALTH: [
            "santé",
            "santé et services sociaux",
            "réseau de la santé",
            "cisss",
            "ciusss",
            "health",
            "health and social services",
        ],
        Sector.PUBLIC_EDUCATION: ["éducation", "scolaire", "education", "school"],
        Sector.PUBLIC_EMPLOYMENT: ["emploi", "employment"],
        Sector.GOVERNMENT: ["ministère", "gouvernement", "gouvernemental", "government", "ministry"],
        Sector.MUNICIPAL: ["municipal", "municipalité", "mrc", "ville", "municipality", "city"],
        Sector.PRIVATE: ["privé", "entreprise", "secteur privé", "private", "business"],
        Sector.PHILANTHROPIC: [
            "philanthropique",
            "philanthropie",
            "fondation",
            "philanthropic",
            "foundation",
        ],
        Sector.CITIZEN: [
            "citoyen",
            "citoyenne",
            "personnes citoyennes",
            "experts de vécu",
            "expertes de vécu",
            "citizen",
            "citizens",
        ],
    },
    "actor_type": {
        ActorType.STRATEGIC: ["stratégique", "strategic"],
        ActorType.TACTICAL: ["tactique", "tactical"],
        ActorType.LIVED_EXPERIENCE: [
            "expert de vécu",
            "experte de vécu",
            "experts de vécu",
            "experte ou expert de vécu",
            "lived experience",
            "lived-experience expert",
        ],
    },
    "status": {
        Membership.Status.VOTING: [
            "membre votant",
            "membre votante",
            "votant",
            "votante",
            "membre",
            "voting",
            "voting member",
            "member",
        ],
        Membership.Status.OBSERVER: [
            "membre observateur",
            "membre observatrice",
            "observateur",
            "observatrice",
            "observateur·rice",
            "non votant",
            "observer",
            "non-voting",
        ],
    },
    "role": {
        Delegation.Role.DELEGATE: [
            "délégué",
            "déléguée",
            "délégué·e",
            "délégué(e)",
            "délégué.e",
            "personne déléguée",
            "représentant",
            "représentante",
            "delegate",
            "representative",
        ],
        Delegation.Role.SUBSTITUTE: [
            "substitut",
            "substitute",
            "substitut·e",
            "suppléant",
            "suppléante",
            "suppléant·e",
            "remplaçant",
            "remplaçante",
            "alternate",
        ],
    },
}
CHOICES = {"sector": Sector, "actor_type": ActorType, "status": Membership.Status, "role": Delegation.Role}

_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")
# Characters XML and a database text column cannot hold, and zero-width marks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\ufeff]")


def fold(text) -> str:
    """`text` reduced to what matching looks at: lower case, no accents, words of letters
    and digits separated by one space. « Type d'acteur » and "TYPE D ACTEUR" fold alike."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return _NOT_ALPHANUMERIC.sub(" ", text).strip()


def _in_every_language(text):
    from django.conf import settings

    found = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.append(str(text))
    return found


def column_aliases() -> dict[str, str]:
    """Folded column name → field."""
    aliases = {}
    for name, others in COLUMN_NAMES.items():
        for text in [name, *others, *_in_every_language(HEADERS[name])]:
            aliases.setdefault(fold(text), name)
    return aliases


def choice_aliases(name: str) -> dict[str, str]:
    """Folded value → choice code, for one of CHOICES."""
    choices = CHOICES[name]
    aliases = {}
    for value, label in choices.choices:
        for text in [value, *_in_every_language(label), *CHOICE_NAMES[name].get(value, [])]:
            aliases.setdefault(fold(text), value)
    return aliases


def clean_text(value) -> str:
    """A cell as text: what a spreadsheet holds (numbers, dates) written plainly, control
    characters dropped, spaces collapsed, and the quote an export puts before formula-like
    text taken off."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime):
        midnight = value.time() == datetime.min.time()
        text = value.date().isoformat() if midnight else value.isoformat(sep=" ", timespec="minutes")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    text = _SPACES.sub(" ", text).strip()
    if text[:1] == "'" and text[1:2] and text[1:2] in FORMULA_START:
        text = text[1:]
    return text


@dataclass
class MemberFile:
    """What was read: the rows by line number, each a dict of the known columns that hold
    something, and the header cells that were not recognised."""

    kind: str
    columns: list[str]
    ignored: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _refuse(message, code):
    raise ValidationError(message, code=code)


def read_member_file(content: bytes, filename: str, *, size: int | None = None) -> MemberFile:
    """The member list in `content` (the bytes of an uploaded file named `filename`, of
    `size` bytes when only its beginning was read), or a ValidationError that says, in
    the reader's language, why it cannot be read."""
    size = max(size or 0, len(content))
    if size > MAX_BYTES:
        _refuse(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_BYTES)},
            "too_large",
        )
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        _refuse(
            _("This is a workbook in the old Excel format (.xls). Save it as .xlsx or as CSV UTF-8."),
            "xls",
        )
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in EXTENSIONS:
        _refuse(_("Send a CSV or XLSX file (.csv or .xlsx)."), "type")
    if not content.strip(b" \t\r\n\xef\xbb\xbf"):
        _refuse(_("The file is empty."), "empty")
    is_zip = content.startswith(b"PK\x03\x04")
    if extension == ".xlsx":
        if not is_zip:
            _refuse(_("The content of the file is not an XLSX workbook, whatever its name says."), "content")
        return _from_rows(_xlsx_rows(content), "xlsx")
    if is_zip or content.startswith(b"%PDF"):
        _refuse(_("The content of the file is not CSV text, whatever its name says."), "content")
    return _from_rows(_csv_rows(content), "csv")


def _xlsx_rows(content: bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        _refuse(_("The XLSX file is damaged and cannot be read."), "damaged")
    if "xl/workbook.xml" not in names:
        _refuse(
            _("This file is not an XLSX workbook (an OpenDocument .ods, perhaps?). Save it as .xlsx or CSV."),
            "content",
        )
    if unzipped > MAX_UNZIPPED_BYTES:
        _refuse(_("The workbook holds too much data once unzipped; send the member list alone."), "too_large")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        rows = []
        for index, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if index > MAX_SHEET_ROWS:
                _too_many_rows()
            rows.append((index, [clean_text(value) for value in row]))
        workbook.close()
    except ValidationError:
        raise
    except Exception:
        _refuse(_("The XLSX file is damaged and cannot be read."), "damaged")
    return rows


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        _refuse(
            _("The file is in UTF-16 (« Unicode text »). Save it as « CSV UTF-8 » and send it again."),
            "encoding",
        )
    if b"\x00" in content:
        _refuse(_("The content of the file is not CSV text, whatever its name says."), "content")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    _refuse(
        _(
            "The file is not in UTF-8: its accents would come out wrong (it is probably in "
            "Windows-1252, as Excel saves « CSV (separator: semicolon) »). Save it as "
            "« CSV UTF-8 » and send it again."
        ),
        "encoding",
    )


def _csv_rows(content: bytes):
    text = _decode(content)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    aliases = column_aliases()

    def score(delimiter):
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        return (sum(1 for cell in cells if fold(cell) in aliases), len(cells))

    delimiter = max((";", ",", "\t"), key=score)
    try:
        rows = []
        for index, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if index > MAX_SHEET_ROWS:
                _too_many_rows()
            rows.append((index, [clean_text(cell) for cell in row[:MAX_COLUMNS]]))
    except csv.Error:
        _refuse(_("The CSV file is malformed (a quote is not closed?) and cannot be read."), "damaged")
    return rows


def _too_many_rows():
    _refuse(
        _("The file has more than %(limit)s rows. Split it and import each part.")
        % {"limit": number_format(MAX_ROWS, force_grouping=True)},
        "too_many_rows",
    )


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _from_rows(rows, kind: str) -> MemberFile:
    rows = [(line, cells) for line, cells in rows if any(cells)]
    if not rows:
        _refuse(_("The file is empty."), "empty")
    header_line, header = rows[0]
    aliases = column_aliases()
    columns: dict[str, int] = {}
    ignored = []
    for index, cell in enumerate(header):
        name = aliases.get(fold(cell))
        if name is None:
            if cell:
                ignored.append(cell)
            continue
        if name in columns:
            _refuse(
                _("The column « %(name)s » appears twice (columns %(first)s and %(second)s). Keep one.")
                % {"name": cell, "first": _column_letter(columns[name]), "second": _column_letter(index)},
                "duplicate_column",
            )
        columns[name] = index
    if "organisation" not in columns:
        expected = ", ".join(str(HEADERS[name]) for name in FIELDS)
        if not columns:
            message = _(
                "Line %(line)s should name the columns, and no known column was found. "
                "Expected, in any order: %(expected)s."
            )
        else:
            message = _("The column of the organisations is missing. Expected, in any order: %(expected)s.")
        _refuse(message % {"line": header_line, "expected": expected}, "header")
    data = rows[1:]
    if not data:
        _refuse(_("The file names its columns but lists no member."), "empty")
    if len(data) > MAX_ROWS:
        _too_many_rows()
    found = []
    for line, cells in data:
        values = {
            name: cells[index] for name, index in columns.items() if index < len(cells) and cells[index]
        }
        if values:
            found.append((line, values))
    if not found:
        _refuse(_("The file names its columns but lists no member."), "empty")
    return MemberFile(
        kind=kind, columns=[name for name in HEADERS if name in columns], ignored=ignored, rows=found
    )
