"""A deterministic corpus of varied Open Badges 3.0 documents for canonicalization tests and the signing benchmark.

``corpus(count)`` mixes OpenBadgeCredentials (results, rubric levels, evidence, status entries, schemas and the
optional fields varied from seed to seed), their proof configurations, BitstringStatusListCredentials and the official
test vector. The same seed always gives the same document.
"""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path
from typing import Any

CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
VECTOR = Path(__file__).resolve().parent.parent / "vectors" / "ob3" / "ob-ldp-test-vector-signed.json"
WORDS = (
    "collaboration",
    "feedback",
    "évaluation formative",
    "número",
    "discourse 🗣️",
    'the "exit ticket"',
    "line one\nline two",
    "tab\there",
    "back\\slash",
    "Ünïcödé — dash",
    "日本語の授業",
    "apostrophe's",
)


def _one_or_list(rng: random.Random, value: Any) -> Any:
    return value if rng.random() < 0.5 else [value]


def _text(rng: random.Random, words: int = 6) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _urn(rng: random.Random) -> str:
    return f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _issuer(rng: random.Random) -> dict[str, Any]:
    issuer: dict[str, Any] = {
        "id": f"did:web:district{rng.randint(1, 50)}.example.org",
        "type": _one_or_list(rng, "Profile"),
        "name": _text(rng, 3),
    }
    if rng.random() < 0.5:
        issuer["url"] = "https://district.example.org/"
    if rng.random() < 0.3:
        issuer["image"] = {"id": "https://district.example.org/logo.png", "type": "Image", "caption": _text(rng, 2)}
    if rng.random() < 0.3:
        issuer["email"] = "badges@district.example.org"
    return issuer


def _result_description(rng: random.Random, levels: int) -> dict[str, Any]:
    level_ids = [_urn(rng) for _ in range(levels)]
    description: dict[str, Any] = {
        "id": _urn(rng),
        "type": _one_or_list(rng, "ResultDescription"),
        "name": _text(rng, 3),
        "resultType": "RubricCriterionLevel",
        "rubricCriterionLevel": [
            {
                "id": level_id,
                "type": _one_or_list(rng, "RubricCriterionLevel"),
                "name": f"Level {index + 1}",
                "description": _text(rng, rng.randint(1, 8)),
                "level": str(index + 1),
                "points": str(index + 1) if rng.random() < 0.7 else index + 1,
            }
            for index, level_id in enumerate(level_ids)
        ],
        "requiredLevel": level_ids[rng.randrange(levels)],
    }
    if rng.random() < 0.2:
        description["allowedValue"] = [f"Level {index + 1}" for index in range(levels)]
    return description


def _achievement(rng: random.Random, descriptions: list[dict[str, Any]]) -> dict[str, Any]:
    achievement: dict[str, Any] = {
        "id": f"https://microcred.example.org/achievements/{rng.randint(1, 10**6)}",
        "type": _one_or_list(rng, "Achievement"),
        "name": _text(rng, 3),
        "description": _text(rng, rng.randint(3, 20)),
        "criteria": {"narrative": _text(rng, 10)},
        "achievementType": rng.choice(["Certificate", "Badge", "MicroCredential"]),
    }
    if descriptions:
        achievement["resultDescription"] = descriptions
    if rng.random() < 0.5:
        achievement["image"] = {"id": "https://microcred.example.org/badge.png", "type": "Image"}
    if rng.random() < 0.4:
        achievement["alignment"] = [
            {
                "type": _one_or_list(rng, "Alignment"),
                "targetName": _text(rng, 2),
                "targetUrl": f"https://standards.example.org/{index}",
                "targetCode": f"STD-{index}",
                "targetFramework": "Teaching standards",
                "targetType": "CFItem",
            }
            for index in range(rng.randint(1, 3))
        ]
    if rng.random() < 0.5:
        achievement["tag"] = rng.sample(WORDS, rng.randint(1, 4))
    if rng.random() < 0.4:
        achievement["creditsAvailable"] = rng.choice([1, 1.5, 0.25, 3.0, 10])
    if rng.random() < 0.3:
        achievement["creator"] = _issuer(rng)
    return achievement


