"""Issuer admins list, issue, revoke, suspend and reinstate credentials on the web; the public page follows at once."""

from __future__ import annotations

import html
import json

import pytest
from sqlalchemy import func, select

from credentials.crypto.status_bitstring import StatusBitstring
from credentials.domain.credentials.status_lists import status_list_document
from credentials.storage.models import OutboxMessage
from credentials.storage.models.issuance import IssuedCredential

from ..conftest import csrf_from


def _admin(browser, build):
    admin = build.admin(email="admin@riverside.example.org", name="Dana Admin")
    browser.login(admin.email)
    return admin


def _verdict(client, uuid) -> str:
    html = client.get(f"/c/{uuid}").get_data(as_text=True)
    return html[html.index('id="verdict-headline"') : html.index("</section>", html.index('id="verdict-headline"'))]


def _bit(session, credential) -> bool:
    document = json.loads(status_list_document(session, credential.status_list_id))
    return StatusBitstring.decode(document["credentialSubject"]["encodedList"]).get(credential.status_index)


def test_only_issuer_admins_reach_the_credential_pages(browser, build, client):
    credential = build.credential()
    for path in ("/admin/credentials", "/admin/credentials/issue", f"/admin/credentials/{credential.uuid}"):
        assert client.get(path).status_code == 302  # to the sign-in page
    teacher = build.user("teacher", "reviewer")
    browser.login(teacher.email)
    for path in ("/admin/credentials", "/admin/credentials/issue", f"/admin/credentials/{credential.uuid}"):
        assert client.get(path).status_code == 403
    response = client.post(f"/admin/credentials/{credential.uuid}/revoke", data={"category": "other", "reason": "x"})
    assert response.status_code in (400, 403)


def test_the_list_filters_by_text_and_status_in_two_queries(browser, build, client, count_queries, services):
    slug = build.published()
    first = build.credential(slug)
    second = build.credential(slug)
    _admin(browser, build)
    with services.session_factory.begin() as s:
        s.execute(IssuedCredential.__table__.update().where(IssuedCredential.id == second.id).values(
            suspended_at=func.now()))  # fmt: skip
    page = client.get("/admin/credentials").get_data(as_text=True)
    assert first.recipient_name in page and second.recipient_name in page and "2 credentials." in page
    suspended = client.get("/admin/credentials?status=suspended").get_data(as_text=True)
    assert second.recipient_name in suspended and first.recipient_name not in suspended
    valid = client.get("/admin/credentials?status=valid").get_data(as_text=True)
    assert first.recipient_name in valid and second.recipient_name not in valid
    by_id = client.get(f"/admin/credentials?q={first.uuid.upper()}").get_data(as_text=True)
    assert "1 credential." in by_id and first.recipient_name in by_id
    assert "0 credentials." in client.get("/admin/credentials?q=%25_nobody").get_data(as_text=True)
    for _ in range(3):
        build.credential(slug)
    with count_queries() as statements:
        assert client.get("/admin/credentials").status_code == 200
    credential_queries = [s for s in statements if "issued_credentials" in s]
    assert len(credential_queries) == 2, credential_queries  # the count and the page, whatever its length


def test_revoking_on_the_web_flips_the_bit_and_the_page_and_tells_the_earner(browser, build, client, session):
    credential = build.credential()
    assert "Verified" in _verdict(client, credential.uuid)  # the page's proof check is now cached
    _admin(browser, build)
    page = f"/admin/credentials/{credential.uuid}"
    response = browser.submit(
        f"{page}/revoke",
        {"category": "issued_in_error", "reason": "Wrong teacher on the record", "confirmed": "yes"},
        page=page,
    )
    assert response.status_code == 302
    detail = client.get(page).get_data(as_text=True)
    assert "Revoked" in detail and "Wrong teacher on the record" in detail and "Issued in error" in detail
    assert "Revoke permanently" not in detail and "Suspend" not in detail.split("<h2>History</h2>")[0][-2000:]
    verdict = _verdict(client, credential.uuid)
    assert "Revoked" in verdict and "Issued in error" in verdict and "Wrong teacher" not in verdict
    session.expire_all()
    assert _bit(session, session.get(IssuedCredential, credential.id))
    mail = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == credential.recipient_email)).all()
    assert any("revoked" in message.subject.lower() for message in mail)
    for confirmed in ("", "yes"):  # asking again, or a second tab's final button
        again = browser.submit(
            f"{page}/revoke", {"category": "other", "reason": "twice", "confirmed": confirmed}, page=page
        )
        assert "already revoked" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_bad_revocation_form_is_answered_beside_the_field_and_changes_nothing(browser, build, client, session):
    credential = build.credential()
    _admin(browser, build)
    page = f"/admin/credentials/{credential.uuid}"
    for data, message in [
        ({"category": "", "reason": "x"}, "Choose why the credential is revoked."),
        ({"category": "made_up", "reason": "x"}, "Not a valid choice"),
        ({"category": "other", "reason": ""}, "Give the reason."),
        ({"category": "other", "reason": "r" * 2001}, "cannot be longer than 2000"),
    ]:
        response = browser.submit(f"{page}/revoke", data, page=page)
        assert response.status_code == 422 and message in response.get_data(as_text=True), data
    session.expire_all()
    assert session.get(IssuedCredential, credential.id).revoked_at is None
    assert "Verified" in _verdict(client, credential.uuid)


