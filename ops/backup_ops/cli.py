"""backup-ops: see and move the volunteers' running workflows from the command line.

Parsing and printing only; the data comes from backup_ops.views.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from backup.domain.kinds import RecordKind
from backup.domain.stage_limits import (
    DEFAULT_STAGE_LIMIT_DAYS,
    StageLimitError,
    format_stage_limits,
    parse_stage_limits,
)
from backup.domain.stages import Stage
from backup_ops import events, views
from backup_ops.discovery import OpsError, Target, connect, explain

DESCRIPTION = """\
See and move the BackUp volunteers' workflows: who waits where and for how long, one person's
record, history and execution, and the open step's link sent again or to another consultant.
Works against AWS with the usual credentials, and against the local stack with
--endpoint-url http://127.0.0.1:4566 (or AWS_ENDPOINT_URL)."""

EPILOG = """\
The stack defaults to BACKUP_STACK, else "backup-local" for a 127.0.0.1/localhost endpoint and
"backup" otherwise. The table and the state machine are read from the stack's functions'
configuration. resend, reassign, retry and end run in the stack's ops function and record who
asked as $USER (else the AWS identity).
Exit status: 0 done, 1 an error (one sentence on stderr), 2 wrong usage."""


def _stage(text: str) -> Stage:
    try:
        return Stage(text.strip().upper())
    except ValueError:
        known = ", ".join(stage.value for stage in views.open_stages())
        raise argparse.ArgumentTypeError(f"'{text}' is not a stage; the stages are {known}") from None


def _kind(text: str) -> RecordKind:
    try:
        return views.person_kind(text)
    except OpsError as error:
        raise argparse.ArgumentTypeError(str(error).rstrip(".")) from None


def _person_kind(text: str) -> RecordKind:
    kind = _kind(text)
    if kind is RecordKind.MATCH:
        raise argparse.ArgumentTypeError("a person is a volunteer or a youth")
    return kind


