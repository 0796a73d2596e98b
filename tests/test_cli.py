"""The real ``kraftsamling`` command, run as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXECUTABLE


def run(tmp_path: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KRAFTSAMLING_")}
    environment.update({"KRAFTSAMLING_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200",
                        "NO_COLOR": "1"})
    environment.update(env or {})
    return subprocess.run([EXECUTABLE, *args], input=stdin, capture_output=True, text=True,
                          env=environment, cwd=tmp_path, timeout=120, check=False)


def test_help_lists_every_subcommand(tmp_path: Path) -> None:
    result = run(tmp_path, "--help")
    assert result.returncode == 0
    for command in ("serve", "demo", "db", "users", "config", "data", "audit"):
        assert f" {command} " in result.stdout, command


def test_python_dash_m(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "kraftsamling", "--version"],
                            capture_output=True, text=True, check=False, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("kraftsamling ")


def test_commands_refuse_an_out_of_date_database(tmp_path: Path) -> None:
    result = run(tmp_path, "users", "list")
    assert result.returncode == 1
    assert "kraftsamling db upgrade" in result.stderr
    assert run(tmp_path, "db", "current").returncode == 1


def test_upgrade_add_user_import_and_verify(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    assert run(tmp_path, "db", "current").returncode == 0
    added = run(tmp_path, "users", "add", "anna", "--role", "analyst", "--password-stdin",
                stdin="ett-långt-lösenord\n")
    assert added.returncode == 0, added.stderr
    assert "anna" in run(tmp_path, "users", "list").stdout
    short = run(tmp_path, "users", "add", "bo", "--role", "analyst", "--password-stdin",
                stdin="kort\n")
    assert short.returncode == 1 and "minst 10 tecken" in short.stderr
    bad_role = run(tmp_path, "users", "add", "cia", "--role", "chef", "--password-stdin",
                   stdin="ett-långt-lösenord\n")
    assert bad_role.returncode == 1 and "Okänd roll" in bad_role.stderr

    good = tmp_path / "personer.csv"
    good.write_bytes("person_id;fodelsear;kon;stadsdel\nP1;1980;kvinna;Ryd\n".encode("cp1252"))
    imported = run(tmp_path, "data", "import", str(good), "--schema", "personer")
    assert imported.returncode == 0, imported.stderr
    assert "1 rader importerade" in imported.stdout

    bad = tmp_path / "fel.csv"
    bad.write_text("person_id;fodelsear;kon;stadsdel\nP1;1980;kvinna;Ryd\nP2;x;man;Ryd\n",
                   encoding="utf-8")
    refused = run(tmp_path, "data", "import", str(bad), "--schema", "personer")
    assert refused.returncode == 1
    assert "Rad 3, kolumn 'fodelsear'" in refused.stderr
    assert "Okänt schema" in run(tmp_path, "data", "import", str(good), "--schema", "x").stderr

    assert run(tmp_path, "audit", "verify").returncode == 0
    exported = run(tmp_path, "audit", "export", "-o", str(tmp_path / "logg.csv"))
    assert exported.returncode == 0
    log = (tmp_path / "logg.csv").read_text(encoding="utf-8-sig")
    assert ";user_created;" in log and ";import;" in log


def test_config_show_masks_secrets(tmp_path: Path) -> None:
    config = tmp_path / "kraftsamling.toml"
    config.write_text('port = 8123\ndatabase_url = "postgresql+psycopg://kalle:hemligt@db/ks"\n'
                      '[api_tokens]\nfriends = "token-som-inte-far-synas"\n', encoding="utf-8")
    result = run(tmp_path, "config", "show", env={"KRAFTSAMLING_SECRET_KEY": "supersecret"})
    assert result.returncode == 0, result.stderr
    assert "8123" in result.stdout
    assert "postgresql+psycopg://kalle:***@db/ks" in result.stdout
    for secret in ("hemligt", "supersecret", "token-som-inte-far-synas"):
        assert secret not in result.stdout
    assert "friends=***" in result.stdout


def test_environment_overrides_the_file_and_bad_values_are_named(tmp_path: Path) -> None:
    (tmp_path / "kraftsamling.toml").write_text("port = 8123\n", encoding="utf-8")
    assert "9001" in run(tmp_path, "config", "show", env={"KRAFTSAMLING_PORT": "9001"}).stdout
    bad = run(tmp_path, "config", "show", env={"KRAFTSAMLING_PORT": "inte-ett-tal"})
    assert bad.returncode == 1
    assert "port" in bad.stderr
    missing = run(tmp_path, "--config", str(tmp_path / "saknas.toml"), "config", "show")
    assert missing.returncode == 1 and "finns inte" in missing.stderr


def test_serve_refuses_an_empty_database(tmp_path: Path) -> None:
    result = run(tmp_path, "serve")
    assert result.returncode == 1
    assert "kraftsamling db upgrade" in result.stderr


def test_schemas_are_listed(tmp_path: Path) -> None:
    result = run(tmp_path, "data", "schemas")
    assert result.returncode == 0
    assert "personer" in result.stdout
    assert "födelseår eller birth_year (ett heltal)" in result.stdout
