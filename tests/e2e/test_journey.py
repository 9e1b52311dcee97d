"""The whole journey in a real browser (issue 9), one test per step, in order.

An admin publishes a micro-credential that needs two reviewers; a teacher builds evidence over two sign-ins and
submits; two reviewers from other schools disagree and the tie-breaker says "not yet"; the teacher reads the
feedback per criterion, revises and resubmits; both reviewers find it earned; the teacher gets the credential by
e-mail and downloads the certificate and the baked badge; a visitor sees it verified, on its page and by uploading
the certificate; the admin revokes it and its page says so.

People, schools and reviewer qualifications are set up through domain functions first; everything else goes
through the browser. Routing is deterministic: the three reviewers are the only ones qualified (by the tag the admin
gives the micro-credential), equally loaded, so the first two by id review, the third breaks the tie, and a
resubmission goes back to the first two (see ``credentials/domain/review/routing.py``). Deadlines are business
days from now, far beyond the journey.

A step needs the steps before it: selecting one test (``-k test_07``) runs the earlier steps first, untested (see
``journey.py``). Each step's wall-clock time goes to ``journey-timings.json`` in ``E2E_ARTIFACTS`` (``bench/e2e.py``
prints them).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pypdfium2
import pytest
from playwright.sync_api import Page, expect

from tests.builders import Builders, pdf_bytes, png_bytes

from .browsing import Account
from .journey import Journey, open_review, score, submit_review

pytestmark = pytest.mark.e2e

PASSWORD = "lakeside journey passphrase"
ADMIN = Account("Dana Whitfield", "dana.whitfield@lakeside.example.org", PASSWORD)
TEACHER = Account("Maya Okonkwo", "maya.okonkwo@lakeside.example.org", PASSWORD)
REVIEWERS = {
    "reviewer 1": (Account("Rui Tanaka", "rui.tanaka@lakeside.example.org", PASSWORD), "Maple Middle School"),
    "reviewer 2": (Account("Sofia Brandt", "sofia.brandt@lakeside.example.org", PASSWORD), "Pine High School"),
    "reviewer 3": (Account("Tariq Haddad", "tariq.haddad@lakeside.example.org", PASSWORD), "Birch Academy"),
}
QUALIFYING_TAG = "exit tickets"

TITLE = "Checking for Understanding with Exit Tickets"
SLUG = "exit-tickets-journey"
CONTEXT_PROMPT = "Describe your class and the lesson in which you used the exit ticket."
FILES_PROMPT = "Upload the exit ticket you designed and a photo of the sorted responses."
REFLECTION_PROMPT = "What did the responses show, and what did you change in the next lesson?"
DESIGN, REFLECTION = "Exit ticket design", "Reflection on practice"
CONTEXT_ANSWER = "Twenty-six fourth graders in a fractions unit; the lesson compared fractions with unlike denominators"
FIRST_REFLECTION = "Most students did well, so I kept going with the unit."
TIEBREAK_FEEDBACK = "Name the misconception the tickets showed and the change you made for the students who had it."
REVISED_REFLECTION = (
    "Nine of twenty-six tickets compared numerators only. The next day I grouped those nine with fraction strips "
    "while the others worked on a challenge task; a second ticket showed seven of the nine now compared correctly."
)
RESUBMISSION_NOTE = "I rewrote the reflection: it names the misconception and what I changed for those students."
REVOCATION_DETAILS = "The photo of sorted responses came from another teacher's classroom."

# The pages every run must scan (issue 9): scans are named after them.
REQUIRED_SCANS = (
    "home",
    "catalog",
    "micro-credential page",
    "sign-in",
    "teacher dashboard",
    "attempt form",
    "reviewer queue",
    "review scoring page",
    "admin catalog",
    "admin credentials list",
    "admin credential detail",
    "public credential page",
    "verify form",
    "verify report",
)

STEPS: list[Callable[[Journey], None]] = []


def step(function: Callable[[Journey], None]) -> Callable[[Journey], None]:
    """Add ``function`` to the journey, after the steps defined before it."""
    STEPS.append(function)
    return function


@pytest.fixture(scope="module")
def journey(live, browser, mail_server, artifacts, axe_script, tmp_path_factory):
    started = time.perf_counter()
    build = Builders(live.services)
    build.admin(email=ADMIN.email, name=ADMIN.name, password=ADMIN.password)
    cedar = build.school("Cedar Elementary School")
    build.user("teacher", school=cedar, email=TEACHER.email, name=TEACHER.name, password=TEACHER.password)
    for account, school in REVIEWERS.values():
        build.reviewer(
            school=build.school(school), tag=QUALIFYING_TAG, email=account.email, name=account.name,
            password=account.password,
        )  # fmt: skip
    folder = tmp_path_factory.mktemp("evidence")
    files = {"pdf": folder / "exit-ticket.pdf", "image": folder / "sorted-responses.png"}
    files["pdf"].write_bytes(pdf_bytes("Exit ticket: which is larger, 3/4 or 5/8? Explain how you know."))
    files["image"].write_bytes(png_bytes(size=(320, 240), color=(230, 190, 60)))
    accounts = {"admin": ADMIN, "teacher": TEACHER, **{label: account for label, (account, _) in REVIEWERS.items()}}
    state = Journey(
        STEPS, accounts, browser=browser, live=live, mail_server=mail_server, artifacts=artifacts,
        axe_script=axe_script, files=files,
    )  # fmt: skip
    state.stopwatch.extra["people_setup_seconds"] = round(time.perf_counter() - started, 3)
    try:
        yield state
    finally:
        state.finish()


# ---- The steps -------------------------------------------------------------------------------------------------


@step
def admin_publishes_a_microcredential(j: Journey) -> None:
    admin = j.person("admin")
    admin.sign_in()
    page = admin.page
    admin.go_to("Manage catalog")
    expect(page.get_by_role("heading", name="Micro-credentials")).to_be_visible()
    j.scan("admin catalog", page)
    page.get_by_role("link", name="New micro-credential").click()
    j.scan("admin micro-credential editor", page)

    label = lambda text: page.get_by_label(text, exact=True)  # noqa: E731 - reads like the form
    label("Title").fill(TITLE)
    page.get_by_label(re.compile(r"^Address")).fill(SLUG)
    label("Summary").fill("Design a one-question exit ticket, read the answers the same day, and plan from them.")
    label("Competency statement").fill(
        "The educator uses exit tickets to check every student's understanding and adjusts the next lesson."
    )
    label("Key method").fill("An exit ticket is a short question every student answers at the end of a lesson.")
    label("Components of the method").fill("Align the question to the goal\nSort the answers\nPlan the next lesson")
    label("Tags").fill(f"formative assessment, {QUALIFYING_TAG}")
    label("Subject areas").fill("All subjects")
    label("3-5").check()
    label("Credit hours").fill("10")
    label("Reviewers per submission").select_option(label="Two reviewers")

    parts = page.locator(".part-card")
    for index, prompt in enumerate((CONTEXT_PROMPT, FILES_PROMPT, REFLECTION_PROMPT)):
        parts.nth(index).locator(".prompt-card").get_by_label("Wording", exact=True).fill(prompt)
    page.get_by_role("button", name="Add a criterion").click()
    expect(page.get_by_text("Added a row at the end.")).to_be_visible()

    criteria = page.locator(".criterion-card")
    for index, (name, looks_for, part) in enumerate(
        (
            (DESIGN, "The question matches the lesson goal and shows who understood.", "Classroom artifacts"),
            (REFLECTION, "Names what the answers showed and what changed because of them.", "Reflection"),
        )
    ):
        card = criteria.nth(index)
        card.get_by_label("Name", exact=True).fill(name)
        card.get_by_label("What it looks for", exact=True).fill(looks_for)
        card.get_by_label("Scores the evidence of part").select_option(label=part)
        for level, description in enumerate(
            ("The evidence does not show this yet.", "The evidence shows this clearly.", "It shows this with insight.")
        ):
            card.get_by_label(f"Level {level + 1} description").fill(description)
    admin.shot("new micro-credential filled in")
    page.get_by_role("button", name="Save draft").click()
    admin.flash(f"Saved “{TITLE}” as a draft")
    page.get_by_role("link", name="Publish version 1").click()
    j.scan("admin publish confirmation", page)
    page.get_by_role("button", name=re.compile(r"^Publish version 1")).click()
    admin.flash("Version 1 is published")
    admin.shot("micro-credential published")


@step
def teacher_starts_and_saves_a_draft(j: Journey) -> None:
    teacher = j.person("teacher")
    page = teacher.page
    page.goto("/")
    j.scan("home", page)
    teacher.shot("home")
    teacher.open_sign_in()
    j.scan("sign-in", page)
    teacher.submit_sign_in()
    teacher.go_to("Micro-credentials")
    j.scan("catalog", page)
    teacher.shot("catalog")
    page.get_by_role("link", name=TITLE).click()
    j.scan("micro-credential page", page)
    page.get_by_role("button", name="Start this micro-credential").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    j.scan("attempt form", page)
    page.get_by_label(CONTEXT_PROMPT).fill(CONTEXT_ANSWER)
    page.get_by_role("button", name="Save draft").click()
    teacher.flash("Draft saved.")
    teacher.shot("draft saved")

    teacher.sign_out()
    teacher.sign_in()
    teacher.go_to("My micro-credentials")
    expect(page.get_by_role("row", name=re.compile(TITLE))).to_contain_text("Draft")
    j.scan("teacher dashboard", page)
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_label(CONTEXT_PROMPT)).to_have_value(CONTEXT_ANSWER)
    teacher.shot("draft kept after signing in again")


@step
def teacher_finishes_and_submits(j: Journey) -> None:
    teacher = j.person("teacher")
    page = teacher.page
    page.get_by_label(FILES_PROMPT).set_input_files([j.files["pdf"], j.files["image"]])
    page.get_by_label(REFLECTION_PROMPT).fill(FIRST_REFLECTION)
    expect(page.locator("#prompt-reflection-1-count")).to_contain_text("11 of 300 words")  # the live word count
    page.get_by_role("button", name="Save draft").click()
    teacher.flash("Draft saved. Added exit-ticket.pdf, sorted-responses.png.")
    expect(page.get_by_role("link", name="exit-ticket.pdf")).to_be_visible()
    teacher.shot("evidence uploaded")
    page.get_by_label("I confirm that my artifacts show no student names").check()
    page.get_by_role("button", name="Submit for review").click()
    teacher.flash("Submitted.")
    expect(page.locator(".facts")).to_contain_text("Submitted")
    teacher.shot("submitted")


@step
def two_reviewers_disagree(j: Journey) -> None:
    verdicts = {
        "reviewer 1": ({DESIGN: "Proficient", REFLECTION: "Proficient"}, {}),
        "reviewer 2": ({DESIGN: "Proficient", REFLECTION: "Not yet"}, {REFLECTION: "Say what the tickets showed."}),
    }
    for label, (levels, feedback) in verdicts.items():
        reviewer = j.person(label)
        reviewer.sign_in()
        open_review(reviewer, TITLE, role="Primary", scan=j if label == "reviewer 1" else None)
        score(reviewer.page, levels, feedback, overall="Thank you for the clear artifacts.")
        reviewer.shot("scored")
        submit_review(reviewer)


@step
def tiebreaker_says_not_yet(j: Journey) -> None:
    reviewer = j.person("reviewer 3")
    reviewer.sign_in()
    open_review(reviewer, TITLE, role="Tie-breaker")
    score(
        reviewer.page,
        {DESIGN: "Proficient", REFLECTION: "Not yet"},
        {REFLECTION: TIEBREAK_FEEDBACK},
        overall="The exit ticket is well designed; the reflection needs to say what you did with it.",
    )
    reviewer.shot("scored")
    submit_review(reviewer)


@step
def teacher_reads_feedback_and_resubmits(j: Journey) -> None:
    j.wait_for_mail(TEACHER.email, f"Feedback on {TITLE}")
    teacher = j.person("teacher")
    page = teacher.page
    teacher.go_to("My micro-credentials")
    expect(page.get_by_role("row", name=re.compile(TITLE))).to_contain_text("Not yet")
    page.get_by_role("link", name=TITLE).click()
    criteria = page.locator(".criteria-note li")
    expect(criteria.filter(has_text=DESIGN)).to_contain_text("met: Proficient")
    expect(criteria.filter(has_text=REFLECTION)).to_contain_text("not yet")
    expect(criteria.filter(has_text=REFLECTION)).to_contain_text(TIEBREAK_FEEDBACK)
    teacher.shot("feedback per criterion")
    page.get_by_role("button", name="Revise and resubmit").click()
    expect(page.get_by_text("attempt 2 (resubmission)")).to_be_visible()
    page.get_by_label(REFLECTION_PROMPT).fill(REVISED_REFLECTION)
    page.get_by_label("What did you change since attempt 1?").fill(RESUBMISSION_NOTE)
    page.get_by_label("I confirm that my artifacts show no student names").check()
    teacher.shot("revised")
    page.get_by_role("button", name="Submit for review").click()
    teacher.flash("Submitted.")


@step
def both_reviewers_find_it_earned(j: Journey) -> None:
    for label in ("reviewer 1", "reviewer 2"):
        reviewer = j.person(label)
        open_review(reviewer, TITLE, role="Primary")
        expect(reviewer.page.get_by_text(RESUBMISSION_NOTE)).to_be_visible()
        expect(reviewer.page.locator(".review-carried")).to_contain_text(DESIGN)  # met before: not scored again
        score(reviewer.page, {REFLECTION: "Exemplary"}, {}, overall="A precise reflection with a clear next step.")
        reviewer.shot("scored the resubmission")
        submit_review(reviewer)


@step
def teacher_receives_and_downloads_the_credential(j: Journey) -> None:
    message = j.wait_for_mail(TEACHER.email, f"Your credential: {TITLE}")
    found = re.search(r"(http://\S+/c/[0-9a-f-]{36})\s", message.get_body(("plain",)).get_content())
    assert found, "the credential e-mail has no link to the credential"
    j.credential_url = found.group(1)
    teacher = j.person("teacher")
    page = teacher.page
    page.goto(j.credential_url)  # following the link in the e-mail
    expect(page.locator(".verdict-headline")).to_contain_text("Verified")
    teacher.shot("credential")
    downloads = j.artifacts / "downloads"
    downloads.mkdir(exist_ok=True)

    with page.expect_download() as badge_download:
        page.get_by_role("link", name="Badge image with the credential baked in (PNG)").click()
    badge_download.value.save_as(downloads / "badge.png")
    badge = (downloads / "badge.png").read_bytes()
    assert badge.startswith(b"\x89PNG\r\n\x1a\n"), "the badge download is not a PNG"
    assert b"openbadgecredential" in badge, "the PNG has no baked credential"

    # The certificate is served inline, so Chromium opens it in its PDF viewer instead of downloading it, and the
    # viewer's save button lives in the browser's own UI, out of Playwright's reach. The teacher opens it; the file
    # is then saved through the same browser context (same cookies, same URL), as the viewer's save would.
    with page.expect_response(re.compile(r"/c/[0-9a-f-]{36}\.pdf$")) as opened:
        page.get_by_role("link", name=re.compile(r"^Printable certificate \(PDF")).click()
    response = opened.value
    assert response.ok and response.headers["content-type"] == "application/pdf", response.headers
    certificate = page.context.request.get(response.url).body()
    assert certificate.startswith(b"%PDF-"), "the certificate is not a PDF"
    j.files["certificate"] = downloads / "certificate.pdf"
    j.files["certificate"].write_bytes(certificate)
    # Headless Chromium paints its PDF viewer blank in screenshots: the album gets the certificate's first page.
    document = pypdfium2.PdfDocument(certificate)
    try:
        document[0].render(scale=1.5).to_pil().save(j.album.next_path("teacher certificate page 1"))
    finally:
        document.close()
    page.go_back()


@step
def visitor_sees_it_verified(j: Journey) -> None:
    visitor = j.person("visitor")
    page = visitor.page
    page.goto(j.credential_url)
    expect(page.locator(".verdict-headline")).to_contain_text("Verified")
    rubric = page.get_by_role("table").filter(has_text="Level reached")
    expect(rubric.get_by_role("row", name=re.compile(DESIGN))).to_contain_text("Proficient")
    expect(rubric.get_by_role("row", name=re.compile(REFLECTION))).to_contain_text("Exemplary")
    visitor.shot("credential verified")
    j.scan("public credential page", page)
    page.get_by_role("link", name="Verify another credential").click()
    j.scan("verify form", page)

    def upload_certificate(on: Page) -> None:
        on.goto("/verify")
        on.get_by_label("Upload a file").set_input_files(j.files["certificate"])
        on.get_by_role("button", name="Verify").click()
        expect(on.get_by_role("heading", name="Verification result")).to_be_visible()

    upload_certificate(page)
    expect(page.locator(".verdict-headline")).to_contain_text("Verified")
    expect(page.locator(".facts")).to_contain_text(TEACHER.name)
    visitor.shot("certificate verified")
    j.scan("verify report", page, replay=upload_certificate)


@step
def admin_revokes_it(j: Journey) -> None:
    admin = j.person("admin")
    page = admin.page
    admin.go_to("Credentials")
    j.scan("admin credentials list", page)
    page.get_by_role("link", name=TEACHER.name).click()
    assert page.url.endswith(j.credential_url.rsplit("/", 1)[1]), "the admin opened another credential"
    j.scan("admin credential detail", page)
    revoke = page.get_by_role("region", name="Revoke")
    revoke.get_by_label("Why it is revoked").select_option(label="Evidence found not to be the earner's own")
    revoke.get_by_label("Details").fill(REVOCATION_DETAILS)
    revoke.get_by_role("button", name="Revoke permanently").click()
    expect(page.get_by_role("heading", name="Revoke this credential?")).to_be_visible()  # the confirmation step
    expect(page.locator(".confirm-consequences")).to_contain_text(f"gets an e-mail at {TEACHER.email}")
    admin.shot("asked to confirm the revocation")
    page.get_by_role("button", name="Revoke", exact=True).click()
    admin.flash("Revoked.")
    admin.shot("revoked")
    visitor = j.person("visitor")
    visitor.page.goto(j.credential_url)
    expect(visitor.page.locator(".verdict-headline")).to_contain_text("Revoked")
    visitor.shot("credential revoked")


# ---- The tests: one per step, then what the whole journey showed -----------------------------------------------


def test_01_admin_publishes_a_two_reviewer_microcredential(journey):
    journey.reach(admin_publishes_a_microcredential)


def test_02_teacher_starts_saves_a_draft_and_finds_it_after_signing_in_again(journey):
    journey.reach(teacher_starts_and_saves_a_draft)


def test_03_teacher_uploads_a_pdf_and_an_image_reflects_and_submits(journey):
    journey.reach(teacher_finishes_and_submits)


def test_04_two_reviewers_from_other_schools_disagree(journey):
    journey.reach(two_reviewers_disagree)


def test_05_the_tiebreaker_says_not_yet(journey):
    journey.reach(tiebreaker_says_not_yet)


def test_06_teacher_reads_feedback_per_criterion_revises_and_resubmits(journey):
    journey.reach(teacher_reads_feedback_and_resubmits)


def test_07_both_reviewers_find_the_resubmission_earned(journey):
    journey.reach(both_reviewers_find_it_earned)


def test_08_teacher_gets_the_credential_email_and_downloads_pdf_and_png(journey):
    journey.reach(teacher_receives_and_downloads_the_credential)


def test_09_visitor_sees_it_verified_on_its_page_and_by_uploading_the_pdf(journey):
    journey.reach(visitor_sees_it_verified)


def test_10_admin_revokes_it_and_its_page_says_revoked(journey):
    journey.reach(admin_revokes_it)


def test_11_main_pages_have_no_serious_accessibility_violations(journey):
    journey.reach(STEPS[-1])
    scanned = {scan.name for scan in journey.scanner.scans}
    assert not set(REQUIRED_SCANS) - scanned, f"pages not scanned: {sorted(set(REQUIRED_SCANS) - scanned)}"
    everything = journey.scanner.report(blocking_only=False)
    (journey.artifacts / "accessibility" / "report.txt").write_text(everything + "\n" if everything else "")
    blocking = journey.scanner.report()
    assert not blocking, f"serious or critical accessibility violations (WCAG 2.1 A/AA):\n{blocking}"


def test_12_the_browser_reported_no_script_errors_or_csp_refusals(journey):
    journey.reach(STEPS[-1])
    problems = [problem for person in journey.people.values() for problem in person.problems]
    assert not problems, "\n".join(problems)
