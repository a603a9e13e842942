"""Every uploaded file goes through here: one checked path in, one safe path out.

In (``upload_accept``): the content decides the type, never the name. A file is accepted only when its
name's extension and its content agree with an allow-list of its kind:

- ``photo``: a JPEG or PNG that Pillow decodes, at most ``MAX_PHOTO_PIXELS``; it is **re-encoded** (EXIF
  orientation applied, metadata dropped), so nothing but pixels survives;
- ``pdf``: a PDF (``%PDF-`` header) that pypdf can open;
- ``xlsx``: an Excel workbook whose zip holds ``[Content_Types].xml``, at most ``MAX_XLSX_MEMBERS``
  members and ``MAX_XLSX_EXPANDED_BYTES`` unpacked, and no member packed more than ``MAX_XLSX_RATIO``
  times (a zip bomb is refused before openpyxl reads it);
- ``csv``: text (UTF-8, GB18030 or UTF-16) without NUL bytes.

The stored name is generated (``<uuid>.<canonical extension>``); the user's name is kept only as text.

Out (``upload_response``): a stored file is served as an attachment with its checked content type,
``X-Content-Type-Options: nosniff`` and a sandboxing Content-Security-Policy; only re-encoded photos may
be shown inline.
"""

import hashlib
import io
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils.translation import gettext as _

#: Largest photo accepted [pixels] (a 48-megapixel phone photo fits; a decompression bomb does not).
MAX_PHOTO_PIXELS = 50_000_000
#: Longest side of a stored photo [pixels]; larger photos are scaled down when re-encoded.
MAX_PHOTO_SIDE = 4096
MAX_XLSX_MEMBERS = 2000
MAX_XLSX_EXPANDED_BYTES = 512 * 1024 * 1024
MAX_XLSX_RATIO = 200

KINDS = {
    "photo": {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"},
    "pdf": {".pdf": "application/pdf"},
    "xlsx": {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    "csv": {".csv": "text/csv", ".txt": "text/plain"},
}


@dataclass(frozen=True)
class Accepted:
    """A checked upload: ``file`` (its stored name generated) to save in a ``FileField``."""

    file: ContentFile
    content_type: str
    sha256: str
    original_name: str
    size_bytes: int


def _read(upload) -> bytes:
    if isinstance(upload, bytes | bytearray):
        return bytes(upload)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read()
    if hasattr(upload, "seek"):
        upload.seek(0)
    return data


def clean_name(name: str) -> str:
    """The user's file name as safe text: the last path part, control and format characters removed."""
    base = PurePath(str(name).replace("\\", "/")).name
    text = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    return text.strip()[:200] or "file"


def _refuse(message: str, name: str):
    raise ValidationError(message % {"name": name}, code="upload_refused")


def _photo(content: bytes, name: str) -> tuple[bytes, str, str]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as probe:
            kind, (width, height) = probe.format, probe.size
            if width * height > MAX_PHOTO_PIXELS:
                _refuse(_("The photo %(name)s has too many pixels."), name)
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
            out = io.BytesIO()
            if kind == "PNG":
                image.save(out, format="PNG", optimize=True)
                return out.getvalue(), "image/png", ".png"
            if kind == "JPEG":
                image.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
                return out.getvalue(), "image/jpeg", ".jpg"
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        pass
    _refuse(_("The file %(name)s is not a JPEG or PNG photo."), name)


def _pdf(content: bytes, name: str) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not content.startswith(b"%PDF-"):
        _refuse(_("The file %(name)s is not a PDF."), name)
    try:
        PdfReader(io.BytesIO(content)).pages[0]  # noqa: B018 - reading the first page is the check
    except (PdfReadError, IndexError, ValueError, KeyError, OSError):
        _refuse(_("The file %(name)s is not a PDF."), name)


def xlsx_check(content, name: str) -> None:
    """Refuse anything but a plausible XLSX, and any zip bomb, before a spreadsheet library reads it.

    ``content`` is the file's bytes or its path; only the zip's directory is read, never its members.
    """
    source = io.BytesIO(content) if isinstance(content, bytes | bytearray) else content
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError):
        # NotImplementedError: a member claims a zip version Python cannot read (found by fuzzing)
        _refuse(_("The file %(name)s is not an Excel workbook (.xlsx)."), name)
    if "[Content_Types].xml" not in names:
        _refuse(_("The file %(name)s is not an Excel workbook (.xlsx)."), name)
    expanded = sum(member.file_size for member in members)
    too_packed = any(
        member.file_size > MAX_XLSX_RATIO * max(member.compress_size, 1) and member.file_size > 1_000_000
        for member in members
    )
    if len(members) > MAX_XLSX_MEMBERS or expanded > MAX_XLSX_EXPANDED_BYTES or too_packed:
        _refuse(_("The workbook %(name)s unpacks to far more than its size; it was refused."), name)


def _text(content: bytes, name: str) -> None:
    if b"\x00" in content and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        _refuse(_("The file %(name)s is not a text (CSV) file."), name)
    for encoding in ("utf-8-sig", "gb18030", "utf-16"):
        try:
            content.decode(encoding)
            return
        except UnicodeDecodeError:
            continue
    _refuse(_("The file %(name)s is not a text (CSV) file."), name)


def upload_accept(upload, *, kind: str, max_bytes: int, name: str | None = None) -> Accepted:
    """Check ``upload`` (an uploaded file or bytes) as a file of ``kind``; return what may be stored.

    Raises ``ValidationError`` naming the file when its name, size or content is refused.
    """
    allowed = KINDS[kind]
    original = clean_name(name or getattr(upload, "name", "") or "file")
    extension = PurePath(original).suffix.lower()
    if extension not in allowed:
        raise ValidationError(
            _("The file %(name)s must be one of: %(types)s.")
            % {"name": original, "types": ", ".join(sorted(allowed))},
            code="upload_refused",
        )
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("The file %(name)s is larger than %(mb)s MB.")
            % {"name": original, "mb": round(max_bytes / 1024 / 1024, 1)},
            code="upload_too_large",
        )
    content = _read(upload)
    if len(content) > max_bytes:
        raise ValidationError(
            _("The file %(name)s is larger than %(mb)s MB.")
            % {"name": original, "mb": round(max_bytes / 1024 / 1024, 1)},
            code="upload_too_large",
        )
    content_type = allowed[extension]
    if kind == "photo":
        content, content_type, extension = _photo(content, original)
    elif kind == "pdf":
        _pdf(content, original)
    elif kind == "xlsx":
        xlsx_check(content, original)
    else:
        _text(content, original)
    stored = ContentFile(content, name=f"{uuid.uuid4().hex}{extension}")
    return Accepted(
        file=stored,
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
        original_name=original,
        size_bytes=len(content),
    )


#: Served with every upload: no script, no plugin, no form may run in it even if a browser renders it.
UPLOAD_CSP = "default-src 'none'; img-src 'self'; style-src 'none'; sandbox"


def upload_response(field_file, *, content_type: str, download_name: str, inline_image: bool = False):
    """Serve a stored upload: an attachment (or inline, for a re-encoded photo) that nothing can run in."""
    if inline_image and content_type not in ("image/jpeg", "image/png"):
        inline_image = False
    response = FileResponse(
        field_file.open("rb"),
        content_type=content_type,
        as_attachment=not inline_image,
        filename=clean_name(download_name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = UPLOAD_CSP
    return response
