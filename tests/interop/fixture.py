"""The ``interop`` fixture, as a pytest plugin so that every test folder can use it.

Register it once in ``tests/conftest.py`` with ``pytest_plugins = ["tests.interop.fixture"]``.
"""

from __future__ import annotations

import os

import pytest

from tests.interop.harness import Interop, InteropUnavailable


def provide_interop() -> Interop:
    """An installed ``Interop``; skips the test when Node.js or the npm install is missing, fails instead under CI."""
    try:
        return Interop.install()
    except InteropUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"interop harness unavailable under CI: {error}", pytrace=False)
        pytest.skip(f"interop harness unavailable: {error}")


@pytest.fixture(scope="session")
def interop() -> Interop:
    """Digital Bazaar's Data Integrity verifier and jose, run by ``node`` (see ``tests/interop/harness.py``)."""
    return provide_interop()
