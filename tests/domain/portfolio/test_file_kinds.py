import io
import random
import struct
import wave
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image

from credentials.domain.catalog.definitions import FILE_KINDS
from credentials.domain.errors import InvalidInput
from credentials.domain.portfolio.file_kinds import KINDS, Detected, UnsupportedFile, detect_kind

MiB = 1024 * 1024


# --- Samples, each a small but structurally real file of its kind -------------------------------------------------


def pillow(format_: str, **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 90, 160)).save(buffer, format=format_, **options)
    return buffer.getvalue()


def pdf(body: bytes = b"BT /F1 12 Tf 72 720 Td (Exit tickets) Tj ET") -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(body), body),
    ]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_with_text(text: bytes) -> bytes:
    """A PNG with a tEXt chunk (a comment) right after its header."""
    data = pillow("PNG")
    chunk = b"tEXt" + b"Comment\0" + text
    return data[:33] + struct.pack(">L", len(chunk) - 4) + chunk + struct.pack(">L", zlib.crc32(chunk)) + data[33:]


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">L", 8 + len(payload)) + kind + payload


def iso_media(major: bytes, *compatible: bytes, needs: bytes = b"moov", media: bytes = b"\0" * 64) -> bytes:
    ftyp = box(b"ftyp", major + b"\0\0\0\0" + b"".join(compatible))
    return ftyp + box(needs, box(b"mvhd" if needs == b"moov" else b"hdlr", b"\0" * 24)) + box(b"mdat", media)


def wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\1" * 800)
    return buffer.getvalue()


MP3_FRAME = b"\xff\xfb\x90\x64" + b"\0" * 413


def id3(padding: int = 0) -> bytes:
    frame = b"TIT2" + struct.pack(">L", 12) + b"\0\0" + b"\3Lesson one"
    size = len(frame) + padding
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\4\0\0" + syncsafe + frame + b"\0" * padding


def ogg(first_packet: bytes) -> bytes:
    header = b"OggS\0\2" + b"\0" * 8 + b"\1\0\0\0" + b"\0" * 8 + bytes([1, len(first_packet)])
    return header + first_packet + b"\0" * 64


def flac() -> bytes:
    return b"fLaC" + b"\x80\x00\x00\x22" + b"\x10\x00\x10\x00" + b"\0" * 26 + b"\xff\xf8" + b"\0" * 32


def ebml(doc_type: bytes) -> bytes:
    body = b"\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    body += b"\x42\x82" + bytes([0x80 | len(doc_type)]) + doc_type + b"\x42\x87\x81\x04\x42\x85\x81\x02"
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body + b"\x18\x53\x80\x67\x01" + b"\0" * 64


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{main}" ContentType="application/vnd.openxmlformats-officedocument.{type}.main+xml"/>'
    "</Types>"
)
OOXML_MAIN = {
    "docx": ("word/document.xml", "wordprocessingml.document"),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet"),
    "pptx": ("ppt/presentation.xml", "presentationml.presentation"),
}


