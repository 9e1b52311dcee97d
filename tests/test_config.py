import secrets
from pathlib import Path

import pytest

from credentials import create_app
from credentials.config import (
    DEFAULT_PUBLIC_URL,
    MIN_SECRET_BITS,
    ConfigurationError,
    Settings,
    estimated_secret_bits,
    secret_key_weakness,
)

GOOD_PRODUCTION = {
    "MICROCRED_ENV": "production",
    "MICROCRED_SECRET_KEY": "Vq3xN8pL2mRzT7wKc4YhJ9bF6sGd1QeA5uXo0iWn",
    "MICROCRED_PUBLIC_URL": "https://credentials.riverside.example.org/",
    "MICROCRED_SMTP_URL": "smtp+starttls://mailer:secret@smtp.riverside.example.org:587",
    "MICROCRED_KEY_PASSPHRASE": "a passphrase of the district's own",
}


def test_development_defaults(tmp_path):
    settings = Settings.from_env({"MICROCRED_INSTANCE_DIR": str(tmp_path)})
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path / 'microcred.sqlite3'}"
    assert settings.public_url == DEFAULT_PUBLIC_URL
    assert settings.deliver_mail_after_request
    assert settings.uploads_dir == tmp_path / "uploads"
    settings.check()


def test_development_secret_is_generated_once_and_kept(tmp_path):
    first = Settings.from_env({"MICROCRED_INSTANCE_DIR": str(tmp_path)})
    second = Settings.from_env({"MICROCRED_INSTANCE_DIR": str(tmp_path)})
    assert len(first.secret_key) >= 48
    assert first.secret_key == second.secret_key
    assert first.secret_key_source == "development"
    assert (tmp_path / "development-secret-key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["development-secret-key"]


def test_every_setting_is_read_from_the_environment(tmp_path):
    settings = Settings.from_env(
        {
            "MICROCRED_ENV": "testing",
            "MICROCRED_DATABASE_URL": "postgresql://db.example/microcred",
            "MICROCRED_SECRET_KEY": "s" * 40,
            "MICROCRED_PUBLIC_URL": "https://cred.example.org/",
            "MICROCRED_KEYS_DIR": str(tmp_path / "k"),
            "MICROCRED_UPLOADS_DIR": str(tmp_path / "u"),
            "MICROCRED_SMTP_URL": "smtps://mail.example.org",
            "MICROCRED_MAIL_FROM": "Credentials <cred@example.org>",
            "MICROCRED_TRUSTED_PROXIES": "1",
            "MICROCRED_LOG_LEVEL": "debug",
            "MICROCRED_INSTANCE_DIR": str(tmp_path / "i"),
        }
    )
    assert settings.is_testing and settings.password_hash_cheap
    assert settings.database_url == "postgresql://db.example/microcred"
    assert settings.public_url == "https://cred.example.org"
    assert settings.keys_dir == Path(tmp_path / "k")
    assert settings.uploads_dir == Path(tmp_path / "u")
    assert settings.sender == "Credentials <cred@example.org>"
    assert settings.trusted_proxies == 1
    assert settings.log_level == "DEBUG"
    assert settings.instance_dir == tmp_path / "i"


def test_sender_defaults_to_the_public_host():
    settings = Settings(public_url="https://cred.example.org")
    assert settings.sender == "microcred <no-reply@cred.example.org>"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MICROCRED_ENV": "staging"}, "MICROCRED_ENV is 'staging'"),
        ({"MICROCRED_TRUSTED_PROXIES": "two"}, "MICROCRED_TRUSTED_PROXIES must be a whole number"),
    ],
)
def test_malformed_settings_are_named(environ, message, tmp_path):
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env({"MICROCRED_INSTANCE_DIR": str(tmp_path), **environ})


def test_production_with_complete_settings_starts(tmp_path):
    settings = Settings.from_env({**GOOD_PRODUCTION, "MICROCRED_INSTANCE_DIR": str(tmp_path)})
    settings.check()
    assert not settings.deliver_mail_after_request
    assert not settings.password_hash_cheap
    assert not (tmp_path / "development-secret-key").exists()


def test_production_names_every_missing_setting(tmp_path):
    settings = Settings.from_env({"MICROCRED_ENV": "production", "MICROCRED_INSTANCE_DIR": str(tmp_path)})
    with pytest.raises(ConfigurationError) as caught:
        settings.check()
    message = str(caught.value)
    assert "MICROCRED_SECRET_KEY is not set" in message
    assert "MICROCRED_PUBLIC_URL is not set" in message
    assert "MICROCRED_SMTP_URL is not set" in message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"MICROCRED_SECRET_KEY": "short"}, "at least 32"),
        ({"MICROCRED_PUBLIC_URL": "http://cred.example.org"}, "must be an https:// URL"),
        ({"MICROCRED_SMTP_URL": "http://mail.example.org"}, "MICROCRED_SMTP_URL must start with smtp://"),
    ],
)
def test_production_refuses_unsafe_values(change, message, tmp_path):
    settings = Settings.from_env({**GOOD_PRODUCTION, **change, "MICROCRED_INSTANCE_DIR": str(tmp_path)})
    with pytest.raises(ConfigurationError, match=message):
        settings.check()


