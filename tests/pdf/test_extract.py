"""Taking the credential back out of a PDF: only from a readable, unencrypted PDF that has one, within limits."""

from __future__ import annotations

import io
import time
import zlib

import pytest
from pypdf import PdfReader, PdfWriter

from credentials.pdf import CertificateError, extract_credential
from credentials.pdf.extract import MAX_PDF_BYTES


def hand_made_pdf(objects: dict[int, bytes]) -> bytes:
    """A PDF assembled object by object (object 1 is the catalog), so tests can build shapes no library writes."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, objects[number]))
    xref = out.tell()
    size = max(objects) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for number in range(1, size):
        out.write(b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n")
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
    return out.getvalue()


def with_embedded_file(stream: bytes, extra: bytes = b"") -> dict[int, bytes]:
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 4 0 R >> >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        4: b"<< /Names [(credential.json) 5 0 R] >>",
        5: b"<< /Type /Filespec /F (credential.json) /EF << /F 6 0 R >> >>",
        6: b"<< /Type /EmbeddedFile /Length %d %s >>\nstream\n%s\nendstream" % (len(stream), extra, stream),
    }


def blank_pdf(**attachments: bytes) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    for name, content in attachments.items():
        writer.add_attachment(name.replace("_", "."), content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_hand_made_pdf_with_the_attachment_is_read():
    assert extract_credential(hand_made_pdf(with_embedded_file(b'{"ok": true}'))) == b'{"ok": true}'


@pytest.mark.parametrize(
    ("pdf", "message"),
    [
        (b"", "not a PDF"),
        (b"PK\x03\x04 a zip file", "not a PDF"),
        ("%PDF-1.7", "expected the bytes of a PDF"),
        (b"%PDF-1.7\n" + b"\0" * MAX_PDF_BYTES, "larger than 20 MB"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog", "could not be read|no attached files"),
    ],
)
def test_refuses_what_is_not_a_readable_pdf(pdf, message):
    with pytest.raises(CertificateError, match=message):
        extract_credential(pdf)


def test_refuses_a_pdf_without_the_attachment():
    with pytest.raises(CertificateError, match="no attached files"):
        extract_credential(blank_pdf())
    with pytest.raises(CertificateError, match=r"no attachment named credential\.json"):
        extract_credential(blank_pdf(notes_txt=b"hello"))


def test_refuses_an_encrypted_pdf():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blank_pdf(credential_json=b"{}"))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(CertificateError, match="encrypted"):
        extract_credential(out.getvalue())


def test_refuses_an_oversized_attachment_quickly():
    bomb = zlib.compress(b"\0" * 50_000_000, 9)  # 50 MB of zeros in about 50 kB
    started = time.monotonic()
    with pytest.raises(CertificateError, match="decompresses to more than a certificate holds"):
        extract_credential(hand_made_pdf(with_embedded_file(bomb, b"/Filter /FlateDecode")))
    assert time.monotonic() - started < 5


def test_a_name_tree_that_loops_ends_quickly():
    objects = with_embedded_file(b"{}")
    objects[4] = b"<< /Kids [7 0 R] >>"
    objects[7] = b"<< /Kids [4 0 R 7 0 R] >>"
    started = time.monotonic()
    with pytest.raises(CertificateError, match=r"no attachment named credential\.json"):
        extract_credential(hand_made_pdf(objects))
    assert time.monotonic() - started < 5


def test_a_name_tree_too_wide_is_refused():
    objects = with_embedded_file(b"{}")
    objects[4] = b"<< /Kids [%s] >>" % b" ".join(b"%d 0 R" % n for n in range(10, 400))
    for number in range(10, 400):
        objects[number] = b"<< /Names [(other.json) 5 0 R] >>"
    with pytest.raises(CertificateError, match="too large"):
        extract_credential(hand_made_pdf(objects))
