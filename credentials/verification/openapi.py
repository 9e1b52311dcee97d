"""The OpenAPI 3.0 description of the public verification API, built around the verification report's JSON Schema
(credentials/schemas/verification-report.schema.json)."""

from __future__ import annotations

import copy
from functools import cache

from ..schemas import VERIFICATION_REPORT, load_schema
from .inputs import MAX_INPUT_BYTES

# OpenAPI 3.0 schemas are a JSON Schema dialect without $schema/$id and with "nullable" instead of type lists.
_DROPPED = ("$schema", "$id")


@cache
def _report_schema() -> dict:
    return _to_openapi(load_schema(VERIFICATION_REPORT))


def _to_openapi(schema: object) -> object:
    if isinstance(schema, list):
        return [_to_openapi(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: _to_openapi(value) for key, value in schema.items() if key not in _DROPPED}
    kinds = converted.get("type")
    if isinstance(kinds, list) and "null" in kinds:
        remaining = [kind for kind in kinds if kind != "null"]
        converted["type"] = remaining[0]
        converted["nullable"] = True
    return converted


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def openapi_document(api_base_url: str) -> dict:
    """The OpenAPI document, with ``api_base_url`` (e.g. ``https://host/api/v1``) as its server."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "microcred verification API",
            "version": "1.0.0",
            "description": (
                "Verify any Open Badges 3.0 credential: JSON with an embedded eddsa-rdfc-2022 proof, a VC-JWT "
                "(EdDSA, ES256, RS256), a baked PNG or SVG badge, or a microcred certificate PDF. No account needed. "
                f"Inputs larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB are refused."
            ),
        },
        "servers": [{"url": api_base_url}],
        "paths": {
            "/verify": {
                "post": {
                    "operationId": "verifyCredential",
                    "summary": "Verify a credential and report every check",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"type": "object", "description": "The credential."}},
                            "text/plain": {"schema": {"type": "string", "description": "A compact VC-JWT."}},
                            "image/png": binary,
                            "image/svg+xml": binary,
                            "application/pdf": binary,
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "file": {"type": "string", "format": "binary"},
                                        "credential": {"type": "string", "description": "Pasted JSON or VC-JWT."},
                                    },
                                }
                            },
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The report; `verified` says whether the credential can be trusted.",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/VerificationReport"}}
                            },
                        },
                        "400": _error_response("The input is malformed (bad JSON, not a credential)."),
                        "413": _error_response("The input is too large."),
                        "415": _error_response("The Content-Type or file kind is not accepted."),
                        "422": _error_response("The input holds no readable credential (e.g. an image without one)."),
                        "503": {
                            **_error_response(
                                "Checking this credential means fetching documents from its issuer's servers, and "
                                "the service is already doing as much of that as it allows at once. Try again after "
                                "the number of seconds in Retry-After."
                            ),
                            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                        },
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "VerificationReport": copy.deepcopy(_report_schema()),
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["status", "title", "message"],
                            "properties": {
                                "status": {"type": "integer"},
                                "title": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
            }
        },
    }
