"""/konsulent: the signed-in consultant's open steps, oldest first, each with its link. Only first
names: the decision page behind the link shows the rest to whoever holds it."""

from __future__ import annotations

from datetime import datetime

from backup.domain import clock
from backup.domain.overview import OpenStep
from backup.web.html import e, layout


def _days(since: datetime, now: datetime) -> str:
    days = (now - since).days
    return "i dag" if days < 1 else "1 dag" if days == 1 else f"{days} dage"


def overview_page(consultant: str, steps: list[OpenStep], now: datetime) -> str:
    if not steps:
        listing = "<p>Der er ingen trin, der venter på dig lige nu.</p>"
    else:
        rows = "".join(
            "<tr>"
            f"<td>{e(step.about)}</td>"
            f"<td>{e(step.step)}</td>"
            f'<td><time datetime="{e(step.waiting_since.isoformat())}">{e(clock.danish(step.waiting_since))}</time>'
            f" ({e(_days(step.waiting_since, now))})</td>"
            f"<td>{e(clock.danish(step.expires_at))}</td>"
            f'<td><a href="/decisions/{e(step.link_id)}">Åbn {e(step.step.lower())}'
            f'<span class="visually-hidden"> for {e(step.about)}</span></a></td>'
            "</tr>"
            for step in steps
        )
        listing = (
            f"<p>{len(steps)} trin venter på dig, det ældste først.</p>"
            # a phone scrolls the table sideways rather than squeezing five columns (relative: so the
            # visually hidden texts, positioned absolutely, scroll with it instead of widening the page)
            '<div style="overflow-x:auto;position:relative"><table><caption>Dine åbne trin</caption>'
            '<thead><tr><th scope="col">Hvem</th><th scope="col">Trin</th><th scope="col">Venter siden</th>'
            '<th scope="col">Linket virker til</th><th scope="col"><span class="visually-hidden">Link</span></th>'
            f"</tr></thead><tbody>{rows}</tbody></table></div>"
        )
    body = (
        "<h1>Mine åbne trin</h1>"
        f"<p>Logget ind som {e(consultant)}. Siden viser de trin, hvor du har fået et link; "
        "et trin, der er flyttet til en anden konsulent, står hos dem.</p>"
        f"{listing}"
    )
    return layout("Mine åbne trin", body)
