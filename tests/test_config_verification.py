"""MICROCRED_VERIFY_FETCH_SECONDS: read from the environment, checked, and given to the app's verifier."""

from __future__ import annotations

import pytest

from credentials import create_app
from credentials.config import ConfigurationError, Settings


def test_the_default_is_8_seconds():
    assert Settings.from_env({"MICROCRED_ENV": "testing"}).verify_fetch_seconds == 8.0


def test_the_app_verifier_waits_as_long_as_configured(settings):
    app = create_app(settings.with_overrides(verify_fetch_seconds=2.5))
    try:
        assert app.extensions["microcred"].verifier.fetch_seconds == 2.5
    finally:
        app.extensions["microcred"].engine.dispose()


@pytest.mark.parametrize(("raw", "seconds"), [("3", 3.0), ("2.5", 2.5), (" 12 ", 12.0)])
def test_a_number_of_seconds_is_read(raw, seconds):
    settings = Settings.from_env({"MICROCRED_ENV": "testing", "MICROCRED_VERIFY_FETCH_SECONDS": raw})
    assert settings.verify_fetch_seconds == seconds


def test_words_are_refused():
    with pytest.raises(ConfigurationError, match="MICROCRED_VERIFY_FETCH_SECONDS must be a number of seconds"):
        Settings.from_env({"MICROCRED_ENV": "testing", "MICROCRED_VERIFY_FETCH_SECONDS": "eight"})


@pytest.mark.parametrize("raw", ["0", "-1", "31", "nan", "inf"])
def test_numbers_outside_0_to_30_are_refused(raw, settings):
    settings = settings.with_overrides(verify_fetch_seconds=float(raw))
    with pytest.raises(ConfigurationError, match="MICROCRED_VERIFY_FETCH_SECONDS must be more than 0 and at most 30"):
        settings.check()
