"""Office documents checked without unpacking: Office and OpenDocument ZIPs by their directory, old ones by theirs."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

MB = 1024 * 1024
MAX_ENTRIES = 5000
MAX_UNPACKED_BYTES = 250 * MB
MAX_RATIO = 100
CHUNK = 1 * MB
RATIO_APPLIES_ABOVE = 1 * MB
MAX_DIRECTORY_BYTES = 4 * MB
MAX_CONTENT_TYPES_BYTES = 1 * MB
MAX_OLE_DIRECTORY_SECTORS = 64
ZIP_END_BYTES = 22 + 0xFFFF
NESTED_ARCHIVES = (".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".cab", ".jar", ".apk", ".iso")
PROGRAMS = (".exe", ".dll", ".scr", ".com", ".msi", ".js", ".jse", ".vbs", ".vbe", ".wsf", ".hta", ".bat", ".cmd")
PROGRAMS += (".ps1", ".sh", ".html", ".htm", ".xhtml")
MACRO_PARTS = ("vbaproject.bin", "vbadata.xml", ".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".pptm", ".potm", ".ppsm")
SAVE_AGAIN = "save it again from Word, Excel, PowerPoint or LibreOffice and upload the new file."
_OOXML = {
    "word/": ("wordprocessingml.document", "docx", "Word document"),
    "xl/": ("spreadsheetml.sheet", "xlsx", "Excel workbook"),
    "ppt/": ("presentationml.presentation", "pptx", "PowerPoint presentation"),
}
_ODF = {
    "text": ("odt", "OpenDocument text"),
    "spreadsheet": ("ods", "OpenDocument spreadsheet"),
    "presentation": ("odp", "OpenDocument presentation"),
}
# Names in an older (OLE) Office file's directory: storages that hold macros, then the main stream of each kind.
_OLE_MACROS = {"Macros", "_VBA_PROJECT_CUR", "_VBA_PROJECT", "VBA"}
_OLE_KINDS = (
    ("WordDocument", "application/msword", "doc", "Word 97-2003 document"),
    ("Workbook", "application/vnd.ms-excel", "xls", "Excel 97-2003 workbook"),
    ("Book", "application/vnd.ms-excel", "xls", "Excel 5 workbook"),
    ("PowerPoint Document", "application/vnd.ms-powerpoint", "ppt", "PowerPoint 97-2003 presentation"),
)


class OfficeRefusal(Exception):
    """Why an office file is refused, as a sentence fit for the person who uploaded it."""


@dataclass(frozen=True)
class OfficeFormat:
    """An accepted office document: media type, usual extension and a name for people."""

    media_type: str
    extension: str
    description: str


def zip_end_record(handle: BinaryIO, size: int) -> tuple[int, int, int, int, int] | None:
    """The last ZIP end record in the file: (offset, entries, directory size, directory offset, comment length)."""
    start = max(0, size - ZIP_END_BYTES)
    handle.seek(start)
    tail = handle.read(ZIP_END_BYTES)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    entries, cd_size, cd_offset, comment = struct.unpack("<2xH2LH", tail[at + 8 : at + 22])
    return start + at, entries, cd_size, cd_offset, comment


def carries_zip(handle: BinaryIO, size: int) -> bool:
    """True when a ZIP archive ends the file (one appended to an image or PDF, say)."""
    end = zip_end_record(handle, size)
    if end is None:
        return False
    at, _entries, cd_size, _cd_offset, _comment = end
    # Only an end record whose central directory is really there counts, not four chance bytes in compressed data.
    if cd_size > at:
        return False
    handle.seek(at - cd_size)
    return handle.read(4) == b"PK\x01\x02"


def inspect_zip(handle: BinaryIO, size: int) -> OfficeFormat:
    """The office document a ZIP file is, read from its central directory; ``OfficeRefusal`` otherwise."""
    end = zip_end_record(handle, size)
    if end is None:
        raise OfficeRefusal("That file is a damaged or incomplete ZIP archive; " + SAVE_AGAIN)
    at, entries, cd_size, _cd_offset, comment = end
    if at + 22 + comment != size:
        raise OfficeRefusal("That file has other data appended after its end, so it is not accepted; " + SAVE_AGAIN)
    handle.seek(max(0, at - 20))
    if handle.read(4) == b"PK\x06\x07":
        raise OfficeRefusal("That file uses the ZIP64 layout, which documents never need; " + SAVE_AGAIN)
    # Refused before zipfile reads the directory, which it would hold in memory whole.
    if entries > MAX_ENTRIES or cd_size > MAX_DIRECTORY_BYTES:
        raise OfficeRefusal(f"That file has more than {MAX_ENTRIES:,} parts, so it is not accepted; " + SAVE_AGAIN)
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            office = _ooxml_or_odf(archive, infos)
            _check_entries(infos, office.description)
            _check_macros(archive, infos, office.description)
            _check_real_sizes(handle, infos, office.description)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise OfficeRefusal("That office document is damaged or incomplete; " + SAVE_AGAIN) from exc
    return office


def _ooxml_or_odf(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> OfficeFormat:
    first = infos[0] if infos else None
    if first is not None and first.filename == "mimetype" and first.file_size < 100 and not first.flag_bits & 1:
        mimetype = archive.read(first).decode("ascii", "replace").strip()
        prefix = "application/vnd.oasis.opendocument."
        if mimetype.startswith(prefix):
            if mimetype[len(prefix) :] not in _ODF:
                raise OfficeRefusal(
                    "That file is an OpenDocument file of a type we do not accept; "
                    "upload a text document, spreadsheet or presentation."
                )
            extension, description = _ODF[mimetype[len(prefix) :]]
            return OfficeFormat(mimetype, extension, description)
    names = [info.filename.lower() for info in infos]
    if "[content_types].xml" in names:
        for prefix, (subtype, extension, description) in _OOXML.items():
            if any(name.startswith(prefix) for name in names):
                return OfficeFormat(f"application/vnd.openxmlformats-officedocument.{subtype}", extension, description)
    raise OfficeRefusal("That file is a ZIP archive; upload the document itself, not a compressed folder.")


def _check_entries(infos: list[zipfile.ZipInfo], what: str) -> None:
    refused = f"That {what} {{}}, so it is not accepted; " + SAVE_AGAIN
    if len(infos) > MAX_ENTRIES:
        raise OfficeRefusal(refused.format(f"has more than {MAX_ENTRIES:,} parts"))
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise OfficeRefusal(refused.format(f"would unpack to more than {MAX_UNPACKED_BYTES // MB} MB"))
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise OfficeRefusal(refused.format("has two parts with the same name"))
    for info in infos:
        name = info.filename.lower()
        if info.file_size > RATIO_APPLIES_ABOVE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise OfficeRefusal(refused.format("is compressed far more than real documents are (a zip bomb)"))
        if info.flag_bits & 1:
            raise OfficeRefusal(refused.format("has encrypted parts"))
        if name.startswith(("/", "\\")) or re.match(r"[a-z]:", name) or ".." in re.split(r"[/\\]", name):
            raise OfficeRefusal(refused.format("has parts whose names point outside the document"))
        if name.endswith(NESTED_ARCHIVES):
            raise OfficeRefusal(refused.format(f"has another archive ({_extension(name)}) inside it"))
        if name.endswith(PROGRAMS):
            raise OfficeRefusal(refused.format(f"has a program or script ({_extension(name)}) inside it"))


def _check_macros(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], what: str) -> None:
    macros = f"That {what} contains macros, which are not accepted; save it as a .docx, .xlsx or .pptx file "
    macros += "without macros (or an OpenDocument file without macros) and upload that."
    for info in infos:
        name = info.filename.lower()
        # OpenDocument keeps Basic and other scripts under Basic/ and Scripts/.
        if name.endswith(MACRO_PARTS) or name.startswith(("basic/", "scripts/")):
            raise OfficeRefusal(macros)
        # The macro part can be given any name, but its content type must be declared here.
        if name == "[content_types].xml":
            if info.file_size > MAX_CONTENT_TYPES_BYTES:
                raise OfficeRefusal(f"That {what} is damaged; " + SAVE_AGAIN)
            with archive.open(info) as part:
                declared = part.read(MAX_CONTENT_TYPES_BYTES + 1).lower()
            if b"vbaproject" in declared or b"macroenabled" in declared:
                raise OfficeRefusal(macros)


def _check_real_sizes(handle: BinaryIO, infos: list[zipfile.ZipInfo], what: str) -> None:
    """Unpack every part as a stream, counting what comes out, so that sizes the directory understates (20 MB
    declared as 1 KB, with the checksum of the first kilobyte, which zipfile would stop at) cannot hide a zip bomb
    from the checks above; parts that share their bytes (overlapping entries) are refused too."""
    refused = f"That {what} {{}}, so it is not accepted; " + SAVE_AGAIN
    total, previous_end = 0, 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise OfficeRefusal(refused.format("uses a kind of compression documents never use"))
        if info.header_offset < previous_end:
            raise OfficeRefusal(refused.format("has parts that share the same bytes (a zip bomb)"))
        handle.seek(info.header_offset)
        header = handle.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("no local header")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        start = info.header_offset + 30 + name_length + extra_length
        previous_end = start + info.compress_size
        real = _unpacked_size(handle, start, info, limit=min(info.file_size, MAX_UNPACKED_BYTES - total) + 1)
        if real > info.file_size:
            raise OfficeRefusal(refused.format("unpacks to more than its parts declare (a zip bomb)"))
        if real < info.file_size:
            raise zipfile.BadZipFile("a part is shorter than it declares")
        total += real


def _unpacked_size(handle: BinaryIO, start: int, info: zipfile.ZipInfo, *, limit: int) -> int:
    """How many bytes a part really unpacks to, reading at most its compressed size and stopping past ``limit``."""
    handle.seek(start)
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size
    inflate, left, out = zlib.decompressobj(-15), info.compress_size, 0
    while not inflate.eof:
        chunk = inflate.unconsumed_tail or handle.read(min(left, CHUNK))
        if not inflate.unconsumed_tail:
            left -= len(chunk)
            if not chunk:
                raise zipfile.BadZipFile("a part's compressed data ends early")
        # max_length bounds what one call may produce, so a bomb is stopped after ``limit`` bytes, not unpacked.
        out += len(inflate.decompress(chunk, CHUNK))
        if out >= limit:
            return out
    return out


def _extension(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1]


def inspect_ole(handle: BinaryIO, size: int) -> OfficeFormat:
    """The Word, Excel or PowerPoint 97-2003 file an OLE compound file is; ``OfficeRefusal`` otherwise."""
    names = _ole_stream_names(handle, size)
    if "EncryptedPackage" in names:
        raise OfficeRefusal("That document is protected by a password; remove the password and upload it again.")
    if names & _OLE_MACROS:
        raise OfficeRefusal(
            "That document contains macros, which are not accepted; save it as a .docx, .xlsx or .pptx file "
            "without macros and upload that."
        )
    for stream, media_type, extension, description in _OLE_KINDS:
        if stream in names:
            return OfficeFormat(media_type, extension, description)
    raise OfficeRefusal(
        "That file is in an older Microsoft format but is not a Word, Excel or PowerPoint file; "
        "upload a Word, Excel or PowerPoint document or a PDF."
    )


def _ole_stream_names(handle: BinaryIO, size: int) -> set[str]:
    """Names in the directory of an OLE compound file, following its chain of sectors a bounded number of times."""
    damaged = OfficeRefusal("That older Office document is damaged or incomplete; " + SAVE_AGAIN)
    handle.seek(0)
    header = handle.read(512)
    shift, first_directory = struct.unpack("<H", header[30:32])[0], struct.unpack("<L", header[48:52])[0]
    if shift not in (9, 12):
        raise damaged
    sector_size = 1 << shift
    fat_sectors = struct.unpack("<109L", header[76:512])
    per_fat_sector = sector_size // 4
    names, sector = set(), first_directory
    for _ in range(MAX_OLE_DIRECTORY_SECTORS):
        if sector >= 0xFFFFFFFA:  # end of chain (or a special value)
            break
        handle.seek((sector + 1) * sector_size)
        entries = handle.read(sector_size)
        if len(entries) < sector_size:
            raise damaged
        for at in range(0, sector_size, 128):
            length = struct.unpack("<H", entries[at + 64 : at + 66])[0]
            if 2 <= length <= 64:
                names.add(entries[at : at + length - 2].decode("utf-16-le", "replace"))
        if sector // per_fat_sector >= len(fat_sectors):
            break  # the directory goes on past what the header lists; what was read is enough to decide
        fat_sector = fat_sectors[sector // per_fat_sector]
        offset = (fat_sector + 1) * sector_size + (sector % per_fat_sector) * 4
        if fat_sector >= 0xFFFFFFFA or offset + 4 > size:
            raise damaged
        handle.seek(offset)
        sector = struct.unpack("<L", handle.read(4))[0]
    return names