def credential(seed: int, *, results: int | None = None, levels: int | None = None, evidence: bool | None = None):
    """An OpenBadgeCredential (unsigned) varied by ``seed``; the keywords pin its size for the benchmark."""
    rng = random.Random(seed)
    count = rng.randint(0, 7) if results is None else results
    descriptions = [_result_description(rng, levels or rng.randint(2, 5)) for _ in range(count)]
    subject: dict[str, Any] = {
        "type": _one_or_list(rng, "AchievementSubject"),
        "achievement": _achievement(rng, descriptions),
    }
    if rng.random() < 0.6:
        subject["id"] = f"did:example:{rng.getrandbits(64):x}"
    if descriptions:
        subject["result"] = []
        for description in descriptions:
            level = rng.choice(description["rubricCriterionLevel"])
            result = {"type": _one_or_list(rng, "Result"), "resultDescription": description["id"]}
            result["achievedLevel"] = level["id"]
            if rng.random() < 0.3:
                result["status"] = rng.choice(["Completed", "Passed"])
            subject["result"].append(result)
    if rng.random() < 0.4:
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "hashed": rng.random() < 0.7,
                "identityHash": f"sha256${rng.getrandbits(256):064x}",
                "identityType": "emailAddress",
                "salt": f"{rng.getrandbits(32):x}",
            }
        ]
    document: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": _urn(rng),
        "type": ["VerifiableCredential", rng.choice(["OpenBadgeCredential", "AchievementCredential"])],
        "issuer": _issuer(rng),
        "validFrom": f"20{rng.randint(10, 29)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T12:00:00Z",
        "name": _text(rng, 3),
        "credentialSubject": subject,
    }
    if rng.random() < 0.5:
        document["description"] = _text(rng, rng.randint(1, 12))
    if rng.random() < 0.3:
        document["validUntil"] = "2035-01-01T00:00:00Z"
    if rng.random() < 0.3:
        document["image"] = {"id": "https://microcred.example.org/credential.png", "type": "Image"}
    if evidence if evidence is not None else rng.random() < 0.5:
        document["evidence"] = [
            {
                "id": f"https://microcred.example.org/evidence/{rng.randint(1, 10**6)}",
                "type": _one_or_list(rng, "Evidence"),
                "name": _text(rng, 2),
                "narrative": _text(rng, 8),
                "description": _text(rng, 4),
                "genre": "Lesson video",
                "audience": "Reviewers",
            }
            for _ in range(rng.randint(1, 3))
        ]
    if rng.random() < 0.6 or evidence:
        index = rng.randint(0, 131071)
        document["credentialStatus"] = {
            "id": f"https://microcred.example.org/status/1#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": "https://microcred.example.org/status/1",
        }
    if rng.random() < 0.3:
        document["credentialSchema"] = _one_or_list(
            rng,
            {
                "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
                "type": "JsonSchema",
            },
        )
    return document


def proof_configuration(seed: int, context: Any = None) -> dict[str, Any]:
    """The proof options an eddsa-rdfc-2022 signature hashes, with ``context``."""
    rng = random.Random(seed)
    return {
        "@context": context or list(CONTEXTS),
        "type": "DataIntegrityProof",
        "created": f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T0{rng.randint(0, 9)}:00:00Z",
        "verificationMethod": f"did:web:district{rng.randint(1, 50)}.example.org#key-{rng.randint(1, 3)}",
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
    }


def status_list_credential(seed: int) -> dict[str, Any]:
    """A BitstringStatusListCredential as the status route serves it (unsigned)."""
    rng = random.Random(seed)
    number = rng.randint(1, 20)
    return {
        "@context": [CONTEXTS[0]],
        "id": f"https://microcred.example.org/status/{number}",
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": rng.choice(["did:web:microcred.example.org", {"id": "did:web:microcred.example.org"}]),
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"https://microcred.example.org/status/{number}#list",
            "type": "BitstringStatusList",
            "statusPurpose": rng.choice(["revocation", "suspension"]),
            "encodedList": "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
        },
    }


def official_vector() -> dict[str, Any]:
    """The official OB 3.0 test vector without its proof."""
    signed = json.loads(VECTOR.read_text(encoding="utf-8"))
    return {key: value for key, value in signed.items() if key != "proof"}


def corpus(count: int = 240) -> list[dict[str, Any]]:
    """``count`` documents: mostly credentials, every fifth a proof configuration, every tenth a status list."""
    documents = [official_vector()]
    for seed in range(1, count):
        if seed % 10 == 0:
            documents.append(status_list_credential(seed))
        elif seed % 5 == 0:
            documents.append(proof_configuration(seed))
        else:
            documents.append(credential(seed))
    return documents


def benchmark_credential() -> dict[str, Any]:
    """A realistic credential: 6 rubric results and descriptions with 3-4 levels, evidence and a status entry."""
    document = credential(2024, results=6, levels=4, evidence=True)
    for index, description in enumerate(document["credentialSubject"]["achievement"]["resultDescription"]):
        if index % 2:
            description["rubricCriterionLevel"].pop()
    return document
