"""``kpr remind [--at]``: today's reminders and escalations for every organization, once per task and day, with a
summary line on stdout and a line per organization on stderr."""

import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cli import main
from app.core import config


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A SQLite file of its own for the CLI, with settings caches and logging restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    path = tmp_path / "remind.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KPR_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("KPR_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("KPR_JWT_SECRET", "remind-secret-" + "r" * 32)
    config.get_settings.cache_clear()
    try:
        yield path
    finally:
        config.get_settings.cache_clear()
        root.handlers[:] = handlers
        root.setLevel(level)


def count_events(path: Path, event_type: str) -> int:
    with sqlite3.connect(path) as connection:
        (count,) = connection.execute("SELECT count(*) FROM outbox_events WHERE type = ?", (event_type,)).fetchone()
    return int(count)


def test_remind_twice_a_day_sends_each_reminder_once(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo"])
    capsys.readouterr()
    at = (datetime.now(UTC) + timedelta(hours=1)).isoformat()

    main(["remind", "--at", at])
    first_out, first_err = capsys.readouterr()
    sent = count_events(database, "task.reminder")
    main(["remind", "--at", at.replace("+00:00", "Z")])
    second_out, _ = capsys.readouterr()

    assert sent > 0
    assert first_out.startswith(f"sent {sent} reminders and ")
    assert "in 1 organization as of " in first_out
    assert "[1/1] 华东精密制造有限公司: " in first_err
    assert second_out.startswith("sent 0 reminders and 0 escalations in 1 organization as of")
    assert count_events(database, "task.reminder") == sent


def test_remind_needs_an_instant_with_an_offset(database: Path) -> None:
    for wrong in ("2026-12-03T09:00:00", "tomorrow"):
        with pytest.raises(SystemExit):
            main(["remind", "--at", wrong])
