"""backup-ops events: network days and supervision sessions, created, changed, cancelled, listed
and shown (with the measures per event and per region), and attendance recorded. Each command runs
in the stack's gatherings function, so it is checked there exactly as from anywhere else."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any, TextIO

from backup_ops.discovery import OpsError, Target

GATHERINGS_FUNCTION = "GatheringsFunction"
KINDS = {"network-day": "NETWORK_DAY", "supervision": "SUPERVISION"}
AUDIENCES = {"pairs": "PAIRS", "volunteers": "VOLUNTEERS", "youth": "YOUTH"}


def _kind(text: str) -> str:
    try:
        return KINDS[text.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a kind; the kinds are {', '.join(KINDS)}") from None


def _audiences(text: str) -> list[str]:
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in AUDIENCES]
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(f"invite one or more of {', '.join(AUDIENCES)}, separated by commas")
    return [AUDIENCES[part] for part in wanted]


def _people(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def add_commands(
    command: Callable[[str, str], argparse.ArgumentParser],
    common: Callable[[argparse.ArgumentParser, bool], None],
) -> None:
    events = command("events", "network days and supervision: create, edit, cancel, list, show, attendance")
    subparsers = events.add_subparsers(dest="events_command", metavar="ACTION", required=True)

    class Actions:
        """Each action takes the connection options and --json too."""

        @staticmethod
        def add_parser(name: str, help: str) -> argparse.ArgumentParser:  # noqa: A002 - argparse's name
            parser = subparsers.add_parser(name, help=help, description=help)
            common(parser, False)
            return parser

    actions = Actions()

    def details(parser: argparse.ArgumentParser, creating: bool) -> None:
        parser.add_argument("--kind", type=_kind, required=creating, help="network-day or supervision")
        parser.add_argument("--theme", required=creating, help="what it is about (housing, money, ...)")
        parser.add_argument("--starts", required=creating, metavar="TIME", help="e.g. 2027-01-15T10:00 (Danish time)")
        parser.add_argument("--ends", required=creating, metavar="TIME", help="e.g. 2027-01-15T15:00")
        parser.add_argument("--place", required=creating, help="the address")
        parser.add_argument(
            "--area",
            help="the region it is for: Hovedstaden, Sjælland, Syddanmark, Midtjylland or Nordjylland "
            "(default: nationwide)",
        )
        parser.add_argument("--capacity", type=int, required=creating, help="how many seats")
        parser.add_argument(
            "--invite", type=_audiences, metavar="WHO", help="pairs, volunteers, youth (default: pairs; volunteers)"
        )
        parser.add_argument("--supervisor", help="the supervisor (supervision only)")
        parser.add_argument("--deadline", metavar="TIME", help="last time to answer (default: a day before)")

    details(actions.add_parser("create", help="a new network day or supervision session (invitations go out)"), True)
    edit = actions.add_parser("edit", help="change an open one (a higher capacity moves the waiting list up)")
    edit.add_argument("gathering_id", metavar="ID")
    details(edit, False)
    cancel = actions.add_parser("cancel", help="cancel it: everyone signed up or waiting is told")
    cancel.add_argument("gathering_id", metavar="ID")
    cancel.add_argument("--reason", default="", help="said in the letter")
    actions.add_parser("list", help="every one, with invitations, sign-ups and attendance, and per region")
    show = actions.add_parser("show", help="one, with its measures and who answered what")
    show.add_argument("gathering_id", metavar="ID")
    attendance = actions.add_parser("attendance", help="after it: who came (person ids)")
    attendance.add_argument("gathering_id", metavar="ID")
    attendance.add_argument("--came", type=_people, default=[], metavar="IDS", help="comma-separated person ids")
    attendance.add_argument("--absent", type=_people, default=[], metavar="IDS", help="comma-separated person ids")


def _details(args: argparse.Namespace, current: dict[str, Any] | None = None) -> dict[str, Any]:
    given = {
        "kind": args.kind,
        "theme": args.theme,
        "starts_at": args.starts,
        "ends_at": args.ends,
        "place": args.place,
        "region": args.area,
        "capacity": args.capacity,
        "audiences": args.invite,
        "supervisor": args.supervisor,
        "signup_deadline": args.deadline,
    }
    if current is None:
        if given["audiences"] is None:
            given["audiences"] = ["VOLUNTEERS"] if args.kind == "SUPERVISION" else ["PAIRS"]
        return {k: v for k, v in given.items() if v is not None}
    merged = {k: current.get(k) for k in given}
    merged["region"] = None if current.get("region") == "Hele landet" else current.get("region")
    merged.update({k: v for k, v in given.items() if v is not None})
    return {k: v for k, v in merged.items() if v is not None}


def invoke(target: Target, command: dict[str, Any]) -> dict[str, Any]:
    """One command in the gatherings function; a refusal is one sentence for ops."""
    command = {**command, "by": target.caller()}
    name = target.function_name(GATHERINGS_FUNCTION)
    response = target.client("lambda").invoke(FunctionName=name, Payload=json.dumps(command).encode())
    body = response["Payload"].read()
    try:
        answer = json.loads(body) if body else {}
    except ValueError:
        answer = {"errorMessage": body.decode(errors="replace")[:200]}
    if response.get("FunctionError") or not isinstance(answer, dict):
        raise OpsError(f"The gatherings function failed: {str(answer.get('errorMessage', 'no message')).rstrip('.')}.")
    if not answer.get("ok"):
        raise OpsError(str(answer.get("message") or "The gatherings function refused.").rstrip(".") + ".")
    return answer


def run(args: argparse.Namespace, target: Target) -> tuple[Any, Callable[[Any, TextIO], None]]:
    action = args.events_command
    if action == "create":
        return invoke(target, {"action": "create_gathering", "details": _details(args)}), print_one
    if action == "edit":
        current = invoke(target, {"action": "show_gathering", "gathering_id": args.gathering_id})["data"]
        command = {"action": "edit_gathering", "gathering_id": args.gathering_id, "details": _details(args, current)}
        return invoke(target, command), print_one
    if action == "cancel":
        command = {"action": "cancel_gathering", "gathering_id": args.gathering_id, "reason": args.reason}
        return invoke(target, command), print_one
    if action == "show":
        return invoke(target, {"action": "show_gathering", "gathering_id": args.gathering_id}), print_one
    if action == "attendance":
        came = {person: True for person in args.came} | {person: False for person in args.absent}
        if not came:
            raise OpsError("Say who came (--came) or did not (--absent).")
        command = {"action": "record_attendance", "gathering_id": args.gathering_id, "came": came}
        return invoke(target, command), print_one
    return invoke(target, {"action": "list_gatherings"}), print_list


MEASURES = ("invited", "signed_up", "waiting", "declined", "attended")


def _row(data: dict[str, Any]) -> str:
    measures = data["measures"]
    counts = " ".join(f"{measures[m]:>5}" for m in MEASURES)
    return (
        f"{data['id']:<14} {data['starts_at'][:16]:<17} {data['status']:<10} {data['region']:<12} "
        f"{data['taken']:>3}/{data['capacity']:<4} {counts}  {data['theme']}"
    )


HEADER = f"{'ID':<14} {'STARTS':<17} {'STATUS':<10} {'REGION':<12} {'SEATS':<8} " + " ".join(
    f"{m[:5].upper():>5}" for m in MEASURES
)


def print_one(result: dict[str, Any], out: TextIO) -> None:
    if result.get("message"):
        out.write(result["message"] + "\n")
    data = result.get("data") or {}
    if not data:
        return
    out.write(HEADER + "  THEME\n" + _row(data) + "\n")
    for invitation in data.get("invitations", []):
        came = {True: "came", False: "absent", None: ""}[invitation["attended"]]
        out.write(f"  {invitation['person_kind']:<10} {invitation['person_id']:<16} {invitation['answer']:<8} {came}\n")


def print_list(result: dict[str, Any], out: TextIO) -> None:
    data = result["data"]
    if not data["gatherings"]:
        out.write("There are no network days or supervision sessions.\n")
        return
    out.write(HEADER + "  THEME\n")
    for gathering in data["gatherings"]:
        out.write(_row(gathering) + "\n")
    out.write("\nPer region: " + " ".join(f"{m:>9}" for m in MEASURES) + "\n")
    for region, measures in data["regions"].items():
        out.write(f"{region:<12}" + " ".join(f"{measures.get(m, 0):>9}" for m in MEASURES) + "\n")
