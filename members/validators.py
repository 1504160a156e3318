"""Checks every uploaded file passes: size, extension and the file's real type."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# Extension → the first bytes such a file starts with (office formats are zip files).
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".odp": (b"PK\x03\x04",),
    ".txt": None,
    ".csv": None,
}
DOCUMENTS = tuple(SIGNATURES)
IMAGES = (".png", ".jpg", ".jpeg")


def validate_upload(upload, allowed=DOCUMENTS, max_bytes=None):
    """Refuse a file that is too large, of a type not allowed, or whose content does not
    match its extension (a renamed executable, say)."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s."),
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    extension = Path(upload.name).suffix.lower()
    if extension not in allowed:
        raise ValidationError(
            _("This type of file is not accepted. Accepted: %(types)s."),
            params={"types": ", ".join(e.lstrip(".").upper() for e in allowed)},
            code="type",
        )
    signatures = SIGNATURES.get(extension)
    head = upload.read(16)
    upload.seek(0)
    if signatures and not head.startswith(signatures):
        raise ValidationError(_("The content of the file does not match its type."), code="content")
    if signatures is None and b"\x00" in head:
        raise ValidationError(_("The content of the file does not match its type."), code="content")
