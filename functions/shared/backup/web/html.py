"""HTML pages in Danish. Everything shown is escaped here; nothing is loaded from elsewhere."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from backup.domain.applications import readable_phone
from backup.domain.regions import PROGRAMME, Contact

STYLE = """
:root{--ink:#1a1a1a;--muted:#4a4a4a;--red:#b00014;--line:#8a8a8a;--bg:#fff;--soft:#f5f3f0;--ok:#0b6b2e}
*{box-sizing:border-box}
body{margin:0;font:1.05rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
 background:var(--bg)}
header{background:var(--red);color:#fff;padding:.8rem 1rem}
header a{color:#fff}
main{max-width:44rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;line-height:1.25}
a{color:#8a0010}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;color:#000;padding:.5rem;z-index:9}
label,legend{display:block;font-weight:600;margin-top:1rem}
.hint{color:var(--muted);font-size:.95rem;margin:.15rem 0 .3rem}
input[type=text],input[type=email],input[type=tel],input[type=date],input[type=number],select,textarea{
 width:100%;font:inherit;padding:.55rem;border:2px solid var(--line);border-radius:4px;background:#fff;color:var(--ink)}
textarea{min-height:7rem}
fieldset{border:0;padding:0;margin:1rem 0 0;min-width:0}
fieldset>legend{padding:0;margin-top:0}
.choice{display:flex;gap:.5rem;align-items:flex-start;margin:.35rem 0;font-weight:400}
.choice input{width:1.3rem;height:1.3rem;margin:.15rem 0 0;flex:none}
:focus-visible{outline:3px solid #1d5fd1;outline-offset:2px}
.error{color:var(--red);font-weight:600;margin:.2rem 0}
[aria-invalid=true]{border-color:var(--red)!important}
.summary{border:3px solid var(--red);padding:.5rem 1rem;margin:1rem 0;background:#fff5f5}
.summary:focus{outline:3px solid #1d5fd1}
.box{background:var(--soft);border-radius:6px;padding:.75rem 1rem;margin:1rem 0}
.ok{border-left:6px solid var(--ok)}
button{font:inherit;font-weight:700;padding:.7rem 1.3rem;border-radius:4px;border:2px solid var(--red);
 background:var(--red);color:#fff;cursor:pointer;margin:1rem .5rem 0 0}
button.secondary{background:#fff;color:var(--red)}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
footer{max-width:44rem;margin:2rem auto 1rem;padding:0 1rem;font-size:.95rem}
dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.3rem 1rem}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem;border-bottom:1px solid #ddd;vertical-align:top}
@media (max-width:30rem){dl{grid-template-columns:1fr}dd{margin-bottom:.5rem}}
"""


# beside every notes field: notes stay internal, but the person has a right to see them (art. 15)
NOTES_HINT = "Til internt brug; personen kan få indsigt i det, så skriv sagligt."


class Html(str):
    """Markup already made safe here (a link built from escaped parts); shown as it is."""


def e(value: Any) -> str:
    """Escape anything for HTML text or attribute values; `Html` is already safe."""
    if isinstance(value, Html):
        return str(value)
    return escape("" if value is None else str(value), quote=True)


def phone_link(phone: str | None) -> Html:
    """A number a consultant can tap to call (on a phone) or read out (on a laptop); "—" if none."""
    if not phone:
        return Html("—")
    return Html(f'<a href="tel:{e(phone.replace(" ", ""))}">{e(readable_phone(phone))}</a>')


def email_link(address: str | None) -> Html:
    """An address a consultant can click to write to; "—" if none."""
    if not address:
        return Html("—")
    return Html(f'<a href="mailto:{e(address)}">{e(address)}</a>')


class _Footer:
    """Whom every page names as the person to reach, set once at a function's cold start from its
    configuration (`name_in_footer`); a page about one person may name their own consultant."""

    contact: Contact | None = None


def name_in_footer(contact: Contact) -> None:
    _Footer.contact = contact


def footer(contact: Contact | None = None) -> str:
    """Who sends the page, whom to ask (name, mail and phone as links: a page about one person names
    their own consultant, any other the programme's), and the privacy notice."""
    ask = ""
    reach = contact or _Footer.contact
    if reach is not None:
        parts = [e(reach.name)] if reach.name else []
        parts.append(str(email_link(reach.email)))
        if reach.phone:
            parts.append(f"tlf. {phone_link(reach.phone)}")
        words = "Har du spørgsmål, kan du kontakte konsulenten:" if contact else "Spørgsmål om BackUp:"
        ask = f"<p>{words} {', '.join(parts)}.</p>"
    return (
        f"<footer><p>{e(PROGRAMME)}.</p>{ask}"
        '<p><a href="/privatliv">Sådan behandler Røde Kors dine oplysninger</a></p></footer>'
    )


def layout(title: str, body: str, contact: Contact | None = None) -> str:
    return (
        '<!doctype html>\n<html lang="da"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{e(title)} – Røde Kors BackUp</title><style>{STYLE}</style></head><body>"
        '<a class="skip" href="#main">Gå til indholdet</a>'
        "<header><strong>Røde Kors · BackUp</strong></header>"
        f'<main id="main" tabindex="-1">{body}</main>'
        f"{footer(contact)}</body></html>"
    )


def message_page(title: str, message: str, extra_html: str = "", contact: Contact | None = None) -> str:
    return layout(title, f"<h1>{e(title)}</h1><p>{e(message)}</p>{extra_html}", contact)


def error_summary(errors: dict[str, str], labels: dict[str, str]) -> str:
    """The list of problems at the top; each links to its field, and it takes focus on load."""
    if not errors:
        return ""

    def item(field: str, message: str) -> str:
        label = labels.get(field, field)
        joined = f"{label} {message}" if label.endswith("?") else f"{label}: {message}"
        return f'<li><a href="#{e(field)}">{e(joined)}</a></li>'

    items = "".join(item(field, message) for field, message in errors.items())
    return (
        '<div class="summary" role="alert" tabindex="-1" id="error-summary" autofocus>'
        f"<h2>Der er {len(errors)} ting, du skal rette</h2><ul>{items}</ul></div>"
    )


def field_error(field: str, errors: dict[str, str]) -> str:
    if field not in errors:
        return ""
    return f'<p class="error" id="{e(field)}-error"><span class="visually-hidden">Fejl: </span>{e(errors[field])}</p>'


def _described_by(field: str, errors: dict[str, str], hint: bool) -> str:
    ids = ([f"{field}-hint"] if hint else []) + ([f"{field}-error"] if field in errors else [])
    invalid = ' aria-invalid="true"' if field in errors else ""
    return (f' aria-describedby="{" ".join(ids)}"' if ids else "") + invalid


def text_field(
    field: str,
    label: str,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    kind: str = "text",
    hint: str = "",
    autocomplete: str = "",
    required: bool = True,
    maxlength: int | None = None,
    multiline: bool = False,
    inputmode: str = "",
    optional: str = " (valgfrit)",  # what the label says when the field is not required
) -> str:
    value = values.get(field, "")
    attrs = _described_by(field, errors, bool(hint))
    attrs += " required" if required else ""
    attrs += f' autocomplete="{autocomplete}"' if autocomplete else ""
    attrs += f' maxlength="{maxlength}"' if maxlength else ""
    attrs += f' inputmode="{inputmode}"' if inputmode else ""
    hint_html = f'<p class="hint" id="{e(field)}-hint">{e(hint)}</p>' if hint else ""
    optional = "" if required else optional
    if multiline:
        control = f'<textarea id="{e(field)}" name="{e(field)}"{attrs}>{e(value)}</textarea>'
    else:
        control = f'<input type="{kind}" id="{e(field)}" name="{e(field)}" value="{e(value)}"{attrs}>'
    return (
        f'<div><label for="{e(field)}">{e(label)}{optional}</label>{hint_html}'
        f"{field_error(field, errors)}{control}</div>"
    )


def checkbox_group(
    field: str,
    legend: str,
    options: Iterable[tuple[str, str]],
    chosen: Iterable[str],
    errors: dict[str, str],
    hint: str = "",
    kind: str = "checkbox",
) -> str:
    chosen_set = set(chosen)
    boxes = "".join(
        f'<label class="choice"><input type="{kind}" name="{e(field)}" value="{e(value)}"'
        f"{' checked' if value in chosen_set else ''}"
        f"{' id=' + chr(34) + e(field) + chr(34) if index == 0 else ''}> {e(text)}</label>"
        for index, (value, text) in enumerate(options)
    )
    hint_html = f'<p class="hint" id="{e(field)}-hint">{e(hint)}</p>' if hint else ""
    return (
        f"<fieldset{_described_by(field, errors, bool(hint))}><legend>{e(legend)}</legend>{hint_html}"
        f"{field_error(field, errors)}{boxes}</fieldset>"
    )


def single_checkbox(field: str, text: str, values: dict[str, Any], errors: dict[str, str]) -> str:
    checked = " checked" if str(values.get(field, "")).lower() in {"yes", "on", "true", "1"} else ""
    return (
        f'<div>{field_error(field, errors)}<label class="choice"><input type="checkbox" id="{e(field)}" '
        f'name="{e(field)}" value="yes"{checked}{_described_by(field, errors, False)}> {e(text)}</label></div>'
    )


def definition_list(rows: Iterable[tuple[str, Any]]) -> str:
    return "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows) + "</dl>"
