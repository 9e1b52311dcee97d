"""A goal's measure chart: an SVG document that parses, fetches nothing, runs nothing, and says what it shows."""

from __future__ import annotations

import importlib
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from defusedxml import ElementTree

from credentials.domain.plans.measure_chart import measure_chart

SVG = "{http://www.w3.org/2000/svg}"
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
START = date(2026, 9, 14)
TARGET_DAY = date(2027, 5, 28)


def fractions_chart(check_ins, **overrides):
    arguments = {
        "measure": "Exit-ticket mastery on fractions",
        "unit": "%",
        "baseline": 48,
        "baseline_on": START,
        "target": 75,
        "target_on": TARGET_DAY,
        "check_ins": check_ins,
    }
    return measure_chart(**(arguments | overrides))


def weekly(count, first=50.0, step=0.5):
    return [(START + timedelta(days=7 * (i + 1)), first + step * i) for i in range(count)]


def assert_safe_svg(svg: str):
    root = ElementTree.fromstring(svg)  # parses as XML, without entity expansion
    assert root.tag == f"{SVG}svg"
    assert not [element for element in root.iter() if element.tag.endswith("script")]
    assert "<script" not in svg.lower()
    assert "<!--" not in svg  # pygal's comments link to its home page
    assert set(re.findall(r"https?:[^\s\"'<>)]*", svg)) <= NAMESPACES
    assert "href" not in svg
    assert "url(" not in svg and "@import" not in svg
    assert "<?xml-stylesheet" not in svg
    return root


def test_forty_check_ins_give_a_safe_svg_with_title_description_and_every_value_in_the_table():
    chart = fractions_chart(weekly(40), title="Fractions goal", description="Mastery from 48% toward 75%.")

    root = assert_safe_svg(chart.svg)
    assert root.find(f"{SVG}title").text == "Fractions goal"
    assert root.find(f"{SVG}desc").text == "Mastery from 48% toward 75%."
    assert root.get("role") == "img"
    assert [row.what for row in chart.rows] == ["Baseline", *["Check-in"] * 40, "Target"]
    assert [row.value_text for row in chart.rows[1:-1]] == [f"{50 + 0.5 * i:g}%" for i in range(40)]
    assert (chart.rows[0].date_text, chart.rows[0].value_text) == ("September 14, 2026", "48%")
    assert (chart.rows[-1].date_text, chart.rows[-1].value_text) == ("May 28, 2027", "75%")
    # Every check-in is a point on the line (baseline and target draw one visible point each).
    dots = [circle for circle in root.iter(f"{SVG}circle") if circle.get("r") != "0"]
    assert len(dots) == 42


def test_the_axis_reads_us_short_dates_and_the_legend_names_baseline_and_target():
    chart = fractions_chart(weekly(3))

    texts = [element.text for element in ElementTree.fromstring(chart.svg).iter(f"{SVG}text")]
    assert "Oct 1" in texts and "Dec 1" in texts
    assert "Baseline: 48%" in texts
    assert "Target: 75% by May 28" in texts
    assert "Check-ins" in texts
    assert not [text for text in texts if text and re.search(r"\d{4}-\d{2}-\d{2}|\b\d{1,2}/\d{1,2}\b", text)]


def test_without_check_ins_the_chart_still_shows_baseline_and_target():
    chart = fractions_chart([])

    root = assert_safe_svg(chart.svg)
    assert [row.what for row in chart.rows] == ["Baseline", "Target"]
    assert "Check-ins (none yet)" in [element.text for element in root.iter(f"{SVG}text")]
    assert "no check-ins yet" in chart.description


def test_one_check_in_is_one_point():
    chart = fractions_chart([(date(2026, 10, 5), 55)])

    root = assert_safe_svg(chart.svg)
    assert [(row.what, row.date_text, row.value_text) for row in chart.rows] == [
        ("Baseline", "September 14, 2026", "48%"),
        ("Check-in", "October 5, 2026", "55%"),
        ("Target", "May 28, 2027", "75%"),
    ]
    assert len([c for c in root.iter(f"{SVG}circle") if c.get("r") != "0"]) == 3
    assert "1 check-in, the latest 55% on October 5, 2026" in chart.description


def test_a_decreasing_target_counted_in_referrals():
    chart = measure_chart(
        measure="Office referrals from my classroom",
        unit="referrals",
        baseline=14,
        baseline_on=START,
        target=5,
        target_on=TARGET_DAY,
        check_ins=[(date(2026, 10, 1), 12), (date(2026, 11, 1), Decimal("9")), (date(2026, 12, 1), 1200)],
    )

    root = assert_safe_svg(chart.svg)
    assert [row.value_text for row in chart.rows] == [
        "14 referrals",
        "12 referrals",
        "9 referrals",
        "1,200 referrals",
        "5 referrals",
    ]
    assert "lower is better" in chart.description
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "referrals" in texts  # the value axis is titled with the unit
    assert "Target: 5 by May 28" in texts


def test_check_ins_are_sorted_and_timestamps_fall_on_the_district_s_day():
    late_evening_in_chicago = datetime(2026, 10, 6, 3, 30, tzinfo=UTC)  # October 5, 10:30 PM CDT
    chart = fractions_chart([(date(2026, 11, 2), 60), (late_evening_in_chicago, 55)], time_zone="America/Chicago")

    assert [(row.date_text, row.value_text) for row in chart.rows[1:-1]] == [
        ("October 5, 2026", "55%"),
        ("November 2, 2026", "60%"),
    ]
    in_utc = fractions_chart([(late_evening_in_chicago, 55)], time_zone="UTC")
    assert in_utc.rows[1].date_text == "October 6, 2026"


def test_check_ins_without_a_value_are_left_out_and_decimals_are_kept_to_two_places():
    chart = fractions_chart([(date(2026, 10, 1), None), (date(2026, 10, 8), 62.456)])

    assert [row.value_text for row in chart.rows] == ["48%", "62.46%", "75%"]


def test_the_same_goal_gives_the_same_svg():
    assert fractions_chart(weekly(5)).svg == fractions_chart(weekly(5)).svg


@pytest.mark.parametrize(
    ("baseline_on", "target_on"),
    [(None, TARGET_DAY), (START, None), (None, None)],
)
def test_missing_dates_still_draw(baseline_on, target_on):
    chart = fractions_chart(weekly(2), baseline_on=baseline_on, target_on=target_on)

    assert_safe_svg(chart.svg)
    assert [row.what for row in chart.rows] == ["Baseline", "Check-in", "Check-in", "Target"]
    assert chart.rows[0].date_text == ("" if baseline_on is None else "September 14, 2026")


def test_a_goal_without_any_date_draws_without_a_date_axis():
    chart = fractions_chart([], baseline_on=None, target_on=None)

    root = assert_safe_svg(chart.svg)
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "Jan 3" not in texts and "Baseline: 48%" in texts
    assert [row.date_text for row in chart.rows] == ["", ""]


def test_check_ins_on_one_day_and_a_flat_measure_still_draw():
    chart = measure_chart(
        measure="Books read",
        unit="",
        baseline=3,
        baseline_on=START,
        target=3.5,
        target_on=START,
        check_ins=[(START, 3), (START, 3)],
    )

    assert_safe_svg(chart.svg)
    assert [row.value_text for row in chart.rows] == ["3", "3", "3", "3.5"]


def test_after_pygal_an_import_that_fails_fails_quietly():
    # pygal's map-plugin finder warned ImportWarning on every unresolved import (an error under this suite's settings)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("credentials_has_no_such_module")
