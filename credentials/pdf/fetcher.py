"""The only way WeasyPrint gets at anything while rendering a certificate: our assets, our fonts, in-memory images.

User-supplied SVG (a logo, a signature) and our own CSS both go through here, so nothing they name on the network or
on disk is ever read: ``file:``, ``http(s):``, ``ftp:`` and every other scheme are refused and recorded.
"""

from __future__ import annotations

import base64
import io
import logging
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

from PIL import Image
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .errors import CertificateError
from .fonts import FONT_SCHEME, font_files
from .images import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS

ASSET_SCHEME = "microcred-asset"
IMAGE_SCHEME = "microcred-image"

ASSET_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}
# Raster images only: an SVG inside a data: URL would skip the DTD check the logo itself went through.
DATA_URL_TYPES = ("image/png", "image/jpeg", "image/gif")

logger = logging.getLogger(__name__)


class SandboxedFetcher(URLFetcher):
    """Serve our asset, font and in-memory image URLs and raster ``data:`` URLs; refuse every other URL."""

    def __init__(self, asset_dir: Path, images: Mapping[str, tuple[bytes, str]]) -> None:
        # No protocol allowed and no redirects: the urllib machinery of the parent class is never used.
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self._asset_dir = asset_dir.resolve()
        self._fonts = font_files()
        self._images = dict(images)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """Answer one of our URLs from memory or our own files; raise (WeasyPrint then skips the resource) otherwise."""
        scheme, _, rest = url.partition(":")
        scheme = scheme.lower()
        if scheme == ASSET_SCHEME:
            body, content_type = self._asset(rest)
        elif scheme == FONT_SCHEME and rest in self._fonts:
            body, content_type = self._fonts[rest].read_bytes(), "font/ttf"
        elif scheme == IMAGE_SCHEME and rest in self._images:
            body, content_type = self._images[rest]
        elif scheme == "data":
            body, content_type = _raster_data_url(rest)
        else:
            self._refuse(url)
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _asset(self, relative: str) -> tuple[bytes, str]:
        path = (self._asset_dir / urllib.parse.unquote(relative)).resolve()
        if not path.is_relative_to(self._asset_dir) or path.suffix not in ASSET_TYPES or not path.is_file():
            self._refuse(f"{ASSET_SCHEME}:{relative}")
        return path.read_bytes(), ASSET_TYPES[path.suffix]

    def _refuse(self, url: str) -> NoReturn:
        shown = url if len(url) <= 200 else url[:200] + "…"
        self.refused.append(shown)
        logger.warning("certificate rendering refused to fetch %s", shown)
        raise CertificateError(f"not fetched while rendering a certificate: {shown}")


def _raster_data_url(rest: str) -> tuple[bytes, str]:
    header, comma, payload = rest.partition(",")
    if not comma:
        raise CertificateError("malformed data: URL")
    content_type, *params = header.split(";")
    content_type = content_type.strip().lower()
    if content_type not in DATA_URL_TYPES:
        raise CertificateError(f"data: URLs may hold PNG, JPEG or GIF images only, not {content_type or 'text'}")
    if len(payload) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        raise CertificateError("data: URL larger than an image may be")
    body = base64.b64decode(payload) if "base64" in params else urllib.parse.unquote_to_bytes(payload)
    try:
        # Read the header only: refuse a decompression bomb before WeasyPrint decodes the pixels.
        with Image.open(io.BytesIO(body)) as image:
            width, height = image.size
    except (OSError, ValueError) as error:
        raise CertificateError(f"data: URL is not a readable image ({error})") from None
    if width * height > MAX_IMAGE_PIXELS:
        raise CertificateError(f"data: URL image of {width}×{height} pixels is too large")
    return body, content_type
