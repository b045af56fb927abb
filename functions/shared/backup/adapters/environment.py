"""Configuration from environment variables, validated once per cold start."""

from __future__ import annotations

import os
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from backup.domain.errors import ConfigurationError

T = TypeVar("T", bound="EnvConfig")


class EnvConfig(BaseModel):
    """Fields are read from the upper-case environment variable of the same name."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def from_env(cls: type[T], environ: dict[str, str] | None = None) -> T:
        env = os.environ if environ is None else environ
        values = {name: env[name.upper()] for name in cls.model_fields if name.upper() in env}
        missing = [
            name.upper() for name, field in cls.model_fields.items() if field.is_required() and name.upper() not in env
        ]
        if missing:
            raise ConfigurationError(f"missing environment variable(s): {', '.join(missing)}")
        try:
            return cls(**values)
        except ValidationError as error:
            problems = "; ".join(f"{str(e['loc'][0]).upper()}: {e['msg']}" for e in error.errors())
            raise ConfigurationError(f"invalid environment: {problems}") from error
