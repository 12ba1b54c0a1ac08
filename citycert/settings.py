"""Settings: one typed object read from `CITYCERT_*` environment variables.

Nothing is read at import time: call `get_settings()` where settings are needed (app factory,
CLI command, test fixture) so each gets a fresh, validated object.

Variables (all optional in development):

- `CITYCERT_DATABASE_URL`: SQLAlchemy URL; default a SQLite file `citycert.sqlite3` in the user
  data folder; PostgreSQL as `postgresql+psycopg://user@host:5432/citycert`.
- `CITYCERT_SECRET_KEY`: signs sessions and tokens; the default is a development placeholder
  that is refused when `CITYCERT_ENVIRONMENT=production`.
- `CITYCERT_ENVIRONMENT`: `development` (default), `production` or `test`.
- `CITYCERT_BASE_URL`: public address of the portal for links and QR codes; default
  `http://127.0.0.1:8000`.
- `CITYCERT_MAX_UPLOAD_BYTES`: largest accepted upload (evidence, imports); default 20 MB.
- `CITYCERT_PDF_FONT`: a TrueType font with Hangul for PDF reports (regular weight; a `Bold`
  file beside it is used for bold); default: NanumGothic from Debian's `fonts-nanum`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "CITYCERT_"

# A fixed, documented placeholder: fine on a laptop, refused in production (see _check_secret).
DEV_SECRET_KEY = "citycert-development-secret-do-not-use-in-production"


class SettingsError(ValueError):
    """A setting has a bad value; the message names the environment variable."""


def default_database_url() -> str:
    """SQLite file in the per-user data folder (the folder is created when first needed)."""
    folder = Path(platformdirs.user_data_dir("citycert"))
    return f"sqlite:///{folder / 'citycert.sqlite3'}"


class Settings(BaseSettings):
    """CityCert settings; every field maps to `CITYCERT_<FIELD>` in the environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="ignore", case_sensitive=False, frozen=True
    )

    database_url: str = Field(default_factory=default_database_url)
    secret_key: str = Field(default=DEV_SECRET_KEY, repr=False)
    environment: Literal["development", "production", "test"] = "development"
    base_url: str = "http://127.0.0.1:8000"
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    pdf_font: str | None = None

    @field_validator("database_url")
    @classmethod
    def _url_has_scheme(cls, v: str) -> str:
        v = v.strip()
        if "://" not in v:
            raise ValueError(
                "must be a database URL such as sqlite:///path/citycert.sqlite3 or "
                "postgresql+psycopg://user@host:5432/citycert"
            )
        if v.startswith("postgresql://") or v.startswith("postgres://"):
            # Use psycopg 3 (installed) rather than SQLAlchemy's psycopg2 default.
            v = "postgresql+psycopg://" + v.split("://", 1)[1]
        return v

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        v = v.strip().rstrip("/")
        if not (v.startswith("http://") or v.startswith("https://")):
            raise ValueError("must start with http:// or https://")
        return v

    @model_validator(mode="after")
    def _check_secret(self) -> Settings:
        if self.environment == "production":
            if self.secret_key == DEV_SECRET_KEY:
                raise ValueError(
                    "secret_key: the development placeholder is not allowed in production; "
                    "set a random secret, e.g. the output of "
                    "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
                )
            if len(self.secret_key) < 32:
                raise ValueError("secret_key: must be at least 32 characters in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ()) if x != "__root__"]
        msg = err.get("msg", "invalid value").removeprefix("Value error, ")
        if loc:
            lines.append(f"{ENV_PREFIX}{loc[0].upper()}: {msg}")
        elif ":" in msg:
            field, _, rest = msg.partition(":")
            lines.append(f"{ENV_PREFIX}{field.strip().upper()}:{rest}")
        else:
            lines.append(msg)
    return "invalid settings (설정값이 올바르지 않습니다):\n  " + "\n  ".join(lines)


def get_settings(**overrides: object) -> Settings:
    """A fresh Settings from the environment (overrides win); SettingsError names the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite file URL, so a first run just works."""
    if url.startswith("sqlite") and ":memory:" not in url:
        path = url.split(":///", 1)[-1].split("?", 1)[0]
        if path:
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