def ooxml(extension: str, extra: dict[str, bytes] | None = None, content_types: str | None = None) -> bytes:
    main, type_ = OOXML_MAIN[extension]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types or CONTENT_TYPES.format(main=main, type=type_))
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(main, '<?xml version="1.0"?><document>Lesson plan</document>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odf(subtype: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", f"application/vnd.oasis.opendocument.{subtype}", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>')
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ole(*streams: str) -> bytes:
    """A minimal OLE compound file (512-byte sectors): one FAT sector, then a chain of directory sectors."""
    names = ["Root Entry", *streams, "\1CompObj", "SummaryInformation"]
    entries = b""
    for name in names:
        encoded = (name + "\0").encode("utf-16-le")
        entries += encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), 5 if name == "Root Entry" else 2, 1)
        entries += b"\xff" * 12 + b"\0" * 48
    directory_sectors = -(-len(entries) // 512)
    entries = entries.ljust(directory_sectors * 512, b"\0")
    fat = [0xFFFFFFFD] + [n + 1 for n in range(1, directory_sectors)] + [0xFFFFFFFE]
    fat_sector = struct.pack(f"<{len(fat)}L", *fat).ljust(512, b"\xff")
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    header += b"\0" * 6 + struct.pack("<LLLLLLLLL", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    header += struct.pack("<L", 0) + b"\xff" * (4 * 108)
    assert len(header) == 512
    return header + fat_sector + entries


def plain_zip(**files: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (files or {"notes.txt": b"hello"}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


SAMPLES = {
    "pdf": (pdf(), "pdf", "application/pdf", "pdf"),
    "png": (pillow("PNG"), "image", "image/png", "png"),
    "jpeg": (pillow("JPEG"), "image", "image/jpeg", "jpg"),
    "gif": (pillow("GIF"), "image", "image/gif", "gif"),
    "webp": (pillow("WEBP"), "image", "image/webp", "webp"),
    "avif": (iso_media(b"avif", b"mif1", b"avif", b"miaf", needs=b"meta"), "image", "image/avif", "avif"),
    "heic": (iso_media(b"heic", b"mif1", b"heic", needs=b"meta"), "image", "image/heic", "heic"),
    "heix": (iso_media(b"heix", b"mif1", b"heix", needs=b"meta"), "image", "image/heic", "heic"),
    "heif": (iso_media(b"mif1", b"mif1", b"heic", needs=b"meta"), "image", "image/heif", "heif"),
    "mp3 with id3": (id3() + MP3_FRAME * 3, "audio", "audio/mpeg", "mp3"),
    "mp3 with padded id3": (id3(padding=300) + b"\0" * 20 + MP3_FRAME * 3, "audio", "audio/mpeg", "mp3"),
    "mp3 bare": (MP3_FRAME * 3, "audio", "audio/mpeg", "mp3"),
    "aac": ((b"\xff\xf1\x50\x80\x08\xff\xfc" + b"\0" * 64) * 3, "audio", "audio/aac", "aac"),
    "aac with id3": (id3() + (b"\xff\xf1\x50\x80\x08\xff\xfc" + b"\0" * 64) * 2, "audio", "audio/aac", "aac"),
    "wav": (wav(), "audio", "audio/wav", "wav"),
    "m4a": (iso_media(b"M4A ", b"M4A ", b"mp42", b"isom"), "audio", "audio/mp4", "m4a"),
    "opus": (ogg(b"OpusHead\1\2\0\0\x80\xbb\0\0\0\0\0"), "audio", "audio/ogg", "opus"),
    "vorbis": (ogg(b"\1vorbis" + b"\0" * 23), "audio", "audio/ogg", "ogg"),
    "flac": (flac(), "audio", "audio/flac", "flac"),
    "mp4 isom": (iso_media(b"isom", b"isom", b"iso2", b"avc1", b"mp41"), "video", "video/mp4", "mp4"),
    "mp4 mp42": (iso_media(b"mp42", b"mp42", b"isom"), "video", "video/mp4", "mp4"),
    "mp4 avc1": (iso_media(b"avc1", b"avc1"), "video", "video/mp4", "mp4"),
    "m4v": (iso_media(b"M4V ", b"M4V ", b"M4A ", b"mp42"), "video", "video/x-m4v", "m4v"),
    "mov": (iso_media(b"qt  ", b"qt  "), "video", "video/quicktime", "mov"),
    "3gp": (iso_media(b"3gp5", b"3gp5", b"isom"), "video", "video/3gpp", "3gp"),
    "webm": (ebml(b"webm"), "video", "video/webm", "webm"),
    "mkv": (ebml(b"matroska"), "video", "video/x-matroska", "mkv"),
    "ogv": (ogg(b"\x80theora" + b"\0" * 34), "video", "video/ogg", "ogv"),
    "docx": (ooxml("docx"), "office", OOXML_MAIN["docx"][1], "docx"),
    "xlsx": (ooxml("xlsx"), "office", OOXML_MAIN["xlsx"][1], "xlsx"),
    "pptx": (ooxml("pptx"), "office", OOXML_MAIN["pptx"][1], "pptx"),
    "pptx with a chart": (
        ooxml("pptx", {"ppt/embeddings/Microsoft_Excel_Worksheet.xlsx": ooxml("xlsx")}),
        "office",
        OOXML_MAIN["pptx"][1],
        "pptx",
    ),
    "odt": (odf("text"), "office", "application/vnd.oasis.opendocument.text", "odt"),
    "ods": (odf("spreadsheet"), "office", "application/vnd.oasis.opendocument.spreadsheet", "ods"),
    "odp": (odf("presentation"), "office", "application/vnd.oasis.opendocument.presentation", "odp"),
    "doc": (ole("WordDocument", "1Table"), "office", "application/msword", "doc"),
    "doc, long directory": (
        ole(*[f"Stream{n}" for n in range(9)], "WordDocument"),
        "office",
        "application/msword",
        "doc",
    ),
    "xls": (ole("Workbook"), "office", "application/vnd.ms-excel", "xls"),
    "ppt": (ole("PowerPoint Document", "Current User"), "office", "application/vnd.ms-powerpoint", "ppt"),
}


def write(tmp_path: Path, data: bytes, name: str = "upload") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refusal(tmp_path: Path, data: bytes, name: str = "upload") -> str:
    with pytest.raises(UnsupportedFile) as caught:
        detect_kind(write(tmp_path, data, name))
    assert isinstance(caught.value, InvalidInput)
    return caught.value.errors["file"]


# --- What is accepted -----------------------------------------------------------------------------------------------


def test_kinds_match_the_catalog():
    assert KINDS == FILE_KINDS


@pytest.mark.parametrize("sample", SAMPLES)
def test_the_file_picker_offers_every_format_that_is_kept(tmp_path, sample):
    from credentials.domain.portfolio.file_pickers import ACCEPT, accept_attribute

    assert set(ACCEPT) == set(KINDS)
    detected = detect_kind(write(tmp_path, SAMPLES[sample][0]))
    offered = accept_attribute([detected.kind]).split(",")
    assert f".{detected.extension}" in offered and detected.media_type in offered
    assert f".{detected.extension}" not in accept_attribute([k for k in KINDS if k != detected.kind]).split(",")


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("name", ["evidence", "lesson.exe", "photo.html"])
def test_every_kind_is_recognised_from_its_bytes_whatever_its_name(tmp_path, sample, name):
    data, kind, media_type, extension = SAMPLES[sample]
    if media_type.count("/") == 0:
        media_type = f"application/vnd.openxmlformats-officedocument.{media_type}"

    detected = detect_kind(write(tmp_path, data, name))

    assert (detected.kind, detected.media_type, detected.extension) == (kind, media_type, extension)
    assert detected.description and detected.kind in KINDS


def test_detected_says_what_it_found(tmp_path):
    assert detect_kind(write(tmp_path, pillow("PNG"))) == Detected("image", "image/png", "png", "PNG image")


def test_detection_reads_little_of_a_large_file(tmp_path):
    path = write(tmp_path, iso_media(b"isom", b"isom", media=b"\0" * (30 * MiB)))
    reads = []
    real_open = Path.open

    def counting_open(self, *args, **kwargs):
        handle = real_open(self, *args, **kwargs)
        real_read = handle.read

        def read(size=-1):
            data = real_read(size)
            reads.append(len(data))
            return data

        handle.read = read
        return handle

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "open", counting_open)
        assert detect_kind(path).media_type == "video/mp4"
    assert sum(reads) < 1 * MiB


# --- What is refused ------------------------------------------------------------------------------------------------


def patched_central_directory(data: bytes, **fields: int) -> bytes:
    """The ZIP with each central directory entry's fields changed (file_size, compress_size, flag_bits)."""
    offsets = {"flag_bits": (8, "<H"), "compress_size": (20, "<L"), "file_size": (24, "<L")}
    out, at = bytearray(data), data.find(b"PK\x01\x02")
    while at >= 0:
        for field, value in fields.items():
            offset, fmt = offsets[field]
            struct.pack_into(fmt, out, at + offset, value)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(out)


PDF_WITH_HTML_FIRST = b"<html><body><script>alert(1)</script></body></html>\n" + pdf()
GIF_WITH_SCRIPT = pillow("GIF", comment=b"<script>alert(document.cookie)</script>")
MANY_PARTS = ooxml("docx", {f"word/media/p{n}.xml": b"" for n in range(5001)})


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"<!DOCTYPE html><html><body>Hi</body></html>", "web page (HTML)"),
        (b"\xef\xbb\xbf  <html><script>alert(1)</script></html>", "web page (HTML)"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "SVG drawing"),
        (b"MZ\x90\0\3\0\0\0\4\0\0\0\xff\xff" + b"\0" * 200, "Windows program"),
        (b"\x7fELF\2\1\1" + b"\0" * 100, "Linux program"),
        (b"#!/bin/sh\nrm -rf /\n", "script"),
        (plain_zip(), "That file is a ZIP archive; upload the document itself, not a compressed folder."),
        (b"PK\5\6" + b"\0" * 18, "ZIP archive"),
        (b"Rar!\x1a\x07\x01\0" + b"\0" * 40, "RAR archive"),
        (b"7z\xbc\xaf\x27\x1c" + b"\0" * 40, "7-Zip archive"),
        (b"RIFF\x24\0\0\0AVI LIST" + b"\0" * 40, "AVI video"),
        (b"Dear families,\nThis week we practised exit tickets.\n", "plain text"),
        (bytes(range(256)) * 4, "could not tell"),
        (b"", "empty"),
    ],
    ids=lambda v: v[:30] if isinstance(v, str) else None,
)
def test_files_we_do_not_accept_are_refused_saying_what_they_are(tmp_path, data, says):
    message = refusal(tmp_path, data, name="lesson.pdf")
    assert says in message
    if "could not tell" in says or "HTML" in says:
        assert "Upload a PDF, an image" in message


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (pdf()[:-40], "PDF is damaged or incomplete"),
        (pillow("PNG")[:-20], "PNG image is damaged or incomplete"),
        (pillow("GIF")[:-1], "GIF image is damaged or incomplete"),
        (pillow("WEBP")[:-10], "WebP image is damaged or incomplete"),
        (wav()[:-100], "WAV recording is damaged or incomplete"),
        (iso_media(b"isom", b"isom")[:-10], "MP4 video is damaged or incomplete"),
        (iso_media(b"isom", b"isom", needs=b"free"), "MP4 video is damaged or incomplete"),
        (id3(), "MP3 recording is damaged or incomplete"),
        (MP3_FRAME + b"\xff\xfb" + bytes(range(200)), "MP3 recording is damaged or incomplete"),
        (b"\xff\xfb\x90\x64" + bytes(range(256)) * 3, "MP3 recording is damaged or incomplete"),
        (pillow("JPEG")[:40], "JPEG image is damaged or incomplete"),
        (b"\xff\xd8\xff" + bytes(range(256)), "JPEG image is damaged or incomplete"),
        (b"fLaC\x80\0\0\x22", "FLAC recording is damaged or incomplete"),
        (b"\x1a\x45\xdf\xa3\x9f" + b"\0" * 40, "WebM video is damaged or incomplete"),
        (b"OggS\0\2" + b"\0" * 20, "Ogg file is damaged or incomplete"),
        (ooxml("docx")[:-30], "damaged or incomplete"),
        (ole("WordDocument")[:700], "damaged or incomplete"),
    ],
    ids=lambda v: v[:30] if isinstance(v, str) else None,
)
def test_files_cut_short_are_refused(tmp_path, data, says):
    assert says in refusal(tmp_path, data)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (pillow("PNG") + plain_zip(), "looks like a PNG image but also carries a ZIP archive"),
        (pillow("GIF") + plain_zip(**{"Evil.class": b"\xca\xfe\xba\xbe"}), "looks like a GIF image but also carries"),
        (pillow("JPEG") + plain_zip(), "looks like a JPEG image but also carries a ZIP archive"),
        (pdf() + plain_zip(), "looks like a PDF but also carries a ZIP archive"),
        (iso_media(b"isom", b"isom") + plain_zip(), "looks like an MPEG-4 file but also carries a ZIP archive"),
        (PDF_WITH_HTML_FIRST, "web page (HTML)"),
        (GIF_WITH_SCRIPT, "That GIF image also contains web page code"),
        (pdf(b"<svg onload=alert(1)>"), "That PDF document also contains web page code"),
        (pillow("PNG")[:33] + b"\0\0\0\x1ctEXt<!DOCTYPE html><b>hi</b>" + pillow("PNG")[33:], "web page code"),
        (pdf(b"BT ET\n" + b" " * 4000 + b"<script>alert(1)</script>"), "That PDF document also contains web page code"),
        (pdf(b"BT ET\n%" + b"x" * 500_000 + b"\n<HTML><body>hi</body></HTML>\n%" + b"x" * 500_000), "web page code"),
        (pdf(b"BT ET\n" + b" " * 2000 + b"<!DOCTYPE  html>"), "web page code"),
        (pdf(b"BT ET\n" + b" " * 2000 + b"<meta http-equiv=refresh content=0;url=https://a.example>"), "web page code"),
        (
            png_with_text(b" " * 3000 + b"<iframe src=https://a.example></iframe>"),
            "That PNG image also contains web page",
        ),
        (
            pillow("JPEG") + b"\0" * 2000 + b"<html><script>alert(1)</script></html>",
            "That JPEG image also contains web page code",
        ),
        (wav() + b"<form action=https://a.example><input name=p></form>", "That WAV audio also contains web page code"),
        (ooxml("docx") + pdf(), "other data appended after its end"),
        (ooxml("docx", {"word/media/image1.png": b"%PDF-1.4 <<>>"}), None),
        (iso_media(b"isom", b"isom", media=b"\0" * 100 + b"PK\5\6" + b"\xff" * 40), None),
        # Past the first and last 64 KiB of a binary format is compressed media no program reads as text.
        (iso_media(b"isom", b"isom", media=b"\0" * 100_000 + b"<script>x</script>" + b"\0" * 100_000), None),
        # Names of XML elements that only look like HTML tags.
        (ooxml("docx", {"word/styles.xml": b"<w:style w:type='x'/><w:body/>"}), None),
    ],
    ids=lambda v: v[:40] if isinstance(v, str) else None,
)
def test_polyglots_are_refused(tmp_path, data, says):
    if says is None:  # controls: a PDF signature inside a compressed part, or chance ZIP bytes, are harmless
        assert detect_kind(write(tmp_path, data)).kind in ("office", "video")
    else:
        assert says in refusal(tmp_path, data)


