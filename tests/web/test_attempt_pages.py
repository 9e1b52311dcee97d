import html
import re

import pytest
from sqlalchemy import select

from credentials import create_app
from credentials.storage.models import Attempt, AuditEvent

from ..builders import PASSWORD, definition, pdf_bytes, png_bytes
from ..conftest import Browser, csrf_from, encode_multipart


@pytest.fixture
def teacher(browser, build, slug):
    build.user("teacher", email="maria@riverside.example.org", name="María López")
    browser.login("maria@riverside.example.org")
    return browser


def start(teacher, slug) -> str:
    response = teacher.submit(f"/microcredentials/{slug}/start", page=f"/microcredentials/{slug}")
    assert response.status_code == 302
    return response.headers["Location"]


def page_state(browser, url):
    html = browser.get(url).get_data(as_text=True)
    revision = re.search(r'name="revision" value="(\d+)"', html)
    return html, csrf_from(html), revision.group(1) if revision else None


def post(browser, url, fields, files=(), *, state=None):
    """Post the draft page as a browser would (multipart, with the page's CSRF token and revision)."""
    _html, token, revision = state or page_state(browser, url)
    pairs = [("csrf_token", token), ("revision", revision), *fields.items()]
    body, content_type = encode_multipart(pairs, list(files))
    return browser.client.post(url, data=body, content_type=content_type)


COMPLETE = {"answer-context": "Twenty-six fourth graders.", "answer-reflection": "I regrouped students daily."}


def test_teacher_starts_saves_and_sees_the_draft_on_the_dashboard(teacher, slug):
    assert b"Start this micro-credential" in teacher.get(f"/microcredentials/{slug}").data
    url = start(teacher, slug)
    assert b"Continue your evidence" in teacher.get(f"/microcredentials/{slug}").data
    assert b"My micro-credentials" in teacher.get("/").data
    response = post(teacher, url, {"answer-context": "My class of twenty-six.", "action": "save"})
    assert response.status_code == 302
    html = teacher.get(url).get_data(as_text=True)
    assert "My class of twenty-six." in html and "Draft saved." in html
    assert "<span data-word-count>4</span> of 300 words" in html
    dashboard = teacher.get("/my/microcredentials").get_data(as_text=True)
    assert "Checking for understanding with exit tickets" in dashboard and "Finish your evidence" in dashboard


