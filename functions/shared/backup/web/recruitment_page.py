"""The recruitment-needs page for staff: per region, the young people who wait with no possible
volunteer within reach. Aggregates only."""

from __future__ import annotations

from backup.domain import clock
from backup.domain.recruitment import (
    MIN_PEOPLE_FOR_FREE_TEXT,
    SMALLEST_GROUP,
    Count,
    Needs,
    RecruitmentNeeds,
    shown,
    shown_days,
)
from backup.web.html import definition_list, e, layout


def _number(value: float) -> str:
    """Danish: 2,5 and 3 (not 3,0)."""
    return f"{value:g}".replace(".", ",") if value != int(value) else str(int(value))


def _days(value: float | None) -> str:
    if value is None:
        return f"vises ikke for færre end {SMALLEST_GROUP}"
    return f"{_number(value)} {'dag' if value == 1 else 'dage'}"


def _counted(counts: tuple[Count, ...], empty: str) -> str:
    if not counts:
        return f"<p>{e(empty)}</p>"
    return "<ol>" + "".join(f"<li>{e(c.label)}: {e(shown(c.count))}</li>" for c in counts) + "</ol>"


def _preferences(needs: Needs) -> str:
    preferences = needs.preferences
    gender = [f"{c.label}: {shown(c.count)}" for c in preferences.volunteer_gender]
    age = [f"{c.label}: {shown(c.count)}" for c in preferences.volunteer_age]
    return definition_list(
        [
            ("Køn", ", ".join([*gender, f"ingen præference: {shown(preferences.no_gender_preference)}"])),
            ("Alder", ", ".join([*age, f"ingen præference: {shown(preferences.no_age_preference)}"])),
        ]
    )


def _section(needs: Needs, slug: str, context: str) -> str:
    heading = f"{slug}-titel"
    figures = definition_list(
        [
            ("Venter uden frivillig inden for rækkevidde", shown(needs.without_candidates)),
            (context, shown(needs.waiting)),
            ("Længste ventetid", _days(shown_days(needs.longest_wait_days, needs.without_candidates))),
            ("Ventetid (median)", _days(shown_days(needs.median_wait_days, needs.without_candidates))),
        ]
    )
    return (
        f'<section aria-labelledby="{e(heading)}" class="box"><h2 id="{e(heading)}">{e(needs.region)}</h2>'
        f"{figures}"
        "<h3>Deres mest almindelige interesser</h3>"
        f"{_counted(needs.interests, 'Ingen interesser at vise.')}"
        "<h3>Ord, der går igen i deres ønsker</h3>"
        f"{_counted(needs.wish_words, 'Ingen ord går igen hos flere unge.')}"
        "<h3>Ønsker til den frivillige</h3>"
        f"{_preferences(needs)}</section>"
    )


def _waiting_table(needs: RecruitmentNeeds) -> str:
    rows = "".join(
        f'<tr><th scope="row">{e(w.region)}</th><td>{e(shown(w.waiting))}</td>'
        f"<td>{e(shown(w.without_candidates))}</td></tr>"
        for w in needs.waiting_per_region
    )
    return (
        '<h2 id="alle-titel">Alle unge, der venter på en frivillig</h2>'
        "<p>Til sammenligning: alle, der venter i puljen, også dem der har en mulig frivillig inden for rækkevidde "
        "og venter på næste matchning.</p>"
        '<table aria-labelledby="alle-titel"><thead><tr><th scope="col">Region</th>'
        '<th scope="col">Venter i alt</th><th scope="col">Heraf uden frivillig inden for rækkevidde</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else ""
    )


def recruitment_page(needs: RecruitmentNeeds) -> str:
    intro = (
        "<p>De unge herunder venter på en frivillig, men ved den seneste matchning var der ingen mulig frivillig "
        "inden for rækkevidde af dem. De bliver ikke matchet, før der kommer en frivillig tæt nok på. "
        "<strong>Rekruttér derfor frivillige målrettet til dem</strong>: i deres region og gerne med deres "
        "interesser og ønsker for øje.</p>"
        '<p class="hint">Siden viser kun samlede tal – ingen navne, fødselsdatoer eller postnumre, og aldrig '
        f"et helt ønske. Et tal under {SMALLEST_GROUP} står som \u201cfærre end {SMALLEST_GROUP}\u201d, og "
        f"ventetider vises kun for mindst {SMALLEST_GROUP} unge. Ord og egne interesser vises kun, når mindst "
        f"{MIN_PEOPLE_FOR_FREE_TEXT} unge har skrevet dem. Ventetiden regnes fra den dag, den unge senest kom i "
        "puljen.</p>"
        f"<p>Opgjort {clock.danish(needs.generated_at)} (dansk tid).</p>"
    )
    if needs.regions:
        body = _section(needs.total, "hele-landet", "Venter i alt på en frivillig") + "".join(
            _section(region, f"region-{index}", "Venter i alt i regionen")
            for index, region in enumerate(needs.regions, start=1)
        )
    else:
        body = (
            '<p class="box ok" role="status">Lige nu venter ingen unge uden en mulig frivillig '
            "inden for rækkevidde.</p>"
        )
    # a plain link would arrive without the sign-in token (the API refuses it): say how to ask instead
    json_link = (
        '<p class="hint">De samme tal fås som JSON på samme adresse med "?format=json" eller '
        '"Accept: application/json", sendt med dit log ind-token.</p>'
    )
    return layout("Rekrutteringsbehov", f"<h1>Rekrutteringsbehov</h1>{intro}{body}{_waiting_table(needs)}{json_link}")
