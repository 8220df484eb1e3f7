"""Photos people attach (an appeal's, a deliberation topic's): checked (size,
count, really an image of an allowed format) before anything is written,
stored under MEDIA_ROOT/<the app's folder>/ by their SHA-256, and read back
only through a permission-checked view of the app that owns them."""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from shequ.core.errors import ValidationError

MAX_PHOTOS = 4
MAX_BYTES = 5 * 1024 * 1024
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass(frozen=True)
class CheckedPhoto:
    content: bytes
    content_type: str
    extension: str
    sha256: str

    def relative_path(self, subdir: str) -> str:
        return f"{subdir}/{self.sha256[:2]}/{self.sha256}.{self.extension}"


def _read(item: Any, index: int) -> tuple[str, bytes]:
    """(name, bytes) of an uploaded file, raw bytes, or a (name, bytes) pair."""
    if isinstance(item, bytes | bytearray):
        return f"第{index}张", bytes(item)
    if isinstance(item, tuple) and len(item) == 2:
        return str(item[0]), bytes(item[1])
    size = getattr(item, "size", None)
    name = str(getattr(item, "name", "") or f"第{index}张")
    if size is not None and size > MAX_BYTES:
        raise ValidationError(f"照片“{name[:40]}”超过5MB，请压缩后再上传。", field="photos")
    try:
        if hasattr(item, "seek"):
            item.seek(0)
        return name, item.read(MAX_BYTES + 1)
    except (AttributeError, OSError, ValueError):
        raise ValidationError(f"照片“{name[:40]}”无法读取，请重新选择。", field="photos") from None


def check_photos(photos: Iterable[Any]) -> list[CheckedPhoto]:
    """Every photo checked, or a ValidationError naming the first bad one."""
    items = list(photos or ())
    if len(items) > MAX_PHOTOS:
        raise ValidationError(f"最多上传{MAX_PHOTOS}张照片。", field="photos")
    checked = []
    for index, item in enumerate(items, start=1):
        name, content = _read(item, index)
        label = name[:40]
        if len(content) > MAX_BYTES:
            raise ValidationError(f"照片“{label}”超过5MB，请压缩后再上传。", field="photos")
        if not content:
            raise ValidationError(f"照片“{label}”是空文件。", field="photos")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(content)) as image:
                    fmt = image.format or ""
                    image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
                Image.DecompressionBombWarning):  # fmt: skip
            raise ValidationError(
                f"“{label}”不是有效的图片，只能上传JPG、PNG或WEBP格式的照片。", field="photos"
            ) from None
        if fmt not in FORMATS:
            raise ValidationError(
                f"“{label}”的格式不支持，只能上传JPG、PNG或WEBP格式的照片。", field="photos"
            )
        content_type, extension = FORMATS[fmt]
        checked.append(
            CheckedPhoto(
                content=content,
                content_type=content_type,
                extension=extension,
                sha256=hashlib.sha256(content).hexdigest(),
            )
        )
    return checked


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def store(photo: CheckedPhoto, *, subdir: str) -> str:
    """Write the file (once: equal content has the same name) and return its
    path relative to MEDIA_ROOT. A transaction that rolls back afterwards
    leaves at most an unreferenced file, never a row without its file."""
    relative = photo.relative_path(subdir)
    target = media_root() / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(photo.content)
        tmp.replace(target)
    return relative


def open_stored(relative_path: str, *, subdir: str) -> Path | None:
    """The stored file, if it exists and lies inside MEDIA_ROOT/<subdir>/."""
    base = (media_root() / subdir).resolve()
    path = (media_root() / relative_path).resolve()
    if base not in path.parents or not path.is_file():
        return None
    return path
