"""The ``kpr`` command line: what it prints on stdout is clean, machine-readable output; logs go to stderr."""

import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from app import cli
from app.cli import main
from app.core import config
from app.core.config import Settings
from app.core.logging import configure_logging
from app.core.request_context import request_id_var
from app.demo import _print_tokens
from app.ops import problems


@pytest.fixture
def isolated_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run the CLI in an empty directory with no KPR_ settings, restoring settings caches and logging afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    monkeypatch.chdir(tmp_path)
    for name in ("KPR_JWT_SECRET", "KPR_DATABASE_URL", "KPR_JWT_AUDIENCE", "KPR_JWT_ISSUER"):
        monkeypatch.delenv(name, raising=False)
    # The defaults' files go to the data directory, never the project's own var/.
    monkeypatch.setenv("KPR_DATA_DIR", str(tmp_path / "var"))
    config.get_settings.cache_clear()
    config._dev_secret.cache_clear()
    try:
        yield tmp_path
    finally:
        config.get_settings.cache_clear()
        config._dev_secret.cache_clear()
        root.handlers[:] = handlers
        root.setLevel(level)


def test_openapi_prints_only_the_document(isolated_cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # No KPR_JWT_SECRET: a development secret is generated and a warning logged, which must not land in the JSON.
    main(["openapi"])
    out, err = capsys.readouterr()
    document = json.loads(out)
    assert document["info"]["title"] == "KPR service"
    assert "KPR_JWT_SECRET is not set" in err
    assert (isolated_cli / "var" / "dev-jwt-secret").exists()


def test_token_prints_a_token_signed_with_the_configured_secret(
    isolated_cli: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KPR_JWT_SECRET", "cli-secret-" + "z" * 32)
    org = uuid.uuid4()
    main(["token", "--org", str(org), "--sub", "zhang.wei", "--role", "admin"])
    out, _ = capsys.readouterr()
    claims = jwt.decode(out.strip(), "cli-secret-" + "z" * 32, algorithms=["HS256"])
    assert (claims["sub"], claims["org"], claims["roles"]) == ("zhang.wei", str(org), ["admin"])


def test_token_needs_an_org_unless_system(isolated_cli: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPR_JWT_SECRET", "cli-secret-" + "z" * 32)
    with pytest.raises(SystemExit):
        main(["token", "--sub", "someone"])


def test_logs_are_json_on_stderr_with_the_request_id(isolated_cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    token = request_id_var.set("req-7")
    try:
        logging.getLogger("kpr.test").warning("hello 你好")
    finally:
        request_id_var.reset(token)
    out, err = capsys.readouterr()
    assert out == ""
    record = json.loads(err.strip().splitlines()[-1])
    assert (record["level"], record["message"], record["request_id"]) == ("WARNING", "hello 你好", "req-7")


def test_errors_prints_the_catalogue(isolated_cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["errors"])
    out, _ = capsys.readouterr()
    assert out == problems.markdown()
    assert "| [`PLAN_LOCKED`](#plan-locked) | 409 |" in out


def test_demo_and_serve_print_the_url_of_the_port_they_are_given(
    isolated_cli: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    loaded: list[str] = []
    served: list[dict[str, Any]] = []

    async def fake_load_demo(settings: Settings, base_url: str) -> None:
        loaded.append(base_url)

    monkeypatch.setattr(cli, "migrate", lambda *_: None)
    monkeypatch.setattr(cli, "load_demo", fake_load_demo)
    monkeypatch.setattr(cli.uvicorn, "run", lambda *_, **kwargs: served.append(kwargs))

    main(["demo", "--port", "8080"])
    main(["serve", "--port", "8080"])
    main(["serve", "--host", "0.0.0.0", "--port", "9000"])

    assert loaded == ["http://127.0.0.1:8080"]
    assert [(call["host"], call["port"]) for call in served] == [("127.0.0.1", 8080), ("0.0.0.0", 9000)]
    err = capsys.readouterr().err
    assert "serving on http://127.0.0.1:8080: API docs http://127.0.0.1:8080/docs" in err
    assert "serving on http://127.0.0.1:9000" in err


def test_the_demo_banner_names_the_url_and_how_long_tokens_last(
    isolated_cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _print_tokens(Settings(jwt_secret="banner-" + "b" * 32), "http://127.0.0.1:8080")
    out = capsys.readouterr().out
    assert "Open http://127.0.0.1:8080/docs, click Authorize" in out
    assert "valid for 12 hours" in out
