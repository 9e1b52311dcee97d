"""PDFs that do more than show pages are refused: JavaScript, actions that start programs, send or import data or open
other files, attached files, embedded media and XFA forms.

What makes a PDF active is always named by a PDF name (``/JavaScript``, ``/Launch``, ``/EmbeddedFile`` ...), and names
are never compressed or encrypted in the file itself, only inside object streams. So the whole file's bytes are
searched for those names, spelled plainly or with ``#xx`` escapes (``/J#61vaScript``). A file with object streams (or
encryption) is then opened with pypdf, which decrypts it when an owner password only restricts printing or editing,
and every object stream is unpacked and searched the same way; when pypdf cannot read the file's structure, the object
streams found in its bytes are unpacked with zlib instead, as viewers rebuild such files. Parsing every object with
pypdf instead would take seconds for a long document (about 3,000 objects a second); this takes about 100 ms for
25 MB and reads the file in 1 MB pieces.

An ``/OpenAction`` or ``/AA`` entry by itself is allowed: LibreOffice writes an opening view in every PDF it exports,
and what such an entry does (JavaScript, Launch ...) is refused by its own name. Links to web pages (URI actions),
bookmarks and page jumps stay allowed.
"""

from __future__ import annotations

import re
import time
import warnings
import zlib
from typing import BinaryIO

from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError, PdfReadWarning, PyPdfError
from pypdf.generic import StreamObject

MB = 1024 * 1024
CHUNK = 1 * MB
MAX_OBJECT_STREAMS = 2_000
MAX_UNPACKED_BYTES = 128 * MB
MAX_SECONDS = 10.0
# Ceilings while pypdf parses: the cross-reference and object streams are the only streams it decodes here.
PARSING_LIMITS = {
    "maximum_declared_stream_length": 64 * MB,
    "zlib_maximum_output_length": 32 * MB,
    "lzw_maximum_output_length": 32 * MB,
    "run_length_maximum_output_length": 32 * MB,
    "brotli_maximum_output_length": 32 * MB,
    "array_based_stream_maximum_output_length": 32 * MB,
    "zlib_maximum_recovery_input_length": 0,
    "stream_filters_maximum_length": 4,
    "jbig2dec_binary": None,  # never start a subprocess for an uploaded file
}
PRINT_AGAIN = (
    "print it to a new PDF (in the print dialog choose “Save as PDF” or “Microsoft Print to PDF”), which keeps "
    "what the pages show and drops the rest, and upload that."
)
# Each name, and what it means for the sentence the teacher reads.
ACTIVE_NAMES = {
    "JavaScript": "JavaScript",
    "Launch": "an action that starts a program",
    "SubmitForm": "a form that sends its contents to a web address",
    "ImportData": "an action that reads data from another file",
    "GoToR": "a link that opens another file",
    "GoToE": "a link that opens an attached file",
    "EmbeddedFile": "attached files",
    "EmbeddedFiles": "attached files",
    "FileAttachment": "attached files",
    "RichMedia": "embedded media (Flash or 3D)",
    "RichMediaExecute": "embedded media (Flash or 3D)",
    "RichMediaContent": "embedded media (Flash or 3D)",
    "XFA": "an XFA form, which carries scripts",
}
# "/JS" (a script's text) is three bytes, which chance puts in compressed data about once per 25 MB; it is searched
# for only inside object streams, which hold PDF syntax and nothing else. Outside them a script needs /JavaScript.
SYNTAX_ONLY_NAMES = {"JS": "JavaScript"}
_DELIMITER = rb"(?=[\s\x00()<>\[\]{}/%])"


def _spelled(name: str) -> bytes:
    """A pattern for a PDF name, each character plain or as a ``#xx`` escape (hex digits in either case)."""
    parts = []
    for character in name:
        hex_digits = "".join(f"[{d}{d.lower()}]" if d.isalpha() else d for d in f"{ord(character):02X}")
        parts.append(f"(?:{re.escape(character)}|#{hex_digits})")
    return "".join(parts).encode()


def _names_pattern(names) -> re.Pattern[bytes]:
    longest_first = sorted(names, key=len, reverse=True)
    return re.compile(b"/(" + b"|".join(_spelled(name) for name in longest_first) + b")" + _DELIMITER)


_IN_FILE = _names_pattern(ACTIVE_NAMES)
_IN_OBJECT_STREAMS = _names_pattern({**ACTIVE_NAMES, **SYNTAX_ONLY_NAMES})
_OBJECT_STREAM_TYPE = re.compile(b"/" + _spelled("Type") + rb"\s{0,16}/" + _spelled("ObjStm") + _DELIMITER)
_PACKED = _names_pattern(["ObjStm", "XRef", "XRefStm", "Encrypt"])
_STREAM_DATA = re.compile(rb"\bstream(?:\r\n|\n|\r)")
_OBJECT_HEADER = re.compile(rb"(\d{1,10})\s{1,16}\d{1,5}\s{1,16}obj\b")
_LOOK_BACK = 4096


class PdfRefusal(Exception):
    """Why a PDF is refused, as a sentence fit for the person who uploaded it."""


