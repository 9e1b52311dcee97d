"""Builders for test data. They go through the domain functions, so test rows are rows the service could make."""

from __future__ import annotations

import itertools

from credentials.domain.audit import Actor
from credentials.domain.people import accounts, organizations
from credentials.storage.database import transaction
from credentials.storage.models import School, User

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


class Builders:
    def __init__(self, services):
        self.services = services

    def issuer(self, name="Riverside Unified School District"):
        with transaction(self.services.session_factory) as session:
            existing = organizations.get_issuer(session)
            if existing:
                return existing
            details = organizations.IssuerDetails(
                name=name, url="https://riverside.example.org", email="credentials@riverside.example.org"
            )
            return organizations.set_up_issuer(session, details, actor=Actor.system("test"), now=self.services.clock())

    def school(self, name=None) -> School:
        self.issuer()
        with transaction(self.services.session_factory) as session:
            return organizations.create_school(
                session, name=name or f"School {next(_counter)}", actor=Actor.system("test"), now=self.services.clock()
            )

    def user(self, *roles, email=None, name=None, school=None, password=PASSWORD, active=True) -> User:
        self.issuer()
        with transaction(self.services.session_factory) as session:
            school_id = school.id if school else organizations.district_office(session).id
            n = next(_counter)
            user = accounts.create_user(
                session,
                self.services.passwords,
                email=email or f"person{n}@riverside.example.org",
                name=name or f"Person {n}",
                roles=roles or ("teacher",),
                school_id=school_id,
                password=password,
                actor=Actor.system("test"),
                now=self.services.clock(),
            )
            if not active:
                user.is_active = False
            return user

    def admin(self, **kwargs) -> User:
        return self.user("issuer_admin", **kwargs)

    def reviewer(self, *, school=None, slug=None, tag=None, capacity=None, **kwargs) -> User:
        """A reviewer qualified for ``slug`` (or every micro-credential tagged ``tag``)."""
        from credentials.domain.review import admin as review_admin

        user = self.user("reviewer", school=school or self.school(), **kwargs)
        with transaction(self.services.session_factory) as session:
            if slug or tag:
                review_admin.grant_qualification(
                    session, user.id, slug=slug, tag=tag, actor=Actor.system("test"), now=self.services.clock()
                )
            if capacity is not None:
                review_admin.set_reviewer_profile(
                    session,
                    user.id,
                    capacity=capacity,
                    away_from=None,
                    away_until=None,
                    actor=Actor.system("test"),
                    now=self.services.clock(),
                )
        return user

    def submitted(self, slug: str, teacher: User | None = None):
        """A complete attempt at ``slug`` by ``teacher`` (a new one at a new school by default), submitted."""
        import io

        from credentials.domain.portfolio import attempts, evidence
        from credentials.storage.models import Attempt

        teacher = teacher or self.user("teacher", school=self.school())
        limits = evidence.UploadLimits(per_file=25 * 1024 * 1024, per_attempt=200 * 1024 * 1024)
        with transaction(self.services.session_factory) as session:
            now = self.services.clock()
            t = session.get(User, teacher.id)
            attempt = attempts.start_attempt(session, t, slug, now=now)
            texts = {"context": "Twenty-six fourth graders.", "reflection": "I regrouped students daily."}
            evidence.save_answers(session, attempt, t, texts=texts, links={}, now=now)
            if not attempt.artifacts:
                evidence.add_artifact(
                    session,
                    self.services.evidence,
                    attempt,
                    t,
                    prompt_key="tickets",
                    stream=io.BytesIO(pdf_bytes()),
                    filename="tickets.pdf",
                    limits=limits,
                    now=now,
                )
            note = "I revised my reflection." if attempt.previous_attempt_id else ""
            attempts.submit_attempt(session, attempt, t, attested=True, note=note, expected_revision=None, now=now)
            return session.get(Attempt, attempt.id)

    def issuer_keys(self):
        """The issuer's Ed25519 and RSA signing keys (generated once per test)."""
        from credentials.domain.credentials import issuer_keys

        self.issuer()
        with transaction(self.services.session_factory) as session:
            issuer_keys.generate_keys(
                session, self.services.keys, actor=Actor.system("test"), now=self.services.clock()
            )

    def earned(self, slug: str | None = None, teacher: User | None = None, *, share: bool = False):
        """An attempt that one qualified reviewer scored as meeting every criterion; returns the Attempt."""
        from sqlalchemy import select

        from credentials.domain.review import scoring
        from credentials.domain.review.scoring import Scores
        from credentials.storage.models import Assignment, Attempt

        slug = slug or self.published()
        self.reviewer(slug=slug)
        attempt = self.submitted(slug, teacher)
        scores = Scores({"design": "proficient", "reflection": "exemplary"}, {}, "Strong, specific evidence.")
        with transaction(self.services.session_factory) as session:
            if share:
                stored = session.get(Attempt, attempt.id)
                stored.share_reflection = stored.share_evidence = True
            assignment = session.scalars(
                select(Assignment).where(Assignment.attempt_id == attempt.id, Assignment.status == "assigned")
            ).one()
            reviewer = session.get(User, assignment.reviewer_id)
            scoring.submit_review(session, assignment, reviewer, scores, now=self.services.clock())
            return session.get(Attempt, attempt.id)

    def credential(self, slug: str | None = None, teacher: User | None = None, *, share: bool = False):
        """An issued credential for a newly earned attempt (keys generated if needed)."""
        from credentials.domain.credentials import issuance

        self.issuer_keys()
        attempt = self.earned(slug, teacher, share=share)
        with transaction(self.services.session_factory) as session:
            return issuance.issue_for_attempt(session, self.services.signing, attempt.id, now=self.services.clock())

    def published(self, doc: dict | None = None) -> str:
        """Create and publish a micro-credential; returns its slug."""
        from credentials.domain.catalog import microcredentials

        self.issuer()
        with transaction(self.services.session_factory) as session:
            version = microcredentials.create_microcredential(
                session, doc or definition(), actor=Actor.system("test"), now=self.services.clock()
            )
            microcredentials.publish_version(session, version, actor=Actor.system("test"), now=self.services.clock())
            return version.microcredential.slug


