"""backup-ops' command line in-process against moto: tables for people, JSON for machines, one
sentence and a non-zero exit for errors."""

import io
import json
from datetime import timedelta

import pytest

from backup.domain.stages import Stage
from backup_ops import cli


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_list_prints_a_table_oldest_first(world):
    world.volunteer("newer", Stage.PHONE_SCREENING, timedelta(days=2))
    world.volunteer("oldest", Stage.PHONE_SCREENING, timedelta(days=20))
    world.volunteer("fresh", Stage.HOME_VISIT, timedelta(minutes=5))
    code, out, err = run("list", "--stack", "backup-local")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["STAGE", "ID", "WAITING", "SINCE"]
    assert [line.split()[1] for line in lines[1:4]] == ["oldest", "newer", "fresh"]
    assert "20.0 d" in lines[1] and "5 min" in lines[3]
    assert lines[-1] == "3 people."


def test_list_json_with_older_than_and_stage(world):
    world.volunteer("newer", Stage.PHONE_SCREENING, timedelta(days=2))
    world.volunteer("oldest", Stage.PHONE_SCREENING, timedelta(days=20))
    world.volunteer("visit", Stage.HOME_VISIT, timedelta(days=30))
    code, out, _ = run("--stack", "backup-local", "list", "--older-than", "10", "--json")
    assert code == 0
    assert [row["application_id"] for row in json.loads(out)] == ["oldest", "visit"]
    code, out, _ = run("list", "--stage", "home_visit", "--json", "--stack", "backup-local")
    assert [row["application_id"] for row in json.loads(out)] == ["visit"]
    code, out, _ = run("list", "--stage", "TRAINING", "--stack", "backup-local")
    assert code == 0 and out == "Nobody is waiting in TRAINING.\n"


def test_show_prints_record_history_and_console_address(world):
    world.volunteer("abc123", Stage.PHONE_SCREENING, timedelta(days=3), consultant="k@x.dk")
    arn = world.start_execution("abc123")
    code, out, err = run("show", "abc123", "--stack", "backup-local")
    assert code == 0, err
    assert out.startswith("Volunteer abc123 - Mette Hansen\n")
    assert "PHONE_SCREENING (Telefonsamtale)" in out and "k@x.dk" in out
    assert "interests" in out and "football, cooking" in out
    assert out.index("APPLIED") < out.index("STAGE_ENTERED")
    assert f"#/v2/executions/details/{arn}" in out
    code, out, _ = run("show", "abc123", "--stack", "backup-local", "--json")
    shown = json.loads(out)
    assert shown["execution"]["arn"] == arn and [e["kind"] for e in shown["history"]] == ["APPLIED", "STAGE_ENTERED"]


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_show_of_an_unknown_id_is_one_sentence_and_fails(world, json_flag):
    code, out, err = run("show", "nobody", "--stack", "backup-local", *json_flag)
    assert code != 0 and out == ""
    assert err == "backup-ops: There is no volunteer with id nobody.\n"


def test_stuck_with_limits(world):
    world.volunteer("late", Stage.PHONE_SCREENING, timedelta(days=15))
    world.volunteer("fine", Stage.PHONE_SCREENING, timedelta(days=3))
    world.volunteer("visit", Stage.HOME_VISIT, timedelta(hours=2))
    code, out, _ = run("stuck", "--stack", "backup-local", "--json")
    assert code == 0 and [r["application_id"] for r in json.loads(out)] == ["late"]
    code, out, _ = run("stuck", "--stack", "backup-local", "--limits", "PHONE_SCREENING=2,HOME_VISIT=0.01")
    assert code == 0
    assert [line.split()[1] for line in out.splitlines()[1:4]] == ["late", "fine", "visit"]
    assert out.splitlines()[0].split()[-3:] == ["LIMIT", "OVER", "BY"]
    code, out, _ = run("stuck", "--stack", "backup-local", "--limits", "PHONE_SCREENING=100,HOME_VISIT=1")
    assert out == "Nobody has waited longer than their stage's limit.\n"


def test_bad_limits_and_stages_are_usage_errors(world, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["stuck", "--limits", "NAPPING=1"])
    assert exit_.value.code == 2
    assert "'NAPPING' is not a stage" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["list", "--stage", "nowhere"])
    assert "'nowhere' is not a stage" in capsys.readouterr().err


def test_resend_prints_where_the_new_link_went(world):
    from tests.ops.test_views import FakeLambda

    world.target._clients["lambda"] = FakeLambda({"ok": True, "stage": "PHONE_SCREENING", "sent_to": "k@x.dk"})
    out = io.StringIO()
    args = cli.build_parser().parse_args(["resend", "abc"])
    cli.run(args, world.target, out)
    assert out.getvalue() == (
        "The PHONE_SCREENING link of abc was sent again: the new link went to k@x.dk (the old link no longer works).\n"
    )


def test_an_unreachable_endpoint_is_one_sentence(world):
    code, out, err = run("list", "--endpoint-url", "http://127.0.0.1:9")
    assert code == 1 and out == ""
    assert err.startswith("backup-ops: Cannot reach the AWS endpoint http://127.0.0.1:9")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
