"""Resolving what a foreign credential points at: DID documents, verification methods and remote JSON."""

from .did_resolution import ResolutionError, VerificationMethod, did_web_url, resolve_verification_method
from .remote_fetch import FetchError, RemoteFetcher

__all__ = [
    "FetchError",
    "RemoteFetcher",
    "ResolutionError",
    "VerificationMethod",
    "did_web_url",
    "resolve_verification_method",
]
