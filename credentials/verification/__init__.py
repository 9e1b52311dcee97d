"""Verifying Open Badges 3.0 credentials from anywhere, and resolving what a foreign credential points at: DID
documents, verification methods, status lists and other remote JSON."""

from .did_resolution import ResolutionError, VerificationMethod, did_web_url, resolve_verification_method
from .engine import Verifier
from .fetch_budget import DEFAULT_FETCH_SECONDS, FOREIGN_VERIFICATION_SLOTS, MAX_FETCHES, FetchBudget, VerifierBusy
from .inputs import MAX_INPUT_BYTES, InputError, PdfExtractor, Presented, read_input
from .json_depth import MAX_JSON_DEPTH
from .local import CredentialRecord, KeyRecord, LocalIssuer
from .remote_fetch import FetchError, RemoteFetcher
from .report import Check, CredentialSummary, VerificationReport

__all__ = [
    "DEFAULT_FETCH_SECONDS",
    "FOREIGN_VERIFICATION_SLOTS",
    "MAX_FETCHES",
    "MAX_INPUT_BYTES",
    "MAX_JSON_DEPTH",
    "Check",
    "CredentialRecord",
    "CredentialSummary",
    "FetchBudget",
    "FetchError",
    "InputError",
    "KeyRecord",
    "LocalIssuer",
    "PdfExtractor",
    "Presented",
    "RemoteFetcher",
    "ResolutionError",
    "VerificationMethod",
    "VerificationReport",
    "Verifier",
    "VerifierBusy",
    "did_web_url",
    "read_input",
    "resolve_verification_method",
]
