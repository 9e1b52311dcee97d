"""Open Badges 3.0 verification (OB 3.0 §9 "Verification and Validation"), in the spec's order:

1. structure and the official JSON Schema;
2. the proof (embedded eddsa-rdfc-2022, or VC-JWT with EdDSA, ES256 or RS256), the key that made it, and that the
   key belongs to the issuer;
3. status (Bitstring Status List, 1EdTech Revocation List, and our own records for our credentials) and the
   validity window.

Refresh services and endorsements are not followed: a verifier must not fetch what a credential merely points at.
Everything a verification fetches is charged to one ``FetchBudget``: one deadline for all its fetches together and a
cap on their number; with ``slots``, only that many verifications at once may wait on other servers.
A ``Verifier`` is long-lived (it holds the fetcher, its caches and the slots); ``local`` is per call because it reads
the database of the request or command that asks.
"""

from __future__ import annotations

from datetime import datetime

from .cache import BoundedCache
from .did_resolution import DocumentFetcher
from .document_checks import schema_check, structure_check, validity_check
from .fetch_budget import (
    DEFAULT_FETCH_SECONDS,
    MAX_FETCHES,
    BudgetAwareFetcher,
    BudgetedFetcher,
    FetchBudget,
    ForeignFetchSlots,
)
from .inputs import PdfExtractor, Presented, read_input
from .local import LocalIssuer
from .proofs import ProofChecker
from .report import PASSED, SKIPPED, Check, VerificationReport, report
from .status import StatusChecker
from .summary import summarize

LIST_PROOF_CACHE_SIZE = 256
LIST_PROOF_CACHE_SECONDS = 60


class Verifier:
    """Verifies credentials, fetching foreign documents through ``fetcher`` (a ``RemoteFetcher`` in the app).

    Each verification may wait ``fetch_seconds`` for all its fetches together and make at most ``max_fetches``;
    ``slots`` (none: unlimited) is how many verifications may wait on other servers at once.
    """

    def __init__(
        self,
        fetcher: BudgetAwareFetcher,
        *,
        did_web_scheme: str = "https",
        fetch_seconds: float = DEFAULT_FETCH_SECONDS,
        max_fetches: int = MAX_FETCHES,
        slots: int | None = None,
    ):
        self.fetcher = fetcher
        self.did_web_scheme = did_web_scheme
        self.fetch_seconds = fetch_seconds
        self.max_fetches = max_fetches
        self.slots = ForeignFetchSlots(slots) if slots is not None else None
        # A list credential is shared by many credentials: check its proof once per version of the list.
        self.list_proofs = BoundedCache(LIST_PROOF_CACHE_SIZE, ttl=LIST_PROOF_CACHE_SECONDS)

    def verify(
        self,
        data: bytes | str | dict,
        *,
        now: datetime,
        local: LocalIssuer | None = None,
        extract_pdf: PdfExtractor | None = None,
    ) -> VerificationReport:
        """The report on ``data`` (file bytes, pasted text or parsed JSON; a certificate PDF only with
        ``extract_pdf``); ``InputError`` if it holds no credential."""
        return self.verify_presented(read_input(data, extract_pdf=extract_pdf), now=now, local=local)

    def verify_presented(
        self, presented: Presented, *, now: datetime, local: LocalIssuer | None = None
    ) -> VerificationReport:
        """The report on a credential already read from its input; ``VerifierBusy`` when it needs other servers'
        documents and every slot is taken."""
        with FetchBudget(self.fetch_seconds, self.max_fetches, self.slots) as budget:
            fetcher = BudgetedFetcher(self.fetcher, budget)
            checks = self._integrity_checks(presented, now, local, fetcher)
            checks.append(validity_check(presented.document, now))
            if all(check.result in (PASSED, SKIPPED) for check in checks if check.check in INTEGRITY_CHECKS):
                proofs = ProofChecker(fetcher, local, self.did_web_scheme)
                checks.extend(StatusChecker(fetcher, local, proofs, self.list_proofs).checks(presented.document, now))
            else:
                # A credential whose proof fails says nothing trustworthy, so the URLs it names are not fetched.
                checks.append(Check("status", SKIPPED, "Not checked: the credential itself could not be verified."))
        return report(checks, summarize(presented.document), presented.format)

    def integrity_checks(self, presented: Presented, *, now: datetime, local: LocalIssuer | None = None) -> list[Check]:
        """The checks that depend only on the document and its keys: structure, schema, proof, key, issuer.

        For our own credentials (the credential page): within the deadline and cap, but needing no slot."""
        with FetchBudget(self.fetch_seconds, self.max_fetches) as budget:
            return self._integrity_checks(presented, now, local, BudgetedFetcher(self.fetcher, budget))

    def _integrity_checks(
        self, presented: Presented, now: datetime, local: LocalIssuer | None, fetcher: DocumentFetcher
    ) -> list[Check]:
        document = presented.document
        checks = [structure_check(document), schema_check(document)]
        proofs = ProofChecker(fetcher, local, self.did_web_scheme)
        if presented.token is not None:
            checks.extend(proofs.vc_jwt(presented.token, document, now))
        else:
            checks.extend(proofs.embedded(document))
        return checks


INTEGRITY_CHECKS = ("structure", "schema", "proof", "key", "issuer")