def definition(slug="exit-tickets", title="Checking for understanding with exit tickets", **overrides) -> dict:
    """A complete, valid micro-credential definition (schemas/microcredential.schema.json)."""
    levels = [
        {"key": "not-yet", "name": "Not yet", "description": "The evidence does not yet show this.", "points": 0},
        {"key": "proficient", "name": "Proficient", "description": "The evidence shows this clearly.", "points": 2},
        {"key": "exemplary", "name": "Exemplary", "description": "The evidence shows this with insight.", "points": 3},
    ]
    doc = {
        "slug": slug,
        "title": title,
        "summary": "Design exit tickets, read them the same day, and use what they show to plan the next lesson.",
        "competency": "The educator uses exit tickets to check every student's understanding and adjusts instruction.",
        "key_method": {
            "description": "An exit ticket is a short prompt students answer at the end of a lesson.",
            "components": ["Align the prompt to the lesson goal", "Sort responses", "Plan the next lesson"],
        },
        "research": [{"citation": "Wiliam, D. (2011). Embedded Formative Assessment. Solution Tree Press."}],
        "resources": [{"title": "Exit ticket templates", "url": "https://example.org/exit-tickets"}],
        "tags": ["formative assessment", "exit tickets"],
        "subject_areas": ["All subjects"],
        "grade_bands": ["3-5", "6-8"],
        "alignments": [
            {"name": "Learning Forward: Data", "url": "https://learningforward.org/standards/data/", "code": "DATA"}
        ],
        "credit_hours": 15,
        "validity_months": None,
        "reviewers_required": 1,
        "max_attempts": 3,
        "review_turnaround_days": 10,
        "template": {
            "parts": [
                {
                    "key": "overview",
                    "title": "Overview questions",
                    "prompts": [
                        {
                            "key": "context",
                            "kind": "text",
                            "label": "Describe your class.",
                            "required": True,
                            "word_limit": 300,
                        },
                    ],
                },
                {
                    "key": "artifacts",
                    "title": "Classroom artifacts",
                    "prompts": [
                        {
                            "key": "tickets",
                            "kind": "file",
                            "label": "Upload three exit tickets.",
                            "required": True,
                            "file_kinds": ["pdf", "image"],
                            "max_files": 3,
                        },
                        {"key": "video", "kind": "link", "label": "A link to a short video.", "required": False},
                    ],
                },
                {
                    "key": "reflection",
                    "title": "Reflection",
                    "prompts": [
                        {
                            "key": "reflection",
                            "kind": "text",
                            "label": "What did you change?",
                            "required": True,
                            "word_limit": 500,
                        },
                    ],
                },
            ]
        },
        "rubric": {
            "criteria": [
                {
                    "key": "design",
                    "name": "Exit ticket design",
                    "description": "Prompts match the lesson goal.",
                    "part": "artifacts",
                    "levels": levels,
                    "required_level": "proficient",
                },
                {
                    "key": "reflection",
                    "name": "Reflection on practice",
                    "description": "Names what changed.",
                    "part": "reflection",
                    "levels": levels,
                    "required_level": "proficient",
                },
            ],
            "decision_rule": {"kind": "every_criterion"},
        },
    }
    doc.update(overrides)
    return doc


def pdf_bytes(text: str = "Lesson plan") -> bytes:
    """A small, valid one-page PDF."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def png_bytes(size=(24, 24), color=(17, 75, 122)) -> bytes:
    """A small, valid PNG image."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()
