"""One validated Settings object, read once from the environment (REGTL_*) and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.operations.rate_limits import parse_rate


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REGTL_", extra="ignore")

    database_url: str = "sqlite:///./data/regtimeline.db"
    # The schema owner's connection, used only by `regtl db upgrade` on PostgreSQL. When
    # set, the service's own role (REGTL_DATABASE_URL) is created and granted no more than
    # it needs: the log stays append-only even against the service itself.
    migration_database_url: str | None = None
    data_dir: Path = Path("./data")
    public_reads: bool = True
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    secret_key: str | None = None
    log_level: str = "info"
    # "json": one JSON object per line, one line per request (docs/configuration.md)
    log_format: Literal["text", "json"] = "text"
    demo_file: Path | None = None

    # Write path
    max_body_bytes: int = 64 * 1024
    max_batch_bytes: int = 4 * 1024 * 1024
    max_batch_items: int = 1000
    idempotency_ttl_seconds: int = 24 * 3600
    writer_max_group: int = 500

    # HTTP server limits (docs/configuration.md, "Limits"), enforced before anything is
    # buffered: the request line, the whole head, and how long a slow client may take.
    max_url_bytes: int = 16 * 1024
    max_header_bytes: int = 32 * 1024
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 30.0
    # Peers whose X-Forwarded-For / -Proto are believed (comma-separated addresses or
    # networks, e.g. "172.30.0.10" or "10.0.0.0/8"). Empty: the headers are ignored, so a
    # client cannot pick the address its per-client caps are counted under.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Read path
    min_position_wait_seconds: float = 5.0
    projector_poll_seconds: float = 0.5
    key_cache_seconds: float = 5.0

    # Webhooks and the live stream
    webhook_retry_schedule: str | None = None  # e.g. "0,0.2,0.5,1" (seconds) in tests
    webhook_allow_private: bool = False  # true only for local receivers (tests, demos)
    webhook_threads: int = 16
    # replay, recover, resend and ping refuse (429) beyond this many waiting deliveries
    # (pending or held) per subscription; the fan-out of new events is never capped
    webhook_max_pending_per_subscription: int = Field(100_000, ge=1)
    stream_max_per_key: int = 5
    stream_max_total: int = 200
    stream_keepalive_seconds: float = 15.0

    # Operations (docs/deploy.md, "Metrics"; docs/http.md, "Rate limits")
    # /metrics: None ("auto") is resolved by `regtl serve` from --host: on for loopback only.
    metrics: bool | None = None
    rate_limit: str | None = None  # "100/s", "6000/min", "10000/h"; None: no limit

    # PostgreSQL
    postgres_lock_timeout_seconds: int = 5
    postgres_pool_size: int = 10

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @field_validator("metrics", mode="before")
    @classmethod
    def _auto(cls, value: object) -> object:
        return None if isinstance(value, str) and value.strip().lower() in ("", "auto") else value

    @field_validator("rate_limit")
    @classmethod
    def _rate(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parse_rate(value)  # a bad value fails at start-up, not at the first request
        return value.strip()

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(
            ("postgresql://", "postgres://", "postgresql+psycopg://")
        )
