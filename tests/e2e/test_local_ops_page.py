"""/_local/ops on the running local stack: a newcomer sees what ops see with backup-ops and in the console."""

import re
import uuid
from html import unescape

import pytest
import requests

import local_stack.client

pytestmark = pytest.mark.e2e


def text_of(html):
    """The page's visible text, one space between words (enough to look for phrases in table rows)."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def section(html, start, end):
    """The part of the page between two markers (so a row is checked under the right heading)."""
    begin = html.index(start)
    stop = html.find(end, begin + len(start))
    return html[begin : stop if stop != -1 else len(html)]


@pytest.fixture(scope="module")
def applied(stack):
    email = f"ops-page-{uuid.uuid4().hex[:10]}@example.org"
    application_id = stack.client.apply({**local_stack.client.SAMPLE_APPLICATION, "email": email})
    stack.client.wait_for_email(stack.consultant, f"Telefonsamtale venter på dig (ansøgning {application_id})")
    stack.client.wait_for_stage(application_id, "PHONE_SCREENING")
    return application_id


def test_the_overview_lists_the_volunteer_under_phone_screening_with_days_waiting(stack, applied):
    response = requests.get(f"{stack.web}/_local/ops", timeout=60)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    phone = section(html, '<h3 id="PHONE_SCREENING">', '<h3 id="HOME_VISIT">')
    assert f'href="/_local/ops/volunteer/{applied}"' in phone
    row = next(r for r in phone.split("<tr") if applied in r)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    days = float(cells[2])  # "Days waiting"
    assert 0 <= days < 1
    assert re.fullmatch(r"\d+ s|\d+ min", text_of(cells[3]).strip())  # waited, for people
    assert "no" in text_of(cells[5])  # needs ops: not yet
    assert "Past their stage's limit" in html and "Days waiting" in html
    # linked from the index of local pages
    assert 'href="/_local/ops"' in requests.get(f"{stack.web}/_local", timeout=30).text


def test_the_overview_as_json_has_the_volunteer(stack, applied):
    response = requests.get(f"{stack.web}/_local/ops.json", timeout=60)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    data = response.json()
    mine = [row for row in data["people"] if row["application_id"] == applied]
    assert len(mine) == 1
    assert mine[0]["stage"] == "PHONE_SCREENING" and mine[0]["kind"] == "VOLUNTEER"
    assert mine[0]["days_waiting"] >= 0 and mine[0]["needs_ops"] is None and mine[0]["escalated"] is False
    assert isinstance(data["stuck"], list) and data["limits_days"]["PHONE_SCREENING"] == 14


def test_the_detail_page_shows_history_execution_events_and_console_address(stack, applied):
    response = requests.get(f"{stack.web}/_local/ops/volunteer/{applied}", timeout=60)
    assert response.status_code == 200, response.text[:500]
    html = response.text
    text = text_of(html)
    assert f"Volunteer {applied} – Mette Hansen" in text
    history = section(html, "<h2>History", "<h2>Execution")
    assert history.index("APPLIED") < history.index("STEP_OPENED")
    execution = section(html, "<h2>Execution", "<h3>Events")
    assert "RUNNING" in execution and "Phone screening" in execution
    arn = f"arn:aws:states:eu-west-1:123456789012:execution:backup-local-volunteer:volunteer-{applied}"
    assert arn in execution
    assert (
        f"https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/{arn}"
    ) in unescape(execution)
    events = section(html, "<h3>Events", "<h3>The same")
    rows = [text_of(r) for r in events.split("<tr")[2:]]  # past the header row
    assert "ExecutionStarted" in rows[0]
    assert any("TaskStateEntered" in r and "Phone screening" in r for r in rows)
    # a person's record is escaped, never markup
    assert "<script" not in html


def test_an_unknown_id_or_kind_is_a_404_page_with_one_sentence(stack):
    response = requests.get(f"{stack.web}/_local/ops/volunteer/nobody0000", timeout=30)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "There is no volunteer with id nobody0000." in response.text
    response = requests.get(f"{stack.web}/_local/ops/youth/nobody0000", timeout=30)
    assert response.status_code == 404 and "There is no young person with id nobody0000." in response.text
    response = requests.get(f"{stack.web}/_local/ops/dragon/nobody0000", timeout=30)
    assert response.status_code == 404 and "is not a kind of record" in response.text