def test_a_whole_pdf_is_read_for_web_page_code_and_other_files_only_near_their_ends(tmp_path):
    middle = b"\n<script>alert(1)</script>\n"
    assert "web page code" in refusal(tmp_path, pdf(b"BT ET\n%" + b"x" * 3_000_000 + middle + b"%" + b"x" * 3_000_000))
    noise = bytes(range(256)) * 512  # 128 KiB that holds no tag
    assert "web page code" in refusal(tmp_path, png_with_text(noise[:60_000] + middle))
    assert detect_kind(write(tmp_path, png_with_text(noise + middle + noise))).kind == "image"


def test_a_zip_whose_first_part_starts_like_a_pdf_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("%PDF-1.4.xml", "<x/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert "also contains a PDF at its start" in refusal(tmp_path, buffer.getvalue())


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (patched_central_directory(ooxml("docx"), file_size=100 * MiB), "would unpack to more than 250 MB"),
        (
            ooxml("docx", {f"word/media/blank{n}.bmp": b"\0" * (2 * MiB) for n in range(3)}),
            "compressed far more than real documents are (a zip bomb)",
        ),
        (MANY_PARTS, "has more than 5,000 parts"),
        (patched_central_directory(ooxml("xlsx"), flag_bits=1), "has encrypted parts"),
        (ooxml("docx", {"../../evil.xml": b"<x/>"}), "names point outside the document"),
        (ooxml("docx", {"/etc/cron.d/x": b"x"}), "names point outside the document"),
        (ooxml("docx", {"word\\..\\..\\x.xml": b"x"}), "names point outside the document"),
        (ooxml("docx", {"word/embeddings/inner.zip": plain_zip()}), "has another archive (.zip) inside it"),
        (ooxml("docx", {"word/media/setup.exe": b"MZ"}), "has a program or script (.exe) inside it"),
        (ooxml("pptx", {"ppt/media/run.JS": b"x"}), "has a program or script (.js) inside it"),
        (odf("text", {"Pictures/page.html": b"<html>"}), "has a program or script (.html) inside it"),
        (ooxml("docx", {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), "contains macros, which are not accepted"),
        (
            ooxml(
                "xlsx",
                content_types='<Types><Default Extension="bin" ContentType="application/vnd.ms-office.'
                'vbaProject"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.'
                'macroEnabled.main+xml"/></Types>',
            ),
            "contains macros",
        ),
        (odf("text", {"Basic/Standard/Module1.xml": b"<script:module/>"}), "contains macros"),
        (ole("WordDocument", "Macros", "VBA"), "contains macros"),
        (ole("EncryptedPackage", "EncryptionInfo"), "protected by a password"),
        (ole("SummaryInformation2"), "not a Word, Excel or PowerPoint file"),
        (odf("graphics"), "OpenDocument file of a type we do not accept"),
    ],
    ids=lambda v: v[:40] if isinstance(v, str) else None,
)
def test_dangerous_office_documents_are_refused(tmp_path, data, says):
    message = refusal(tmp_path, data, name="report.docx")
    assert says in message


