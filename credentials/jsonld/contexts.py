"""The JSON-LD contexts we sign and verify against, served from files shipped inside the package.

Contexts are never fetched over the network: a context that changed upstream (or a hostile server) would silently
change what a signature covers. Any URL not listed in ``CONTEXT_FILES`` is refused with ``UnknownContextError``.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3P0_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"

DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"

# URL -> file in credentials/jsonld/contexts/. Sources are recorded in that folder's copies:
# credentials-v2.jsonld is contexts/v2.jsonld of npm @digitalbazaar/credentials-context@3.2.0; the two OB files
# come from 1EdTech/openbadges-specification (ob_v3p0/) and the 1EdTech validator.
# Bundled so that credentials of other issuers verify (we sign with 3.0.3 only): context-3.0.2.json is 1EdTech's
# published file (copied from the project's anchors, shared/anchors/ob3/contexts/); data-integrity-v2.jsonld is
# contexts/data-integrity-v2.jsonld of npm @digitalbazaar/data-integrity-context@2.0.1, which issuers list to define
# DataIntegrityProof alongside other contexts. OB 3.0.1 and the unversioned context.json redefine terms that the VC
# 2.0 context protects, so they only work with the VC 1.1 context, which is not bundled.
CONTEXT_FILES = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OB_V3P0_CONTEXT: "context-3.0.3.json",
    OB_V3P0_EXTENSIONS: "extensions.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "context-3.0.2.json",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
}


class UnknownContextError(LookupError):
    """A document referred to a JSON-LD context that is not bundled with the package."""

    def __init__(self, url: str):
        self.url = url
        known = ", ".join(sorted(CONTEXT_FILES))
        super().__init__(
            f"JSON-LD context {url!r} is not bundled with microcred (contexts are never fetched); known: {known}"
        )


@cache
def _parsed(filename: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath("contexts", filename).read_text(encoding="utf-8")
    return json.loads(text)


def load_context(url: str) -> dict[str, Any]:
    """The parsed context document for ``url`` (a fresh copy the caller may modify)."""
    try:
        filename = CONTEXT_FILES[url]
    except KeyError:
        raise UnknownContextError(url) from None
    return copy.deepcopy(_parsed(filename))


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld ``documentLoader`` that serves only the bundled contexts."""
    return {"contextUrl": None, "documentUrl": url, "document": load_context(url)}
