"""Staff views: the recruitment needs, per region, of the young people who wait with no possible
volunteer within reach. A page for staff (Danish) and the same figures as JSON. Aggregates only:
no names, birth dates or postcodes, on the page or in the logs."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from backup import clock
from backup.config import EnvConfig
from backup.pages import definition_list, e, layout
from backup.recruitment import MIN_PEOPLE_FOR_FREE_TEXT, Count, Needs, RecruitmentNeeds, recruitment_needs
from backup.repository import YOUTH, Repository
from backup.stages import Stage
from backup.web import as_json, html, wants_json


class Config(EnvConfig):
    table_name: str


config = Config.from_env()
logger = Logger()
tracer = Tracer()
app = APIGatewayHttpResolver()
repository = Repository(config.table_name)


@tracer.capture_method
def current_needs() -> RecruitmentNeeds:
    """Everyone waiting for a match (young people only) and their profiles, aggregated."""
    ids = [w.person_id for w in repository.waiting_in_stage(Stage.WAITING_FOR_MATCH) if w.kind == YOUTH]
    return recruitment_needs(repository.get_people(ids, YOUTH), clock.now())


@app.get("/recruitment")
def recruitment() -> Response:
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    asked = ((event.query_string_parameters or {}).get("format") or "").strip().lower()
    json_reply = asked == "json" or (asked != "html" and wants_json(headers))
    needs = current_needs()
    logger.info("recruitment needs shown", extra={
        "waiting": needs.total.waiting, "without_candidates": needs.total.without_candidates,
        "regions": len(needs.regions), "format": "json" if json_reply else "html"})
    if json_reply:
        return as_json(200, needs.as_dict())
    return html(200, recruitment_page(needs))


# --- the page ------------------------------------------------------------------------------------


def _number(value: float) -> str:
    """Danish: 2,5 and 3 (not 3,0)."""
    return f"{value:g}".replace(".", ",") if value != int(value) else str(int(value))


def _days(value: float) -> str:
    return f"{_number(value)} {'dag' if value == 1 else 'dage'}"


def _counted(counts: tuple[Count, ...], empty: str) -> str:
    if not counts:
        return f"<p>{e(empty)}</p>"
    return "<ol>" + "".join(f"<li>{e(c.label)}: {c.count}</li>" for c in counts) + "</ol>"


def _preferences(needs: Needs) -> str:
    preferences = needs.preferences
    gender = [f"{c.label}: {c.count}" for c in preferences.volunteer_gender]
    age = [f"{c.label}: {c.count}" for c in preferences.volunteer_age]
    return definition_list([
        ("Køn", ", ".join([*gender, f"ingen præference: {preferences.no_gender_preference}"])),
        ("Alder", ", ".join([*age, f"ingen præference: {preferences.no_age_preference}"])),
    ])


def _section(needs: Needs, slug: str, context: str) -> str:
    heading = f"{slug}-titel"
    figures = definition_list([
        ("Venter uden frivillig inden for rækkevidde", needs.without_candidates),
        (context, needs.waiting),
        ("Længste ventetid", _days(needs.longest_wait_days)),
        ("Ventetid (median)", _days(needs.median_wait_days)),
    ])
    return (
        f"<section aria-labelledby=\"{e(heading)}\" class=\"box\"><h2 id=\"{e(heading)}\">{e(needs.region)}</h2>"
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
        f"<tr><th scope=\"row\">{e(w.region)}</th><td>{w.waiting}</td><td>{w.without_candidates}</td></tr>"
        for w in needs.waiting_per_region
    )
    return (
        "<h2 id=\"alle-titel\">Alle unge, der venter på en frivillig</h2>"
        "<p>Til sammenligning: alle, der venter i puljen, også dem der har en mulig frivillig inden for rækkevidde "
        "og venter på næste matchning.</p>"
        "<table aria-labelledby=\"alle-titel\"><thead><tr><th scope=\"col\">Region</th>"
        "<th scope=\"col\">Venter i alt</th><th scope=\"col\">Heraf uden frivillig inden for rækkevidde</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
        if rows else ""
    )


def recruitment_page(needs: RecruitmentNeeds) -> str:
    at = needs.generated_at.astimezone(UTC)
    intro = (
        "<p>De unge herunder venter på en frivillig, men ved den seneste matchning var der ingen mulig frivillig "
        "inden for rækkevidde af dem. De bliver ikke matchet, før der kommer en frivillig tæt nok på. "
        "<strong>Rekruttér derfor frivillige målrettet til dem</strong>: i deres region og gerne med deres "
        "interesser og ønsker for øje.</p>"
        "<p class=\"hint\">Siden viser kun samlede tal – ingen navne, fødselsdatoer eller postnumre, og aldrig "
        f"et helt ønske. Ord og egne interesser vises kun, når mindst {MIN_PEOPLE_FOR_FREE_TEXT} unge har "
        "skrevet dem. Ventetiden regnes fra den dag, den unge senest kom i puljen.</p>"
        f"<p>Opgjort {at:%d.%m.%Y kl. %H:%M} (UTC).</p>"
    )
    if needs.regions:
        body = _section(needs.total, "hele-landet", "Venter i alt på en frivillig") + "".join(
            _section(region, f"region-{index}", "Venter i alt i regionen")
            for index, region in enumerate(needs.regions, start=1)
        )
    else:
        body = ("<p class=\"box ok\" role=\"status\">Lige nu venter ingen unge uden en mulig frivillig "
                "inden for rækkevidde.</p>")
    json_link = "<p><a href=\"?format=json\">Se de samme tal som JSON</a></p>"
    return layout("Rekrutteringsbehov", f"<h1>Rekrutteringsbehov</h1>{intro}{body}{_waiting_table(needs)}{json_link}")


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