def test_macro_refusal_asks_for_a_document_without_macros(tmp_path):
    message = refusal(tmp_path, ooxml("docx", {"word/vbaProject.bin": b"x"}))
    assert message.startswith("That Word document contains macros, which are not accepted;")
    assert ".docx, .xlsx or .pptx file without macros" in message


def understated(data: bytes, name: str, declared: int, *, compressed: int | None = None) -> bytes:
    """The ZIP with one part's unpacked size (and, given, its compressed size) changed in its local header and in
    the central directory, and its checksum made that of the part's first ``declared`` bytes, as a crafted archive
    would have it, so that a reader trusting the directory (zipfile) finds nothing wrong."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
        crc = zlib.crc32(archive.read(name)[:declared])
    out = bytearray(data)
    local = info.header_offset
    central = next(
        at
        for at in range(len(data))
        if data.startswith(b"PK\x01\x02", at) and struct.unpack_from("<L", data, at + 42)[0] == local
    )
    for at, crc_at in ((local, 14), (central, 16)):
        struct.pack_into("<L", out, at + crc_at, crc)
        struct.pack_into("<L", out, at + crc_at + 8, declared)
        if compressed is not None:
            struct.pack_into("<L", out, at + crc_at + 4, compressed)
    return bytes(out)


BOMB = ooxml("docx", {"word/media/image1.bin": b"\0" * (20 * MiB)})


def test_a_part_whose_real_size_the_directory_understates_is_refused(tmp_path):
    crafted = understated(BOMB, "word/media/image1.bin", 1024)
    with zipfile.ZipFile(io.BytesIO(crafted)) as archive:  # what zipfile sees: a 1 KB part with a good checksum
        assert len(archive.read("word/media/image1.bin")) == 1024
    message = refusal(tmp_path, crafted, name="report.docx")
    assert message.startswith("That Word document unpacks to more than its parts declare (a zip bomb)")


def test_a_part_whose_compressed_size_is_cut_short_is_refused_as_damaged(tmp_path):
    data = ooxml("docx", {"word/media/image1.bin": bytes(range(256)) * 4000 + random.randbytes(100_000)})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("word/media/image1.bin")
    crafted = understated(data, "word/media/image1.bin", info.file_size, compressed=info.compress_size // 2)
    assert "damaged or incomplete" in refusal(tmp_path, crafted)


def test_parts_that_share_their_bytes_are_refused(tmp_path):
    data = bytearray(ooxml("docx", {"word/media/a.xml": b"<a/>" * 1000, "word/media/b.xml": b"<b/>"}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        first = archive.getinfo("word/media/a.xml").header_offset
    second = max(at for at in range(len(data)) if data.startswith(b"PK\x01\x02", at))  # the last central entry
    struct.pack_into("<L", data, second + 42, first)
    assert "share the same bytes" in refusal(tmp_path, bytes(data))


def test_a_zip_declaring_more_parts_than_allowed_is_refused_before_reading_its_directory(tmp_path):
    data = bytearray(ooxml("docx"))
    struct.pack_into("<HH", data, len(data) - 22 + 8, 60000, 60000)
    assert "more than 5,000 parts" in refusal(tmp_path, bytes(data))


def test_a_zip64_layout_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)
    assert "ZIP64 layout" in refusal(tmp_path, ooxml("docx"))


@pytest.mark.parametrize(
    "sample", ["pdf", "png", "gif", "webp", "wav", "mp4 isom", "docx", "odt", "doc", "mp3 with id3"]
)
def test_any_truncation_is_refused_cleanly_or_still_a_whole_file(tmp_path, sample):
    data = SAMPLES[sample][0]
    for cut in sorted({1, 4, 8, 12, 16, 30, 64, len(data) // 3, len(data) // 2, len(data) - 1}):
        try:
            detect_kind(write(tmp_path, data[:cut]))
        except UnsupportedFile:
            continue
