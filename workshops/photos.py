"""Checking uploaded flipchart photos by their content, and re-encoding them before storage."""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 50_000_000
ACCEPTED_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
DECODING_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


@dataclass(frozen=True)
class CheckedPhoto:
    content: bytes
    image_format: str
    width: int
    height: int


def not_a_photo() -> ValidationError:
    return ValidationError(_("The selected file must be a JPG, PNG or WebP photo"), code="invalid")


def check_photo(upload) -> CheckedPhoto:
    """Accept only a real JPEG, PNG or WebP image within the limits, whatever its file name.

    The image is decoded in full and saved again, which drops anything hidden after the image
    data and the camera's metadata (such as where the photo was taken)."""
    if upload.size == 0:
        raise ValidationError(_("The selected file is empty"), code="empty")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The selected file must be smaller than %(max)s MB"),
            code="too_big",
            params={"max": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
    upload.seek(0)
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = ACCEPTED_FORMATS.get(probe.format or "")
                pixels = probe.width * probe.height
                probe.verify()
            if image_format is None:
                raise not_a_photo()
            if pixels > MAX_PIXELS:
                raise ValidationError(_("The selected photo has too many pixels"), code="too_big")
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
    except DECODING_ERRORS as error:
        raise not_a_photo() from error
    if image_format == "jpeg" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    # Pillow writes some metadata it read (a JPEG comment, an ICC profile) back out unless told.
    upright.info.clear()
    output = io.BytesIO()
    options = {} if image_format == "png" else {"quality": 85}
    upright.save(output, format=image_format.upper(), **options)
    return CheckedPhoto(
        content=output.getvalue(),
        image_format=image_format,
        width=upright.width,
        height=upright.height,
    )
