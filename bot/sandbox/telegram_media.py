"""Photos sent to the sandbox Bot API: check the upload is an image and describe its sizes."""

from __future__ import annotations

import hashlib
import struct
from typing import Any

from bot.sandbox.telegram_spec import Upload
from bot.sandbox.telegram_types import ApiError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
#: Telegram's limit on a photo's caption, in characters.
MAX_CAPTION = 1024
#: Telegram's limit on an uploaded photo.
MAX_PHOTO_BYTES = 10 * 1024 * 1024


def photo_upload(value: Any) -> Upload:
    """The uploaded photo of a sendPhoto call (a file_id or URL is not resolvable here)."""
    if not isinstance(value, Upload):
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
    if not value.content.startswith((PNG_SIGNATURE, JPEG_SIGNATURE)):
        raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
    if len(value.content) > MAX_PHOTO_BYTES:
        raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    return value


def photo_sizes(upload: Upload) -> list[dict[str, Any]]:
    """The PhotoSize array a Message carries for this upload (one size: the original)."""
    width = height = 0
    if upload.content.startswith(PNG_SIGNATURE) and len(upload.content) >= 24:
        width, height = struct.unpack(">II", upload.content[16:24])  # the IHDR chunk
    digest = hashlib.sha256(upload.content).hexdigest()
    return [
        {
            "file_id": f"AgAC{digest[:40]}",
            "file_unique_id": f"AQAD{digest[:12]}",
            "width": width,
            "height": height,
            "file_size": len(upload.content),
        }
    ]


def caption_of(params: dict[str, Any]) -> str:
    """The call's caption ("" without one); 400 when it is longer than Telegram allows."""
    caption = params.get("caption") or ""
    if not isinstance(caption, str):
        raise ApiError(400, "Bad Request: can't parse caption")
    if len(caption) > MAX_CAPTION:
        raise ApiError(400, "Bad Request: message caption is too long")
    return caption
