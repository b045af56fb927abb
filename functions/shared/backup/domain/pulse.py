"""Between the consultant's check-ins, the volunteer and the young person each get a short monthly
"hvordan går det?" email: one tap (godt, okay, svært) and an optional comment. "Svært", or a round
that neither of them answered, alerts the consultant."""

from __future__ import annotations

from typing import Any

ANSWERS = {"godt": "Godt", "okay": "Okay", "svaert": "Svært"}
PULSE_PARTIES = ("youth", "volunteer")
COMMENT_MAX = 2000


def check_pulse(form: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, str]]:
    """The answer (one of three) and an optional comment."""
    decision = form.get("decision", "")
    decision = decision if isinstance(decision, str) else ""
    comment = form.get("comment", "")
    comment = comment.strip() if isinstance(comment, str) else ""
    errors: dict[str, str] = {}
    if decision not in ANSWERS:
        errors["decision"] = "Tryk på godt, okay eller svært."
    if len(comment) > COMMENT_MAX:
        errors["comment"] = f"Skriv højst {COMMENT_MAX} tegn."
    return decision, {"comment": comment[:COMMENT_MAX]}, errors


def round_key(number: int, party: str) -> str:
    return f"{number:04d}-{party}"
