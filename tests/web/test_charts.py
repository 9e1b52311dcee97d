"""A chart answers as an SVG document with a strict policy of its own, which the site-wide headers do not replace."""

from __future__ import annotations

from datetime import date

from defusedxml import ElementTree
from flask import Blueprint

from credentials.domain.plans.measure_chart import measure_chart
from credentials.web.charts import CHART_CSP, svg_chart_response
from credentials.web.security import CONTENT_SECURITY_POLICY

# A throw-away route for the test only: the goal page's chart route comes with the goal page.
charts_for_test = Blueprint("charts_for_test", __name__)


@charts_for_test.get("/test-only/chart.svg")
def chart_for_test():
    chart = measure_chart(
        measure="Exit-ticket mastery on fractions",
        unit="%",
        baseline=48,
        baseline_on=date(2026, 9, 14),
        target=75,
        target_on=date(2027, 5, 28),
        check_ins=[(date(2026, 10, 1), 52), (date(2026, 11, 1), 58)],
    )
    return svg_chart_response(chart.svg)


def test_a_chart_is_an_svg_response_with_its_own_strict_policy(app):
    app.register_blueprint(charts_for_test)

    response = app.test_client().get("/test-only/chart.svg")

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    policy = response.headers["Content-Security-Policy"]
    assert policy == CHART_CSP != CONTENT_SECURITY_POLICY
    directives = dict(part.strip().partition(" ")[::2] for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["style-src"] == "'unsafe-inline'"  # the SVG's own <style>, and nothing else
    assert "script-src" not in directives  # so default-src 'none' forbids every script
    assert "sandbox" in directives
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    root = ElementTree.fromstring(response.get_data(as_text=True))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_the_helper_works_inside_any_request(app):
    with app.test_request_context("/"):
        response = svg_chart_response("<svg xmlns='http://www.w3.org/2000/svg'/>")

    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == CHART_CSP
