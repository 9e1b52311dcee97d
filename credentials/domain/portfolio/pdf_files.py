"""PDFs that do more than show pages are refused: JavaScript, actions that start programs, send or import data or open
other files, attached files, embedded media and XFA forms.

What makes a PDF active is always named by a PDF name (``/JavaScript``, ``/Launch``, ``/EmbeddedFile`` ...), and names
are never compressed or encrypted in the file itself, only inside object streams. So the whole file's bytes are
searched for those names, spelled plainly or with ``#xx`` escapes (``/J#61vaScript``), and every object stream is
unpacked with pypdf (decrypted first when an owner password only restricts printing or editing) and searched the same
way. Parsing every object with pypdf instead would take seconds for a long document (about 3,000 objects a second);
this takes a few tens of milliseconds for 25 MB.

An ``/OpenAction`` or ``/AA`` entry by itself is allowed: LibreOffice writes an opening view in every PDF it exports,
and what such an entry does (JavaScript, Launch ...) is refused by its own name. Links to web pages (URI actions),
bookmarks and page jumps stay allowed.
"""

from __future__ import annotations

import re
import time
import warnings
from typing import BinaryIO

from pypdf import PdfReader, apply_configuration
from pypdf.errors import FileNotDecryptedError, LimitReachedError, PdfReadWarning, PyPdfError
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
_OBJECT_STREAM_TYPE = re.compile(rb"/Type\s{0,16}/ObjStm" + _DELIMITER)
_OBJECT_HEADER = re.compile(rb"(\d{1,10})\s{1,16}\d{1,5}\s{1,16}obj\b")
_LOOK_BACK = 4096


class PdfRefusal(Exception):
    """Why a PDF is refused, as a sentence fit for the person who uploaded it."""


def check_pdf(handle: BinaryIO) -> None:
    """Raise ``PdfRefusal`` when the PDF carries active content, needs a password or cannot be read."""
    found, object_streams = _scan_file(handle)
    if found is None:
        found = _scan_object_streams(handle, object_streams)
    if found:
        raise PdfRefusal(f"That PDF contains {found}, which is not accepted in evidence; {PRINT_AGAIN}")


def _scan_file(handle: BinaryIO) -> tuple[str | None, set[int]]:
    """What the file's own bytes name, and the numbers of the object streams found in them (for a PDF whose
    cross-reference table is damaged, which readers rebuild by the same kind of search)."""
    handle.seek(0)
    carried, object_streams = b"", set()
    while chunk := handle.read(CHUNK):
        window = carried + chunk
        match = _IN_FILE.search(window)
        if match:
            return _meaning(match), object_streams
        for stream_type in _OBJECT_STREAM_TYPE.finditer(window):
            headers = _OBJECT_HEADER.findall(window, max(0, stream_type.start() - _LOOK_BACK), stream_type.start())
            if headers:
                object_streams.add(int(headers[-1]))
        carried = window[-_LOOK_BACK:]
    return None, object_streams


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
            if len(reader.pages) == 0:  # no page tree: nothing a reviewer could read
                raise PyPdfError("no pages")
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
    except PdfRefusal:
        raise
    except LimitReachedError:
        raise PdfRefusal(f"That PDF is too large or too complex inside to be checked; {PRINT_AGAIN}") from None
    except (
        PyPdfError, FileNotDecryptedError, ValueError, KeyError, TypeError, AttributeError, IndexError,
        RecursionError, OSError, NotImplementedError,
    ):  # fmt: skip
        raise PdfRefusal(f"That PDF is damaged and could not be read; {PRINT_AGAIN}") from None
    return None


def _meaning(match: re.Match[bytes]) -> str:
    name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), match[1]).decode("latin-1")
    return {**ACTIVE_NAMES, **SYNTAX_ONLY_NAMES}[name]
