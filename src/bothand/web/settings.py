"""Settings of the web app, validated, read from the environment only when asked."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    secret_key: str = Field(min_length=32)  # signs the flow cookie; share it across workers
    content_dir: Path | None = None  # a clinic's reviewed copy of the content folder
    secure_cookies: bool = False  # set true behind HTTPS
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    flow_max_age_seconds: int = Field(default=24 * 3600, ge=60)

    @classmethod
    def from_env(cls) -> Settings:
        """``BOTHAND_SECRET_KEY`` (a random key per process when unset: fine for one
        process, not for several workers), ``BOTHAND_CONTENT_DIR``, ``BOTHAND_SECURE_COOKIES``,
        ``BOTHAND_MAX_BODY_BYTES``."""
        env = os.environ
        return cls(
            secret_key=env.get("BOTHAND_SECRET_KEY") or secrets.token_urlsafe(48),
            content_dir=Path(env["BOTHAND_CONTENT_DIR"])
            if env.get("BOTHAND_CONTENT_DIR")
            else None,
            secure_cookies=env.get("BOTHAND_SECURE_COOKIES", "").lower() in ("1", "true", "yes"),
            max_body_bytes=int(env.get("BOTHAND_MAX_BODY_BYTES", 64 * 1024)),
        )