def _days(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of days") from None
    if not days >= 0 or days == float("inf"):
        raise argparse.ArgumentTypeError(f"'{text}' is not zero or more days")
    return days


def _limits(text: str) -> dict[Stage, float]:
    try:
        return {**DEFAULT_STAGE_LIMIT_DAYS, **parse_stage_limits(text)}
    except StageLimitError as error:
        raise argparse.ArgumentTypeError(str(error).rstrip(".")) from None


def _add_common(parser: argparse.ArgumentParser, top: bool) -> None:
    """The connection options and --json, accepted before and after the command."""
    default: Any = None if top else argparse.SUPPRESS
    group = parser.add_argument_group("where to look")
    group.add_argument(
        "--endpoint-url",
        default=default,
        metavar="URL",
        help="the AWS endpoint, e.g. http://127.0.0.1:4566 for the local stack (default: "
        "AWS_ENDPOINT_URL, else AWS itself)",
    )
    group.add_argument("--region", default=default, help="the AWS region (default: AWS config/env, else eu-west-1)")
    group.add_argument(
        "--stack",
        default=default,
        metavar="NAME",
        help="the stack's name (default: BACKUP_STACK, else backup / backup-local)",
    )
    parser.add_argument(
        "--json", action="store_true", default=False if top else argparse.SUPPRESS, help="print JSON instead of a table"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backup-ops", description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _add_common(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _add_common(sub, top=False)
        return sub

    listing = command("list", "people per stage, longest-waiting first, with the days they have waited")
    listing.add_argument(
        "--stage",
        type=_stage,
        action="append",
        metavar="STAGE",
        help="only this stage (repeatable; default: every stage but the final ones)",
    )
    listing.add_argument(
        "--older-than",
        type=_days,
        metavar="DAYS",
        help="only people who have waited longer than DAYS (fractions allowed)",
    )

    show = command("show", "one person's record, history, open step and execution (with its console address)")
    show.add_argument("application_id", metavar="ID")
    show.add_argument(
        "--kind",
        type=_kind,
        default=RecordKind.VOLUNTEER,
        metavar="KIND",
        help="volunteer (default), youth or match: the record's kind, as list shows it",
    )

    resend = command("resend", "send the open step's link again; the old link stops working")
    resend.add_argument("application_id", metavar="ID")
    resend.add_argument(
        "--kind",
        type=_kind,
        default=RecordKind.VOLUNTEER,
        metavar="KIND",
        help="volunteer (default) or youth: whose step it is",
    )

    reassign = command("reassign", "move the open step to another consultant; the old link stops working")
    reassign.add_argument("application_id", metavar="ID")
    reassign.add_argument(
        "--kind",
        type=_kind,
        default=RecordKind.VOLUNTEER,
        metavar="KIND",
        help="volunteer (default) or youth: whose step it is",
    )
    reassign.add_argument("--consultant", required=True, metavar="EMAIL", help="who takes over the step")

    for choice, text in (
        ("retry", "a journey waiting for ops after a failure: try the failed step again"),
        ("end", "a journey waiting for ops after a failure: end it (CLOSED)"),
    ):
        after = command(choice, text + "; the same as the retry/end link ops were emailed")
        after.add_argument("application_id", metavar="ID")
        after.add_argument(
            "--kind",
            type=_kind,
            default=RecordKind.VOLUNTEER,
            metavar="KIND",
            help="volunteer (default), youth or match: whose journey it is",
        )
        after.add_argument("--notes", default="", metavar="TEXT", help="what was fixed, or why it ends (history)")

    for name, text in (
        ("export", "everything held about a person: record, history, links, proposals, emails (GDPR art. 15/20)"),
        ("erase", "erase a person (GDPR art. 17): ends their journey, deletes their data, keeps an anonymous receipt"),
    ):
        rights = command(name, text)
        rights.add_argument("application_id", metavar="ID")
        rights.add_argument(
            "--kind",
            type=_person_kind,
            default=RecordKind.VOLUNTEER,
            metavar="KIND",
            help="volunteer (default) or youth",
        )
        if name == "erase":
            rights.add_argument("--yes", action="store_true", help="really erase (without it: what would go)")

    stuck = command("stuck", "everyone who has waited in a stage longer than its limit")
    stuck.add_argument(
        "--limits",
        type=_limits,
        default=dict(DEFAULT_STAGE_LIMIT_DAYS),
        metavar="STAGE=DAYS,...",
        help="change limits (days, fractions allowed; other stages keep theirs); default: "
        + format_stage_limits(DEFAULT_STAGE_LIMIT_DAYS),
    )
    events.add_commands(command, _add_common)
    return parser


# --- printing ------------------------------------------------------------------------------------


def waited(days: float | None) -> str:
    """A duration for people: days when it is days, else hours, minutes or seconds."""
    if days is None:
        return "-"
    seconds = days * views.SECONDS_PER_DAY
    if days >= 1:
        return f"{days:.1f} d"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def table(rows: list[list[str]], headers: list[str], out: TextIO) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    for line in [headers, *rows]:
        out.write("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=False)).rstrip() + "\n")


def print_people(rows: list[dict[str, Any]], out: TextIO, empty: str, with_limit: bool = False) -> None:
    if not rows:
        out.write(empty + "\n")
        return
    headers = ["STAGE", "ID", "WAITING", "SINCE"] + (["LIMIT", "OVER BY"] if with_limit else [])
    lines = []
    for row in rows:
        line = [row["stage"], row["application_id"], waited(row["days_waiting"]), row["stage_since"][:19] + "Z"]
        if with_limit:
            line += [waited(row["limit_days"]) if row["limit_days"] else "0", waited(row["over_by_days"])]
        lines.append(line)
    table(lines, headers, out)
    out.write(f"\n{len(rows)} {'person' if len(rows) == 1 else 'people'}.\n")


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_value(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def print_person(person: dict[str, Any], out: TextIO) -> None:
    details = person.get("details", {})
    name = " ".join(str(details.get(k, "")) for k in ("first_name", "last_name")).strip()
    noun = views.person_kind(person.get("kind", "VOLUNTEER")).noun
    out.write(f"{noun[:1].upper()}{noun[1:]} {person['application_id']}" + (f" - {name}" if name else "") + "\n\n")
    step = person.get("open_step")
    if step:
        open_text = f"{step['stage']}"
        if step.get("sent_to"):
            status = step["link_status"].lower()
            open_text += (
                f", link sent to {step['sent_to']} at {step['sent_at'][:19]}Z "
                f"({status}, expires {step['expires_at'][:19]}Z)"
            )
    else:
        open_text = "none"
    summary = [
        [
            "stage",
            f"{person['stage']} ({person['stage_label']}) since {str(person['stage_since'])[:19]}Z, "
            f"{waited(person['days_waiting'])} ago",
        ],
        ["applied", f"{str(person.get('applied_at') or '-')[:19]}Z"],
        ["consultant", person.get("consultant") or "-"],
        ["open step", open_text],
        ["reminders sent", str(person.get("reminders_sent", 0))],
        ["withdrawal", "requested" if person.get("withdrawal_requested") else "not requested"],
    ]
    table(summary, ["RECORD", ""], out)
    out.write("\n")
    table([[key, _value(value)] for key, value in details.items()], ["DETAILS", ""], out)
    out.write("\n")
    history = [
        [
            str(e.get("at", ""))[:19] + "Z",
            e.get("kind", ""),
            e.get("stage", ""),
            e.get("by", ""),
            "; ".join(
                filter(
                    None,
                    [
                        _value(e["details"]) if e.get("details") else "",
                        f"notes: {e['notes']}" if e.get("notes") else "",
                    ],
                )
            ),
        ]
        for e in person.get("history", [])
    ]
    table(history, ["HISTORY (UTC)", "EVENT", "STAGE", "BY", "DETAILS"], out)
    print_support(person.get("support"), out)
    execution = person.get("execution")
    if execution:
        out.write("\n")
        lines = [["name", execution["name"]], ["status", execution["status"]]]
        if execution.get("current_state"):
            label = "current state" if execution["status"] == "RUNNING" else "last state"
            lines.append([label, execution["current_state"]])
        if execution.get("error"):
            lines.append(["error", f"{execution['error']}: {execution.get('cause') or ''}".strip()])
        lines += [["arn", execution["arn"]], ["console", execution["console_url"]]]
        table(lines, ["EXECUTION", ""], out)


def print_support(support: dict[str, Any] | None, out: TextIO) -> None:
    """A match's support: where it stands, then the check-in timeline."""
    if not support:
        return
    out.write("\n")
    closure = support.get("closure")
    rows = [
        ["support run", support["support_execution"]],
        ["matched for", f"{support['days_matched']} days"],
        ["roles", support["roles"]],
        ["check-ins", f"{len(support['check_ins'])} recorded, {support['check_ins_missed']} missed"],
        ["next check-in", (support["next_check_in"][:19] + "Z") if support["next_check_in"] else "-"],
        ["paused", _value(support["paused"])],
        ["concerns", f"{support['concerns']}" + (" (one waits for the consultant)" if support["concern_open"] else "")],
        ["how is it going", _value(support["pulse_answers"]) or "-"],
        ["closure", f"{closure['kind']}: {closure['reason']} ({closure['by']})" if closure else "-"],
    ]
    table(rows, ["SUPPORT", ""], out)
    if support["check_ins"]:
        out.write("\n")
        timeline = [
            [c["date"], c["with"], c["how"], c["by"], c["recorded_at"][:19] + "Z"] for c in support["check_ins"]
        ]
        table(timeline, ["CHECK-IN", "WITH", "HOW", "BY", "RECORDED (UTC)"], out)


def print_stuck(rows: list[dict[str, Any]], out: TextIO) -> None:
    print_people(rows, out, "Nobody has waited longer than their stage's limit.", with_limit=True)


def print_chosen(result: dict[str, Any], out: TextIO) -> None:
    what = "will try the failed step again" if result["action"] == "retry" else "will end (CLOSED)"
    out.write(f"The journey of {result['application_id']} (waiting after '{result['failed_state']}') {what}.\n")


def print_moved(result: dict[str, Any], out: TextIO) -> None:
    verb = "sent again" if result["action"] == "resend" else "moved"
    out.write(
        f"The {result['stage']} link of {result['application_id']} was {verb}: "
        f"the new link went to {result['sent_to']} (the old link no longer works).\n"
    )


def print_export(result: dict[str, Any], out: TextIO) -> None:
    out.write(f"Everything held about {result['kind'].lower()} {result['id']} (exported {result['exported_at']}):\n\n")
    out.write("Record\n")
    for name, value in result["record"].items():
        if isinstance(value, dict):
            for key, inner in value.items():
                out.write(f"  {name}.{key}: {_value(inner)}\n")
        else:
            out.write(f"  {name}: {_value(value)}\n")
    out.write("\nHistory\n")
    for event in result["history"]:
        extra = "; ".join(f"{k}={v}" for k, v in (event.get("details") or {}).items())
        notes = f" notes: {event['notes']}" if event.get("notes") else ""
        out.write(f"  {event['at']}  {event['kind']}  {event.get('by') or ''}  {extra}{notes}\n")
    out.write("\nLinks\n")
    for link in result["links"]:
        out.write(f"  {link['created_at']}  {link['kind']}  to {link['sent_to']}  {link['status']}\n")
    out.write("\nProposals naming them\n")
    for proposal in result["proposals"] or []:
        out.write(f"  {proposal['proposal_id']}  {proposal['named_as']}  {proposal['stage']}\n")
    out.write("\nEmails sent\n")
    for email in result["emails"]:
        out.write(f"  {email['at']}  to {email['to']} ({email['recipient']})  {email['subject']}\n")


def print_erased(result: dict[str, Any], out: TextIO) -> None:
    out.write(
        f"{result['application_id']} is erased: {result['deleted']} items deleted, {result['scrubbed']} items "
        f"elsewhere scrubbed (they read {result['anonymous_id']} there). Their journey ends through its Withdrawn "
        "branch within a minute.\n"
    )


# --- running -------------------------------------------------------------------------------------


def run(args: argparse.Namespace, target: Target, out: TextIO) -> None:
    result: Any
    printer: Callable[[Any, TextIO], None]
    if args.command == "list":
        result = views.list_people(target, stages=args.stage, older_than_days=args.older_than)
        where = " in " + ", ".join(s.value for s in args.stage) if args.stage else ""
        longer = f" longer than {args.older_than:g} days" if args.older_than is not None else ""
        printer = lambda rows, o: print_people(rows, o, f"Nobody is waiting{where}{longer}.")  # noqa: E731
    elif args.command == "show":
        result = views.show_person(target, args.application_id, kind=args.kind)
        printer = print_person
    elif args.command == "resend":
        result = views.resend(target, args.application_id, kind=args.kind)
        printer = print_moved
    elif args.command == "reassign":
        result = views.reassign(target, args.application_id, args.consultant, kind=args.kind)
        printer = print_moved
    elif args.command == "export":
        result = views.export(target, args.application_id, kind=args.kind)
        printer = print_export
    elif args.command == "erase":
        if not args.yes:
            preview = views.erase_preview(target, args.application_id, kind=args.kind)
            raise OpsError(
                f"Erasing {args.application_id} ends their journey and deletes their record, its "
                f"{preview['history_events']} history events and {preview['links']} links, and takes them out of "
                f"{preview['proposals_naming_them']} proposals (the other person keeps an anonymous id). "
                "It cannot be undone; run it again with --yes"
            )
        result = views.erase(target, args.application_id, kind=args.kind)
        printer = print_erased
    elif args.command == "events":
        result, printer = events.run(args, target)
    elif args.command in {"retry", "end"}:
        result = views.after_failure(target, args.application_id, args.command, args.notes, kind=args.kind)
        printer = print_chosen
    else:
        result = views.stuck(target, args.limits)

        printer = print_stuck

    if args.json:
        out.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        printer(result, out)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    endpoint_url = args.endpoint_url
    try:
        target = connect(endpoint_url=args.endpoint_url, region=args.region, stack=args.stack)
        endpoint_url = target.endpoint_url
        run(args, target, out)
    except KeyboardInterrupt:
        err.write("backup-ops: interrupted.\n")
        return 130
    except Exception as error:  # noqa: BLE001 - every failure is one sentence for ops, never a traceback
        err.write(f"backup-ops: {explain(error, endpoint_url)}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
