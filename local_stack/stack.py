"""The local stack: moto as the AWS endpoint, the template's resources created in it, the
project's handlers behind every Lambda invoke, and an HTTP front door for the web pages."""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from datetime import UTC, datetime
from email import message_from_string, policy
from typing import IO, Any

import boto3
import requests
from botocore.config import Config

from local_stack import template as tpl
from local_stack.authorizer import JwtAuthorizer
from local_stack.aws_endpoint import AwsEndpoint
from local_stack.collector import COLLECTOR
from local_stack.lambdas import Lambdas
from local_stack.moto_fixes import (
    answer_item_reads_as_json,
    back_up_transactions_by_item,
    dispatch_without_repeated_lookups,
    one_client_per_service,
    one_thread_per_execution,
    parse_each_definition_once,
    parse_each_json_path_once,
    parse_each_update_expression_once,
    query_only_what_can_match,
    serialise_dynamodb_writes,
)

# Local values for the template's parameters: real addresses are not needed, and durations are
# seconds so a whole journey (with reminders) runs while you watch.
LOCAL_PARAMETERS = {
    "SenderEmail": "backup@rodekors.example",
    "ConsultantEmail": "konsulent@rodekors.example",
    "ConsultantName": "Karen Konsulent",
    "ConsultantPhone": "+45 35 25 92 00",
    # one region with its own consultant, so the routing by postcode can be seen and tested
    "RegionalConsultants": "Hovedstaden=konsulent.hovedstaden@rodekors.example;Hanne Hovedstad;+45 35 25 92 01",
    "OpsEmail": "drift@rodekors.example",
    "ReminderDelaySeconds": "120",
    "MaxReminders": "2",
    # a network day's reminder 30 s before it starts, not two days
    "GatheringReminderLeadSeconds": "30",
    # after a match: the first two check-ins a minute apart, then every five minutes
    "CheckInFirstSeconds": "60",
    "CheckInMonthlySeconds": "300",
}


class PortInUse(Exception):
    pass


