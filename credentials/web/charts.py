"""Charts go out as SVG documents of their own, shown on pages with ``<img>``.

The page's Content-Security-Policy forbids inline styles, and a chart's SVG carries its own ``<style>`` element, so
the chart is its own response with a policy of its own: its inline style and nothing else (no script, no fetch, no
form, sandboxed when opened on its own). Inside ``<img>`` a browser runs no script in an SVG anyway; the policy holds
when someone opens the chart's address directly.
"""

from __future__ import annotations

from flask import Response

CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; sandbox"


def svg_chart_response(svg: str) -> Response:
    """The chart ``svg`` as an ``image/svg+xml`` response with its own strict policy; never kept in shared caches,
    since a chart shows a teacher's numbers."""
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