def test_suspend_and_lift_the_suspension(browser, build, client, session):
    credential = build.credential()
    _admin(browser, build)
    page = f"/admin/credentials/{credential.uuid}"
    assert browser.submit(f"{page}/suspend", {"reason": ""}, page=page).status_code == 422
    reason = {"reason": "Complaint under investigation"}
    assert "Suspend this credential?" in browser.submit(f"{page}/suspend", reason, page=page).get_data(as_text=True)
    assert "Valid" in _verdict(client, credential.uuid) or "Verified" in _verdict(client, credential.uuid)
    assert browser.submit(f"{page}/suspend", {**reason, "confirmed": "yes"}, page=page).status_code == 302
    assert "Suspended" in _verdict(client, credential.uuid)
    detail = client.get(page).get_data(as_text=True)
    assert "Complaint under investigation" in detail and "Lift the suspension" in detail
    response = browser.submit(f"{page}/unsuspend", page=page)
    assert "Suspension lifted" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Verified" in _verdict(client, credential.uuid)
    history = client.get(page).get_data(as_text=True).split("<h2>History</h2>")[1]
    assert history.index("Issued") < history.index("Suspended") < history.index("Suspension lifted")
    assert "Dana Admin" in history or "admin@riverside.example.org" in history


def test_issue_to_a_named_person(browser, build, client, session, clock):
    slug = build.published()
    build.issuer_keys()
    _admin(browser, build)
    data = {"name": "Ana Lima", "email": "Ana.Lima@Example.org", "microcredential": slug, "awarded_on": "2019-05-31"}
    response = browser.submit("/admin/credentials/issue", data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    uuid = response.headers["Location"].rsplit("/", 1)[1]
    credential = session.scalar(select(IssuedCredential).where(IssuedCredential.uuid == uuid))
    assert credential.recipient_name == "Ana Lima" and credential.source == "admin"
    assert credential.awarded_at.date().isoformat() == "2019-05-31"
    assert "Verified" in _verdict(client, uuid) and "Ana Lima" in client.get(f"/c/{uuid}").get_data(as_text=True)
    assert session.scalar(select(OutboxMessage.recipient).where(OutboxMessage.recipient == credential.recipient_email))
    again = browser.submit("/admin/credentials/issue", data)
    assert again.headers["Location"].endswith(uuid)
    assert "already issued" in client.get(again.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "Enter the earner's name."),
        ({"email": "not-an-address"}, "is not valid"),
        ({"microcredential": "no-such-thing"}, "Not a valid choice"),
        ({"awarded_on": "31/05/2019"}, "Not a valid date value"),
        ({"awarded_on": "2999-01-01"}, "is in the future"),
    ],
)
def test_bad_issue_forms_issue_nothing(browser, build, session, change, message):
    slug = build.published()
    build.issuer_keys()
    _admin(browser, build)
    data = {"name": "Ana Lima", "email": "ana@example.org", "microcredential": slug, "awarded_on": "2019-05-31"}
    response = browser.submit("/admin/credentials/issue", {**data, **change})
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0


def test_every_id_on_the_credential_page_is_unique(browser, build, client):
    import re
    from collections import Counter

    credential = build.credential()
    _admin(browser, build)
    page = client.get(f"/admin/credentials/{credential.uuid}").get_data(as_text=True)
    ids = Counter(re.findall(r"\sid=\"([^\"]+)\"", page))
    repeated = [i for i, n in ids.items() if n > 1 and i != "csrf_token"]  # one hidden token per form
    assert repeated == []
    assert '<label for="revoke-reason">' in page and '<label for="suspend-reason">' in page


def _csv(slug: str, *rows: str) -> tuple[str, bytes]:
    lines = ["name,email,microcredential,awarded_on", *(row.replace("SLUG", slug) for row in rows)]
    return ("records.csv", ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))


