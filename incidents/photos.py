"""Photos from the field: checked (size, real image type, pixel count) and re-encoded on the server.

Re-encoding to JPEG does three jobs: phones' 5-12 MB pictures shrink to a few hundred KB, the
EXIF block (with the phone's GPS track and serial) is dropped, and whatever was not a plain
image (polyglot files, scripts with an image extension) never reaches the disk.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 6
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
# Longest edge after resizing: enough to read a meter or a licence plate on a desktop screen.
MAX_EDGE_PX = 1600
JPEG_QUALITY = 82
# A 40-megapixel limit refuses decompression bombs (a small file that unpacks to gigabytes).
MAX_PIXELS = 40_000_000


class PhotoError(ValueError):
    """A file that cannot be taken as a photo; the message says why."""


@dataclass(frozen=True)
class PreparedPhoto:
    """A checked photo, re-encoded as JPEG and ready to store."""

    content: bytes
    width: int
    height: int


_DECODING = threading.Lock()


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Truncated image data raises while photos are decoded, whatever the process set.

    WeasyPrint (the briefings' PDFs) sets Pillow's global LOAD_TRUNCATED_IMAGES on import, which
    would let a cut-off upload through padded with grey. The flag is a module global, so the
    decoding is serialised and the previous value put back.
    """
    with _DECODING:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def max_upload_bytes() -> int:
    return int(settings.PHOTO_MAX_BYTES)


def declared_pixels(upload: IO[bytes]) -> int:
    """Width × height as the file's header declares them (0 if unreadable), without decoding.

    Opening reads only the header; the file is put back at its start for ``prepare_photo``.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                return probe.width * probe.height
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return 0  # prepare_photo says what is wrong with it
    finally:
        upload.seek(0)


def max_request_pixels() -> int:
    return int(settings.PHOTO_MAX_PIXELS_PER_REQUEST)


def prepare_photo(upload: IO[bytes], *, name: str = "", size: int | None = None) -> PreparedPhoto:
    """Check one uploaded file and return it resized and re-encoded, or raise PhotoError."""
    limit = max_upload_bytes()
    label = name or _("photo")
    if size is not None and size > limit:
        raise PhotoError(
            _("%(name)s is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"name": label, "size": size / 1e6, "limit": limit / 1e6}
        )
    raw = upload.read(limit + 1)
    if len(raw) > limit:
        raise PhotoError(
            _("%(name)s is larger than %(limit).0f MB.") % {"name": label, "limit": limit / 1e6}
        )
    try:
        with warnings.catch_warnings(), _strict_decoding():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                image_format = probe.format
                probe.verify()
            if image_format not in ACCEPTED_FORMATS:
                raise PhotoError(
                    _("%(name)s is a %(format)s file; send JPEG, PNG or WebP.")
                    % {"name": label, "format": image_format}
                )
            with Image.open(io.BytesIO(raw)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise PhotoError(_("%(name)s has too many pixels.") % {"name": label})
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGB")
                image.thumbnail((MAX_EDGE_PX, MAX_EDGE_PX), Image.Resampling.LANCZOS)
                out = io.BytesIO()
                image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
                return PreparedPhoto(out.getvalue(), image.width, image.height)
    except PhotoError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(
            _("%(name)s is not an image this system reads (JPEG, PNG or WebP).") % {"name": label}
        ) from None
    except (OSError, SyntaxError, ValueError):
        # Pillow raises these for truncated or corrupt image data.
        raise PhotoError(_("%(name)s is damaged and cannot be read.") % {"name": label}) from None
