"""What an uploaded evidence file is, decided from its bytes alone; programs, archives and polyglots are refused."""

from __future__ import annotations

import codecs
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import InvalidInput
from .office_files import OfficeFormat, OfficeRefusal, carries_zip, inspect_ole, inspect_zip
from .pdf_files import PdfRefusal, check_pdf

# Keys match the catalog's file_kinds (catalog_definitions.FILE_KINDS).
KINDS = {"pdf": "PDF", "image": "Image", "audio": "Audio", "video": "Video", "office": "Office document"}
ACCEPTED = (
    "Upload a PDF, an image (PNG, JPEG, GIF, WebP or HEIC), audio (MP3, WAV, M4A, OGG or FLAC), "
    "a video (MP4, MOV or WebM) or an office document (Word, Excel, PowerPoint or OpenDocument)."
)
HEAD_BYTES = 64 * 1024
TAIL_BYTES = 64 * 1024
SCAN_CHUNK = 1024 * 1024
# Tags that make a web page, run script, load or send something, when a browser reads the bytes as HTML. Each is four
# letters or more and must be followed by a space, "/" or ">", so that compressed data (random bytes) matches by
# chance about once in 10^12 positions: less than once in ten thousand 25 MB files.
WEB_PAGE = re.compile(
    rb"<(?:!doctype\s{1,16}html|html|head|body|script|iframe|frame|frameset|object|embed|meta|form|base|link|style)"
    rb"[\s/>]",
    re.IGNORECASE,
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Detected:
    """What a file is: one of ``KINDS``, its media type, the usual extension and a name for people."""

    kind: str
    media_type: str
    extension: str
    description: str


class UnsupportedFile(InvalidInput):
    """A file we will not keep; ``errors["file"]`` says what it is (when known) and what is accepted."""

    def __init__(self, message: str):
        super().__init__({"file": message})


class _Sample:
    """The start and end of an open file, and a way to read a little from anywhere in it."""

    def __init__(self, handle: BinaryIO):
        self.handle = handle
        self.size = handle.seek(0, 2)
        self.head = self.read_at(0, HEAD_BYTES)
        self.tail = self.read_at(max(0, self.size - TAIL_BYTES), TAIL_BYTES)

    def read_at(self, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes from ``offset``."""
        self.handle.seek(offset)
        return self.handle.read(length)


def _damaged(what: str) -> UnsupportedFile:
    return UnsupportedFile(f"That {what} is damaged or incomplete; save or export it again and upload the new file.")


def detect_kind(path: Path) -> Detected:
    """What the file at ``path`` is, from its bytes; ``UnsupportedFile`` saying what it is and what is accepted."""
    with Path(path).open("rb") as handle:
        sample = _Sample(handle)
        if sample.size == 0:
            raise UnsupportedFile("That file is empty; check that it saved properly and upload it again.")
        try:
            if sample.head.startswith(b"PK\x03\x04"):
                detected = _office(inspect_zip(handle, sample.size))
            else:
                label, inspect = _format_of(sample.head)
                if carries_zip(handle, sample.size):
                    raise UnsupportedFile(
                        f"That file looks like {label} but also carries a ZIP archive, so it is not accepted; "
                        "export it again and upload the new file."
                    )
                detected = _office(inspect_ole(handle, sample.size)) if inspect is None else inspect(sample)
        except (OfficeRefusal, PdfRefusal) as exc:
            raise UnsupportedFile(str(exc)) from exc
        except (struct.error, IndexError) as exc:
            # A file malformed in a way no check above foresaw must still end as a refusal, never a crash.
            raise UnsupportedFile(f"That file is damaged or incomplete. {ACCEPTED}") from exc
        _refuse_hidden_markup(sample, detected)
        return detected


def _office(found: OfficeFormat) -> Detected:
    return Detected("office", found.media_type, found.extension, found.description)


def _format_of(head: bytes) -> tuple[str, Callable[[_Sample], Detected] | None]:
    for label, matches, inspect in _FORMATS:
        if matches(head):
            return label, inspect
    raise UnsupportedFile(_what_it_is(head))


def _refuse_hidden_markup(sample: _Sample, detected: Detected) -> None:
    # Browsers sniff at most a file's first 1,445 bytes (the WHATWG algorithm; Chrome 512, old IE 256) and PDF
    # readers look for "%PDF-" in the first kilobyte, so nothing there may pass for a web page, an SVG or a PDF.
    start = sample.head[:1024].lower()
    if WEB_PAGE.search(start) or b"<svg" in start:
        hidden = "web page code"
    elif detected.kind != "pdf" and b"%pdf-" in start:
        hidden = "a PDF at its start"
    elif _web_page_later(sample, detected):
        hidden = "web page code"
    else:
        return
    raise UnsupportedFile(
        f"That {detected.description} also contains {hidden}, so it is not accepted; "
        "export it again and upload the new file."
    )


def _web_page_later(sample: _Sample, detected: Detected) -> bool:
    """Whether a web page hides further in: anywhere in a PDF, in the first or last 64 KiB of anything else.

    A PDF is text with binary streams, and its objects may be separated by anything, so a whole HTML document can sit
    uncompressed in the middle of one; all of it is read (25 MB in well under a second). The other kinds are binary
    formats whose middle is compressed samples that no program reads as text: the places a page is hidden in them
    are the metadata at the start (EXIF, XMP, ID3, comments) and data appended after the end, both within the first
    and last 64 KiB, which are already in memory.
    """
    if detected.kind != "pdf":
        return bool(WEB_PAGE.search(sample.head) or WEB_PAGE.search(sample.tail))
    overlap, offset, carried = 32, 0, b""
    while chunk := sample.read_at(offset, SCAN_CHUNK):
        if WEB_PAGE.search(carried + chunk):
            return True
        carried, offset = chunk[-overlap:], offset + len(chunk)
    return False


def _pdf(sample: _Sample) -> Detected:
    if b"%%EOF" not in sample.tail[-1024:]:
        raise _damaged("PDF")
    check_pdf(sample.handle)
    return Detected("pdf", "application/pdf", "pdf", "PDF document")


def _png(sample: _Sample) -> Detected:
    if sample.head[12:16] != b"IHDR" or b"IEND\xaeB`\x82" not in sample.tail:
        raise _damaged("PNG image")
    return Detected("image", "image/png", "png", "PNG image")


def _jpeg(sample: _Sample) -> Detected:
    # Walk the segments to the frame header. No end-marker check: phones append motion-photo video after the end.
    at = 2
    for _ in range(100):
        segment = sample.read_at(at, 4)
        if len(segment) < 4 or segment[0] != 0xFF:
            break
        if segment[1] == 0xFF:  # fill byte
            at += 1
            continue
        if (0xC0 <= segment[1] <= 0xCF and segment[1] not in (0xC4, 0xC8, 0xCC)) or segment[1] == 0xDA:
            return Detected("image", "image/jpeg", "jpg", "JPEG image")
        at += 2 + struct.unpack(">H", segment[2:])[0]
    raise _damaged("JPEG image")


def _gif(sample: _Sample) -> Detected:
    if not sample.tail.rstrip(b"\0").endswith(b";"):
        raise _damaged("GIF image")
    return Detected("image", "image/gif", "gif", "GIF image")


def _riff(sample: _Sample) -> Detected:
    declared, form = struct.unpack("<L4s", sample.head[4:12])
    # Some recorders leave the size at 0 or 0xFFFFFFFF while streaming; otherwise it must fit in the file.
    cut_short = declared not in (0, 0xFFFFFFFF) and declared + 8 > sample.size
    if form == b"WEBP":
        if cut_short or sample.head[12:16] not in (b"VP8 ", b"VP8L", b"VP8X"):
            raise _damaged("WebP image")
        return Detected("image", "image/webp", "webp", "WebP image")
    if form == b"WAVE":
        if cut_short:
            raise _damaged("WAV recording")
        return Detected("audio", "audio/wav", "wav", "WAV audio")
    if form == b"AVI ":
        raise UnsupportedFile("That file is an AVI video, which is not accepted; convert it to MP4 and upload that.")
    raise UnsupportedFile(f"We could not tell what kind of file that is. {ACCEPTED}")


_HEIF = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_AVIF = {b"avif", b"avis"}
_M4A = {b"M4A ", b"M4B ", b"M4P ", b"F4A "}
_MP4 = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"mmp4", b"f4v "}


def _iso_media(sample: _Sample) -> Detected:
    box_size = struct.unpack(">L", sample.head[:4])[0]
    raw = sample.head[8 : min(box_size, 256)]
    brands = [raw[i : i + 4] for i in range(0, len(raw), 4) if i != 4]  # major brand, then the compatible ones
    major = brands[0] if brands else b""
    if (major in _AVIF or major in (b"mif1", b"msf1")) and _AVIF & set(brands):
        detected, needs = Detected("image", "image/avif", "avif", "AVIF image"), b"meta"
    elif major in _HEIF:
        name = "heif" if major in (b"mif1", b"msf1") else "heic"
        detected, needs = Detected("image", f"image/{name}", name, f"{name.upper()} image"), b"meta"
    elif major in _M4A:
        detected, needs = Detected("audio", "audio/mp4", "m4a", "M4A audio"), b"moov"
    elif major == b"qt  ":
        detected, needs = Detected("video", "video/quicktime", "mov", "QuickTime video"), b"moov"
    elif major.startswith(b"M4V"):
        detected, needs = Detected("video", "video/x-m4v", "m4v", "M4V video"), b"moov"
    elif major.startswith((b"3gp", b"3g2")):
        detected, needs = Detected("video", "video/3gpp", "3gp", "3GP video"), b"moov"
    elif major in _MP4 or _MP4 & set(brands):
        detected, needs = Detected("video", "video/mp4", "mp4", "MP4 video"), b"moov"
    else:
        raise UnsupportedFile(f"That file is an MPEG-4 family file of a type we do not accept. {ACCEPTED}")
    if needs not in _top_level_boxes(sample, detected.description):
        raise _damaged(detected.description)
    return detected


def _top_level_boxes(sample: _Sample, what: str) -> set[bytes]:
    """The types of the boxes an ISO media file is made of, which must add up exactly to the file."""
    seen, offset = set(), 0
    for _ in range(10_000):
        if offset == sample.size:
            return seen
        header = sample.read_at(offset, 16)
        if len(header) < 8:
            break
        size, kind = struct.unpack(">L4s", header[:8])
        if size == 1 and len(header) == 16:
            size = struct.unpack(">Q", header[8:])[0]
        elif size == 0:
            size = sample.size - offset
        if size < 8 or offset + size > sample.size:
            break
        seen.add(kind)
        offset += size
    raise _damaged(what)


def _mpeg_audio(sample: _Sample) -> Detected:
    offset = 0
    if sample.head.startswith(b"ID3"):
        flags, b0, b1, b2, b3 = sample.head[5:10]
        offset = 10 + (b0 << 21 | b1 << 14 | b2 << 7 | b3) + (10 if flags & 0x10 else 0)
    window = sample.read_at(offset, 4096)
    # Taggers may pad after the tag; the first frame must follow soon after, and a second frame right after it.
    for at in range(len(window) - 5 if offset else 1):
        length = _frame_length(window[at : at + 6])
        if length:
            after = offset + at + length
            following = sample.read_at(after, 6)
            same_stream = following[1:2] == bytes([window[at + 1]]) and _frame_length(following)
            if after != sample.size and not same_stream:
                break
            if window[at + 1] & 0x06 == 0:
                return Detected("audio", "audio/aac", "aac", "AAC audio")
            return Detected("audio", "audio/mpeg", "mp3", "MP3 audio")
    raise _damaged("MP3 recording")


# Bit rates in kbit/s by (MPEG-1 or not, layer bits) and sample rates by version bits, from the MPEG audio header.
_KBPS = {
    (True, 3): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 1): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 3): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 1): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _frame_length(header: bytes) -> int:
    """Bytes in the MPEG audio (or ADTS AAC) frame that starts with ``header``; 0 if it is not a frame header."""
    if len(header) < 6 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return 0
    version, layer = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    if layer == 0:  # ADTS, whose header carries the frame length
        length = (header[3] & 3) << 11 | header[4] << 3 | header[5] >> 5
        return length if header[1] & 0xF6 == 0xF0 and (header[2] >> 2) & 0x0F < 13 and length > 7 else 0
    bitrate, rate, padding = header[2] >> 4, (header[2] >> 2) & 3, (header[2] >> 1) & 1
    if version == 1 or bitrate in (0, 15) or rate == 3:
        return 0
    kbps, hertz = _KBPS[(version == 3, layer)][bitrate], _RATES[version][rate]
    if layer == 3:  # Layer I
        return (12000 * kbps // hertz + padding) * 4
    return (72000 if layer == 1 and version != 3 else 144000) * kbps // hertz + padding


def _ogg(sample: _Sample) -> Detected:
    head = sample.head
    packet = head[27 + head[26] : 35 + head[26]] if len(head) > 27 else b""
    if head[4:5] != b"\0" or len(packet) < 7:
        raise _damaged("Ogg file")
    if packet.startswith(b"OpusHead"):
        return Detected("audio", "audio/ogg", "opus", "Opus audio")
    if packet.startswith(b"\x01vorbis"):
        return Detected("audio", "audio/ogg", "ogg", "Ogg Vorbis audio")
    if packet.startswith(b"\x7fFLAC"):
        return Detected("audio", "audio/ogg", "oga", "Ogg FLAC audio")
    if packet.startswith(b"\x80theora"):
        return Detected("video", "video/ogg", "ogv", "Ogg video")
    raise UnsupportedFile(f"That file is an Ogg file of a type we do not accept. {ACCEPTED}")


def _flac(sample: _Sample) -> Detected:
    if sample.head[4] & 0x7F != 0 or sample.head[5:8] != b"\x00\x00\x22" or sample.size < 42:
        raise _damaged("FLAC recording")
    return Detected("audio", "audio/flac", "flac", "FLAC audio")


def _matroska(sample: _Sample) -> Detected:
    # The DocType element (ID 42 82, then a size of one to eight bytes) in the EBML header.
    doc_type = re.search(rb"\x42\x82.{1,8}?(webm|matroska)", sample.head[:128], re.DOTALL)
    if doc_type is None:
        raise _damaged("WebM video")
    if doc_type[1] == b"webm":
        return Detected("video", "video/webm", "webm", "WebM video")
    return Detected("video", "video/x-matroska", "mkv", "Matroska video")


# (what it looks like, for messages; does the start match; what checks it further). None: an OLE compound file.
_FORMATS = (
    ("a PDF", lambda h: h.startswith(b"%PDF-"), _pdf),
    ("a PNG image", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"), _png),
    ("a JPEG image", lambda h: h.startswith(b"\xff\xd8\xff"), _jpeg),
    ("a GIF image", lambda h: h[:6] in (b"GIF87a", b"GIF89a"), _gif),
    ("a RIFF file", lambda h: h.startswith(b"RIFF") and len(h) >= 16, _riff),
    ("an MPEG-4 file", lambda h: h[4:8] == b"ftyp" and len(h) >= 16, _iso_media),
    ("an MP3 recording", lambda h: (h.startswith(b"ID3") and len(h) >= 10) or _frame_length(h[:6]) > 0, _mpeg_audio),
    ("an Ogg file", lambda h: h.startswith(b"OggS"), _ogg),
    ("a FLAC recording", lambda h: h.startswith(b"fLaC") and len(h) >= 8, _flac),
    ("a WebM video", lambda h: h.startswith(b"\x1aE\xdf\xa3"), _matroska),
    ("an older Office document", lambda h: h.startswith(OLE_MAGIC) and len(h) >= 512, None),
)

_ARCHIVE = "upload the document itself, not a compressed folder."
_PROGRAM = "programs and scripts are not accepted. " + ACCEPTED
# Formats we recognise only to say what they are: (start of the file, what it is, what to do instead).
_REFUSED = (
    (b"PK\x05\x06", "an empty ZIP archive", _ARCHIVE),
    (b"Rar!\x1a\x07", "a RAR archive", _ARCHIVE),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", _ARCHIVE),
    (b"\x1f\x8b", "a gzip archive", _ARCHIVE),
    (b"MZ", "a Windows program", _PROGRAM),
    (b"\x7fELF", "a Linux program", _PROGRAM),
    (b"\xcf\xfa\xed\xfe", "a macOS program", _PROGRAM),
    (b"\xca\xfe\xba\xbe", "a program", _PROGRAM),
    (b"#!", "a script", _PROGRAM),
    (b"{\\rtf", "an RTF document", "save it as a Word document (.docx) or a PDF and upload that."),
    (b"BM", "a BMP image", "save it as PNG or JPEG and upload that."),
    (b"II*\x00", "a TIFF image", "save it as PNG or JPEG and upload that."),
    (b"MM\x00*", "a TIFF image", "save it as PNG or JPEG and upload that."),
)


def _what_it_is(head: bytes) -> str:
    for start, what, advice in _REFUSED:
        if head.startswith(start):
            return f"That file is {what}; {advice}"
    text = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if re.match(rb"<(!doctype html|html|head|body|script|iframe)\b", text) or b"<html" in text:
        return f"That file is a web page (HTML), which is not accepted. {ACCEPTED}"
    if b"<svg" in text:
        return "That file is an SVG drawing, which is not accepted here; save it as PNG or PDF and upload that."
    if text.startswith(b"<?xml"):
        return f"That file is XML text, which is not accepted. {ACCEPTED}"
    if b"\0" not in head[:4096]:
        try:
            # Incremental, so a character cut at the end of the window is not an error.
            codecs.getincrementaldecoder("utf-8")().decode(head[:4096], final=len(head) <= 4096)
        except UnicodeDecodeError:
            return f"We could not tell what kind of file that is. {ACCEPTED}"
        return "That file is plain text; paste it into a text answer, or save it as a PDF and upload that."
    return f"We could not tell what kind of file that is. {ACCEPTED}"
