"""Reads template.yaml so the local stack builds exactly what the template declares.

Only what the local stack needs is understood: parameters and conditions, the intrinsic
functions the template uses, functions (with Globals), their HttpApi routes, layers, tables
and state machines. Anything unknown fails loudly rather than being guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
ACCOUNT_ID = "123456789012"
REGION = "eu-west-1"

_TAGS = [
    "Ref",
    "Condition",
    "GetAtt",
    "Sub",
    "If",
    "Not",
    "Equals",
    "And",
    "Or",
    "Join",
    "Select",
    "Split",
    "FindInMap",
    "Base64",
    "GetAZs",
    "ImportValue",
]


class _Loader(yaml.SafeLoader):
    pass


def _constructor(tag: str) -> Callable[[yaml.SafeLoader, yaml.Node], dict[str, Any]]:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if tag == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            assert isinstance(node, yaml.MappingNode)
            value = loader.construct_mapping(node, deep=True)
        key = tag if tag in {"Ref", "Condition"} else f"Fn::{tag}"
        return {key: value}

    return construct


for _tag in _TAGS:
    _Loader.add_constructor(f"!{_tag}", _constructor(_tag))


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader
    return loaded


class TemplateError(Exception):
    pass


# What the local stack creates, and (second set) what only matters in AWS: alarms, the
# dashboard and the wiring of SES events and schedules, which moto cannot run.
LOCAL_TYPES = {
    "AWS::Serverless::Function",
    "AWS::Serverless::LayerVersion",
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::StateMachine",
    "AWS::DynamoDB::Table",
    "AWS::SES::ConfigurationSet",
    "AWS::SNS::Topic",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
} | {
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::SNS::Subscription",
    "AWS::SNS::TopicPolicy",
    "AWS::SES::ConfigurationSetEventDestination",
    "AWS::Events::Rule",  # runs that ended badly, told to ops (Step Functions events do not reach moto's bus)
    "AWS::Logs::LogGroup",
    "AWS::KMS::Key",
    "AWS::SQS::Queue",  # failed async invokes' destination (locally: one try, a failure only in the log)
    "AWS::SES::EmailIdentity",  # the optional sender identity (the local stack verifies the sender itself)
}


@dataclass
class Context:
    """What names resolve to: parameters, resources' physical ids and attributes, conditions."""

    parameters: dict[str, str]
    refs: dict[str, str] = field(default_factory=dict)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)
    conditions: dict[str, bool] = field(default_factory=dict)
    stack_name: str = "backup-local"

    def pseudo(self) -> dict[str, str]:
        return {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": self.stack_name,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }

    def ref(self, name: str) -> str:
        for table in (self.pseudo(), self.parameters, self.refs):
            if name in table:
                return str(table[name])
        raise TemplateError(f"!Ref {name}: not a parameter or a resource the local stack created")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                logical, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                try:
                    return self.attributes[(logical, attribute)]
                except KeyError:
                    raise TemplateError(f"!GetAtt {logical}.{attribute}: unknown to the local stack") from None
            if key == "Fn::Sub":
                text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))
                return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1), extra), text)
            if key == "Fn::If":
                name, yes, no = arg
                return self.resolve(yes if self.conditions[name] else no)
            if key == "Fn::Join":
                return str(arg[0]).join(str(self.resolve(v)) for v in arg[1])
            if key in {"Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition"}:
                return self.condition(value)
            if key.startswith("Fn::"):
                raise TemplateError(f"{key} is not understood by the local stack")
        return {k: self.resolve(v) for k, v in value.items()}

    def _sub(self, name: str, extra: dict[str, Any]) -> str:
        if name in extra:
            return str(extra[name])
        if "." in name:
            logical, attribute = name.split(".", 1)
            return str(self.resolve({"Fn::GetAtt": [logical, attribute]}))
        return self.ref(name)

    def condition(self, value: Any) -> bool:
        ((key, arg),) = value.items()
        if key == "Condition":
            return self.conditions[arg]
        if key == "Fn::Equals":
            return str(self.resolve(arg[0])) == str(self.resolve(arg[1]))
        if key == "Fn::Not":
            return not self.condition(arg[0])
        if key == "Fn::And":
            return all(self.condition(a) for a in arg)
        if key == "Fn::Or":
            return any(self.condition(a) for a in arg)
        raise TemplateError(f"condition {key} is not understood by the local stack")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as in the template, e.g. /decisions/{link_id}
    authorizer: str | None = None  # the HttpApi's authorizer the route needs (its Auth.Authorizer)

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method.upper() != self.method.upper():
            return None
        pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path)) + "$"
        found = re.match(pattern, path)
        return found.groupdict() if found else None


