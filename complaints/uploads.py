"""Checks on photos complainants upload: how many, how large, really an image."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
# Read from the file's first bytes, never from its name or the browser's claim.
_SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}


def sniff_image_type(upload: UploadedFile) -> tuple[str, str] | None:
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    for signature, kind in _SIGNATURES.items():
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def check_photo(upload: UploadedFile) -> str:
    """The photo's content type; ValidationError naming the file if it is refused.

    The stored name is replaced by a random one: the original name may carry
    personal data or path tricks.
    """
    name = upload.name
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _(
                "“%(name)s” is too large (%(size).1f MB); each photo may be at "
                "most 5 MB."
            )
            % {"name": name, "size": upload.size / 1024 / 1024}
        )
    kind = sniff_image_type(upload)
    if kind is None:
        raise ValidationError(
            _("“%(name)s” is not a JPEG, PNG or WebP photo.") % {"name": name}
        )
    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            _("“%(name)s” is damaged or not a real image.") % {"name": name}
        ) from error
    finally:
        upload.seek(0)
    content_type, extension = kind
    upload.name = f"{uuid.uuid4().hex}.{extension}"
    return content_type
