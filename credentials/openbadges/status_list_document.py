"""The unsigned ``BitstringStatusListCredential`` (W3C Bitstring Status List v1.0) for one list."""

from __future__ import annotations

from datetime import datetime

from ..jsonld.contexts import CREDENTIALS_V2
from .credential_document import timestamp


def status_list_credential(*, list_url: str, issuer_did: str, purpose: str, encoded_list: str, now: datetime) -> dict:
    """The status list credential served at ``list_url``; it is re-signed whenever a bit changes."""
    return {
        "@context": [CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": timestamp(now),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded_list,
        },
    }