def test_upload_files_then_submit_and_the_evidence_is_locked(teacher, slug, session):
    url = start(teacher, slug)
    response = post(
        teacher,
        url,
        {**COMPLETE, "action": "save"},
        [("files-tickets", "tickets.pdf", pdf_bytes()), ("files-tickets", "photo.png", png_bytes())],
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    html = teacher.get(url).get_data(as_text=True)
    assert "tickets.pdf" in html and "photo.png" in html
    response = post(teacher, url, {**COMPLETE, "action": "submit", "attest": "yes"})
    assert response.status_code == 302
    html = teacher.get(url).get_data(as_text=True)
    assert "Submitted. Your evidence is locked" in html and "SHA-256" in html and "Withdraw the submission" in html
    assert 'name="answer-context"' not in html
    attempt = session.scalars(select(Attempt)).one()
    assert attempt.status == "submitted" and len(attempt.submission_manifest["artifacts"]) == 2


def test_an_incomplete_submission_keeps_what_was_typed_and_lists_what_is_missing(teacher, slug, session):
    url = start(teacher, slug)
    response = post(teacher, url, {"answer-context": "Only this so far.", "action": "submit"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Saved, but not submitted yet" in html
    assert "needs at least one file" in html and "student names" in html
    assert session.scalars(select(Attempt)).one().answers[0].text == "Only this so far."


def test_a_file_of_no_allowed_kind_is_refused_and_the_rest_saved(teacher, slug, session):
    url = start(teacher, slug)
    response = post(
        teacher,
        url,
        {"answer-context": "Saved anyway.", "action": "save"},
        [("files-tickets", "tickets.pdf", b"MZ\x90\x00 this is a program")],
    )
    assert response.status_code == 200
    assert b"tickets.pdf:" in response.data
    attempt = session.scalars(select(Attempt)).one()
    assert attempt.artifacts == [] and attempt.answers[0].text == "Saved anyway."


def test_remove_a_file(teacher, slug, session):
    url = start(teacher, slug)
    post(teacher, url, {"action": "save"}, [("files-tickets", "tickets.pdf", pdf_bytes())])
    artifact = session.scalars(select(Attempt)).one().artifacts[0]
    response = post(teacher, url, {"action": f"remove:{artifact.id}"})
    assert response.status_code == 302
    session.rollback()
    assert session.scalars(select(Attempt)).one().artifacts == []


def test_two_tabs_cannot_submit_twice_or_overwrite_each_other(teacher, slug, session):
    url = start(teacher, slug)
    post(teacher, url, {**COMPLETE, "action": "save"}, [("files-tickets", "t.pdf", pdf_bytes())])
    first_tab = page_state(teacher, url)
    second_tab = page_state(teacher, url)
    assert post(teacher, url, {**COMPLETE, "action": "submit", "attest": "yes"}, state=first_tab).status_code == 302
    again = post(teacher, url, {**COMPLETE, "action": "submit", "attest": "yes"}, state=second_tab)
    assert again.status_code in (404, 409)
    session.rollback()
    assert session.scalars(select(Attempt)).one().status == "submitted"


def test_a_stale_tab_does_not_overwrite_newer_text(teacher, slug, session):
    url = start(teacher, slug)
    old_tab = page_state(teacher, url)
    post(teacher, url, {"answer-context": "Newer text from the other tab.", "action": "save"})
    response = post(teacher, url, {"answer-context": "Old text.", "action": "save"}, state=old_tab)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "changed in another tab" in html and "Old text." in html  # what was typed is still on screen
    session.rollback()
    assert session.scalars(select(Attempt)).one().answers[0].text == "Newer text from the other tab."


def test_withdraw_racing_a_second_withdraw(teacher, slug, session):
    url = start(teacher, slug)
    post(teacher, url, {**COMPLETE, "action": "save"}, [("files-tickets", "t.pdf", pdf_bytes())])
    post(teacher, url, {**COMPLETE, "action": "submit", "attest": "yes"})
    _html, token, revision = page_state(teacher, url)
    ok = teacher.client.post(f"{url}/withdraw", data={"csrf_token": token, "revision": revision})
    late = teacher.client.post(f"{url}/withdraw", data={"csrf_token": token, "revision": revision})
    assert ok.status_code == 302 and late.status_code == 409
    assert b"changed in another tab" in late.data
    session.rollback()
    assert session.scalars(select(Attempt)).one().status == "withdrawn"


def test_downloads_are_attachments_for_their_owner_only(teacher, build, slug, app, session):
    url = start(teacher, slug)
    post(teacher, url, {"action": "save"}, [("files-tickets", "Évaluation <1>.pdf", pdf_bytes())])
    artifact = session.scalars(select(Attempt)).one().artifacts[0]
    response = teacher.get(f"{url}/files/{artifact.id}")
    assert response.data == pdf_bytes()
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%C3%89valuation%20%3C1%3E.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()
    other = Browser(app.test_client())
    build.user("teacher", email="tom@riverside.example.org")
    other.login("tom@riverside.example.org")
    assert other.get(url).status_code == 404
    assert other.get(f"{url}/files/{artifact.id}").status_code == 404
    assert app.test_client().get(url).status_code == 302  # anonymous: to the sign-in page


def test_a_file_is_kept_and_downloaded_under_the_extension_of_what_it_is(teacher, slug, session):
    url = start(teacher, slug)
    response = post(teacher, url, {"action": "save"}, [("files-tickets", "notes.html", pdf_bytes())])
    assert response.status_code == 302
    page = teacher.get(url).get_data(as_text=True)
    assert "Added notes.pdf." in page and ">notes.pdf</a>" in page and "notes.html" not in page
    artifact = session.scalars(select(Attempt)).one().artifacts[0]
    assert artifact.filename == "notes.pdf"
    download = teacher.get(f"{url}/files/{artifact.id}")
    assert download.headers["Content-Disposition"] == "attachment; filename=\"notes.pdf\"; filename*=UTF-8''notes.pdf"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "attempt.upload")).one()
    assert event.summary["filename"] == "notes.pdf" and event.summary["uploaded_as"] == "notes.html"


def test_a_pdf_with_javascript_is_refused_through_the_page_with_what_to_do(teacher, slug, session):
    from tests.domain.portfolio.test_pdf_files import JS_ACTION, classic

    url = start(teacher, slug)
    response = post(teacher, url, {"action": "save"}, [("files-tickets", "plan.pdf", classic(JS_ACTION))])
    assert response.status_code == 200
    text = html.unescape(response.get_data(as_text=True))
    assert "plan.pdf: That PDF contains JavaScript, which is not accepted in evidence; print it to a new PDF" in text
    session.rollback()
    assert session.scalars(select(Attempt)).one().artifacts == []


def test_an_expired_sign_in_keeps_the_typed_text(teacher, slug, app, session):
    url = start(teacher, slug)
    expired = app.test_client()  # a browser whose session cookie is gone
    response = expired.post(url, data={"answer-context": "Typed for an hour.", "action": "save"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "You were signed out while you were working" in html and 'value="Typed for an hour."' in html
    data = {
        "csrf_token": csrf_from(html),
        "email": "maria@riverside.example.org",
        "password": PASSWORD,
        "answer-context": "Typed for an hour.",
        "action": "save",
    }
    response = expired.post(f"{url}/resume", data=data)
    assert response.status_code == 302
    assert session.scalars(select(Attempt)).one().answers[0].text == "Typed for an hour."


def test_signing_in_again_to_save_starts_a_fresh_session(teacher, slug, app, session):
    url = start(teacher, slug)
    expired = app.test_client()
    html = expired.post(url, data={"answer-context": "Typed for an hour.", "action": "save"}).get_data(as_text=True)
    before_sign_in = csrf_from(html)  # a token an attacker could have planted in the signed-out browser
    data = {"csrf_token": before_sign_in, "email": "maria@riverside.example.org", "password": PASSWORD}
    response = expired.post(f"{url}/resume", data={**data, "answer-context": "Typed for an hour."})
    assert response.status_code == 302

    # As after /login: the token from before signing in is dead, and the page's new one works.
    stale = expired.post(url, data={"csrf_token": before_sign_in, "answer-context": "Forged.", "action": "save"})
    assert stale.status_code == 200 and "its form expired, so nothing was saved yet" in stale.get_data(as_text=True)
    session.expire_all()
    assert session.scalars(select(Attempt)).one().answers[0].text == "Typed for an hour."
    fresh = Browser(expired)
    assert post(fresh, url, {"answer-context": "Saved with the new token.", "action": "save"}).status_code == 302


def test_oversized_files_get_clear_answers_and_the_draft_survives(settings, clock, build, slug, session):
    app = create_app(settings.with_overrides(max_upload_bytes=4096, max_attempt_bytes=64 * 1024))
    app.extensions["microcred"].clock = clock
    try:
        browser = Browser(app.test_client())
        build.user("teacher", email="ann@riverside.example.org")
        browser.login("ann@riverside.example.org")
        url = start(browser, slug)
        post(browser, url, {"answer-context": "Saved before.", "action": "save"})
        response = post(
            browser,
            url,
            {"answer-context": "Saved with the refusal.", "action": "save"},
            [("files-tickets", "scan.pdf", pdf_bytes() + b"%" * 8000)],
        )
        assert response.status_code == 200
        assert b"scan.pdf is larger than 4 KB" in response.data
        huge = post(
            browser,
            url,
            {"answer-context": "Lost with the 413.", "action": "save"},
            [("files-tickets", "video.pdf", b"%" * (1200 * 1024))],
        )
        assert huge.status_code == 413 and b"Your draft is as you last saved it" in huge.data
        session.rollback()
        attempt = session.scalars(select(Attempt)).one()
        assert attempt.answers[0].text == "Saved with the refusal." and attempt.artifacts == []
    finally:
        app.extensions["microcred"].engine.dispose()


def test_dashboard_runs_the_same_queries_for_one_or_many_attempts(teacher, build, slug, services, count_queries):
    start(teacher, slug)
    with count_queries() as few:
        teacher.get("/my/microcredentials")
    for n in range(12):
        other = build.published(definition(slug=f"mc-{n}", title=f"Micro-credential {n}"))
        start(teacher, other)
    with count_queries() as many:
        html = teacher.get("/my/microcredentials").get_data(as_text=True)
    assert html.count("Finish your evidence") == 13
    assert len(many) == len(few), many


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("photo.png", "png+zip", "photo.png:"),  # an image with an archive appended
        ("plan.pdf", b"<html><script>alert(1)</script></html>\n%PDF-1.4\n%%EOF", "plan.pdf:"),  # HTML posing as PDF
        ("lesson.docx", None, "lesson.docx:"),  # a zip bomb named like a Word document
    ],
)
def test_disguised_files_are_refused_through_the_page(teacher, build, name, data, says, session):
    from tests.domain.portfolio.test_file_kinds import ooxml, patched_central_directory, plain_zip

    if data == "png+zip":
        data = png_bytes() + plain_zip(**{"Evil.class": b"\xca\xfe\xba\xbe"})
    if data is None:
        data = patched_central_directory(ooxml("docx"), file_size=400 * 1024 * 1024)
        doc = definition(slug="office-mc", title="Office evidence")
        doc["template"]["parts"][1]["prompts"][0]["file_kinds"] = ["office", "pdf", "image"]
        slug = build.published(doc)
    else:
        slug = build.published(definition(slug="other-mc", title="Other evidence"))
    assert isinstance(data, bytes)
    url = start(teacher, slug)
    response = post(teacher, url, {"action": "save"}, [("files-tickets", name, data)])
    assert response.status_code == 200
    assert says.encode() in response.data
    session.rollback()
    assert session.get(Attempt, int(url.rsplit("/", 1)[1])).artifacts == []


def test_after_not_yet_the_attempt_page_offers_a_resubmission(teacher, build, slug, services, session):
    from credentials.domain.audit import Actor
    from credentials.domain.portfolio.attempts import CriterionDecision, record_decision
    from credentials.storage.database import transaction
    from credentials.storage.models import User

    maria = session.scalar(select(User).where(User.email == "maria@riverside.example.org"))
    attempt = build.submitted(slug, maria)
    with transaction(services.session_factory) as s:
        record_decision(
            s,
            s.get(Attempt, attempt.id),
            [
                CriterionDecision("design", "proficient", True, "Clear."),
                CriterionDecision("reflection", "not-yet", False, "Say what changed."),
            ],
            earned=False,
            overall_feedback="Nearly there.",
            actor=Actor.system("test"),
            now=services.clock(),
        )
    html = teacher.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Revise and resubmit" in html and "Say what changed." in html
    assert "not yet: Not yet" not in html
    response = teacher.submit(f"/microcredentials/{slug}/start", page=f"/attempts/{attempt.id}")
    assert response.status_code == 302
    html = teacher.get(response.headers["Location"]).get_data(as_text=True)
    assert "(resubmission)" in html and "Feedback on attempt 1" in html


def test_a_malformed_remove_button_value_removes_nothing(teacher, slug):
    url = start(teacher, slug)
    response = post(teacher, url, {"answer-context": "Kept.", "action": "remove:../../etc"})
    assert response.status_code == 302
    assert "Kept." in teacher.get(url).get_data(as_text=True)
