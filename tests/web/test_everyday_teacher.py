"""Issue 16, teachers: the dashboard's states and earned credentials, Start that never ends on a 409, and the evidence
form's save bar, autosave, return to the section saved, links to what is missing, file filters, sharing and details."""

import html
import json
import re

import pytest
from sqlalchemy import select

from credentials.domain.audit import Actor
from credentials.domain.credentials import revocation
from credentials.storage.database import transaction
from credentials.storage.models import Attempt, User

from ..builders import definition, pdf_bytes
from .test_attempt_pages import COMPLETE, page_state, post, start

EMAIL = "maria@riverside.example.org"


@pytest.fixture
def maria(build):
    return build.user("teacher", email=EMAIL, name="María López")


@pytest.fixture
def teacher(browser, maria):
    browser.login(EMAIL)
    return browser


def dashboard(teacher) -> str:
    return html.unescape(teacher.get("/my/microcredentials").get_data(as_text=True))


def row_of(page: str, title: str) -> str:
    return next(row for row in page.split("<tr>")[1:] if title in row)


def revoke(services, uuid: str) -> None:
    with transaction(services.session_factory) as session:
        revocation.revoke_credential(session, services.signing, uuid, category="issued_in_error",
                                     reason="Wrong person", actor=Actor.system("t"), now=services.clock())  # fmt: skip


# ---- The dashboard -----------------------------------------------------------------------------------------------


def test_a_submission_no_reviewer_has_yet_says_waiting_and_one_with_a_reviewer_says_so(teacher, build, maria):
    alone = build.published(definition(slug="alone", title="Nobody reviews this"))
    build.submitted(alone, maria)
    reviewed = build.published(definition(slug="reviewed", title="Somebody reviews this"))
    build.reviewer(slug=reviewed)
    build.submitted(reviewed, maria)
    page = dashboard(teacher)
    assert "Waiting for a reviewer" in row_of(page, "Nobody reviews this")
    with_reviewer = row_of(page, "Somebody reviews this")
    assert "With reviewers" in with_reviewer and "Waiting for a reviewer" not in with_reviewer


def test_a_revoked_credential_says_revoked_with_the_date_and_offers_no_downloads(teacher, build, services, maria):
    credential = build.credential(build.published(), maria)
    before = dashboard(teacher)
    assert f"/c/{credential.uuid}.pdf" in before and ">Earned<" in before
    revoke(services, credential.uuid)
    page = dashboard(teacher)
    assert "Revoked</span> on September 1, 2026" in page
    assert f"/c/{credential.uuid}." not in page and "More formats" not in page and "Copy link" not in page
    row = row_of(page, "Checking for understanding with exit tickets")
    assert ">Revoked<" in row and "Revoked September 1, 2026" in row and ">Earned<" not in row


def test_an_earned_credential_leads_with_badge_link_copy_pdf_and_image_and_keeps_formats_aside(teacher, build, maria):
    slug = build.published()
    credential = build.credential(slug, maria)
    page = dashboard(teacher)
    card = page.split('class="credential-card', 1)[1].split("</section>", 1)[0]
    assert f'src="/microcredentials/{slug}/badge?version=1"' in card
    assert f'href="/c/{credential.uuid}"' in card
    assert f'value="https://microcred.test/c/{credential.uuid}" readonly' in card  # to copy by hand without script
    assert re.search(r"<button [^>]*data-copy-link=[^>]*hidden>Copy link", card)
    assert "js/copy_link.js" in page
    everyday, more = card.split("<details", 1)
    assert "Certificate (PDF)" in everyday and "Badge image (PNG)" in everyday
    assert "JSON" not in everyday and "JWT" not in everyday
    assert "<summary>More formats" in more and "(JSON)" in more and "(JWT)" in more and "(SVG)" in more


def test_the_dashboard_is_cards_on_a_phone(teacher, slug):
    start(teacher, slug)
    page = dashboard(teacher)
    assert 'class="dashboard-table"' in page and 'data-label="Next step"' in page
    with open("static/css/microcred.css") as css:
        rules = css.read().split("/* ---- issue 16: teacher ---- */", 1)[1]
    assert "@media (max-width: 37.5rem)" in rules and ".dashboard-table tr" in rules