def test_issue_from_a_csv_file_checks_then_issues_all_and_skips_repeats(browser, build, client, session):
    slug = build.published()
    build.issuer_keys()
    _admin(browser, build)
    rows = ("Ana Lima,ana@example.org,SLUG,2019-05-31", "Bo Chen,bo@example.org,SLUG,2020-01-15")
    checked = browser.upload("/admin/credentials/issue-csv", {"action": "check"}, {"file": _csv(slug, *rows)},
                             page="/admin/credentials/issue")  # fmt: skip
    assert checked.status_code == 200 and "All 2 rows are valid. Nothing was issued yet." in checked.get_data(True)
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0
    done = browser.upload("/admin/credentials/issue-csv", {"action": "issue"}, {"file": _csv(slug, *rows)},
                          page="/admin/credentials/issue")  # fmt: skip
    assert done.status_code == 302
    assert "Issued 2 credential(s); 0 row(s) were already issued." in client.get(done.headers["Location"]).get_data(
        True
    )
    session.rollback()  # a fresh read, after the request's transaction
    names = set(session.scalars(select(IssuedCredential.recipient_name).where(IssuedCredential.source == "csv")))
    assert names == {"Ana Lima", "Bo Chen"}
    again = browser.upload("/admin/credentials/issue-csv", {"action": "issue"}, {"file": _csv(slug, *rows)},
                           page="/admin/credentials/issue")  # fmt: skip
    assert "Issued 0 credential(s); 2 row(s) were already issued." in client.get(again.headers["Location"]).get_data(
        True
    )


def test_a_csv_file_with_any_bad_row_issues_nothing_and_lists_every_problem(browser, build, session):
    slug = build.published()
    build.issuer_keys()
    _admin(browser, build)
    rows = (
        "Ana Lima,ana@example.org,SLUG,2019-05-31",
        ",nobody,SLUG,31/05/2019",
        "Cy Dee,cy@example.org,nope,2019-01-01",
    )
    response = browser.upload("/admin/credentials/issue-csv", {"action": "issue"}, {"file": _csv(slug, *rows)},
                              page="/admin/credentials/issue")  # fmt: skip
    assert response.status_code == 422
    text = html.unescape(response.get_data(as_text=True))
    assert "nothing was issued" in text and "Line 3: name is empty" in text and "Line 4: there is no published" in text
    assert "Line 3: awarded_on" in text and "Line 2" not in text
    for bad, message in [
        (("x.csv", b"\xff\xfe\x00n"), "not UTF-8"),
        (("x.csv", b"who,when\r\nA,B\r\n"), "lacks the column"),
    ]:
        response = browser.upload("/admin/credentials/issue-csv", {"action": "issue"}, {"file": bad},
                                  page="/admin/credentials/issue")  # fmt: skip
        assert response.status_code == 422 and message in html.unescape(response.get_data(as_text=True))
    response = browser.upload("/admin/credentials/issue-csv", {"action": "issue"}, {}, page="/admin/credentials/issue")
    assert response.status_code == 422 and "Choose a CSV file." in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0


def test_a_csv_file_with_an_endless_cell_or_invisible_characters_is_refused_by_line(browser, build, session):
    slug = build.published()
    build.issuer_keys()
    _admin(browser, build)
    for rows, expected in [
        (("Ana Lima,ana@example.org,SLUG,2019-05-31", f"{'x' * 140_000},bo@example.org,SLUG,2019-05-31"),
         "Line 3: a cell is longer than 131,072 characters"),
        (("Ana\x00Lima,ana@example.org,SLUG,2019-05-31",), "Line 2: name contains an invisible control"),
        (("Ana Lima,ana@example.org,SLUG,2019-05-31", "Bo \u202eneh\u202c,bo@example.org,SLUG,2019-05-31"),
         "Line 3: name contains an invisible control or formatting character (U+202E RIGHT-TO-LEFT OVERRIDE)"),
    ]:  # fmt: skip
        response = browser.upload("/admin/credentials/issue-csv", {"action": "issue"}, {"file": _csv(slug, *rows)},
                                  page="/admin/credentials/issue")  # fmt: skip
        assert response.status_code == 422
        assert expected in html.unescape(response.get_data(as_text=True))
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0


def test_issuing_to_a_named_person_refuses_a_bidirectional_override(browser, build, session):
    slug = build.published()
    build.issuer_keys()
    _admin(browser, build)
    fields = {"name": "Ana \u202eamiL", "email": "ana@example.org", "microcredential": slug, "awarded_on": "2019-05-31"}
    response = browser.submit("/admin/credentials/issue", fields)
    assert response.status_code == 422
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in html.unescape(response.get_data(as_text=True))
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0


def test_more_rows_than_the_web_allows_are_sent_to_the_cli(browser, build, session, monkeypatch):
    from credentials.domain.credentials import admin as credential_admin

    monkeypatch.setattr(credential_admin, "WEB_CSV_ROWS", 2)
    slug = build.published()
    build.issuer_keys()
    _admin(browser, build)
    rows = [f"P{i},p{i}@example.org,SLUG,2019-05-31" for i in range(3)]
    response = browser.upload("/admin/credentials/issue-csv", {"action": "issue"}, {"file": _csv(slug, *rows)},
                              page="/admin/credentials/issue")  # fmt: skip
    assert response.status_code == 422 and "credentials issue-csv" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0


