"""Print how fast credentials are issued in bulk from CSV into PostgreSQL, and per-credential signing costs.

1. Signing, in process (baseline in the same run): one realistic OB 3.0 credential (5 rubric criteria with 3 levels
   each, alignments, evidence, a status entry) is signed and verified with eddsa-rdfc-2022 through our canonicalizer
   and through plain pyld 3.x (``jsonld.normalize`` as released with a caching document loader). Printed: medians
   of sign+verify for each and the ratio (target: ours at most 50% of plain pyld). ``bench/signing.py`` prints the
   finer split and the JavaScript reference.
2. Bulk issuance: a throw-away database next to ``--postgres URL`` (default postgresql://127.0.0.1:5432/test), the
   demo catalog, development keys; a CSV of ``--rows`` people (default 1,000) goes through
   ``microcred credentials issue-csv`` (the CLI command itself, in this process: parse and check every row, then one
   transaction per credential: status entry, schema check, Data Integrity proof, two VC-JWTs, audit event, e-mail).
   Printed: credentials per second (target: at least 60/s), and a re-run of the same file (every row already
   issued, nothing written).

    .venv/bin/python bench/issuance.py [--postgres URL] [--rows 1000] [--iterations 30]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from throwaway import migrated_app, postgres_database  # noqa: E402

from credentials.cli import microcred  # noqa: E402
from credentials.crypto.data_integrity import sign_eddsa_rdfc_2022, verify_eddsa_rdfc_2022  # noqa: E402
from credentials.crypto.multikey import encode_base58btc  # noqa: E402
from credentials.jsonld.contexts import load_context  # noqa: E402


def plain_pyld_sign_verify(document: dict, key: Ed25519PrivateKey) -> None:
    """eddsa-rdfc-2022 sign then verify with pyld's own normalize and a caching loader (the baseline)."""
    import hashlib

    cache: dict = {}

    def loader(url, _options=None):
        if url not in cache:
            cache[url] = {"contextUrl": None, "documentUrl": url, "document": load_context(url)}
        return cache[url]

    def digest(doc):
        options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader}
        return hashlib.sha256(jsonld.normalize(doc, options).encode()).digest()

    proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2026-01-01T00:00:00Z",
             "verificationMethod": "did:web:example.org#key-1", "proofPurpose": "assertionMethod"}  # fmt: skip
    data = digest({**proof, "@context": document["@context"]}) + digest(document)
    signature = key.sign(data)
    signed = {**document, "proof": {**proof, "proofValue": encode_base58btc(signature)}}
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    again = digest({**proof, "@context": unsigned["@context"]}) + digest(unsigned)
    key.public_key().verify(signature, again)


def ours_sign_verify(document: dict, key: Ed25519PrivateKey) -> None:
    signed = sign_eddsa_rdfc_2022(document, key, "did:web:example.org#key-1", "2026-01-01T00:00:00Z")
    assert verify_eddsa_rdfc_2022(signed, key.public_key())


def median_ms(function, document, key, iterations: int) -> float:
    for _ in range(3):
        function(copy.deepcopy(document), key)
    times = []
    for _ in range(iterations):
        doc = copy.deepcopy(document)
        start = time.perf_counter()
        function(doc, key)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def realistic_credential() -> dict:
    sys.path.insert(0, str(ROOT))
    from tests.crypto.ob3_corpus import benchmark_credential

    return benchmark_credential()


def bulk(server_url: str, rows: int) -> None:
    with postgres_database(server_url) as url, tempfile.TemporaryDirectory() as work:
        app = migrated_app(url, Path(work), cheap_passwords=True)
        runner = app.test_cli_runner()
        for args in (["keys", "generate"], ["demo", "load"]):
            result = runner.invoke(microcred, args=args)
            assert result.exit_code == 0, result.output
        csv_path = Path(work) / "people.csv"
        lines = ["name,email,microcredential,awarded_on"]
        slugs = ("exit-tickets", "structured-academic-conversations", "communicating-with-families")
        for i in range(rows):
            lines.append(f"Teacher {i:05d},teacher{i:05d}@example.org,{slugs[i % 3]},2024-{i % 12 + 1:02d}-15")
        csv_path.write_text("\n".join(lines) + "\n")
        start = time.perf_counter()
        result = runner.invoke(microcred, args=["credentials", "issue-csv", str(csv_path)])
        elapsed = time.perf_counter() - start
        assert result.exit_code == 0, result.output
        print(f"bulk issuance of {rows:,} credentials from CSV into PostgreSQL: {elapsed:.1f} s, "
              f"{rows / elapsed:.0f} credentials/s (target >= 60/s)")  # fmt: skip
        start = time.perf_counter()
        again = runner.invoke(microcred, args=["credentials", "issue-csv", str(csv_path)])
        print(f"re-run of the same file: {time.perf_counter() - start:.1f} s; {again.output.strip().splitlines()[-1]}")
        app.extensions["microcred"].engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default="postgresql://127.0.0.1:5432/test")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--iterations", type=int, default=30)
    args = parser.parse_args()
    key = Ed25519PrivateKey.generate()
    document = realistic_credential()
    plain = median_ms(plain_pyld_sign_verify, document, key, args.iterations)
    ours = median_ms(ours_sign_verify, document, key, args.iterations)
    print(f"eddsa-rdfc-2022 sign+verify per credential (median of {args.iterations}): plain pyld {plain:.2f} ms, "
          f"ours {ours:.2f} ms = {100 * ours / plain:.0f}% of plain (target <= 50%)")  # fmt: skip
    bulk(args.postgres, args.rows)


if __name__ == "__main__":
    main()