WEAK_SECRETS = {
    "one character forty times": ("a" * 40, "about 40 bits of entropy"),
    "two characters taking turns": ("ab" * 20, "about 80 bits of entropy"),
    "a word repeated": ("Password1" * 4, "a pattern of 8"),
    "a long run": ("k" * 20 + "3f9c1a7e5b2d8c6f4a0e", "a pattern of 8"),
    "the alphabet": ("abcdefghijklmnopqrstuvwxyz0123456789", "a pattern of 8"),
    "a counting run": ("Xq7" + "987654321" + "zT4mW2pLr8sN6vB3cY5hJ", "a pattern of 8"),
    "a phrase said twice": ("my-district-secret-2026-my-district-secret-2026", "a pattern of 8"),
    "four letters": ("abcdbadcacbdcadbbdacdabcadcbbcadabdcdbca", "about 120 bits of entropy"),
}


@pytest.mark.parametrize("case", WEAK_SECRETS)
def test_production_refuses_a_guessable_secret(case, tmp_path):
    secret, why = WEAK_SECRETS[case]
    settings = Settings.from_env(
        {**GOOD_PRODUCTION, "MICROCRED_SECRET_KEY": secret, "MICROCRED_INSTANCE_DIR": str(tmp_path)}
    )
    with pytest.raises(ConfigurationError, match=f"MICROCRED_SECRET_KEY (has|contains) .*({why})") as caught:
        settings.check()
    assert secret[:8] not in str(caught.value)  # never printed, not even in part
    assert "secrets.token_urlsafe(48)" in str(caught.value)


def test_generated_secrets_always_pass():
    for _ in range(2000):
        for secret in (
            secrets.token_urlsafe(48),
            secrets.token_urlsafe(32),
            secrets.token_hex(32),
            secrets.token_hex(16),
        ):
            assert secret_key_weakness(secret) is None, secret
    # A comfortable margin: 64 characters of a 62- to 64-character alphabet are about 381 to 384 bits.
    assert estimated_secret_bits(secrets.token_urlsafe(48)) > 2 * MIN_SECRET_BITS


def test_production_refuses_the_development_secret(tmp_path):
    development = Settings.from_env({"MICROCRED_INSTANCE_DIR": str(tmp_path)})
    production = Settings.from_env(
        {**GOOD_PRODUCTION, "MICROCRED_SECRET_KEY": development.secret_key, "MICROCRED_INSTANCE_DIR": str(tmp_path)}
    )
    with pytest.raises(ConfigurationError, match="is the development secret"):
        production.check()


def test_create_app_refuses_bad_production_settings(tmp_path):
    settings = Settings.from_env({"MICROCRED_ENV": "production", "MICROCRED_INSTANCE_DIR": str(tmp_path)})
    with pytest.raises(ConfigurationError, match="cannot start in production"):
        create_app(settings)


def test_production_cookies_and_headers(settings, database):
    production = settings.with_overrides(
        env="production",
        secret_key=secrets.token_urlsafe(48),
        smtp_url="smtp://127.0.0.1:2525",
        password_hash_cheap=True,
        key_passphrase="p" * 20,
    )
    app = create_app(production)
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["SESSION_COOKIE_HTTPONLY"] is True
        assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
        assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
        response = app.test_client().get("/login", base_url="https://microcred.test")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        app.extensions["microcred"].engine.dispose()


def test_production_needs_a_key_passphrase(tmp_path):
    settings = Settings.from_env(
        {**GOOD_PRODUCTION, "MICROCRED_KEY_PASSPHRASE": "", "MICROCRED_INSTANCE_DIR": str(tmp_path)}
    )
    with pytest.raises(ConfigurationError, match="MICROCRED_KEY_PASSPHRASE"):
        settings.check()


def test_production_refuses_development_keys(tmp_path):
    from credentials import create_app
    from credentials.crypto.key_store import KeyStore

    KeyStore(tmp_path / "keys").generate("Ed25519")  # written without a passphrase: a development key
    settings = Settings.from_env(
        {**GOOD_PRODUCTION, "MICROCRED_INSTANCE_DIR": str(tmp_path), "MICROCRED_KEYS_DIR": str(tmp_path / "keys")}
    )
    with pytest.raises(ConfigurationError, match="unencrypted development keys"):
        create_app(settings)