def _hidden_inputs(page: str) -> dict[str, str]:
    import re

    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    }


def test_revoking_asks_first_says_what_will_happen_and_changes_nothing_until_confirmed(browser, build, client, session):
    credential = build.credential()
    _admin(browser, build)
    page = f"/admin/credentials/{credential.uuid}"
    reason = "The photo of sorted responses came from another classroom.\nThe teacher agreed."
    mail_before = session.scalar(select(func.count()).select_from(OutboxMessage))
    asked = browser.submit(f"{page}/revoke", {"category": "evidence_withdrawn", "reason": reason}, page=page)

    assert asked.status_code == 200
    text = html.unescape(asked.get_data(as_text=True))
    assert "<h1>Revoke this credential?</h1>" in text
    assert "will say <strong>Revoked</strong>, with the reason “Evidence found not to be the earner's own”" in text
    assert "Everyone who checks it" in text and "cannot be undone" in text
    assert f"gets an e-mail at {credential.recipient_email}" in text
    assert f'href="{page}">Cancel</a>' in text
    assert 'name="confirmed" value="yes"' in text and ">Revoke</button>" in text
    session.rollback()  # a fresh read: the test's session may hold an older snapshot
    assert session.get(IssuedCredential, credential.id).revoked_at is None
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == mail_before
    assert "Verified" in _verdict(client, credential.uuid)

    carried = _hidden_inputs(asked.get_data(as_text=True))
    assert carried["category"] == "evidence_withdrawn" and carried["reason"].replace("\r\n", "\n") == reason
    token = csrf_from(asked.get_data(as_text=True))
    done = client.post(f"{page}/revoke", data={**carried, "csrf_token": token, "confirmed": "yes"})
    assert done.status_code == 302 and done.headers["Location"].endswith(page)
    session.rollback()  # a fresh read: the test's session may hold an older snapshot
    revoked = session.get(IssuedCredential, credential.id)
    assert revoked.revoked_at is not None and revoked.revoked_reason.replace("\r\n", "\n") == reason
    assert "Revoked" in _verdict(client, credential.uuid)


def test_suspending_asks_first_and_says_other_verifiers_see_only_revocation(browser, build, client, session):
    credential = build.credential()
    _admin(browser, build)
    page = f"/admin/credentials/{credential.uuid}"
    asked = browser.submit(f"{page}/suspend", {"reason": "Complaint under investigation"}, page=page)
    text = html.unescape(asked.get_data(as_text=True))
    assert asked.status_code == 200 and "<h1>Suspend this credential?</h1>" in text
    assert "Verifiers elsewhere look only for revocation" in text and "lift the suspension later" in text
    assert ">Suspend</button>" in text and f'href="{page}">Cancel</a>' in text
    session.rollback()  # a fresh read: the test's session may hold an older snapshot
    assert session.get(IssuedCredential, credential.id).suspended_at is None

    # Revoked in the meantime (another tab): the question is not asked, the page says why.
    browser.submit(f"{page}/revoke", {"category": "other", "reason": "x", "confirmed": "yes"}, page=page)
    late = browser.submit(f"{page}/suspend", {"reason": "Complaint under investigation"}, page=page)
    assert late.status_code == 302
    assert "already revoked; nothing changed" in client.get(late.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("action", "data", "anchors"),
    [
        ("revoke", {"category": "", "reason": ""}, ["#category", "#revoke-reason"]),
        ("revoke", {"category": "other", "reason": "", "confirmed": "yes"}, ["#revoke-reason"]),
        ("suspend", {"reason": "  "}, ["#suspend-reason"]),
    ],
)
def test_the_error_summary_is_at_the_top_of_the_page_and_links_to_the_fields(
    browser, build, client, session, action, data, anchors
):
    credential = build.credential()
    _admin(browser, build)
    page = f"/admin/credentials/{credential.uuid}"
    response = browser.submit(f"{page}/{action}", data, page=page)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = text.index('class="error-summary"')
    assert text.index("<h1>") < summary < text.index('<dl class="facts">')  # above the fold, under the heading
    listed = text[summary : text.index("</div>", summary)]
    for anchor in anchors:
        assert f'href="{anchor}"' in listed
        assert f'id="{anchor[1:]}"' in text  # the field it links to
    assert text.count('class="error-summary"') == 1
    session.rollback()  # a fresh read: the test's session may hold an older snapshot
    changed = session.get(IssuedCredential, credential.id)
    assert changed.revoked_at is None and changed.suspended_at is None
