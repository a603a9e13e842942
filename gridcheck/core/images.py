"""Photo checks shared by every app that accepts photos (hazards, inspection visits, seals)."""

import hashlib
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: The image formats accepted as photos, by Pillow's format name, with their content type.
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


def image_check(*, content: bytes, name: str, max_bytes: int) -> tuple[str, str]:
    """Refuse ``content`` unless it is a JPEG or PNG of at most ``max_bytes``; return (content type, SHA-256).

    The type is found by decoding the image (Pillow), never from the file name.
    """
    from PIL import Image, UnidentifiedImageError

    if len(content) > max_bytes:
        raise ValidationError(
            _("The photo %(name)s is larger than %(mb)s MB.")
            % {"name": name, "mb": round(max_bytes / 1024 / 1024, 1)}
        )
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("The file %(name)s is not a JPEG or PNG photo.") % {"name": name}) from None
    if kind not in PHOTO_FORMATS:
        raise ValidationError(_("The file %(name)s is not a JPEG or PNG photo.") % {"name": name})
    return PHOTO_FORMATS[kind], hashlib.sha256(content).hexdigest()
