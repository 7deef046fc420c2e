"""The defaults keep their files in one place (the data directory), whatever folder a command runs in: a token that
`kpr token` mints anywhere is accepted by `kpr serve` started anywhere else."""

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from app.cli import main
from app.core import config
from app.core.config import DEFAULT_DATA_DIR, PROJECT_ROOT, Settings, get_settings
from app.core.security import TOKEN_TTL, principal_from_token

ORG = "14448f76-fbc5-52d2-b7ae-b84dcab85bb0"


@pytest.fixture
def no_kpr_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No KPR_ settings; the settings caches and the logging the CLI configures are restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    for name in ("KPR_JWT_SECRET", "KPR_DATABASE_URL", "KPR_DATA_DIR", "KPR_JWT_AUDIENCE", "KPR_JWT_ISSUER"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    config._dev_secret.cache_clear()
    try:
        yield
    finally:
        get_settings.cache_clear()
        config._dev_secret.cache_clear()
        root.handlers[:] = handlers
        root.setLevel(level)


def test_the_default_data_directory_is_the_projects_var_from_any_folder(
    no_kpr_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (PROJECT_ROOT / "alembic.ini").exists()
    seen = []
    for folder in (PROJECT_ROOT, tmp_path, Path("/")):
        monkeypatch.chdir(folder)
        settings = Settings()
        seen.append((settings.data_dir, settings.database_url))
    assert seen == [(DEFAULT_DATA_DIR, f"sqlite+aiosqlite:///{PROJECT_ROOT}/var/kpr.db")] * 3


def test_a_relative_data_directory_is_anchored_once(
    no_kpr_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KPR_DATA_DIR", "data")
    settings = Settings()
    assert settings.data_dir == tmp_path / "data"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/data/kpr.db"
    assert Settings(database_url="sqlite+aiosqlite:///:memory:").database_url == "sqlite+aiosqlite:///:memory:"


async def test_a_token_minted_in_one_folder_is_accepted_by_a_server_started_in_another(
    no_kpr_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere, project = tmp_path / "elsewhere", tmp_path / "project"
    elsewhere.mkdir()
    project.mkdir()
    monkeypatch.setenv("KPR_DATA_DIR", str(tmp_path / "data"))

    monkeypatch.chdir(elsewhere)
    main(["token", "--org", ORG, "--sub", "demo.hr_mgr", "--role", "admin"])
    token = capsys.readouterr().out.strip()

    monkeypatch.chdir(project)
    get_settings.cache_clear()
    config._dev_secret.cache_clear()
    principal = await principal_from_token(get_settings(), token)
    assert principal.subject == "demo.hr_mgr"
    assert (tmp_path / "data" / "dev-jwt-secret").exists()
    assert not (elsewhere / "var").exists()
    assert not (project / "var").exists()


def test_tokens_are_valid_for_twelve_hours_unless_told(
    no_kpr_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KPR_JWT_SECRET", "lifetime-" + "s" * 32)
    assert timedelta(hours=12) == TOKEN_TTL
    for argv, hours in (([], 12), (["--hours", "1.5"], 1.5)):
        main(["token", "--org", ORG, "--sub", "demo.hr_mgr", *argv])
        claims = jwt.decode(capsys.readouterr().out.strip(), "lifetime-" + "s" * 32, algorithms=["HS256"])
        assert claims["exp"] - claims["iat"] == pytest.approx(hours * 3600, abs=1)
    with pytest.raises(SystemExit):
        main(["token", "--org", ORG, "--sub", "demo.hr_mgr", "--hours", "0"])
