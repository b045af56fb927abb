"""What the two gathering functions build: the store, the letters and the use case, from the
template's variables. The pages' function knows the web address only from PublicBaseUrl or, when
that is empty, from the request (the API's own address): it cannot name its own API."""

from __future__ import annotations

from backup.adapters.dynamodb_gatherings import DynamoGatherings
from backup.adapters.environment import ContactConfig
from backup.adapters.ses import SesMailer
from backup.adapters.stepfunctions import StepFunctionsExecutions
from backup.adapters.telemetry import PowertoolsGatheringMeasures
from backup.domain import clock
from backup.domain.gatherings import DEFAULT_REMINDER_LEAD_SECONDS
from backup.domain.kinds import RecordKind
from backup.domain.settings import DEFAULT_RETENTION_DAYS, Settings
from backup.usecases.gatherings import Gatherings
from backup.usecases.letters import Letters


class GatheringConfig(ContactConfig):
    table_name: str
    sender_email: str
    ops_email: str
    public_base_url: str = ""
    gathering_state_machine_arn: str = ""  # the pages' function starts no runs
    gathering_reminder_lead_seconds: int = DEFAULT_REMINDER_LEAD_SECONDS
    ses_configuration_set: str = ""
    retention_days: int = DEFAULT_RETENTION_DAYS


class GatheringWiring:
    def __init__(self, config: GatheringConfig):
        self.config = config
        self.store = DynamoGatherings(config.table_name)
        self.store.retention_days = config.retention_days
        self.mailer = SesMailer(config.sender_email, configuration_set=config.ses_configuration_set)
        self.executions = StepFunctionsExecutions(config.gathering_state_machine_arn, RecordKind.VOLUNTEER)
        self._built: dict[str, Gatherings] = {}

    def gatherings(self, base_url: str | None = None) -> Gatherings:
        """The use case, writing links on `base_url` (PublicBaseUrl wins when it is set)."""
        url = self.config.public_base_url or base_url or ""
        if url not in self._built:
            # the letters need only the web address and the privacy page; no steps are opened here
            # and whom each reader can ask (their region's consultant), as every letter says
            contacts = self.config.contacts()
            settings = Settings(
                url,
                contacts.default.email,
                self.config.ops_email,
                0,
                1,
                regional_consultants=contacts.regional,
                consultant_name=contacts.default.name,
                consultant_phone=contacts.default.phone,
            )
            letters = Letters(self.store, self.mailer, settings, clock.now)
            self._built[url] = Gatherings(
                self.store,
                self.store,
                letters,
                self.executions,
                clock.now,
                self.config.gathering_reminder_lead_seconds,
                PowertoolsGatheringMeasures(),
            )
        return self._built[url]
