"""Files at rest: owner-only modes, and the pseudonym and audit keys apart from the data folder."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

from alembic import command

from kraftsamling.settings import load_settings, pseudonym_key
from kraftsamling.store.db import alembic_config
from tests.conftest import run_cli


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_installation_is_owner_only_with_keys_apart(tmp_path: Path) -> None:
    result = run_cli("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = run_cli("users", "list", cwd=tmp_path)  # opens the database, writes WAL files
    assert result.returncode == 0, result.stderr
    data, keys = tmp_path / "data", tmp_path / "data-keys"
    assert _mode(data) == 0o700
    for name in ("kraftsamling.sqlite3", "kraftsamling.sqlite3-wal", "kraftsamling.sqlite3-shm"):
        if (data / name).exists():
            assert _mode(data / name) == 0o600, name
    assert (data / "kraftsamling.sqlite3").exists()
    # The keys are not in the data folder (the unit of backup) and not derived from it.
    assert _mode(keys) == 0o700
    assert _mode(keys / "audit.key") == 0o600
    settings = load_settings(data_dir=data, secret_key="test-secret-key-0123456789")
    key = pseudonym_key(settings)
    assert _mode(keys / "pseudonym.key") == 0o600
    derived = hmac.new(b"test-secret-key-0123456789", b"pseudonyms", hashlib.sha256).digest()
    assert key != derived
    assert not any(p.name.endswith(".key") and p.name != "secret.key" for p in data.iterdir())
    other_secret = load_settings(data_dir=data, secret_key="another-secret-key-0123456789")
    assert pseudonym_key(other_secret) == key  # replacing secret.key does not touch it


def test_an_existing_folder_is_narrowed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    assert run_cli("db", "upgrade", cwd=tmp_path).returncode == 0
    assert _mode(data) == 0o700


def test_an_older_installation_keeps_its_pseudonym_key_in_its_own_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    command.upgrade(alembic_config(f"sqlite:///{data / 'kraftsamling.sqlite3'}"), "0006")
    result = run_cli("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Pseudonymnyckeln" in result.stdout
    settings = load_settings(data_dir=data, secret_key="test-secret-key-0123456789")
    derived = hmac.new(b"test-secret-key-0123456789", b"pseudonyms", hashlib.sha256).digest()
    assert pseudonym_key(settings) == derived  # existing pseudonyms stay valid
    other_secret = load_settings(data_dir=data, secret_key="a-new-secret-key-0123456789")
    assert pseudonym_key(other_secret) == derived  # and the secret key can now be replaced
