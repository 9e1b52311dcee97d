"""Print how fast eddsa-rdfc-2022 signs and verifies an OB 3.0 credential: plain pyld against our canonicalizer, and
the JavaScript reference (targets: ours at most half of plain pyld's time, and faster than JavaScript).

All in one process, one run: RDFC-1.0 canonicalization of the credential and of its proof configuration with plain
``pyld.jsonld.normalize`` (a caching loader of the bundled contexts) and with ``credentials.crypto.canonical``, then
``sign_eddsa_rdfc_2022`` + ``verify_eddsa_rdfc_2022`` with each, then ``bench/js_sign_verify.mjs`` (Digital Bazaar's
@digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite) on the same credential, if its packages are installed
(``npm ci --prefix tests/interop``). The credential is ``benchmark_credential()`` of ``tests/crypto/ob3_corpus.py``:
6 rubric results and result descriptions with 3-4 levels, evidence and a status entry.

    .venv/bin/python bench/signing.py [--iterations 50] [--js-modules tests/interop]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from pyld import jsonld  # noqa: E402

from credentials.crypto import canonical, data_integrity  # noqa: E402
from credentials.jsonld.contexts import document_loader  # noqa: E402
from tests.crypto.ob3_corpus import benchmark_credential, proof_configuration  # noqa: E402

_LOADED: dict[str, dict] = {}


def _caching_loader(url: str, options: dict | None = None) -> dict:
    if url not in _LOADED:
        _LOADED[url] = document_loader(url)
    return _LOADED[url]


def plain_normalize(document: dict) -> str:
    """pyld 3 as released, with a caching document loader."""
    return jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": _caching_loader}
    )


def per_call_ms(function: Callable[[], object], iterations: int) -> float:
    """Median of ``iterations`` timed calls after a few untimed ones, in milliseconds."""
    for _ in range(3):
        function()
    times = []
    for _ in range(iterations):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def sign_and_verify(document: dict, key: Ed25519PrivateKey) -> None:
    """One eddsa-rdfc-2022 signature and its verification, as issuance and the verifier do them."""
    signed = data_integrity.sign_eddsa_rdfc_2022(
        document, key, "did:web:bench.example.org#key-1", "2024-05-01T12:00:00Z"
    )
    if not data_integrity.verify_eddsa_rdfc_2022(signed, key.public_key()):
        raise SystemExit("a freshly signed credential did not verify")


def javascript_ms(document: dict, modules: Path, iterations: int) -> tuple[float | None, str]:
    """Mean sign+verify time of the JavaScript reference, or None and the reason it was skipped."""
    node = shutil.which("node")
    if node is None:
        return None, "node is not installed"
    if not (modules / "node_modules").is_dir():
        return None, f"{modules / 'node_modules'} is missing (run: npm ci --prefix tests/interop)"
    script = ROOT / "bench" / "js_sign_verify.mjs"
    contexts = ROOT / "credentials" / "jsonld" / "contexts"
    command = [node, str(script), str(modules), str(contexts), str(iterations)]
    completed = subprocess.run(command, input=json.dumps(document), capture_output=True, text=True, check=False)
    if completed.returncode == 3:
        return None, completed.stderr.strip()
    if completed.returncode != 0:
        raise SystemExit(f"the JavaScript benchmark failed:\n{completed.stderr}")
    result = json.loads(completed.stdout)
    return result["sign_verify_ms"], f"node {result['node']}, {result['iterations']} iterations (mean)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--js-modules", type=Path, default=ROOT / "tests" / "interop")
    args = parser.parse_args()

    credential = benchmark_credential()
    proof = proof_configuration(1)
    key = Ed25519PrivateKey.generate()
    for name, document in (("credential", credential), ("proof configuration", proof)):
        if canonical.canonicalize(document) != plain_normalize(document):
            raise SystemExit(f"our canonical N-Quads of the {name} differ from plain pyld's")
    quads = canonical.canonicalize(credential).count("\n")
    print(f"credential: {quads} quads, {len(json.dumps(credential))} bytes of JSON; {args.iterations} iterations")

    print("canonicalization per document (median):")
    for name, document in (("credential", credential), ("proof configuration", proof)):
        plain = per_call_ms(lambda document=document: plain_normalize(document), args.iterations)
        ours = per_call_ms(lambda document=document: canonical.canonicalize(document), args.iterations)
        print(f"  {name:20} plain pyld {plain:7.2f} ms   ours {ours:6.2f} ms   ours/plain {ours / plain:5.1%}")

    ours = per_call_ms(lambda: sign_and_verify(credential, key), args.iterations)
    data_integrity.canonicalize = plain_normalize  # the same signing code, with plain pyld underneath
    try:
        plain = per_call_ms(lambda: sign_and_verify(credential, key), args.iterations)
    finally:
        data_integrity.canonicalize = canonical.canonicalize
    js, note = javascript_ms(credential, args.js_modules, args.iterations)

    print("sign + verify per credential (median; 4 canonicalizations, 1 signature, 1 verification):")
    print(f"  plain pyld  {plain:7.2f} ms")
    verdict = "met" if ours <= plain / 2 else "MISSED"
    print(f"  ours        {ours:7.2f} ms   ours/plain {ours / plain:5.1%} (target at most 50%: {verdict})")
    if js is None:
        print(f"  JavaScript  skipped: {note}")
    else:
        faster = "ours faster" if ours < js else "JavaScript faster"
        print(f"  JavaScript  {js:7.2f} ms   ours/JavaScript {ours / js:5.1%} ({faster}; {note})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
