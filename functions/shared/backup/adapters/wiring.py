"""What every function that runs the programme's steps builds at a cold start, from its
environment: the settings, and the use cases' shared adapters (table, mail, task results, metrics)
with the human-step mechanism on top. Each handler adds its own use cases."""

from __future__ import annotations

from dataclasses import dataclass

from backup.adapters.awslambda import LambdaCourier
from backup.adapters.dynamodb import DynamoRepository
from backup.adapters.environment import ContactConfig
from backup.adapters.ses import SesMailer
from backup.adapters.telemetry import PowertoolsMetrics
from backup.domain import clock
from backup.domain.regions import parse_regional_consultants
from backup.domain.settings import (
    DEFAULT_CERTIFICATE_VALIDITY_DAYS,
    DEFAULT_OPS_WAIT_DAYS,
    DEFAULT_RUN_LIFETIME_SECONDS,
    Settings,
)
from backup.usecases.delivery import Outbox
from backup.usecases.human_steps import HumanSteps
from backup.usecases.letters import Letters
from backup.usecases.safeguards import Safeguards


class SettingsConfig(ContactConfig):
    """The template's variables for a function that sends letters about the programme's steps."""

    table_name: str
    sender_email: str
    ops_email: str
    public_base_url: str
    reminder_delay_seconds: int
    max_reminders: int
    retention_days: int
    unsuccessful_retention_days: int
    inactivity_days: int
    ops_wait_days: int = DEFAULT_OPS_WAIT_DAYS
    run_lifetime_seconds: int = DEFAULT_RUN_LIFETIME_SECONDS
    ses_configuration_set: str = ""
    certificate_validity_days: int = DEFAULT_CERTIFICATE_VALIDITY_DAYS

    def settings(self) -> Settings:
        default = self.programme_contact()
        return Settings(
            base_url=self.public_base_url,
            consultant_email=default.email,
            consultant_name=default.name,
            consultant_phone=default.phone,
            ops_email=self.ops_email,
            max_reminders=self.max_reminders,
            reminder_delay_seconds=self.reminder_delay_seconds,
            retention_days=self.retention_days,
            unsuccessful_retention_days=self.unsuccessful_retention_days,
            inactivity_days=self.inactivity_days,
            ops_wait_days=self.ops_wait_days,
            run_lifetime_seconds=self.run_lifetime_seconds,
            regional_consultants=parse_regional_consultants(self.regional_consultants),
            certificate_validity_days=self.certificate_validity_days,
        )


class ProgrammeConfig(SettingsConfig):
    """... and opens steps: task results it owes go to the links function."""

    delivery_function: str  # the links function, the only one that sends task results


@dataclass(frozen=True)
class Wiring:
    settings: Settings
    repository: DynamoRepository
    letters: Letters
    outbox: Outbox
    metrics: PowertoolsMetrics
    steps: HumanSteps
    safeguards: Safeguards

    @classmethod
    def from_config(cls, config: ProgrammeConfig) -> Wiring:
        """Only configuration happens here: every AWS client is made on its first use."""
        settings = config.settings()
        repository = DynamoRepository(config.table_name)
        letters = Letters(
            repository,
            SesMailer(config.sender_email, configuration_set=config.ses_configuration_set),
            settings,
            clock.now,
        )
        outbox, metrics = Outbox(repository, LambdaCourier(config.delivery_function), clock.now), PowertoolsMetrics()
        steps = HumanSteps(repository, letters, outbox, settings, clock.now, metrics)
        safeguards = Safeguards(repository, letters, settings, clock.now, metrics)
        return cls(settings, repository, letters, outbox, metrics, steps, safeguards)
