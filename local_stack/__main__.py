"""`python -m local_stack` (what `make run` starts): the AWS endpoint and the web pages, until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from local_stack.stack import LocalStack, PortInUse
from local_stack.template import TemplateError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local_stack", description=__doc__)
    parser.add_argument(
        "--api-port",
        type=int,
        default=int(os.environ.get("BACKUP_API_PORT", "3000")),
        help="port of the web pages (env BACKUP_API_PORT, default 3000)",
    )
    parser.add_argument(
        "--aws-port",
        type=int,
        default=int(os.environ.get("BACKUP_AWS_PORT", "4566")),
        help="port of the AWS endpoint (env BACKUP_AWS_PORT, default 4566)",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a template parameter, e.g. --param ReminderDelaySeconds=5",
    )
    parser.add_argument("--log-file", help="write the functions' logs here instead of the terminal")
    parser.add_argument("--ready-file", help="once serving, write the stack's addresses and names here as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        parameters = dict(p.split("=", 1) for p in args.param)
    except ValueError:
        print("A --param must look like NAME=VALUE, e.g. --param ReminderDelaySeconds=5.", file=sys.stderr)
        return 2
    log = open(args.log_file, "a", buffering=1, encoding="utf-8") if args.log_file else None  # noqa: SIM115
    stack = LocalStack(args.api_port, args.aws_port, parameters, log)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stack.start()
    except PortInUse as busy:
        print(busy, file=sys.stderr)
        stack.stop()
        return 1
    except TemplateError as error:
        print(f"template.yaml cannot be run locally: {error}", file=sys.stderr)
        stack.stop()
        return 1
    if args.ready_file:
        with open(args.ready_file, "w", encoding="utf-8") as ready:
            json.dump(stack.describe(), ready)
    staff = "".join(f"    {user}  {password}\n" for user, password in stack.staff_users.items())
    print(
        f"BackUp runs locally.\n"
        f"  Application form: {stack.web}/apply\n"
        f"  Staff sign-in:    {stack.web}/staff  (local users, for this machine only:)\n{staff}"
        f"  Sent emails:      {stack.web}/_local/outbox\n"
        f"  AWS endpoint:     {stack.endpoint}  (aws --endpoint-url {stack.endpoint} ...)\n"
        f"  State machine:    {stack.state_machines['VolunteerStateMachine']}\n"
        f"Press Ctrl-C to stop.",
        flush=True,
    )
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping the local stack ...", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