def check_port_free(port: int, what: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise PortInUse(
                f"Port {port} on 127.0.0.1 ({what}) is already in use: stop whatever uses it "
                f"(perhaps another `make run`) or choose another port."
            ) from None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Outbox:
    """Every email SES accepted, read from moto's SES backend (this process hosts it)."""

    def __init__(self) -> None:
        from moto.ses import models as ses_models

        self._backend = ses_models.ses_backends[tpl.ACCOUNT_ID][tpl.REGION]
        self._sent_at: dict[str, str] = {}
        original = ses_models.SESBackend.send_raw_email
        stamps = self._sent_at

        def send_raw_email(backend: Any, *args: Any, **kwargs: Any) -> Any:
            message = original(backend, *args, **kwargs)
            stamps[message.id] = datetime.now(UTC).isoformat(timespec="milliseconds")
            return message

        ses_models.SESBackend.send_raw_email = send_raw_email  # type: ignore[method-assign,assignment]

    def messages(self) -> list[dict[str, Any]]:
        out = []
        for message in list(self._backend.sent_messages):
            raw = getattr(message, "raw_data", None)
            if raw is None:  # a simple (non-raw) email
                out.append(
                    {
                        "to": ", ".join(sum(message.destinations.values(), [])),
                        "subject": message.subject,
                        "text": message.body,
                        "html": "",
                        "sent_at": self._sent_at.get(message.id, ""),
                    }
                )
                continue
            parsed = message_from_string(raw, policy=policy.default)
            text = parsed.get_body(preferencelist=("plain",))
            html = parsed.get_body(preferencelist=("html",))
            out.append(
                {
                    "to": str(parsed["To"]),
                    "subject": str(parsed["Subject"]),
                    "text": text.get_content() if text else "",
                    "html": html.get_content() if html else "",
                    "sent_at": self._sent_at.get(message.id, ""),
                }
            )
        return out


class Faults:
    """Failures injected on purpose (POST /_local/faults), so ops' tools can be tried locally:
    the next `times` invokes of a function fail (optionally only for one task action, and only
    for one person's or proposal's `application_id`, so other journeys running meanwhile are spared)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[dict[str, Any]] = []

    def add(self, spec: dict[str, Any]) -> dict[str, Any]:
        times = int(spec.get("times", 1))
        if times < 1:
            raise ValueError("times must be at least 1")
        fault: dict[str, Any] = {
            "function": str(spec["function"]),
            "action": spec.get("action"),
            "application_id": spec.get("application_id"),
            "times": times,
            "errorType": str(spec.get("error", "InjectedFault")),
            "errorMessage": str(spec.get("message", "a failure injected through /_local/faults")),
        }
        with self._lock:
            self._pending.append(fault)
        return fault

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(f) for f in self._pending]

    def take(self, function_name: str, event: Any) -> dict[str, str] | None:
        name = function_name.rsplit(":function:", 1)[-1].split(":")[0]
        action = event.get("action") if isinstance(event, dict) else None
        # the record a task is about: a person's or a proposal's id, whichever the task carries
        about = (
            next((event[key] for key in ("person_id", "proposal_id", "record_id") if event.get(key)), None)
            if isinstance(event, dict)
            else None
        )
        with self._lock:
            for fault in self._pending:
                if (
                    name.endswith(fault["function"])
                    and fault["action"] in (None, action)
                    and fault["application_id"] in (None, about)
                ):
                    fault["times"] -= 1
                    if fault["times"] == 0:
                        self._pending.remove(fault)
                    return {"errorType": fault["errorType"], "errorMessage": fault["errorMessage"]}
        return None


class LocalStack:
    def __init__(
        self,
        api_port: int = 3000,
        aws_port: int = 4566,
        parameters: dict[str, str] | None = None,
        log: IO[str] | None = None,
    ):
        self.api_port = api_port
        self.aws_port = aws_port
        self.endpoint = f"http://127.0.0.1:{aws_port}"
        self.web = f"http://127.0.0.1:{api_port}"
        self.overrides = {**LOCAL_PARAMETERS, "PublicBaseUrl": self.web, **(parameters or {})}
        self.log = log
        self.template = tpl.load()
        self.context = tpl.Context(tpl.parameter_defaults(self.template, self.overrides))
        self._moto: Any = None
        self.lambdas: Lambdas | None = None
        self.front_door: Any = None
        self.state_machines: dict[str, str] = {}
        self.staff_users: dict[str, str] = {}  # user name -> password, for local use only
        self.authorizers: dict[str, Any] = {}
        self.faults = Faults()
        self._stopping = threading.Event()
        self._collecting = False

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        check_port_free(self.aws_port, "the AWS endpoint")
        check_port_free(self.api_port, "the web pages")
        self._start_moto()
        self._create_resources()
        specs = tpl.function_specs(self.template, self.context)
        self.lambdas = Lambdas(specs, self.endpoint, self.log)
        self.lambdas.warm()
        from local_stack.front_door import FrontDoor

        self.front_door = FrontDoor(self, specs)
        self.front_door.start()
        self._run_schedules(specs)
        COLLECTOR.start()  # full collections while the front door is idle (local_stack/collector.py)
        self._collecting = True

    def _run_schedules(self, specs: list[tpl.FunctionSpec]) -> None:
        """The template's minute schedules run here too, that many seconds apart (a scheduled
        delivery retry runs every second); hourly and daily ones (matching, the watch) do not."""
        for spec in specs:
            for schedule in spec.schedules:
                seconds = schedule.local_seconds()
                if seconds is not None:
                    threading.Thread(target=self._every, args=(spec.name, seconds, schedule), daemon=True).start()

    def _every(self, function_name: str, seconds: float, schedule: tpl.Schedule) -> None:
        while not self._stopping.wait(seconds):
            event = schedule.input or {
                "source": "aws.events",
                "detail-type": "Scheduled Event",
                "detail": {},
                "time": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            if self.lambdas is None:
                return
            try:
                self.lambdas.invoke(function_name, event)
            except RuntimeError:
                return  # the stack is stopping

    def stop(self) -> None:
        self._stopping.set()
        if self._collecting:
            self._collecting = False
            COLLECTOR.stop()
        if self.front_door is not None:
            self.front_door.stop()
        if self.lambdas is not None:
            self.lambdas.close()
        if self._moto is not None:
            self._moto.stop()

    def __enter__(self) -> LocalStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- AWS endpoint -------------------------------------------------------------------------

    def _start_moto(self) -> None:
        # moto's Step Functions engine calls "localhost:$MOTO_PORT" for every task it runs.
        os.environ["MOTO_PORT"] = str(self.aws_port)
        from moto.awslambda_simple.models import LambdaSimpleBackend

        stack = self

        def invoke(
            backend: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
        ) -> bytes:
            assert stack.lambdas is not None
            event = json.loads(body) if body else {}
            if (headers or {}).get("X-Amz-Invocation-Type") == "Event":  # asynchronous: the caller does not wait
                threading.Thread(target=stack.lambdas.invoke, args=(function_name, event), daemon=True).start()
                return b""
            fault = stack.faults.take(function_name, event)
            if fault is not None:  # a failure injected through /_local/faults, for trying ops' tools
                response_headers["x-amz-function-error"] = "Unhandled"
                return json.dumps(fault).encode()
            outcome = stack.lambdas.invoke(function_name, event)
            if outcome.ok:
                return json.dumps(outcome.result).encode()
            response_headers["x-amz-function-error"] = "Unhandled"
            error = dict(outcome.error or {})
            error.pop("stackTrace", None)
            return json.dumps(error).encode()

        LambdaSimpleBackend.invoke = invoke  # type: ignore[method-assign,assignment]
        self._fail_task_results_on_request()
        serialise_dynamodb_writes()
        back_up_transactions_by_item()
        one_thread_per_execution()
        parse_each_definition_once()
        query_only_what_can_match()
        one_client_per_service()
        dispatch_without_repeated_lookups()
        parse_each_json_path_once()
        parse_each_update_expression_once()
        answer_item_reads_as_json()
        self.outbox = Outbox()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log line per AWS call
        self._moto = AwsEndpoint(self.aws_port)  # moto, with connections kept open (local_stack/aws_endpoint.py)
        self._moto.start()
        requests.post(
            f"{self.endpoint}/moto-api/config",
            timeout=10,
            json={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}},
        )

    def _fail_task_results_on_request(self) -> None:
        """POST /_local/faults {"function": "states", "action": "SendTaskSuccess"} makes Step Functions
        refuse the next task results, as AWS does when it throttles or has a fault."""
        from moto.core.exceptions import JsonRESTError
        from moto.stepfunctions.responses import StepFunctionResponse

        faults = self.faults
        for action in ("send_task_success", "send_task_failure"):
            original = getattr(StepFunctionResponse, action)
            name = "".join(part.title() for part in action.split("_"))

            def refusing(response: Any, __original: Any = original, __name: str = name) -> Any:
                if faults.take("states", {"action": __name}) is not None:
                    raise JsonRESTError("InjectedFault", f"{__name} refused through /_local/faults")
                return __original(response)

            setattr(StepFunctionResponse, action, refusing)

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=tpl.REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 2}),
        )

    def _create_resources(self) -> None:
        t, ctx = self.template, self.context
        for name, condition in t.get("Conditions", {}).items():
            ctx.conditions[name] = ctx.condition(condition)
        stack = ctx.stack_name
        dynamodb = self.client("dynamodb")
        for logical, resource in tpl.resources_of(t, "AWS::DynamoDB::Table").items():
            props = ctx.resolve(resource["Properties"])
            name = props.get("TableName", f"{stack}-{logical}")
            arguments = tpl.table_arguments(resource, ctx)
            description = dynamodb.create_table(TableName=name, **arguments)["TableDescription"]
            if "TimeToLiveSpecification" in props:
                dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=props["TimeToLiveSpecification"])
            ctx.refs[logical] = name
            ctx.attributes[(logical, "Arn")] = description["TableArn"]
        for logical in tpl.resources_of(t, "AWS::Serverless::HttpApi"):
            ctx.refs[logical] = "local"
        sesv2, sns = self.client("sesv2"), self.client("sns")
        for logical, resource in tpl.resources_of(t, "AWS::SES::ConfigurationSet").items():
            name = ctx.resolve(resource["Properties"].get("Name", f"{stack}-{logical}"))
            sesv2.create_configuration_set(ConfigurationSetName=name)
            ctx.refs[logical] = name
        for logical in tpl.resources_of(t, "AWS::SNS::Topic"):
            ctx.refs[logical] = sns.create_topic(Name=f"{stack}-{logical}")["TopicArn"]
        self._create_staff_sign_in()
        unknown = {r["Type"] for r in t["Resources"].values()} - tpl.LOCAL_TYPES
        if unknown:
            raise tpl.TemplateError(f"resource type(s) the local stack cannot run: {', '.join(sorted(unknown))}")
        for logical in tpl.resources_of(t, "AWS::Serverless::LayerVersion"):
            ctx.refs[logical] = f"arn:aws:lambda:{tpl.REGION}:{tpl.ACCOUNT_ID}:layer:{stack}-{logical}:1"

        iam = self.client("iam")
        role_arn = iam.create_role(
            RoleName=f"{stack}-role",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "sts:AssumeRole",
                            "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
                        }
                    ],
                }
            ),
        )["Role"]["Arn"]
        awslambda = self.client("lambda")
        machines = tpl.resources_of(t, "AWS::Serverless::StateMachine")
        for logical, resource in machines.items():  # functions may name a machine: know its ARN first
            name = ctx.resolve(resource["Properties"].get("Name", f"{stack}-{logical}"))
            ctx.refs[logical] = f"arn:aws:states:{tpl.REGION}:{tpl.ACCOUNT_ID}:stateMachine:{name}"
            ctx.attributes[(logical, "Name")] = name
        functions = tpl.resources_of(t, "AWS::Serverless::Function")
        for logical in functions:
            name = f"{stack}-{logical}"
            ctx.refs[logical] = name
            ctx.attributes[(logical, "Arn")] = f"arn:aws:lambda:{tpl.REGION}:{tpl.ACCOUNT_ID}:function:{name}"
        for spec in tpl.function_specs(t, ctx):
            # registered with the template's environment, so tools that read a function's
            # configuration (backup-ops) find the table and machine as they would in AWS
            arn = awslambda.create_function(
                FunctionName=spec.name,
                Runtime=spec.runtime,
                Role=role_arn,
                Handler=spec.handler,
                Code={"ZipFile": _empty_zip()},
                Timeout=spec.timeout,
                MemorySize=spec.memory,
                Environment={"Variables": spec.environment},
            )["FunctionArn"]
            assert arn == ctx.attributes[(spec.logical_id, "Arn")], arn
        sfn = self.client("stepfunctions")
        for logical, resource in machines.items():
            name = ctx.attributes[(logical, "Name")]
            arn = sfn.create_state_machine(
                name=name,
                roleArn=role_arn,
                type=resource["Properties"].get("Type", "STANDARD"),
                definition=tpl.state_machine_definition(resource, ctx),
            )["stateMachineArn"]
            assert arn == ctx.refs[logical], (arn, ctx.refs[logical])
            self.state_machines[logical] = arn
        ses = self.client("sesv2")
        for parameter in ("SenderEmail",):
            ses.create_email_identity(EmailIdentity=ctx.parameters[parameter])
        self.client("ses").verify_email_identity(EmailAddress=ctx.parameters["SenderEmail"])

    def _create_staff_sign_in(self) -> None:
        """The Cognito user pool and app client, the HTTP API's JWT authorizers against them, and
        one staff user per consultant and ops address (random passwords, printed by `make run`)."""
        t, ctx = self.template, self.context
        cognito = self.client("cognito-idp")
        for logical, resource in tpl.resources_of(t, "AWS::Cognito::UserPool").items():
            props = ctx.resolve(resource["Properties"])
            pool = cognito.create_user_pool(
                PoolName=props.get("UserPoolName", f"{ctx.stack_name}-{logical}"),
                Policies=props.get("Policies", {}),
                UsernameAttributes=props.get("UsernameAttributes", []),
            )["UserPool"]
            ctx.refs[logical] = pool["Id"]
            ctx.attributes[(logical, "Arn")] = pool["Arn"]
            ctx.attributes[(logical, "ProviderName")] = f"cognito-idp.{tpl.REGION}.amazonaws.com/{pool['Id']}"
        for logical, resource in tpl.resources_of(t, "AWS::Cognito::UserPoolClient").items():
            props = ctx.resolve(resource["Properties"])
            client = cognito.create_user_pool_client(
                UserPoolId=props["UserPoolId"],
                ClientName=props.get("ClientName", logical),
                ExplicitAuthFlows=props.get("ExplicitAuthFlows", []),
            )["UserPoolClient"]
            ctx.refs[logical] = client["ClientId"]
        for api in tpl.resources_of(t, "AWS::Serverless::HttpApi").values():
            for name, spec in ((api["Properties"].get("Auth") or {}).get("Authorizers") or {}).items():
                jwt = ctx.resolve(spec["JwtConfiguration"])
                pool_id = str(jwt["issuer"]).rstrip("/").rsplit("/", 1)[1]
                self.authorizers[name] = JwtAuthorizer(
                    issuer=str(jwt["issuer"]),
                    audiences=[str(a) for a in jwt["audience"]],
                    jwks_url=f"{self.endpoint}/{pool_id}/.well-known/jwks.json",
                    header=str(spec.get("IdentitySource", "$request.header.Authorization")).rsplit(".", 1)[1].lower(),
                )
        pools = list(tpl.resources_of(t, "AWS::Cognito::UserPool"))
        if not pools:
            return
        pool_id = ctx.refs[pools[0]]
        staff = {ctx.parameters["ConsultantEmail"], ctx.parameters["OpsEmail"]}
        for username in sorted(staff):
            password = f"Lokal-{secrets.token_urlsafe(9)}-7a!"
            cognito.admin_create_user(
                UserPoolId=pool_id,
                Username=username,
                UserAttributes=[{"Name": "email", "Value": username}, {"Name": "email_verified", "Value": "true"}],
                MessageAction="SUPPRESS",
            )
            cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
            self.staff_users[username] = password

    def describe(self) -> dict[str, Any]:
        """Where everything is, for tests and scripts that drive a running stack."""
        return {
            "web": self.web,
            "endpoint": self.endpoint,
            "table": self.table_name,
            "state_machines": self.state_machines,
            "parameters": self.context.parameters,
            "functions": {k: v for k, v in self.context.refs.items() if k.endswith("Function")},
            "staff_users": self.staff_users,
        }

    @property
    def table_name(self) -> str:
        return self.context.refs["Table"]

    def resolved_definition(self, logical: str = "VolunteerStateMachine") -> str:
        resource = self.template["Resources"][logical]
        return tpl.state_machine_definition(resource, self.context)


def _empty_zip() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "# the local stack runs the real code from functions/\n")
    return buffer.getvalue()


def wait_until_ready(url: str, timeout: float = 60) -> None:
    import time

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")
