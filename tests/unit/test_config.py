"""Settings: defaults, one-line errors naming the setting, and .env.example completeness."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.config import ConfigError, Settings, load_settings
from scheduler.window import parse_weekdays

ROOT = Path(__file__).resolve().parents[2]


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///tagih.db"
    assert (settings.timezone, settings.language, settings.currency) == (
        "Asia/Jakarta",
        "id",
        "IDR",
    )
    assert not settings.smtp_configured


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TAGIH_TIMEZONE", "Asia/Jakrta", "TAGIH_TIMEZONE: unknown time zone 'Asia/Jakrta'"),
        ("TAGIH_DATABASE_URL", "not a url", "TAGIH_DATABASE_URL: malformed database URL"),
        ("TAGIH_DATABASE_URL", "mysql://x/y", "TAGIH_DATABASE_URL: unsupported driver 'mysql'"),
        ("TAGIH_LANGUAGE", "fr", "TAGIH_LANGUAGE: unsupported language 'fr'"),
        ("TAGIH_SMTP_PORT", "99999", "TAGIH_SMTP_PORT:"),
        ("TAGIH_WINDOW_DAYS", "mon-funday", "TAGIH_WINDOW_DAYS: unknown weekday"),
    ],
)
def test_bad_value_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_cli_stops_with_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TAGIH_TIMEZONE", "Mars/Olympus")
    result = CliRunner().invoke(app, ["send-due"])
    assert result.exit_code == 2
    assert "TAGIH_TIMEZONE: unknown time zone 'Mars/Olympus'" in result.output


def test_env_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("TAGIH_LANGUAGE=en\nTAGIH_SMTP_PASSWORD=hunter2\n")
    settings = load_settings()
    assert settings.language == "en"
    assert "hunter2" not in repr(settings)  # secrets stay secret in logs and tracebacks


def test_env_example_documents_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*(TAGIH_[A-Z_]+)=", text, flags=re.MULTILINE))
    expected = {f"TAGIH_{name.upper()}" for name in Settings.model_fields}
    assert expected - documented == set()
    assert documented - expected == set()


def test_weekdays() -> None:
    assert parse_weekdays("mon-sat") == frozenset(range(6))
    assert parse_weekdays("mon,wed,fri") == frozenset({0, 2, 4})
    with pytest.raises(ValueError, match="backwards"):
        parse_weekdays("sat-mon")