# ---- Start --------------------------------------------------------------------------------------------------------


def test_starting_one_already_earned_leads_to_the_credential_with_a_message(teacher, build, maria):
    slug = build.published()
    credential = build.credential(slug, maria)
    response = teacher.submit(f"/microcredentials/{slug}/start", page="/my/microcredentials")
    assert response.status_code == 302 and response.headers["Location"] == f"/c/{credential.uuid}"
    shown = html.unescape(teacher.get("/my/microcredentials").get_data(as_text=True))
    assert "You have already earned “Checking for understanding with exit tickets”. Here is your credential." in shown


def test_starting_one_earned_then_revoked_goes_to_the_dashboard_not_a_409(teacher, build, services, maria):
    slug = build.published()
    revoke(services, build.credential(slug, maria).uuid)
    response = teacher.submit(f"/microcredentials/{slug}/start", page="/my/microcredentials")
    assert response.status_code == 302 and response.headers["Location"] == "/my/microcredentials"
    assert "revoked that credential" in dashboard(teacher)


def test_starting_one_in_progress_opens_that_attempt(teacher, slug):
    url = start(teacher, slug)
    response = teacher.submit(f"/microcredentials/{slug}/start", page=f"/microcredentials/{slug}")
    assert response.status_code == 302 and response.headers["Location"] == url
    assert "Here is your draft" in html.unescape(teacher.get(url).get_data(as_text=True))


def test_starting_with_every_attempt_used_explains_on_the_dashboard(teacher, build, services, maria, session):
    from credentials.domain.portfolio.attempts import CriterionDecision, record_decision

    slug = build.published(definition(max_attempts=1))
    attempt = build.submitted(slug, maria)
    with transaction(services.session_factory) as s:
        record_decision(s, s.get(Attempt, attempt.id), [CriterionDecision("design", "not-yet", False),
                        CriterionDecision("reflection", "not-yet", False)], earned=False, overall_feedback="",
                        actor=Actor.system("t"), now=services.clock())  # fmt: skip
    response = teacher.submit(f"/microcredentials/{slug}/start", page="/my/microcredentials")
    assert response.status_code == 302 and response.headers["Location"] == "/my/microcredentials"
    assert "You have used all 1 attempts" in dashboard(teacher)


# ---- The evidence form -------------------------------------------------------------------------------------------


def test_the_save_bar_shows_when_the_draft_was_last_saved(teacher, slug):
    url = start(teacher, slug)
    page = teacher.get(url).get_data(as_text=True)
    assert 'class="save-bar"' in page and "Not saved yet" in page and "js/autosave.js" in page
    post(teacher, url, {"answer-context": "Twenty-six.", "action": "save"})
    assert "Last saved September 1, 2026, 9:00 AM CDT" in teacher.get(url).get_data(as_text=True)


def test_a_save_returns_to_the_section_saved(teacher, slug, session):
    url = start(teacher, slug)
    response = post(teacher, url, {**COMPLETE, "action": "save"})
    assert response.headers["Location"] == f"{url}#prompt-context"  # the first answer changed
    response = post(teacher, url, {**COMPLETE, "answer-reflection": "Changed here.", "action": "save"})
    assert response.headers["Location"] == f"{url}#prompt-reflection"
    response = post(teacher, url, {**COMPLETE, "action": "save"}, [("files-tickets", "t.pdf", pdf_bytes())])
    assert response.headers["Location"] == f"{url}#prompt-tickets"
    artifact = session.scalars(select(Attempt)).one().artifacts[0]
    response = post(teacher, url, {**COMPLETE, "answer-context": "Edited too.", "action": f"remove:{artifact.id}"})
    assert response.headers["Location"] == f"{url}#prompt-tickets"  # the button used wins over the text edited
    response = post(teacher, url, {**COMPLETE, "answer-context": "Edited too.", "action": "save"})
    assert response.headers["Location"] == url  # nothing changed: the top, with its message
    # Text autosave.js already kept: the script names the prompt last worked on; anything else is ignored.
    response = post(teacher, url, {**COMPLETE, "answer-context": "Edited too.", "return_to": "reflection"})
    assert response.headers["Location"] == f"{url}#prompt-reflection"
    response = post(teacher, url, {**COMPLETE, "answer-context": "Edited too.", "return_to": '"><script>'})
    assert response.headers["Location"] == url


