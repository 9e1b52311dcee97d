"""Rendering fetches nothing but our own assets and fonts and the images handed in, whatever a logo asks for."""

from __future__ import annotations

import base64
import http.server
import logging
import threading

import pytest
from weasyprint import HTML

from credentials.pdf import CertificateError, CertificateTheme, render_certificate
from credentials.pdf.fetcher import SandboxedFetcher
from credentials.pdf.fonts import OwnFontsOnly, font_face_css
from credentials.pdf.render import TEMPLATE_DIR

from .conftest import certificate_data, png_bytes
from .test_render import embedded_fonts


@pytest.fixture
def listener():
    """A web server on the loopback interface that counts the requests it gets (there must be none)."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(png_bytes())

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_hostile_svg_logo_fetches_nothing_from_the_network_or_disk(listener, caplog):
    base, hits = listener
    logo = f"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 90 30">
      <style>@import url("{base}/style.css"); rect {{ fill: url("{base}/paint"); }}</style>
      <image href="{base}/tracker.png" width="30" height="30"/>
      <image xlink:href="file:///etc/passwd" x="30" width="30" height="30"/>
      <image href="file:///etc/hostname" x="60" width="30" height="30"/>
      <rect width="10" height="10"/>
    </svg>""".encode()
    with caplog.at_level(logging.WARNING, logger="credentials.pdf.fetcher"):
        pdf = render_certificate(certificate_data(issuer_logo=logo), CertificateTheme())
    assert pdf.startswith(b"%PDF-")
    assert hits == []
    refused = " ".join(record.getMessage() for record in caplog.records)
    assert f"{base}/tracker.png" in refused
    assert "file:///etc/passwd" in refused
    assert b"root:" not in pdf


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/logo.png",
        "https://example.org/font.ttf",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "microcred-asset:../../credentials/config.py",
        "microcred-asset:%2e%2e/%2e%2e/pyproject.toml",
        "microcred-asset:certificate.html",
        "microcred-font:../../../../etc/passwd",
        "microcred-image:not-handed-in",
        "data:image/svg+xml;base64," + base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode(),
        "data:text/html,<b>hi</b>",
    ],
)
def test_fetcher_refuses_everything_but_its_own_urls(url):
    fetcher = SandboxedFetcher(TEMPLATE_DIR, {})
    with pytest.raises(CertificateError, match=r"not fetched|data: URLs may hold"):
        fetcher.fetch(url)


def test_fetcher_serves_assets_fonts_images_and_raster_data_urls():
    fetcher = SandboxedFetcher(TEMPLATE_DIR, {"logo": (b"<svg/>", "image/svg+xml")})
    assert b"@page" in fetcher.fetch("microcred-asset:certificate.css").read()
    assert fetcher.fetch("microcred-font:serif-regular").read()[:4] == b"\x00\x01\x00\x00"
    assert fetcher.fetch("microcred-image:logo").read() == b"<svg/>"
    data_url = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    assert fetcher.fetch(data_url).content_type == "image/png"
    assert fetcher.refused == []


def test_host_fonts_are_out_of_reach_even_when_asked_for_by_name():
    html = f"""<style>{font_face_css()}</style>
      <p style="font-family: 'DejaVu Sans', 'Liberation Serif', Arial, sans-serif">host fonts?</p>
      <p style="font-family: monospace">monospace?</p>"""
    fetcher = SandboxedFetcher(TEMPLATE_DIR, {})
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(font_config=OwnFontsOnly())
    names = [name for name, _ in embedded_fonts(pdf)]
    assert names
    assert all("+Certificate-" in name for name in names), names
