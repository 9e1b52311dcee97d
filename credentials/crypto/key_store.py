"""Issuer private keys on disk: PKCS#8 PEM files in ``MICROCRED_KEYS_DIR``, mode 0600, encrypted with a passphrase.

Only this module reads private key material. Public details (key id, algorithm, public key, status) live in the
database; the files hold nothing but the private keys, one per file named ``<kid>.pem``. A key written without a
passphrase is a *development* key: the service refuses to start in production while one is present.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

ED25519 = "Ed25519"
RSA = "RSA"
ALGORITHMS = (ED25519, RSA)
RSA_BITS = 2048
KID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,62}$")
ENCRYPTED_HEADER = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
PublicKey = ed25519.Ed25519PublicKey | rsa.RSAPublicKey


class KeyStoreError(RuntimeError):
    """A key file is missing, unreadable or does not match; the message never contains key material."""


@dataclass(frozen=True)
class GeneratedKey:
    """What the database records about a key just written: never the private part."""

    kid: str
    algorithm: str
    public_key: PublicKey


class KeyStore:
    """Reads and writes issuer private keys in one directory; decrypted keys are kept in memory per process."""

    def __init__(self, directory: Path, passphrase: str = ""):
        self.directory = Path(directory)
        self._passphrase = passphrase.encode("utf-8") if passphrase else None
        self._cache: dict[str, PrivateKey] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"KeyStore({str(self.directory)!r}, encrypted={self._passphrase is not None})"

    @property
    def encrypts(self) -> bool:
        return self._passphrase is not None

    def generate(self, algorithm: str) -> GeneratedKey:
        """Create a new private key of ``algorithm`` and write it to ``<kid>.pem`` (mode 0600, never overwritten)."""
        if algorithm == ED25519:
            private_key: PrivateKey = ed25519.Ed25519PrivateKey.generate()
            prefix = "ed25519"
        elif algorithm == RSA:
            private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
            prefix = "rsa"
        else:
            raise KeyStoreError(f"unknown key algorithm {algorithm!r}; use one of {', '.join(ALGORITHMS)}")
        kid = f"{prefix}-{secrets.token_hex(6)}"
        encryption = (
            serialization.BestAvailableEncryption(self._passphrase)
            if self._passphrase
            else serialization.NoEncryption()
        )
        pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path(kid), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        with self._lock:
            self._cache[kid] = private_key
        return GeneratedKey(kid=kid, algorithm=algorithm, public_key=private_key.public_key())

    def private_key(self, kid: str) -> PrivateKey:
        """The private key ``kid``, decrypted with the store's passphrase."""
        with self._lock:
            cached = self._cache.get(kid)
        if cached is not None:
            return cached
        path = self._path(kid)
        try:
            pem = path.read_bytes()
        except FileNotFoundError:
            raise KeyStoreError(
                f"issuer key {kid} is not in {self.directory} (is MICROCRED_KEYS_DIR right on this machine?)"
            ) from None
        except OSError as exc:
            raise KeyStoreError(f"issuer key {kid} cannot be read from {self.directory}: {exc.strerror}") from None
        encrypted = pem.lstrip().startswith(ENCRYPTED_HEADER)
        if encrypted and not self._passphrase:
            raise KeyStoreError(f"issuer key {kid} is encrypted: set MICROCRED_KEY_PASSPHRASE")
        try:
            key = serialization.load_pem_private_key(pem, password=self._passphrase if encrypted else None)
        except (ValueError, TypeError):
            # The exception text of a failed load is not shown: it says nothing useful and we keep secrets out.
            raise KeyStoreError(
                f"issuer key {kid} cannot be decrypted: MICROCRED_KEY_PASSPHRASE is wrong or the file is damaged"
            ) from None
        if not isinstance(key, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey):
            raise KeyStoreError(f"issuer key {kid} is neither Ed25519 nor RSA")
        with self._lock:
            self._cache[kid] = key
        return key

    def development_keys(self) -> list[str]:
        """Key ids of files stored without encryption (development keys, refused in production)."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in sorted(self.directory.glob("*.pem")):
            with path.open("rb") as fh:
                head = fh.read(64)
            if not head.lstrip().startswith(ENCRYPTED_HEADER):
                found.append(path.stem)
        return found

    def _path(self, kid: str) -> Path:
        if not KID_PATTERN.match(kid):
            raise KeyStoreError(f"{kid!r} is not a key id")
        return self.directory / f"{kid}.pem"
