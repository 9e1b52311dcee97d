"""Settings read from the environment, and the checks a production deployment must pass.

Every setting is documented in README.md with its default. ``Settings.from_env`` is the only place that reads
``os.environ``; the rest of the package receives a ``Settings`` object.
"""

from __future__ import annotations

import math
import os
import secrets
import string
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production", "testing")
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 128
# The character classes a secret's alphabet is estimated from, with their sizes; any other character counts as 64.
SECRET_CLASSES = (
    (frozenset(string.ascii_lowercase), 26),
    (frozenset(string.ascii_uppercase), 26),
    (frozenset(string.digits), 10),
    (frozenset(string.punctuation + " "), 33),
)
# A block this long seen twice, or this many characters in a row that stay the same or count up or down.
SECRET_PATTERN_LENGTH = 8
MIN_PASSPHRASE_LENGTH = 16
MAX_VERIFY_FETCH_SECONDS = 30


class ConfigurationError(RuntimeError):
    """The settings cannot run the service; the message says which setting and why."""


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    env: str = "development"
    database_url: str = ""
    secret_key: str = ""
    secret_key_source: str = "environment"  # noqa: S105 - where the secret came from
    public_url: str = DEFAULT_PUBLIC_URL
    public_url_is_default: bool = True
    keys_dir: Path = PROJECT_ROOT / "keys"
    key_passphrase: str = field(default="", repr=False)
    uploads_dir: Path = PROJECT_ROOT / "instance" / "uploads"
    instance_dir: Path = PROJECT_ROOT / "instance"
    smtp_url: str = ""
    mail_from: str = ""
    trusted_proxies: int = 0
    deliver_mail_after_request: bool = False
    password_hash_cheap: bool = False
    log_level: str = "INFO"
    max_upload_bytes: int = 25 * 1024 * 1024
    max_attempt_bytes: int = 200 * 1024 * 1024
    # Verification may fetch DID documents and status lists from private or loopback addresses (and over http):
    # for development against a local issuer only; production refuses it.
    verify_allow_private: bool = False
    # How long one verification may wait on other issuers' servers, for all the documents it fetches together.
    verify_fetch_seconds: float = 8.0
    extra: dict = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_development(self) -> bool:
        return self.env == "development"

    @property
    def is_testing(self) -> bool:
        return self.env == "testing"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read settings from ``environ`` (default ``os.environ``), applying development defaults."""
        environ = dict(os.environ if environ is None else environ)
        env = environ.get("MICROCRED_ENV", "development").strip().lower()
        if env not in ENVIRONMENTS:
            raise ConfigurationError(f"MICROCRED_ENV is {env!r}; it must be one of {', '.join(ENVIRONMENTS)}.")
        instance_dir = Path(environ.get("MICROCRED_INSTANCE_DIR") or PROJECT_ROOT / "instance")
        database_url = environ.get("MICROCRED_DATABASE_URL") or f"sqlite:///{instance_dir / 'microcred.sqlite3'}"
        public_url = environ.get("MICROCRED_PUBLIC_URL", "").strip()
        secret_key = environ.get("MICROCRED_SECRET_KEY", "")
        secret_source = "environment"  # noqa: S105 - a label, not a secret
        if not secret_key and env != "production":
            secret_key = _development_secret(instance_dir)
            secret_source = "development"  # noqa: S105
        try:
            trusted_proxies = int(environ.get("MICROCRED_TRUSTED_PROXIES", "0"))
        except ValueError as exc:
            raise ConfigurationError("MICROCRED_TRUSTED_PROXIES must be a whole number (0 or more).") from exc
        smtp_url = environ.get("MICROCRED_SMTP_URL", "").strip()
        upload_mb = _whole_number(environ, "MICROCRED_MAX_UPLOAD_MB", 25)
        attempt_mb = _whole_number(environ, "MICROCRED_MAX_ATTEMPT_MB", 200)
        raw_fetch_seconds = environ.get("MICROCRED_VERIFY_FETCH_SECONDS", "").strip() or "8"
        try:
            verify_fetch_seconds = float(raw_fetch_seconds)
        except ValueError as exc:
            raise ConfigurationError(
                f"MICROCRED_VERIFY_FETCH_SECONDS must be a number of seconds (got {raw_fetch_seconds!r})."
            ) from exc
        settings = cls(
            env=env,
            database_url=database_url,
            secret_key=secret_key,
            secret_key_source=secret_source,
            public_url=(public_url or DEFAULT_PUBLIC_URL).rstrip("/"),
            public_url_is_default=not public_url,
            keys_dir=Path(environ.get("MICROCRED_KEYS_DIR") or PROJECT_ROOT / "keys"),
            key_passphrase=environ.get("MICROCRED_KEY_PASSPHRASE", ""),
            uploads_dir=Path(environ.get("MICROCRED_UPLOADS_DIR") or instance_dir / "uploads"),
            instance_dir=instance_dir,
            smtp_url=smtp_url,
            mail_from=environ.get("MICROCRED_MAIL_FROM", "").strip(),
            trusted_proxies=trusted_proxies,
            deliver_mail_after_request=env == "development",
            password_hash_cheap=env == "testing",
            log_level=environ.get("MICROCRED_LOG_LEVEL", "INFO").upper(),
            max_upload_bytes=upload_mb * 1024 * 1024,
            max_attempt_bytes=attempt_mb * 1024 * 1024,
            verify_allow_private=environ.get("MICROCRED_VERIFY_ALLOW_PRIVATE", "").strip().lower() in ("1", "true"),
            verify_fetch_seconds=verify_fetch_seconds,
        )
        return settings

    def with_overrides(self, **changes) -> Settings:
        """A copy with some fields replaced (tests and the CLI use this)."""
        return replace(self, **changes)

    @property
    def sender(self) -> str:
        """The From address of outgoing mail."""
        if self.mail_from:
            return self.mail_from
        host = urlsplit(self.public_url).hostname or "localhost"
        return f"microcred <no-reply@{host}>"

    def check(self) -> None:
        """Refuse settings that are unsafe for the environment; name every problem at once."""
        problems = []
        if self.trusted_proxies < 0:
            problems.append("MICROCRED_TRUSTED_PROXIES must be 0 or more.")
        if not 0 < self.verify_fetch_seconds <= MAX_VERIFY_FETCH_SECONDS:
            # Longer, and the person waiting (or the proxy in front, nginx after 60 s) gives up before the verifier.
            problems.append(
                f"MICROCRED_VERIFY_FETCH_SECONDS must be more than 0 and at most {MAX_VERIFY_FETCH_SECONDS} "
                f"(got {self.verify_fetch_seconds:g})."
            )
        if self.max_upload_bytes > self.max_attempt_bytes:
            problems.append("MICROCRED_MAX_UPLOAD_MB cannot be larger than MICROCRED_MAX_ATTEMPT_MB.")
        if self.smtp_url and urlsplit(self.smtp_url).scheme not in ("smtp", "smtps", "smtp+starttls"):
            problems.append(
                "MICROCRED_SMTP_URL must start with smtp://, smtp+starttls:// or smtps:// "
                f"(got {urlsplit(self.smtp_url).scheme or 'no scheme'!r})."
            )
        if self.is_production:
            if self.verify_allow_private:
                problems.append("MICROCRED_VERIFY_ALLOW_PRIVATE must not be set in production (it opens SSRF).")
            if not self.secret_key:
                problems.append(
                    "MICROCRED_SECRET_KEY is not set: production needs its own random secret "
                    "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
                )
            elif self.secret_key == _read_development_secret(self.instance_dir):
                problems.append(
                    "MICROCRED_SECRET_KEY is the development secret from instance/: "
                    "production needs a secret of its own."
                )
            elif len(self.secret_key) < MIN_SECRET_LENGTH:
                problems.append(
                    f"MICROCRED_SECRET_KEY is {len(self.secret_key)} characters: "
                    f"production needs at least {MIN_SECRET_LENGTH} random characters."
                )
            elif weakness := secret_key_weakness(self.secret_key):
                problems.append(
                    f"MICROCRED_SECRET_KEY {weakness}: anyone who guesses it can sign in as anyone. Use a random "
                    "one (python -c 'import secrets; print(secrets.token_urlsafe(48))')."
                )
            if self.public_url_is_default:
                problems.append(
                    "MICROCRED_PUBLIC_URL is not set: it is printed on every credential and certificate, "
                    "so production must say where the service is reached (an https:// URL)."
                )
            elif urlsplit(self.public_url).scheme != "https":
                problems.append("MICROCRED_PUBLIC_URL must be an https:// URL in production.")
            if len(self.key_passphrase) < MIN_PASSPHRASE_LENGTH:
                problems.append(
                    "MICROCRED_KEY_PASSPHRASE is not set or shorter than "
                    f"{MIN_PASSPHRASE_LENGTH} characters: production issuer keys must be encrypted at rest."
                )
            if not self.smtp_url:
                problems.append(
                    "MICROCRED_SMTP_URL is not set: production must deliver password resets, invitations "
                    "and decisions by e-mail."
                )
        if problems:
            raise ConfigurationError(
                f"microcred cannot start in {self.env}:\n" + "\n".join(f"  - {p}" for p in problems)
            )


def estimated_secret_bits(secret: str) -> float:
    """A generous estimate of the bits of entropy in ``secret``, from its length and the alphabet it seems drawn from.

    The alphabet is the character classes the secret uses (lower case, upper case, digits, punctuation), but never
    more than twice its distinct characters: a random string does not show every character of its alphabet, while a
    secret of few distinct characters was not drawn from a large one, whatever classes they belong to."""
    used = set(secret)
    classes = sum(size for members, size in SECRET_CLASSES if used & members)
    if used - frozenset().union(*(members for members, _ in SECRET_CLASSES)):
        classes += 64
    alphabet = min(classes, 2 * len(used))
    return len(secret) * math.log2(alphabet) if alphabet > 1 else 0.0


def secret_key_weakness(secret: str) -> str | None:
    """Why ``secret`` is too weak for production (to follow its name in a sentence), or None."""
    bits = estimated_secret_bits(secret)
    if bits < MIN_SECRET_BITS:
        return (
            f"has about {bits:.0f} bits of entropy, judged from its length and its {len(set(secret))} distinct "
            f"characters; production needs at least {MIN_SECRET_BITS}"
        )
    n = SECRET_PATTERN_LENGTH
    seen = set()
    for start in range(len(secret) - n + 1):
        block = secret[start : start + n]
        steps = {ord(b) - ord(a) for a, b in pairwise(block)}
        # The secret itself is never quoted: the message goes to logs and terminals.
        if block in seen or (len(steps) == 1 and steps <= {-1, 0, 1}):
            return (
                f"contains a pattern of {n} or more characters (a block seen twice, one character repeated, or "
                "characters counting up or down)"
            )
        seen.add(block)
    return None


def _whole_number(environ: dict[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(f"{name} must be a whole number of megabytes, 1 or more (got {raw!r}).")
    return int(raw)


def _development_secret(instance_dir: Path) -> str:
    """Return the development secret stored in ``instance/``, creating it on first use."""
    existing = _read_development_secret(instance_dir)
    if existing:
        return existing
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / "development-secret-key"
    # Write aside, then link into place: link fails if another worker won the race, and then we read theirs.
    tmp = instance_dir / f".development-secret-key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return _read_development_secret(instance_dir)


def _read_development_secret(instance_dir: Path) -> str:
    path = instance_dir / "development-secret-key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""
