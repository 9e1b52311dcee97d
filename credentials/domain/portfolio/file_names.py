"""The names evidence files are shown and downloaded under: the teacher's own name, made safe to show, with the
extension of what the file really is (PDF bytes sent as ``notes.html`` are offered as ``notes.pdf``), so that no
browser or desktop opens a file as something other than what was checked at upload."""

from __future__ import annotations

import re
import unicodedata

MAX_FILENAME_CHARS = 150
# The extensions of each media type detect_kind gives, the usual one first; a name ending in any of them keeps it.
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg", "jpe", "jfif"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "image/avif": ("avif",),
    "image/heic": ("heic", "heif"),
    "image/heif": ("heif", "heic"),
    "audio/mpeg": ("mp3",),
    "audio/aac": ("aac",),
    "audio/wav": ("wav", "wave"),
    "audio/mp4": ("m4a", "m4b", "m4p"),
    "audio/ogg": ("ogg", "opus", "oga"),
    "audio/flac": ("flac",),
    "video/mp4": ("mp4",),
    "video/x-m4v": ("m4v", "mp4"),
    "video/quicktime": ("mov", "qt"),
    "video/3gpp": ("3gp", "3gpp"),
    "video/webm": ("webm",),
    "video/x-matroska": ("mkv",),
    "video/ogg": ("ogv", "ogg"),
    "application/msword": ("doc",),
    "application/vnd.ms-excel": ("xls",),
    "application/vnd.ms-powerpoint": ("ppt",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
}
# What counts as an extension to replace: a short run of letters and digits with a letter ("html", "exe", "v2");
# anything else after the last dot ("Lesson 3.2", "Unit 4. Fractions") is part of the name, and the extension is added.
_EXTENSION = re.compile(r"(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,5}")


def safe_filename(name: str) -> str:
    """A file name fit to show: its last path part, NFC, no control characters or leading dots, 150 characters."""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    # Category C is control, format (bidirectional overrides), surrogate, private-use and unassigned characters.
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(". ").strip()
    return _shortened(name) or "file"


def named_as(filename: str, media_type: str, extension: str | None = None) -> str:
    """``filename`` made safe and ending in an extension of ``media_type`` (``extension`` when given, else the usual
    one); a name already ending in one of the type's extensions keeps it, in any case."""
    known = EXTENSIONS.get(media_type, ())
    wanted = extension or (known[0] if known else "bin")
    name = safe_filename(filename)
    stem, dot, current = name.rpartition(".")
    if dot and stem and current.lower() in (wanted, *known):
        return name
    if dot and stem and _EXTENSION.fullmatch(current):
        name = stem
    return _shortened(f"{name}.{wanted}")


def _shortened(name: str) -> str:
    if len(name) <= MAX_FILENAME_CHARS:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and 0 < len(extension) <= 16:
        return stem[: MAX_FILENAME_CHARS - len(extension) - 1].rstrip() + "." + extension
    return name[:MAX_FILENAME_CHARS].rstrip()