def check_pdf(handle: BinaryIO) -> None:
    """Raise ``PdfRefusal`` when the PDF carries active content, needs a password or cannot be checked."""
    found, object_streams, packed = _scan_file(handle)
    # Compressed objects live only in object streams, listed only by cross-reference streams; only encryption hides
    # whether a password is needed. A PDF with none of them has all its objects in plain sight, searched above.
    if found is None and packed:
        try:
            found = _scan_object_streams(handle, set(object_streams))
        except _Unreadable:
            # Viewers open many PDFs pypdf cannot (a cross-reference table that lies, say) by searching the file, as
            # _scan_file did; the object streams it found are unpacked here without pypdf.
            found = _scan_object_streams_found(handle, object_streams)
    if found:
        raise PdfRefusal(f"That PDF contains {found}, which is not accepted in evidence; {PRINT_AGAIN}")


class _Unreadable(Exception):
    """pypdf could not read the file's structure."""


def _scan_file(handle: BinaryIO) -> tuple[str | None, dict[int, int], bool]:
    """What the file's own bytes name; the object streams found in them, by number with where their data starts
    (for a PDF whose cross-reference table is damaged, which readers rebuild by the same kind of search); and whether
    it has object streams, cross-reference streams or encryption, which only a PDF reader can look into."""
    handle.seek(0)
    carried, start, object_streams, packed = b"", 0, {}, False
    while chunk := handle.read(CHUNK):
        window = carried + chunk
        match = _IN_FILE.search(window)
        if match:
            return _meaning(match), object_streams, packed
        packed = packed or bool(_PACKED.search(window))
        for stream_type in _OBJECT_STREAM_TYPE.finditer(window) if packed else ():  # /ObjStm is one of _PACKED
            headers = _OBJECT_HEADER.findall(window, max(0, stream_type.start() - _LOOK_BACK), stream_type.start())
            data = _STREAM_DATA.search(window, stream_type.end(), stream_type.end() + _LOOK_BACK)
            if headers and data:
                object_streams[int(headers[-1])] = start + data.end()
        carried = window[-_LOOK_BACK:]
        start += len(window) - len(carried)
    return None, object_streams, packed


def _scan_object_streams(handle: BinaryIO, found_in_file: set[int]) -> str | None:
    deadline = time.monotonic() + MAX_SECONDS
    handle.seek(0)
    try:
        with apply_configuration(**PARSING_LIMITS), warnings.catch_warnings():
            # pypdf warns about damage it repairs; such PDFs are still checked, never a crash.
            warnings.simplefilter("ignore", PdfReadWarning)
            reader = PdfReader(handle, strict=False, root_object_recovery_limit=10_000)
            if reader.is_encrypted and not reader.decrypt(""):
                raise PdfRefusal(
                    "That PDF is protected by a password, so reviewers could not open it; save a copy without the "
                    "password and upload that."
                )
            numbers = {number for number, _index in reader.xref_objStm.values()} | found_in_file
            if len(numbers) > MAX_OBJECT_STREAMS:
                raise LimitReachedError(f"{len(numbers)} object streams")
            unpacked = 0
            for number in sorted(numbers):
                if unpacked > MAX_UNPACKED_BYTES or time.monotonic() > deadline:
                    raise LimitReachedError("too much to unpack")
                stream = reader.get_object(number)
                if not isinstance(stream, StreamObject) or stream.get("/Type") != "/ObjStm":
                    continue
                data = stream.get_data()
                unpacked += len(data)
                match = _IN_OBJECT_STREAMS.search(data + b" ")
                if match:
                    return _meaning(match)
    except LimitReachedError:
        raise PdfRefusal(f"That PDF is too large or too complex inside to be checked; {PRINT_AGAIN}") from None
    except (
        PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError,
        NotImplementedError,
    ) as exc:  # fmt: skip
        raise _Unreadable from exc
    return None


def _scan_object_streams_found(handle: BinaryIO, object_streams: dict[int, int]) -> str | None:
    """Search the object streams found in the file's bytes, each unpacked with zlib (FlateDecode, the filter every
    PDF writer uses for them); one that cannot be unpacked (another filter, encryption) cannot be checked."""
    if len(object_streams) > MAX_OBJECT_STREAMS:
        raise PdfRefusal(f"That PDF is too large or too complex inside to be checked; {PRINT_AGAIN}")
    unpacked = 0
    for offset in object_streams.values():
        data = _inflate_at(handle, offset, MAX_UNPACKED_BYTES - unpacked)
        if data is None:
            raise PdfRefusal(f"That PDF is damaged and could not be checked; {PRINT_AGAIN}")
        unpacked += len(data)
        match = _IN_OBJECT_STREAMS.search(data + b" ")
        if match:
            return _meaning(match)
    return None


def _inflate_at(handle: BinaryIO, offset: int, limit: int) -> bytes | None:
    """The zlib stream starting at ``offset`` unpacked (None if it is not one); ``PdfRefusal`` past ``limit``."""
    handle.seek(offset)
    inflate, out = zlib.decompressobj(), bytearray()
    try:
        while not inflate.eof:
            chunk = inflate.unconsumed_tail or handle.read(CHUNK)
            if not chunk:
                return None
            out += inflate.decompress(chunk, CHUNK)
            if len(out) > limit:
                raise PdfRefusal(f"That PDF is too large or too complex inside to be checked; {PRINT_AGAIN}")
    except zlib.error:
        return None
    return bytes(out)


def _meaning(match: re.Match[bytes]) -> str:
    name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), match[1]).decode("latin-1")
    return {**ACTIVE_NAMES, **SYNTAX_ONLY_NAMES}[name]
