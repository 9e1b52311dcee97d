"""``microcred verify FILE``: the same report as the API, exit 0 only when verified."""

from __future__ import annotations

import json

import pytest

from tests.verification import foreign


@pytest.mark.parametrize("suffix", ["json", "jwt", "png", "svg", "pdf"])
def test_our_credential_verifies_in_every_form(run, build, client, tmp_path, suffix):
    credential = build.credential()
    path = tmp_path / f"credential.{suffix}"
    path.write_bytes(client.get(f"/c/{credential.uuid}.{suffix}").data)
    result = run("verify", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Verified: Every check passed.")
    assert "[     ok] proof: A valid" in result.output


def test_json_output_and_a_failing_credential_exit_non_zero(run, tmp_path):
    credential = foreign.did_key_credential()
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(credential))
    result = run("verify", "--json", str(path))
    assert result.exit_code == 0 and json.loads(result.output)["status"] == "verified"
    credential["name"] = "Forged"
    path.write_text(json.dumps(credential))
    result = run("verify", str(path))
    assert result.exit_code == 1 and result.output.startswith("Could not be verified: The signature does not match")


def test_unreadable_input_exits_2_with_the_reason(run, tmp_path):
    path = tmp_path / "nonsense.txt"
    path.write_text("hello")
    result = run("verify", str(path))
    assert result.exit_code == 2 and "neither JSON nor a VC-JWT" in result.output
    assert run("verify", str(tmp_path / "missing.json")).exit_code == 2