def autosave(teacher, url, texts, *, revision=None, state=None):
    _html, token, current = state or page_state(teacher, url)
    data = {"csrf_token": token, "revision": revision or current, **{f"answer-{k}": v for k, v in texts.items()}}
    return teacher.client.post(f"{url}/autosave", data=data)


def test_autosave_keeps_the_text_and_answers_with_the_new_revision_and_time(teacher, slug, session):
    url = start(teacher, slug)
    _page, _token, revision = state = page_state(teacher, url)
    response = autosave(teacher, url, {"context": "Typed, then a pause."}, state=state)
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["saved"] is True and answer["saved_at"] == "9:00 AM CDT"
    assert answer["revision"] == int(revision) + 1
    assert session.scalars(select(Attempt)).one().answers[0].text == "Typed, then a pause."
    # The page's next save carries the revision the script put in the form.
    follow = post(teacher, url, {"answer-context": "Saved by hand.", "action": "save"},
                  state=(state[0], state[1], str(answer["revision"])))  # fmt: skip
    assert follow.status_code == 302


def test_autosave_of_a_stale_page_changes_nothing_and_says_why(teacher, slug, session):
    url = start(teacher, slug)
    old_tab = page_state(teacher, url)
    post(teacher, url, {"answer-context": "From the other tab.", "action": "save"})
    response = autosave(teacher, url, {"context": "From the old tab."}, state=old_tab)
    assert response.status_code == 409
    assert response.get_json() == {
        "saved": False,
        "message": "Not saved automatically: this attempt was changed in another tab or window. Your text is still "
        "here. Copy anything you need to keep, then reload the page to see the latest version.",
    }
    session.rollback()
    assert session.scalars(select(Attempt)).one().answers[0].text == "From the other tab."


def test_autosave_leaves_links_files_and_sharing_alone(teacher, slug, session):
    url = start(teacher, slug)
    post(teacher, url, {"link-video": "https://video.example/1", "share_evidence": "yes", "action": "save"})
    assert autosave(teacher, url, {"context": "More words."}).status_code == 200
    session.rollback()
    attempt = session.scalars(select(Attempt)).one()
    assert attempt.share_evidence is True and {a.prompt_key: a.url for a in attempt.answers}["video"]


def test_autosave_answers_in_json_when_signed_out_or_submitted(teacher, slug, app):
    url = start(teacher, slug)
    signed_out = app.test_client().post(f"{url}/autosave", data={"answer-context": "x", "revision": "1"})
    assert signed_out.status_code == 400 and "you were signed out" in signed_out.get_json()["message"]
    post(teacher, url, {**COMPLETE, "action": "save"}, [("files-tickets", "t.pdf", pdf_bytes())])
    post(teacher, url, {**COMPLETE, "action": "submit", "attest": "yes"})
    _html, token, _rev = page_state(teacher, url)
    locked = teacher.client.post(f"{url}/autosave", data={"csrf_token": token, "answer-context": "late"})
    assert locked.status_code == 409 and "locked" in locked.get_json()["message"]
    other = teacher.client.post("/attempts/99999/autosave", data={"csrf_token": token})
    assert other.status_code == 404 and json.loads(other.data)["saved"] is False


