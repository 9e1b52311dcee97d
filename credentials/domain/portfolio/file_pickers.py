"""What the file picker of an evidence prompt offers: the ``accept`` attribute for the kinds it takes."""

from __future__ import annotations

# The extensions and media types of every format ``file_kinds.detect_kind`` keeps, per kind (the keys of
# ``file_kinds.KINDS``). Only a hint for the picker: the bytes decide.
ACCEPT = {
    "pdf": (".pdf", "application/pdf"),
    "image": (
        ".png", ".jpg", ".jpeg", ".gif", ".webp", ".heic", ".heif", ".avif",
        "image/png", "image/jpeg", "image/gif", "image/webp", "image/heic", "image/heif", "image/avif",
    ),
    "audio": (
        ".mp3", ".wav", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".flac",
        "audio/mpeg", "audio/wav", "audio/x-wav", "audio/mp4", "audio/x-m4a", "audio/aac", "audio/ogg", "audio/flac",
    ),
    "video": (
        ".mp4", ".m4v", ".mov", ".3gp", ".webm", ".mkv", ".ogv",
        "video/mp4", "video/x-m4v", "video/quicktime", "video/3gpp", "video/webm", "video/x-matroska", "video/ogg",
    ),
    "office": (
        ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".doc", ".xls", ".ppt",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    ),
}  # fmt: skip


def accept_attribute(kinds: list[str]) -> str:
    """The ``accept`` attribute of a file input taking ``kinds``: their extensions and media types, comma-separated."""
    return ",".join(item for kind in kinds for item in ACCEPT.get(kind, ()))
