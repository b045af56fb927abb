"""Configuration from environment variables, validated once per cold start."""

from __future__ import annotations

import os
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from backup.domain.errors import ConfigurationError
from backup.domain.regions import Contact, Contacts, parse_regional_consultants

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


class ContactConfig(EnvConfig):
    """Whom pages and emails name as the person to reach (the template's Globals give every
    function these): the default consultant and each region's."""

    consultant_email: str
    consultant_name: str = ""
    consultant_phone: str = ""
    regional_consultants: str = ""

    def programme_contact(self) -> Contact:
        return Contact.configured(self.consultant_email, self.consultant_name, self.consultant_phone)

    def contacts(self) -> Contacts:
        return Contacts(self.programme_contact(), parse_regional_consultants(self.regional_consultants))