def test_before_you_can_submit_links_each_item_to_its_field_with_the_whole_prompt(teacher, build):
    long_label = (
        "Describe your class: how many students, which grade, what they were learning that week, and anything "
        "about the room, the schedule or the school that a reviewer needs to read your exit tickets well."
    )
    doc = definition()
    doc["template"]["parts"][0]["prompts"][0]["label"] = long_label
    url = start(teacher, build.published(doc))
    page = html.unescape(teacher.get(url).get_data(as_text=True))
    missing = page.split('<ul class="missing">', 1)[1].split("</ul>", 1)[0]
    assert f'<a href="#prompt-context">Overview questions: “{long_label}” needs an answer.</a>' in missing
    assert '<a href="#prompt-tickets">Classroom artifacts: “Upload three exit tickets.” needs at least' in missing
    response = post(teacher, url, {"action": "submit"})
    summary = html.unescape(response.get_data(as_text=True)).split('class="error-summary"', 1)[1].split("</ul>")[0]
    assert '<a href="#prompt-tickets">' in summary and '<a href="#attest">Confirm that' in summary


def test_file_inputs_accept_only_what_the_prompt_takes(teacher, slug):
    page = teacher.get(start(teacher, slug)).get_data(as_text=True)
    accept = re.search(r'name="files-tickets" multiple accept="([^"]+)"', page).group(1).split(",")
    assert {".pdf", "application/pdf", ".png", ".jpg", ".heic", "image/jpeg"} <= set(accept)
    assert not [item for item in accept if item.startswith(("audio", "video", ".mp", ".doc"))]


def test_text_boxes_are_as_tall_as_the_answer_expected(teacher, slug):
    page = teacher.get(start(teacher, slug)).get_data(as_text=True)
    assert re.search(r'name="answer-context" rows="12"', page)  # 300 words
    assert re.search(r'name="answer-reflection" rows="20"', page)  # 500 words


def test_the_sharing_choice_says_the_evidence_page_is_public(teacher, slug):
    page = html.unescape(teacher.get(start(teacher, slug)).get_data(as_text=True))
    assert "That page is public: anyone who has its link can open it" in page
    assert "That evidence page is public too: anyone with the link can read your answers" in page


def test_a_resubmission_keeps_the_sharing_choice(teacher, build, services, maria, session):
    from credentials.domain.portfolio.attempts import CriterionDecision, record_decision

    slug = build.published()
    attempt = build.submitted(slug, maria)
    with transaction(services.session_factory) as s:
        stored = s.get(Attempt, attempt.id)
        stored.share_reflection, stored.share_evidence = False, True
        record_decision(s, stored, [CriterionDecision("design", "proficient", True),
                        CriterionDecision("reflection", "not-yet", False)], earned=False, overall_feedback="",
                        actor=Actor.system("t"), now=services.clock())  # fmt: skip
    response = teacher.submit(f"/microcredentials/{slug}/start", page=f"/attempts/{attempt.id}")
    page = teacher.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="share_evidence" name="share_evidence" value="yes" checked' in page
    assert 'id="share_reflection" name="share_reflection" value="yes">' in page
    assert "These are the choices you made for attempt 1" in page


def test_a_submitted_attempt_keeps_file_fingerprints_under_details(teacher, slug, session):
    url = start(teacher, slug)
    post(teacher, url, {**COMPLETE, "action": "save"}, [("files-tickets", "t.pdf", pdf_bytes())])
    post(teacher, url, {**COMPLETE, "action": "submit", "attest": "yes"})
    page = teacher.get(url).get_data(as_text=True)
    sha = session.scalars(select(Attempt)).one().artifacts[0].sha256
    details = page.split('<details class="file-details">', 1)[1].split("</details>", 1)[0]
    assert sha in details and page.count("SHA-256") == 1 and page.count(sha) == 1


def test_the_dashboard_lists_a_teacher_s_own_credentials_only(teacher, build, session):
    slug = build.published()
    other = build.credential(slug)  # someone else's
    assert other.uuid not in dashboard(teacher)
    assert session.scalar(select(User).where(User.email == EMAIL)) is not None


def test_a_very_long_prompt_is_shortened_after_a_whole_word():
    from credentials.domain.portfolio.evidence import short_label

    label = "Describe " + "the lesson and the students " * 30
    short = short_label(label)
    assert len(short) <= 300 and short.endswith("…") and label.startswith(short[:-1])
    assert label[len(short) - 1] == " "  # the cut falls between words
    assert short_label("Describe your class.") == "Describe your class."
