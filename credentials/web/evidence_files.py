"""Evidence files as HTTP responses, the same way wherever they are served (teacher, reviewer, shared evidence):
streamed from the evidence store, sandboxed, never sniffed, never cached by shared caches."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

from .transaction import services

# A downloaded file must never run as a page of this site.
EVIDENCE_CSP = "default-src 'none'; sandbox"


def evidence_response(artifact, *, disposition: str | None = None, csp: str = EVIDENCE_CSP) -> Response:
    """Stream ``artifact``'s bytes; as a download named after it unless another ``disposition`` is given."""
    response = Response(_chunks(services().evidence.open(artifact.sha256)), mimetype=artifact.media_type)
    response.headers["Content-Disposition"] = disposition or attachment(artifact.filename)
    response.headers["Content-Length"] = str(artifact.size)
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def attachment(filename: str) -> str:
    """A Content-Disposition that downloads under ``filename`` (with an ASCII fallback for old clients)."""
    fallback = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def _chunks(handle, size: int = 1024 * 1024):
    with handle:
        while chunk := handle.read(size):
            yield chunk