@dataclass
class FunctionSpec:
    logical_id: str
    name: str
    code_dir: Path
    handler: str
    runtime: str
    timeout: int
    memory: int
    environment: dict[str, str]
    layer_dirs: list[Path]
    routes: list[Route]
    schedules: list[Schedule] = field(default_factory=list)


@dataclass(frozen=True)
class Schedule:
    """A function's Schedule event: its rate, and the event it is invoked with."""

    expression: str  # e.g. rate(1 minute)
    input: dict[str, Any] | None = None

    def local_seconds(self) -> float | None:
        """How often the local stack runs it: a rate in minutes runs that many seconds apart (durations
        are seconds locally); hourly and daily schedules are not run locally."""
        found = re.fullmatch(r"rate\((\d+) minutes?\)", self.expression.strip())
        return float(found.group(1)) if found else None


def parameter_defaults(template: dict[str, Any], overrides: dict[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, spec in template.get("Parameters", {}).items():
        if name in overrides:
            values[name] = str(overrides[name])
        elif "Default" in spec:
            values[name] = str(spec["Default"])
        else:
            raise TemplateError(f"parameter {name} has no default: give it with --param {name}=VALUE")
    unknown = set(overrides) - set(values)
    if unknown:
        raise TemplateError(f"unknown template parameter(s): {', '.join(sorted(unknown))}")
    return values


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def function_specs(template: dict[str, Any], context: Context) -> list[FunctionSpec]:
    globals_ = template.get("Globals", {}).get("Function", {})
    layers = {
        k: ROOT / v["Properties"]["ContentUri"]
        for k, v in resources_of(template, "AWS::Serverless::LayerVersion").items()
    }
    specs = []
    for logical_id, resource in resources_of(template, "AWS::Serverless::Function").items():
        props = {**globals_, **resource["Properties"]}
        env = {
            **globals_.get("Environment", {}).get("Variables", {}),
            **resource["Properties"].get("Environment", {}).get("Variables", {}),
        }
        routes = [
            Route(
                event["Properties"]["Method"].upper(),
                event["Properties"]["Path"],
                (event["Properties"].get("Auth") or {}).get("Authorizer"),
            )
            for event in (props.get("Events") or {}).values()
            if event["Type"] == "HttpApi"
        ]
        schedules = [
            Schedule(
                str(event["Properties"]["Schedule"]),
                json.loads(event["Properties"]["Input"]) if "Input" in event["Properties"] else None,
            )
            for event in (props.get("Events") or {}).values()
            if event["Type"] == "Schedule"
        ]
        layer_dirs = [layers[layer["Ref"]] for layer in props.get("Layers", []) if isinstance(layer, dict)]
        specs.append(
            FunctionSpec(
                logical_id=logical_id,
                name=context.refs[logical_id],
                code_dir=ROOT / props["CodeUri"],
                handler=props["Handler"],
                runtime=props["Runtime"],
                timeout=int(props.get("Timeout", 3)),
                memory=int(props.get("MemorySize", 128)),
                environment={k: str(context.resolve(v)) for k, v in env.items()},
                layer_dirs=layer_dirs,
                routes=routes,
                schedules=schedules,
            )
        )
    return specs


def state_machine_definition(resource: dict[str, Any], context: Context) -> str:
    props = resource["Properties"]
    text = (ROOT / props["DefinitionUri"]).read_text(encoding="utf-8")
    substitutions = {k: str(context.resolve(v)) for k, v in props.get("DefinitionSubstitutions", {}).items()}
    missing = set(re.findall(r"\$\{(\w+)\}", text)) - set(substitutions)
    if missing:
        raise TemplateError(f"definition uses ${{{', '.join(sorted(missing))}}} without a substitution")
    text = re.sub(r"\$\{(\w+)\}", lambda m: substitutions[m.group(1)], text)
    json.loads(text)  # fail here, not inside the engine, if substitution broke the JSON
    return text


def table_arguments(resource: dict[str, Any], context: Context) -> dict[str, Any]:
    """create_table arguments for an AWS::DynamoDB::Table (CloudFormation spells some differently)."""
    props = context.resolve(resource["Properties"])
    create = {
        k: props[k]
        for k in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
        if k in props
    }
    if "SSESpecification" in props:
        create["SSESpecification"] = {"Enabled": props["SSESpecification"].get("SSEEnabled", False)}
    return create
