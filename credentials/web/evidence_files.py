"""Evidence files as HTTP responses, the same way wherever they are served (teacher, reviewer, shared evidence):
streamed from the evidence store, sandboxed, never sniffed, never cached by shared caches."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

from ..domain.portfolio.file_names import named_as
from .transaction import services

# A downloaded file must never run as a page of this site.
EVIDENCE_CSP = "default-src 'none'; sandbox"


def evidence_response(artifact, *, inline: bool = False, csp: str = EVIDENCE_CSP) -> Response:
    """Stream ``artifact``'s bytes, as a download (or shown ``inline``) named with the extension of its detected kind.
    Files kept before uploads were renamed may still carry the teacher's extension, so the name is made here too."""
    response = Response(_chunks(services().evidence.open(artifact.sha256)), mimetype=artifact.media_type)
    name = named_as(artifact.filename, artifact.media_type)
    response.headers["Content-Disposition"] = disposition("inline" if inline else "attachment", name)
    response.headers["Content-Length"] = str(artifact.size)
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def disposition(how: str, filename: str) -> str:
    """A Content-Disposition (``attachment`` or ``inline``) naming ``filename``, with an ASCII fallback for old
    clients; a reviewer who saves a file shown inline gets the same name as a download."""
    fallback = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_").replace("\\", "_")
    return f"{how}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def _chunks(handle, size: int = 1024 * 1024):
    with handle:
        while chunk := handle.read(size):
            yield chunk
