"""The template filters that put words on pages one way everywhere.

- ``date``: "December 2, 2026", the day in the district's time zone (a ``date`` is shown as it is).
- ``date_time``: "December 2, 2026, 9:04 AM CST"; ``time_of_day``: "9:04 AM CST".
- ``date_iso``: the same local day as ``2026-12-02``, for a ``<time datetime>`` attribute.
- ``markdown``: Markdown rendered and sanitised (credentials.text.markdown), safe to output.
- ``plain``: Markdown's words without its marks, for a summary or a ``<meta>`` description.

``district`` in every template is the district's name, time zone and logo flag, read once per request.
"""

from __future__ import annotations

import logging

from flask import Flask, g
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from ..domain.people.organizations import NO_DISTRICT, DistrictBrand, district_brand
from ..text import dates, markdown
from .transaction import db

log = logging.getLogger(__name__)


def district() -> DistrictBrand:
    """The district's brand for this request, read once.

    On an ordinary page a database failure here propagates like any other (a lost database is then the 503 page,
    never half a page drawn on a broken transaction). Only an error page, drawn after something already failed,
    falls back to the bare defaults."""
    if "district_brand" not in g:
        try:
            g.district_brand = district_brand(db())
        except SQLAlchemyError:
            if not g.get("drawing_error_page"):
                raise
            log.warning("The district's name and time zone could not be read; the error page uses the defaults.")
            g.district_brand = NO_DISTRICT
    return g.district_brand


def drawing_error_page() -> None:
    """Called before an error page is drawn: the district is read if the database still answers, else defaulted."""
    g.drawing_error_page = True


def use_default_district() -> None:
    """For pages drawn when the database is unreachable: do not ask it for the district."""
    g.district_brand = NO_DISTRICT


def init_app(app: Flask) -> None:
    zone = lambda: district().time_zone  # noqa: E731 - read at render time, per request

    app.add_template_filter(lambda value: dates.us_date(value, zone()), "date")
    app.add_template_filter(lambda value: dates.us_date_time(value, zone()), "date_time")
    app.add_template_filter(lambda value: dates.us_time(value, zone()), "time_of_day")
    app.add_template_filter(
        lambda value: dates.local_day(value, zone()).isoformat() if value is not None else "", "date_iso"
    )
    # to_html's output has been through the nh3 allow-list, so it may be output as it is.
    app.add_template_filter(lambda text: Markup(markdown.to_html(text)), "markdown")  # noqa: S704
    app.add_template_filter(markdown.to_plain_text, "plain")
    app.context_processor(lambda: {"district": district})
