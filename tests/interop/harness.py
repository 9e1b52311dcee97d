"""Run ``verify.mjs`` (Digital Bazaar's Data Integrity libraries and ``jose``, pinned in ``package-lock.json``).

The JavaScript verifier is an implementation independent of ours: a credential we sign must verify there too, and a
tampered one must fail there too. ``Interop.install()`` runs ``npm ci`` once when ``node_modules`` is missing or older
than the lock file; verification itself never touches the network (see ``verify.mjs``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.npm import INSTALL_TIMEOUT, NpmUnavailable, npm_ci

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "verify.mjs"
VERIFY_TIMEOUT = 60.0


class InteropUnavailable(RuntimeError):
    """Node or npm is missing, or the npm packages could not be installed."""


class InteropError(RuntimeError):
    """``verify.mjs`` did not reach a verdict: a malformed request or a crash, not a failed verification."""


class Interop:
    """Verifies credentials with the JavaScript implementations; each call runs one ``node verify.mjs``."""

    def __init__(self, node: str, timeout: float = VERIFY_TIMEOUT):
        self.node = node
        self.timeout = timeout

    @classmethod
    def install(cls, timeout: float = INSTALL_TIMEOUT) -> Interop:
        """An ``Interop`` ready to use, after ``npm ci`` if needed; ``InteropUnavailable`` if it cannot be."""
        node = shutil.which("node")
        if node is None:
            raise InteropUnavailable("node is not on PATH; install Node.js 20+ to run the interop tests")
        try:
            npm_ci(HERE, "the interop tests", timeout)
        except NpmUnavailable as error:
            raise InteropUnavailable(str(error)) from error
        return cls(node)

    def verify_data_integrity(
        self, credential: dict[str, Any], documents: dict[str, Any] | None = None, *, now: str | None = None
    ) -> dict[str, Any]:
        """Verify an eddsa-rdfc-2022 secured credential (and its BitstringStatusListEntry, if any).

        ``documents`` maps URLs to the DID documents, controller documents and status list credentials the verifier
        may load; did:key needs none. Returns ``{"verified", "errors", "status"}`` where ``status`` is
        ``{"checked", "entries": [{"statusPurpose", "statusListIndex", "statusListCredential", "set"}], "revoked",
        "suspended"}``. ``verified`` is about proofs and the status check succeeding; a revoked credential has
        ``verified`` true and ``status["revoked"]`` true, as the libraries report it.
        """
        request: dict[str, Any] = {"kind": "data-integrity", "credential": credential, "documents": documents or {}}
        if now is not None:
            request["now"] = now
        return self.run(request)

    def verify_jwt(
        self, token: str, jwk: dict[str, Any], algorithms: list[str], *, now: str | None = None
    ) -> dict[str, Any]:
        """Verify a compact JWS/JWT with ``jose.jwtVerify``; returns ``{"verified", "errors", "header", "payload"}``."""
        request: dict[str, Any] = {"kind": "jwt", "jwt": token, "jwk": jwk, "algorithms": list(algorithms)}
        if now is not None:
            request["now"] = now
        return self.run(request)

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request to ``verify.mjs`` and return its result; ``InteropError`` if it reached no verdict."""
        try:
            done = subprocess.run(
                [self.node, str(SCRIPT)],
                input=json.dumps(request),
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
                cwd=HERE,
            )
        except subprocess.TimeoutExpired as error:
            raise InteropError(f"verify.mjs took more than {self.timeout:.0f} s") from error
        try:
            result = json.loads(done.stdout)
        except json.JSONDecodeError:
            result = None
        if done.returncode != 0 or not isinstance(result, dict):
            detail = result["errors"] if isinstance(result, dict) and result.get("errors") else done.stderr.strip()
            raise InteropError(f"verify.mjs exited {done.returncode}: {detail}")
        return result
