"""VAPID keys: generated once and kept in the embedded default, taken from configuration in production."""

from __future__ import annotations

import pytest

from app.config import ConfigurationError
from app.notifications import vapid


def test_the_embedded_default_generates_a_key_once_and_keeps_it(tmp_path):
    config = {"INSTANCE_DIR": str(tmp_path), "MPP_ENV": "development", "SMTP_FROM": "MPP <no-reply@mpp.example>"}
    first = vapid.keys_from_config(config)
    second = vapid.keys_from_config(config)
    assert first == second
    assert (tmp_path / vapid.KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert len(vapid.b64url_decode(first.public_key)) == 65
    assert first.subject == "mailto:no-reply@mpp.example"


def test_configured_keys_are_used_and_a_mismatched_public_key_stops_the_app(tmp_path):
    key = vapid.generate_private_key()
    config = {
        "INSTANCE_DIR": str(tmp_path),
        "MPP_ENV": "production",
        "VAPID_PRIVATE_KEY": vapid.encode_private(key),
        "VAPID_PUBLIC_KEY": vapid.encode_public(key),
        "VAPID_SUBJECT": "https://mpp.example.go.id",
    }
    keys = vapid.keys_from_config(config)
    assert keys.public_key == vapid.encode_public(key)
    assert not (tmp_path / vapid.KEY_FILE).exists()
    with pytest.raises(ConfigurationError):
        vapid.keys_from_config({**config, "VAPID_PUBLIC_KEY": vapid.encode_public(vapid.generate_private_key())})
    with pytest.raises(ConfigurationError):
        vapid.keys_from_config({**config, "VAPID_PRIVATE_KEY": "not-a-key"})
    with pytest.raises(ConfigurationError):
        vapid.keys_from_config({**config, "VAPID_SUBJECT": "admin@mpp.example"})


def test_production_without_keys_turns_push_off_instead_of_inventing_keys(tmp_path):
    assert vapid.keys_from_config({"INSTANCE_DIR": str(tmp_path), "MPP_ENV": "production"}) is None
    assert not (tmp_path / vapid.KEY_FILE).exists()


def test_flask_vapid_generate_prints_a_usable_pair(runner):
    result = runner.invoke(args=["vapid", "generate"])
    assert result.exit_code == 0
    lines = dict(line.split("=", 1) for line in result.output.splitlines() if line.startswith("MPP_"))
    private = vapid.load_private(lines["MPP_VAPID_PRIVATE_KEY"])
    assert vapid.encode_public(private) == lines["MPP_VAPID_PUBLIC_KEY"]
