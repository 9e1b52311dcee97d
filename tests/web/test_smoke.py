def test_home_page_for_anonymous(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Sign in" in response.data


def test_admin_signs_in_and_sees_people(browser, build):
    build.admin(email="admin@example.org")
    browser.login("admin@example.org")
    page = browser.get("/admin/people")
    assert page.status_code == 200
    assert b"admin@example.org" in page.data
