"""Verifying Open Badges 3.0 credentials from anywhere, and resolving what a foreign credential points at: DID
documents, verification methods, status lists and other remote JSON."""

from .did_resolution import ResolutionError, VerificationMethod, did_web_url, resolve_verification_method
from .engine import Verifier
from .inputs import MAX_INPUT_BYTES, InputError, PdfExtractor, Presented, read_input
from .local import CredentialRecord, KeyRecord, LocalIssuer
from .remote_fetch import FetchError, RemoteFetcher
from .report import Check, CredentialSummary, VerificationReport

__all__ = [
    "MAX_INPUT_BYTES",
    "Check",
    "CredentialRecord",
    "CredentialSummary",
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
    "did_web_url",
    "read_input",
    "resolve_verification_method",
]
