"""An issuer whose servers answer as slowly as a test likes, served by the local test server (``conftest.py``)."""

from __future__ import annotations

import contextlib
import json
import threading

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import foreign


class SlowIssuer:
    """An issuer under ``prefix`` on the test server: a credential signed by a key published at a URL, with a status
    list signed by a second key of the same controller. Each document answers ``delay`` seconds after ``release`` is
    set (tests clear it to hold every answer, for at most 10 s)."""

    def __init__(self, server, prefix: str = ""):
        self.server = server
        self.delay = 0.0
        self.release = threading.Event()
        self.release.set()
        key, list_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
        self.issuer = server.url(f"{prefix}/issuer")
        key_url, list_key_url = server.url(f"{prefix}/keys/1"), server.url(f"{prefix}/keys/2")
        list_url = server.url(f"{prefix}/status/1")
        self._serve(f"{prefix}/keys/1", foreign.multikey_document(key_url, self.issuer, key))
        self._serve(f"{prefix}/keys/2", foreign.multikey_document(list_key_url, self.issuer, list_key))
        self._serve(f"{prefix}/issuer", {"id": self.issuer, "assertionMethod": [key_url, list_key_url]})
        status_list = foreign.status_list(list_url, self.issuer, list_key, verification_method=list_key_url)
        self._serve(f"{prefix}/status/1", status_list)
        document = foreign.unsigned(self.issuer, credentialStatus=foreign.status_entry(list_url, 5))
        self.credential = foreign.signed(document, key, key_url)

    def _serve(self, path: str, document: dict) -> None:
        body = json.dumps(document).encode()

        def route(handler) -> None:
            self.release.wait(10)
            if self.server.stop.wait(self.delay):
                return
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            with contextlib.suppress(OSError):  # the verifier may have given up on this answer
                handler.wfile.write(body)

        self.server.routes[path] = route
