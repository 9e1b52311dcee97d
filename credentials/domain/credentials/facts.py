"""What a credential states, read from the database: the issuer, the achievement (a micro-credential version with
its rubric) and the award (who, when, which levels, which evidence)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ...openbadges.credential_document import (
    AchievementFacts,
    AlignmentFacts,
    CriterionFacts,
    EvidenceFacts,
    IssuerFacts,
    LevelFacts,
)
from ...openbadges.did_web import did_for_url
from ...storage.models import Attempt, MicroCredentialVersion
from ..catalog.microcredential_page import rubric_table
from ..people.organizations import require_issuer

REFLECTION_PART = "reflection"


def issuer_facts(session: Session, public_url: str) -> IssuerFacts:
    """The district as the credentials' issuer."""
    issuer = require_issuer(session)
    return IssuerFacts(
        did=did_for_url(public_url),
        name=issuer.name,
        url=issuer.url,
        email=issuer.email,
        image_url=f"{public_url}/issuer/logo" if issuer.logo_sha256 else None,
    )


def achievement_id(public_url: str, version: MicroCredentialVersion) -> str:
    """The stable id of one micro-credential version: its public catalog page at that version."""
    return f"{public_url}/microcredentials/{version.microcredential.slug}?version={version.number}"


def achievement_facts(public_url: str, version: MicroCredentialVersion) -> AchievementFacts:
    """The Achievement for ``version``: text, rubric, alignment and credit hours from its definition."""
    doc = version.definition
    slug = version.microcredential.slug
    return AchievementFacts(
        id=achievement_id(public_url, version),
        name=doc["title"],
        description=doc["summary"],
        narrative=_narrative(doc),
        version=version.number,
        image_url=f"{public_url}/microcredentials/{slug}/badge?version={version.number}",
        credit_hours=float(doc["credit_hours"]),
        tags=tuple(doc.get("tags") or ()),
        alignments=tuple(
            AlignmentFacts(a["name"], a["url"], a.get("code"), a.get("framework")) for a in doc.get("alignments") or ()
        ),
        criteria=tuple(
            CriterionFacts(
                key=c["key"],
                name=c["name"],
                description=c["description"],
                required_level=c["required_level"],
                levels=tuple(LevelFacts(lv["key"], lv["name"], lv["description"], lv["points"]) for lv in c["levels"]),
            )
            for c in doc["rubric"]["criteria"]
        ),
    )


def attempt_evidence(attempt: Attempt, evidence_url: str | None) -> tuple[EvidenceFacts, ...]:
    """One Evidence per template part; the reflection's text and the evidence page only if the teacher shares them."""
    doc = attempt.version.definition
    artifacts_by_prompt: dict[str, int] = {}
    for artifact in attempt.artifacts:
        artifacts_by_prompt[artifact.prompt_key] = artifacts_by_prompt.get(artifact.prompt_key, 0) + 1
    evidence = []
    for part in doc["template"]["parts"]:
        scored = [c["name"] for c in doc["rubric"]["criteria"] if c["part"] == part["key"]]
        # Markdown (an Evidence narrative is MarkdownText in OB 3.0): one line per thing submitted, read as a list.
        items = [_prompt_summary(prompt, artifacts_by_prompt) for prompt in part["prompts"]]
        narrative = "\n".join(f"- {item}" for item in items)
        if scored:
            narrative += f"\n\nScored by trained reviewers against: {_join(scored)}."
        evidence.append(EvidenceFacts(name=part["title"], narrative=narrative))
    if attempt.share_reflection:
        answers = {answer.prompt_key: answer.text for answer in attempt.answers if answer.text}
        for part in doc["template"]["parts"]:
            if part["key"] != REFLECTION_PART:
                continue
            text = "\n\n".join(
                f"**{p['label']}**\n\n{answers[p['key']]}" for p in part["prompts"] if answers.get(p["key"])
            )
            if text:
                evidence.append(EvidenceFacts(name=f"{part['title']} (shared by the educator)", narrative=text))
    if attempt.share_evidence and evidence_url:
        evidence.append(
            EvidenceFacts(
                name="Evidence shared by the educator",
                narrative="The answers and classroom artifacts the educator submitted, published with their consent.",
                url=evidence_url,
            )
        )
    return tuple(evidence)


def _prompt_summary(prompt: dict, artifacts_by_prompt: dict[str, int]) -> str:
    label = prompt["label"].rstrip(".?!")
    if prompt["kind"] == "file":
        count = artifacts_by_prompt.get(prompt["key"], 0)
        return f"{label} ({count} file{'s' if count != 1 else ''})"
    if prompt["kind"] == "link":
        return f"{label} (link)"
    return f"{label} (written answer)"


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return "; ".join(items[:-1]) + "; and " + items[-1]


def _narrative(doc: dict) -> str:
    """Criteria narrative in Markdown: the competency, what is submitted, and how it is judged."""
    table = rubric_table(doc)
    lines = ["## Competency", "", doc["competency"], "", "## Requirements", ""]
    for part in doc["template"]["parts"]:
        lines.append(f"- **{part['title']}**: " + "; ".join(p["label"].rstrip(" .") for p in part["prompts"]))
    lines += ["", "## How it is judged", "", table.decision_rule, ""]
    for criterion in doc["rubric"]["criteria"]:
        required = next(lv["name"] for lv in criterion["levels"] if lv["key"] == criterion["required_level"])
        lines.append(f"- **{criterion['name']}** (at least {required}): {criterion['description']}")
    return "\n".join(lines)
