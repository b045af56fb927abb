"""/arrangementer: staff's pages for network days and supervision sessions: the list with its
measures (invited, signed up, waiting, came) per gathering and per region, the form for a new one,
and one gathering's page (who answered what, attendance, changes, cancellation). Staff see first
names only; the invited person's own link is never shown (it answers for them)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from backup.domain import clock
from backup.domain.gatherings import (
    NATIONWIDE,
    Answer,
    Audience,
    Gathering,
    GatheringDetails,
    GatheringKind,
    GatheringStatus,
    Tally,
)
from backup.domain.regions import REGIONS
from backup.web.html import checkbox_group, definition_list, e, error_summary, field_error, layout, text_field

PAGE = "/arrangementer"
TITLE = "Netværksdage og supervision"
STATUS = {GatheringStatus.OPEN: "Åben", GatheringStatus.CANCELLED: "Aflyst", GatheringStatus.CLOSED: "Holdt"}
LABELS = {
    "kind": "Slags",
    "theme": "Tema",
    "starts_at": "Begynder",
    "ends_at": "Slutter",
    "place": "Sted",
    "region": "Region",
    "capacity": "Antal pladser",
    "audiences": "Hvem inviteres",
    "supervisor": "Supervisor",
    "signup_deadline": "Svarfrist",
    "details": "Arrangementet",
    "reason": "Grund",
}
FORM_FIELDS = tuple(LABELS)[:-2]


def _local(moment: datetime) -> str:
    """A time as a datetime-local box wants it, in Danish time."""
    return moment.astimezone(clock.DANISH_TIME).strftime("%Y-%m-%dT%H:%M")


def form_values(details: GatheringDetails) -> dict[str, Any]:
    return {
        "kind": details.kind.value,
        "theme": details.theme,
        "starts_at": _local(details.starts_at),
        "ends_at": _local(details.ends_at),
        "place": details.place,
        "region": details.region or "",
        "capacity": str(details.capacity),
        "audiences": [a.value for a in details.audiences],
        "supervisor": details.supervisor or "",
        "signup_deadline": _local(details.deadline),
    }


def details_from_form(form: Mapping[str, Any]) -> dict[str, Any]:
    """The form's boxes as GatheringDetails' fields (empty boxes left out: their defaults apply)."""
    data: dict[str, Any] = {name: form.get(name) for name in FORM_FIELDS if form.get(name) not in (None, "")}
    if isinstance(data.get("audiences"), str):
        data["audiences"] = [data["audiences"]]
    return data


def _select(field: str, label: str, options: list[tuple[str, str]], chosen: str, errors: dict[str, str]) -> str:
    items = "".join(
        f'<option value="{e(value)}"{" selected" if value == chosen else ""}>{e(text)}</option>'
        for value, text in options
    )
    invalid = f' aria-invalid="true" aria-describedby="{e(field)}-error"' if field in errors else ""
    return (
        f'<div><label for="{e(field)}">{e(label)}</label>{field_error(field, errors)}'
        f'<select id="{e(field)}" name="{e(field)}"{invalid}>{items}</select></div>'
    )


def gathering_form(
    values: Mapping[str, Any], errors: dict[str, str], action: str, button: str, kind_fixed: bool
) -> str:
    kinds = [(k.value, k.label) for k in GatheringKind]
    if kind_fixed:
        kinds = [k for k in kinds if k[0] == values.get("kind")]
    audiences = [(a.value, a.label.capitalize()) for a in Audience]
    fields = [
        _select("kind", LABELS["kind"], kinds, str(values.get("kind", GatheringKind.NETWORK_DAY.value)), errors),
        text_field("theme", LABELS["theme"], dict(values), errors, maxlength=200, hint="Fx bolig, økonomi, uddannelse"),
        text_field("starts_at", LABELS["starts_at"], dict(values), errors, kind="datetime-local"),
        text_field("ends_at", LABELS["ends_at"], dict(values), errors, kind="datetime-local"),
        text_field("place", LABELS["place"], dict(values), errors, maxlength=300, hint="Adresse eller online"),
        _select(
            "region",
            LABELS["region"],
            [("", NATIONWIDE)] + [(r, r) for r in REGIONS],
            str(values.get("region", "")),
            errors,
        ),
        text_field("capacity", LABELS["capacity"], dict(values), errors, kind="number", inputmode="numeric"),
        checkbox_group(
            "audiences",
            LABELS["audiences"],
            audiences,
            values.get("audiences") or [Audience.PAIRS.value],
            errors,
            hint="Supervision er kun for frivillige.",
        ),
        text_field(
            "supervisor",
            LABELS["supervisor"],
            dict(values),
            errors,
            required=False,
            maxlength=200,
            hint="Kun ved supervision",
        ),
        text_field(
            "signup_deadline",
            LABELS["signup_deadline"],
            dict(values),
            errors,
            kind="datetime-local",
            required=False,
            hint="Tom: dagen før",
        ),
    ]
    return (
        f'<form method="post" action="{e(action)}" novalidate><input type="hidden" name="do" value="save">'
        + "".join(fields)
        + f'<button type="submit">{e(button)}</button></form>'
    )


def _scrolling(name: str) -> str:
    """A box a wide table scrolls in on a phone; reachable and named for keyboard users."""
    return f'<div style="overflow-x:auto;position:relative" tabindex="0" role="region" aria-label="{e(name)}">'


def _measures(tally: Tally) -> str:
    return (
        f"<td>{tally.invited}</td><td>{tally.signed_up}</td><td>{tally.waiting}</td>"
        f"<td>{tally.declined}</td><td>{tally.attended}</td>"
    )


_MEASURE_HEADS = "".join(
    f'<th scope="col">{h}</th>' for h in ("Inviteret", "Tilmeldt", "Venteliste", "Afmeldt", "Mødt op")
)


def list_page(rows: list[tuple[Gathering, Tally]], values: Mapping[str, Any], errors: dict[str, str]) -> str:
    if rows:
        body_rows = "".join(
            "<tr>"
            f'<td><a href="{PAGE}/{e(g.id)}">{e(g.details.theme)}</a></td>'
            f"<td>{e(g.details.kind.label)}</td><td>{e(clock.danish(g.starts_at))}</td><td>{e(g.where)}</td>"
            f"<td>{e(STATUS[g.status])}</td><td>{g.taken} af {g.details.capacity}</td>{_measures(t)}"
            "</tr>"
            for g, t in rows
        )
        regions: dict[str, Tally] = {}
        for g, t in rows:
            old = regions.get(g.where, Tally())
            regions[g.where] = Tally(**{k: getattr(old, k) + v for k, v in t.model_dump().items()})
        region_rows = "".join(f'<tr><th scope="row">{e(r)}</th>{_measures(t)}</tr>' for r, t in sorted(regions.items()))
        listing = (
            f"{_scrolling('Alle arrangementer')}<table><caption>Alle arrangementer, det første først</caption>"
            '<thead><tr><th scope="col">Tema</th><th scope="col">Slags</th><th scope="col">Begynder</th>'
            f'<th scope="col">Region</th><th scope="col">Status</th><th scope="col">Pladser</th>{_MEASURE_HEADS}'
            f"</tr></thead><tbody>{body_rows}</tbody></table></div>"
            f"{_scrolling('Pr. region')}<table><caption>Pr. region</caption>"
            f'<thead><tr><th scope="col">Region</th>{_MEASURE_HEADS}</tr></thead><tbody>{region_rows}</tbody></table></div>'
        )
    else:
        listing = "<p>Der er ingen netværksdage eller supervision endnu.</p>"
    summary = error_summary(errors, LABELS) if errors else ""
    body = (
        f'<h1>{TITLE}</h1>{listing}<h2 id="ny">Nyt arrangement</h2>'
        "<p>Når du gemmer, får alle i målgruppen en invitation med en kalenderfil og et link til at svare.</p>"
        f"{summary}{gathering_form(values, errors, PAGE, 'Opret og send invitationer', False)}"
    )
    return layout(TITLE, body)


def gathering_page(
    gathering: Gathering,
    tally: Tally,
    invited: list[tuple[str, str, Answer, bool | None]],
    now: datetime,
    values: Mapping[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
) -> str:
    """One gathering: `invited` is (person id, first name and role, answer, attended)."""
    errors = errors or {}
    details = gathering.details
    facts = definition_list(
        [
            ("Slags", details.kind.label),
            ("Begynder", clock.danish(details.starts_at)),
            ("Slutter", clock.danish(details.ends_at)),
            ("Sted", details.place),
            ("Region", gathering.where),
            ("Svarfrist", clock.danish(gathering.deadline)),
            ("Status", STATUS[gathering.status] + (f" ({gathering.cancel_reason})" if gathering.cancel_reason else "")),
            ("Pladser", f"{gathering.taken} af {details.capacity} taget"),
            (
                "Inviteret / tilmeldt / venteliste / mødt op",
                f"{tally.invited} / {tally.signed_up} / {tally.waiting} / {tally.attended}",
            ),
        ]
        + ([("Supervisor", details.supervisor)] if details.supervisor else [])
    )
    notice_html = f'<div class="box ok" role="status"><p>{e(notice)}</p></div>' if notice else ""
    if invited:
        rows = "".join(
            f"<tr><td>{e(name)}</td><td>{e(answer.label)}</td>"
            f"<td>{'Ja' if came else 'Nej' if came is False else ''}</td></tr>"
            for _, name, answer, came in invited
        )
        people = (
            f"{_scrolling('Inviterede')}<table><caption>Inviterede</caption>"
            '<thead><tr><th scope="col">Hvem</th><th scope="col">Svar</th><th scope="col">Mødt op</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>"
        )
    else:
        people = "<p>Ingen er inviteret endnu; invitationerne sendes lige efter oprettelsen.</p>"
    action = f"{PAGE}/{gathering.id}"
    parts = [f"<h1>{e(details.theme)}</h1>", notice_html, facts, people]
    if gathering.status is not GatheringStatus.CANCELLED and now >= details.starts_at:
        signed = [(pid, name) for pid, name, answer, _ in invited if answer is Answer.YES]
        came = {pid for pid, _, _, attended in invited if attended}
        if signed:
            parts.append(
                "<h2>Fremmøde</h2>"
                f'<form method="post" action="{e(action)}"><input type="hidden" name="do" value="attendance">'
                + checkbox_group("came", "Hvem kom?", signed, came, {}, hint="Sæt flueben ved dem, der mødte op.")
                + '<button type="submit">Gem fremmøde</button></form>'
            )
    if gathering.status is GatheringStatus.OPEN:
        summary = error_summary(errors, LABELS) if errors else ""
        parts.append(
            "<h2>Ret arrangementet</h2><p>Flere pladser giver dem på ventelisten plads med det samme.</p>"
            + summary
            + gathering_form(values or form_values(details), errors, action, "Gem ændringer", True)
        )
        parts.append(
            "<h2>Aflys</h2><p>Alle tilmeldte og dem på venteliste får en e-mail om aflysningen.</p>"
            f'<form method="post" action="{e(action)}"><input type="hidden" name="do" value="cancel">'
            + text_field("reason", "Grund (står i e-mailen)", {}, {}, required=False, maxlength=500)
            + '<button type="submit" class="secondary">Aflys arrangementet</button></form>'
        )
    parts.append(f'<p><a href="{PAGE}">Alle arrangementer</a></p>')
    return layout(details.theme, "".join(parts))


def confirm_cancel_page(gathering: Gathering, reason: str, told: int) -> str:
    """Asked once more before a cancellation goes out to everyone signed up or waiting."""
    action = f"{PAGE}/{gathering.id}"
    body = (
        f"<h1>Vil du aflyse {e(gathering.details.theme)}?</h1>"
        f"<p>{told} tilmeldte og på venteliste får en e-mail om aflysningen"
        + (f" med grunden: {e(reason)}" if reason else "")
        + ". Det kan ikke fortrydes.</p>"
        f'<form method="post" action="{e(action)}"><input type="hidden" name="do" value="cancel">'
        f'<input type="hidden" name="confirm" value="yes"><input type="hidden" name="reason" value="{e(reason)}">'
        '<button type="submit">Ja, aflys og send besked</button></form>'
        f'<p><a href="{e(action)}">Nej, gå tilbage</a></p>'
    )
    return layout("Aflys arrangementet", body)
