"""Markdown that teachers and admins write, rendered for a page without letting any HTML or script through.

Two locks: the renderer (markdown-it-py, CommonMark) has raw HTML and images switched off, and whatever it
produces passes nh3 (the ammonia sanitiser) with a short allow-list of tags, ``http``/``https``/``mailto`` links
only, and ``rel="nofollow noopener noreferrer"`` on every link.
"""

from __future__ import annotations

from functools import lru_cache
from html import unescape

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "a", "h3", "h4", "h5", "h6", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    # Images are off: a page must not fetch what a writer points at (and the Content-Security-Policy would block it).
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


def to_html(text: str | None) -> str:
    """Safe HTML for ``text`` (empty for none). Headings keep their words at a level below the page's own."""
    if not text:
        return ""
    rendered = _renderer().render(text)
    # A writer's "# Title" must not compete with the page's headings: h1 and h2 become h3.
    for level in ("1", "2"):
        rendered = rendered.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return nh3.clean(
        rendered,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow noopener noreferrer",
    )


def to_plain_text(text: str | None) -> str:
    """The words of ``text`` without Markdown marks, on one line (for a page's summary or an e-mail's preview)."""
    if not text:
        return ""
    return " ".join(unescape(nh3.clean(to_html(text), tags=set())).split())
