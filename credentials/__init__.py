"""microcred: issue, review and verify Open Badges 3.0 micro-credentials for teachers' professional learning."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from .config import PROJECT_ROOT, ConfigurationError, Settings
from .crypto.key_store import KeyStore
from .domain.credentials.credential_page import PROOF_CACHE_SECONDS, PROOF_CACHE_SIZE, ProofCache
from .domain.credentials.status_lists import SigningContext
from .domain.letters import remember_public_url
from .domain.people.passwords import PasswordPolicy
from .mail import MailTransport, transport_for
from .storage.database import create_database_engine, create_session_factory
from .storage.evidence_store import EvidenceStore, FilesystemEvidenceStore
from .verification import FOREIGN_VERIFICATION_SLOTS, RemoteFetcher, Verifier
from .verification.cache import BoundedCache


def utc_now() -> datetime:
    """The service clock."""
    return datetime.now(UTC)


@dataclass
class Services:
    """What request handlers and commands need, built once per app and handed to the domain explicitly."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    passwords: PasswordPolicy
    mail: MailTransport
    evidence: EvidenceStore
    keys: KeyStore
    signing: SigningContext
    # The long-lived verifier (its fetcher and caches), the credential page's proof cache, and that page's rendered
    # body (what the signed document alone decides) under the proof cache's key.
    verifier: Verifier
    proof_cache: ProofCache
    credential_bodies: BoundedCache
    clock: Callable[[], datetime] = utc_now


def create_app(config: Settings | None = None) -> Flask:
    """Build the web application from ``config`` (default: settings read from the environment)."""
    settings = config or Settings.from_env()
    settings.check()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # WeasyPrint narrates each rendering step at INFO (even the stylesheets it parses when imported, below), fontTools
    # each font it subsets, and Alembic its migration context: noise in the service log and in front of every
    # command's output (`microcred db upgrade` says itself which revisions it applied).
    for chatty in ("weasyprint.progress", "fontTools", "alembic"):
        logging.getLogger(chatty).setLevel(logging.WARNING)

    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(settings.instance_dir),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.is_testing,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        SESSION_COOKIE_NAME="__Host-microcred" if settings.is_production else "microcred",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.is_production,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        PREFERRED_URL_SCHEME="https" if settings.is_production else "http",
    )
    keys = KeyStore(settings.keys_dir, settings.key_passphrase)
    if settings.is_production and (development_keys := keys.development_keys()):
        raise ConfigurationError(
            f"microcred cannot start in production: {settings.keys_dir} holds unencrypted development keys "
            f"({', '.join(development_keys)}). Move them away and run `microcred keys generate` with "
            "MICROCRED_KEY_PASSPHRASE set."
        )
    from .pdf import harfbuzz_subset_available

    if not harfbuzz_subset_available():
        logging.getLogger(__name__).warning(
            "libharfbuzz-subset0 is not installed: certificates take about 0.8 s each instead of 0.1 s "
            "(apt-get install libharfbuzz-subset0)"
        )
    engine = create_database_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    remember_public_url(session_factory, settings.public_url)  # the links in e-mail
    app.extensions["microcred"] = Services(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        passwords=PasswordPolicy(cheap=settings.password_hash_cheap),
        mail=transport_for(settings.smtp_url, settings.sender),
        evidence=FilesystemEvidenceStore(settings.uploads_dir),
        keys=keys,
        signing=SigningContext(settings.public_url, keys),
        verifier=Verifier(
            RemoteFetcher(allow_private=settings.verify_allow_private),
            fetch_seconds=settings.verify_fetch_seconds,
            slots=FOREIGN_VERIFICATION_SLOTS,
        ),
        proof_cache=ProofCache(),
        credential_bodies=BoundedCache(PROOF_CACHE_SIZE, PROOF_CACHE_SECONDS),
    )

    from .web import init_web

    init_web(app)
    return app
