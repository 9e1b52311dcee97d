"""The names evidence files are shown and downloaded under: safe to show, and ending in what the file really is."""

import pytest

from credentials.domain.portfolio.file_kinds import detect_kind
from credentials.domain.portfolio.file_names import EXTENSIONS, named_as, safe_filename

from .test_file_kinds import SAMPLES, write


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("lesson plan.pdf", "lesson plan.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\a.pdf", "a.pdf"),
        ("\x00evil\n.pdf", "evil.pdf"),
        (".htaccess", "htaccess"),
        ("...", "file"),
        ("", "file"),
        ("folder/", "file"),
        ("  /tmp/ .. ", "file"),
        ("report\u202egpj.exe", "reportgpj.exe"),
        ("Cafe\u0301 notes.docx", "Caf\u00e9 notes.docx"),
        ("élève\tphoto.jpg", "élèvephoto.jpg"),
    ],
)
def test_safe_filename(name, shown):
    assert safe_filename(name) == shown


def test_a_long_name_is_cut_to_150_characters_keeping_its_extension():
    shown = safe_filename("a" * 400 + ".pdf")
    assert len(shown) == 150 and shown.endswith("a.pdf")
    assert safe_filename("b" * 400) == "b" * 150
    long_extension = safe_filename("notes." + "x" * 300)
    assert len(long_extension) == 150 and long_extension.startswith("notes.")


@pytest.mark.parametrize(
    ("uploaded", "media_type", "shown"),
    [
        ("notes.html", "application/pdf", "notes.pdf"),
        ("notes.PDF", "application/pdf", "notes.PDF"),
        ("Photo.JPG", "image/jpeg", "Photo.JPG"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("photo.png", "image/jpeg", "photo.jpg"),
        ("badge.svg", "image/png", "badge.png"),
        ("setup.exe", "application/vnd.oasis.opendocument.text", "setup.odt"),
        ("report.v2", "application/pdf", "report.pdf"),
        ("Lesson 3.2", "application/pdf", "Lesson 3.2.pdf"),
        ("Unit 4. Fractions", "application/pdf", "Unit 4. Fractions.pdf"),
        ("exit tickets", "application/pdf", "exit tickets.pdf"),
        ("../../index.html", "application/pdf", "index.pdf"),
        ("song.opus", "audio/ogg", "song.opus"),
        ("clip.MOV", "video/quicktime", "clip.MOV"),
        ("", "application/pdf", "file.pdf"),
        ("evil\u202egpj.html", "image/png", "evilgpj.png"),
        ("mystery.html", "application/x-unknown", "mystery.bin"),
    ],
)
def test_a_file_is_named_by_what_it_is_keeping_the_teachers_name(uploaded, media_type, shown):
    assert named_as(uploaded, media_type) == shown


def test_the_extension_found_at_upload_wins_over_the_usual_one():
    assert named_as("voice memo.html", "audio/ogg", "opus") == "voice memo.opus"
    assert named_as("voice memo.ogg", "audio/ogg", "opus") == "voice memo.ogg"


def test_a_long_name_keeps_its_new_extension_within_150_characters():
    shown = named_as("a" * 400 + ".html", "application/pdf")
    assert len(shown) <= 150 and shown.endswith("aaa.pdf")


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_kind_detected_has_its_extensions(tmp_path, sample):
    found = detect_kind(write(tmp_path, SAMPLES[sample][0]))
    assert found.extension in EXTENSIONS[found.media_type]
    assert named_as("upload.html", found.media_type, found.extension) == f"upload.{found.extension}"
