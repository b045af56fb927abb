"""From a proposal to a match: the use cases behind the match state machine and its links.

A proposal is a record of its own (kind MATCH) with its own history. Claiming a young person
and a volunteer for a proposal is one conditional transaction, so nobody is ever in two open
proposals or two matches, however many matching runs overlap.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from backup import clock, emails
from backup.history import Event, EventKind
from backup.letters import send_once
from backup.links import InvalidatedLink, Link, LinkKind, LinkStatus, UsedLink, check_usable, new_link_id
from backup.proposals import Candidate, Proposal
from backup.repository import MATCH, VOLUNTEER, YOUTH, Conflict, ProfileChange, Repository, event_item, keep_until
from backup.screening import MailSender, Settings, _url, retention_expiry
from backup.stages import Stage
from backup.workflow_engine import StepNotWaiting

SYSTEM = "system"


class PersonGone(Exception):
    """One of the two left the programme (withdrew) while the proposal was open; the match
    definition catches this and lets the other return to the pool."""
LINK_DAYS = 60  # a proposal's links live as long as an introduction can reasonably take to arrange


def _outcome(answers: dict[str, str]) -> str | None:
    """The two answers' outcome: declined at the first no, both_yes when both said yes."""
    return "declined" if "no" in answers.values() else "both_yes" if len(answers) == 2 else None


def _decided(links: dict[str, Link]) -> str | None:
    """The outcome the used answer links already hold (each link is used atomically, before the
    record's `outcome` is written): declined, both_yes, or None while still waiting."""
    return _outcome({party: link.decision for party, link in links.items()
                     if link.status is LinkStatus.USED and link.decision})


def _output(decision: str) -> dict[str, Any]:
    """What a consultant's decision resumes the match with: the outcome, and the chosen volunteer."""
    output: dict[str, Any] = {"outcome": decision.split(":")[0]}
    if decision.startswith("chosen:"):
        output["volunteer_id"] = decision.split(":", 1)[1]
    return output


def _candidate_item(candidate: Candidate) -> dict[str, Any]:
    return {"volunteer_id": candidate.volunteer_id, "score": Decimal(str(round(candidate.score, 2))),
            "reason": candidate.reason}


class Matchmaking:
    def __init__(self, repository: Repository, mailer: MailSender | None, engine: Any, match_engine: Any,
                 settings: Settings | None, now: Callable[[], datetime],
                 count_metric: Callable[[str, Stage | None], None] = lambda name, stage: None):
        self.repository = repository
        self.mailer = mailer
        self.engine = engine  # resumes waits (SendTaskSuccess)
        self.match_engine = match_engine  # starts match executions
        self.settings = settings
        self.now = now
        self.count_metric = count_metric

    # --- proposals --------------------------------------------------------------------------------

    def propose(self, plans: list[Proposal]) -> list[str]:
        """Create a proposal per plan whose two people are still free; start its execution."""
        created = []
        for plan in plans:
            proposal_id = uuid.uuid4().hex[:12]
            at = self.now()
            record = {
                "pk": f"{MATCH}#{proposal_id}", "sk": "PROFILE", "application_id": proposal_id, "kind": MATCH,
                "stage": Stage.MATCH_PROPOSED.value, "stage_since": clock.iso(at), "applied_at": clock.iso(at),
                "details": {"youth_id": plan.young_id, "volunteer_id": plan.chosen.volunteer_id,
                            "chosen": _candidate_item(plan.chosen),
                            "alternatives": [_candidate_item(c) for c in plan.alternatives]},
            }
            proposed = Event(at=at, kind=EventKind.MATCH_PROPOSED, stage=Stage.MATCH_PROPOSED, by=SYSTEM,
                             details={"proposal_id": proposal_id})
            try:
                self.repository.change_people(
                    [self._claim(plan.young_id, YOUTH, Stage.WAITING_FOR_MATCH, proposal_id, proposed),
                     self._claim(plan.chosen.volunteer_id, VOLUNTEER, Stage.READY_FOR_MATCH, proposal_id, proposed)],
                    puts=(record, event_item(proposal_id, proposed, MATCH)),
                )
            except Conflict:
                continue  # one of them was claimed by an overlapping run: they are not free
            try:
                # each wait reminds (remind, nudge) after this, and gives up when its links expire
                # (LINK_DAYS): then both people go back to the pool
                self.match_engine.start(proposal_id, {
                    "remind_after_seconds": self._settings().reminder_delay_seconds,
                    # read by the definition before reminders (answers timed out after it): a proposal
                    # started while a deploy replaces the functions first still finds it; drop later
                    "wait_seconds": LINK_DAYS * 86400})
            except Exception:
                self.release(proposal_id, exclude=False, tell=False)  # no run: nobody stays held by it
                raise
            self.count_metric("MatchProposed", Stage.MATCH_PROPOSED)
            created.append(proposal_id)
        return created

    @staticmethod
    def _claim(person_id: str, kind: str, free_stage: Stage, proposal_id: str, event: Event) -> ProfileChange:
        return ProfileChange(
            person_id, kind,
            {"stage": Stage.MATCH_PROPOSED.value, "stage_since": clock.iso(event.at), "proposal_id": proposal_id},
            condition="#stage = :free AND attribute_not_exists(proposal_id)",
            condition_values={":free": free_stage.value}, condition_names={"#stage": "stage"}, event=event)

    def proposal(self, proposal_id: str) -> dict[str, Any]:
        return self.repository.get_person(proposal_id, MATCH)

    def open_proposal(self, proposal_id: str, task_token: str) -> None:
        """The consultant gets a link to choose the proposed volunteer, an alternative, or none."""
        if self._wait_again(proposal_id, LinkKind.PROPOSAL, task_token):
            return
        match = self.proposal(proposal_id)
        youth = self.repository.get_person(match["details"]["youth_id"], YOUTH)
        consultant = youth.get("consultant") or self._settings().consultant_for(youth["details"]["postcode"])
        link = self._link(LinkKind.PROPOSAL, proposal_id, consultant, task_token)
        self.repository.update_person(proposal_id, None, {"open_link_id": link.link_id, "consultant": consultant,
                                                          "reminders_sent": 0}, kind=MATCH)
        self._request(proposal_id, link)

    def choose(self, proposal_id: str, volunteer_id: str) -> dict[str, bool]:
        """Record the consultant's choice; an alternative must still be free to be claimed."""
        match = self.proposal(proposal_id)
        current = match["details"]["volunteer_id"]
        if volunteer_id == current:
            return {"ok": True}
        at = self.now()
        chosen = Event(at=at, kind=EventKind.MATCH_PROPOSED, stage=Stage.MATCH_PROPOSED, by=SYSTEM,
                       details={"proposal_id": proposal_id})
        released = Event(at=at, kind=EventKind.MATCH_RELEASED, stage=Stage.READY_FOR_MATCH, by=SYSTEM,
                         details={"proposal_id": proposal_id})
        try:
            self.repository.change_people([
                self._claim(volunteer_id, VOLUNTEER, Stage.READY_FOR_MATCH, proposal_id, chosen),
                self._release(current, VOLUNTEER, Stage.READY_FOR_MATCH, proposal_id, released),
                ProfileChange(proposal_id, MATCH, {"details.volunteer_id": volunteer_id}),
            ])
        except Conflict:
            # taken by another proposal meanwhile: the consultant chooses again, from a fresh link
            self.repository.update_person(proposal_id, None, remove=("open_link_id",), kind=MATCH)
            return {"ok": False}
        return {"ok": True}

    def still_on(self, proposal_id: str) -> dict[str, bool]:
        """Whether both people are still in the programme (one may have withdrawn meanwhile)."""
        match = self.proposal(proposal_id)
        youth = self.repository.get_person(match["details"]["youth_id"], YOUTH)
        volunteer = self.repository.get_person(match["details"]["volunteer_id"], VOLUNTEER)
        # someone who asked to withdraw is gone already, before their own run records it
        return {"ok": all(not Stage(p["stage"]).is_final and not p.get("withdrawal_requested")
                          for p in (youth, volunteer))}

    def open_intro(self, proposal_id: str, task_token: str) -> None:
        """Both are introduced; the consultant records the meeting from a link."""
        if self._wait_again(proposal_id, LinkKind.INTRO, task_token):
            return
        match = self.proposal(proposal_id)
        youth_id, volunteer_id = match["details"]["youth_id"], match["details"]["volunteer_id"]
        self._all_enter(Stage.INTRO_MEETING, EventKind.STAGE_ENTERED, youth_id, volunteer_id, proposal_id)
        link = self._link(LinkKind.INTRO, proposal_id, match["consultant"], task_token)
        self.repository.update_person(proposal_id, None, {"open_link_id": link.link_id, "reminders_sent": 0},
                                      kind=MATCH)
        self._request(proposal_id, link)

    def _request(self, proposal_id: str, link: Link) -> None:
        """Ask the consultant for the step, once per link: a retried task (SES throttled the first
        try) sends what is missing, and waiting again after a reminder sends nothing."""
        match = self.proposal(proposal_id)
        url = _url(self._settings(), f"/decisions/{link.link_id}")
        if link.kind is LinkKind.PROPOSAL:
            youth = self.repository.get_person(match["details"]["youth_id"], YOUTH)
            email = emails.proposal_request(link.sent_to, youth["details"]["first_name"], proposal_id, url)
        else:
            email = emails.intro_request(link.sent_to, proposal_id, url)
        self._mail_once(match, f"request:{link.link_id}", email, "consultant")

    def _wait_again(self, proposal_id: str, kind: LinkKind, task_token: str) -> bool:
        """After a reminder the consultant's step waits again on the same link under a new token.
        A decision made while no wait was open is delivered now. False: open the step afresh."""
        for _ in range(2):
            link_id = self.proposal(proposal_id).get("open_link_id")
            found = self.repository.get_link(link_id) if link_id else None
            if found is None or found[0].kind is not kind:
                return False
            link = found[0]
            if link.status is LinkStatus.USED and link.decision:
                self.engine.resume(task_token, _output(link.decision))
                return True
            if link.status is not LinkStatus.OPEN:
                return False
            try:
                self.repository.refresh_token(link.link_id, task_token)
            except Conflict:
                continue  # decided at this very moment: look again
            # looked at after the token is stored: a withdrawal that failed the old token (between
            # two waits) is seen here, and one that comes later fails this token
            if not self.still_on(proposal_id)["ok"]:
                raise PersonGone(proposal_id)
            self._request(proposal_id, link)  # only if a retried first attempt did not send it
            return True
        return False

    def remind(self, proposal_id: str) -> dict[str, Any]:
        """The consultant's step waited a reminder period: remind them, then tell ops once; when the
        link has expired the proposal is over (expired: both return to the pool). `seconds` is how
        long the step waits next: a reminder period, and after the escalation the link's remaining
        life, so the loop ends after a handful of rounds whatever the reminder period."""
        settings = self._settings()
        match = self.proposal(proposal_id)
        if not self.still_on(proposal_id)["ok"]:
            raise PersonGone(proposal_id)  # someone withdrew while the step waited
        again = {"expired": False, "seconds": settings.reminder_delay_seconds}
        link_id = match.get("open_link_id")
        found = self.repository.get_link(link_id) if link_id else None
        if found is None:
            return again  # the step's first attempt is still opening its link
        link, at = found[0], self.now()
        if link.status is LinkStatus.USED:
            return again  # decided meanwhile: the wait picks the decision up
        if link.status is not LinkStatus.OPEN or at >= link.expires_at:
            self.repository.invalidate_link(link.link_id, "timed_out")
            return {"expired": True, "seconds": 1}
        sent = int(match.get("reminders_sent", 0)) + 1
        if sent <= settings.max_reminders:
            self.repository.update_person(proposal_id, Event(
                at=at, kind=EventKind.REMINDER_SENT, stage=Stage(match["stage"]), by=SYSTEM,
                details={"to": link.sent_to, "number": str(sent)}), {"reminders_sent": sent}, kind=MATCH)
            self._mail(emails.proposal_reminder(link.sent_to, link.kind.value, proposal_id,
                                                _url(settings, f"/decisions/{link.link_id}"), sent),
                       proposal_id, "consultant")
            self.count_metric("ReminderSent", Stage(match["stage"]))
        elif sent == settings.max_reminders + 1:
            self.repository.update_person(proposal_id, Event(
                at=at, kind=EventKind.ESCALATED, stage=Stage(match["stage"]), by=SYSTEM,
                details={"to": settings.ops_email, "reminders": str(settings.max_reminders)}),
                {"reminders_sent": sent, "escalated": True}, kind=MATCH)
            self._mail(emails.proposal_escalation(settings.ops_email, link.kind.value, proposal_id,
                                                  settings.max_reminders), proposal_id, "ops")
            self.count_metric("StepEscalated", Stage(match["stage"]))
        if sent > settings.max_reminders:  # nobody more to tell: wait out the link
            return {"expired": False, "seconds": max(1, int((link.expires_at - at).total_seconds()) + 1)}
        return again

    def ask_both(self, proposal_id: str, task_token: str) -> None:
        """After the meeting each of them gets their own link: do you want to continue?
        After a nudge to the consultant the same links wait again under the new token."""
        match = self.proposal(proposal_id)
        if match.get("answer_links"):
            self._answers_wait_again(match, task_token)
            return
        youth = self.repository.get_person(match["details"]["youth_id"], YOUTH)["details"]
        volunteer = self.repository.get_person(match["details"]["volunteer_id"], VOLUNTEER)["details"]
        # a young person without an email answers through their contact adult
        youth_address = youth.get("email") or youth["contact_adult_email"]
        links = {}
        for party, address in (("youth", youth_address), ("volunteer", volunteer["email"])):
            link = self._link(LinkKind.CONTINUE, proposal_id, address, task_token, party=party)
            links[party] = link.link_id
        self.repository.update_person(proposal_id, None, {"answer_links": links, "answers": {}}, kind=MATCH)
        self._ask_questions(proposal_id)

    def _ask_questions(self, proposal_id: str) -> None:
        """Each of the two gets their question once: a retry after SES throttled sends what is missing."""
        match = self.proposal(proposal_id)
        links = match["answer_links"]
        youth = self.repository.get_person(match["details"]["youth_id"], YOUTH)["details"]
        volunteer = self.repository.get_person(match["details"]["volunteer_id"], VOLUNTEER)["details"]
        youth_address = youth.get("email") or youth["contact_adult_email"]
        settings = self._settings()
        self._mail_once(match, "question:youth", emails.continue_question(
            youth_address, youth["first_name"], not youth.get("email"),
            _url(settings, f"/decisions/{links['youth']}")), "youth")
        self._mail_once(match, "question:volunteer", emails.continue_question(
            volunteer["email"], volunteer["first_name"], False, _url(settings, f"/decisions/{links['volunteer']}")),
            "volunteer")

    def _answers_wait_again(self, match: dict[str, Any], task_token: str) -> None:
        """The unanswered links take the new token; an outcome reached while no wait was open
        (a no, or the second yes) is delivered now."""
        proposal_id = match["application_id"]
        for link_id in match["answer_links"].values():
            with contextlib.suppress(Conflict):  # answered at this very moment: the outcome shows below
                self.repository.refresh_token(link_id, task_token)
        if not self.still_on(proposal_id)["ok"]:  # looked at after the tokens are stored
            raise PersonGone(proposal_id)
        # from the links themselves (each used atomically), not only the record's outcome: an
        # answer being recorded right now may not have written the outcome yet
        outcome = _decided(self._answer_links(self.proposal(proposal_id)))
        if outcome:
            with contextlib.suppress(Conflict):  # the answer wrote it first
                self.repository.update_person(proposal_id, None, {"outcome": outcome},
                                              condition="attribute_not_exists(outcome)", kind=MATCH)
            with contextlib.suppress(StepNotWaiting):  # the answer found this token first
                self.engine.resume(task_token, {"outcome": outcome})
            return
        self._ask_questions(proposal_id)

    def _answer_links(self, match: dict[str, Any]) -> dict[str, Link]:
        """The two people's "continue?" links, by party, as stored now."""
        found = {party: self.repository.get_link(link_id) for party, link_id in
                 (match.get("answer_links") or {}).items()}
        return {party: f[0] for party, f in found.items() if f}

    def nudge(self, proposal_id: str) -> dict[str, Any]:
        """The two have not both answered after a reminder period: the consultant is told, once,
        who has not (they know them and can ask kindly); then the links wait out their life."""
        if not self.still_on(proposal_id)["ok"]:
            raise PersonGone(proposal_id)
        match = self.proposal(proposal_id)
        answer_links = self._answer_links(match)
        links = list(answer_links.values())
        at = self.now()
        if match.get("outcome") or _decided(answer_links) or not links:
            return {"expired": False, "seconds": 1}  # decided meanwhile: the wait picks it up at once
        expires_at = max(link.expires_at for link in links)
        if at >= expires_at:
            for link in links:
                self.repository.invalidate_link(link.link_id, "timed_out")
            return {"expired": True, "seconds": 1}
        silent = [p for p in ("youth", "volunteer") if p not in (match.get("answers") or {})]
        if silent and not match.get("nudged"):
            youth = self.repository.get_person(match["details"]["youth_id"], YOUTH)["details"]
            # sent once even if SES throttles and the task is retried; recorded after it went
            self._mail_once(match, "nudge", emails.answers_missing(
                match["consultant"], proposal_id, silent, youth_via_contact_adult=not youth.get("email"),
                expires=expires_at.astimezone(clock.DANISH_TIME).date()), "consultant")
            self.repository.update_person(proposal_id, Event(
                at=at, kind=EventKind.REMINDER_SENT, stage=Stage.INTRO_MEETING, by=SYSTEM,
                details={"to": match["consultant"], "waiting_for": ",".join(silent)}), {"nudged": True}, kind=MATCH)
            self.count_metric("ReminderSent", Stage.INTRO_MEETING)
        return {"expired": False, "seconds": max(1, int((expires_at - at).total_seconds()) + 1)}

    def matched(self, proposal_id: str) -> None:
        """Both said yes: both are matched, told, the contact adult informed, their journeys end."""
        match = self.proposal(proposal_id)
        youth_id, volunteer_id = match["details"]["youth_id"], match["details"]["volunteer_id"]
        if match["stage"] != Stage.MATCHED.value:  # a retried task has recorded it already
            self._all_enter(Stage.MATCHED, EventKind.MATCHED, youth_id, volunteer_id, proposal_id)
            self.count_metric("Matched", Stage.MATCHED)
        youth = self.repository.get_person(youth_id, YOUTH)
        volunteer = self.repository.get_person(volunteer_id, VOLUNTEER)
        for person in (youth, volunteer):  # their journeys end first: an email may be throttled
            if person.get("match_token"):
                with contextlib.suppress(StepNotWaiting):  # already resumed by an earlier try
                    self.engine.resume(person["match_token"], {"outcome": "matched", "proposal_id": proposal_id})
        y, v = youth["details"], volunteer["details"]
        self._mail_once(match, "matched:youth", emails.matched(
            y.get("email") or y["contact_adult_email"], y["first_name"], v["first_name"]), "youth")
        self._mail_once(match, "matched:volunteer", emails.matched(v["email"], v["first_name"], y["first_name"]),
                        "volunteer")
        self._mail_once(match, "matched:contact_adult", emails.contact_adult_informed(
            y["contact_adult_email"], y["contact_adult_name"], y["first_name"], v["first_name"]), "contact_adult")

    def release(self, proposal_id: str, exclude: bool, tell: bool) -> None:
        """No match: both return to the pool; an excluded pair is never proposed again; when they
        had met, both are told (nobody is told who said no)."""
        match = self.proposal(proposal_id)
        youth_id, volunteer_id = match["details"]["youth_id"], match["details"]["volunteer_id"]
        youth = self.repository.get_person(youth_id, YOUTH)
        volunteer = self.repository.get_person(volunteer_id, VOLUNTEER)
        if Stage(match["stage"]) not in {Stage.CLOSED, Stage.MATCHED}:  # a retry has done this already
            self._release_both(match, youth, volunteer, exclude)
        for link_id in [match.get("open_link_id"), *(match.get("answer_links") or {}).values()]:
            if link_id:
                self.repository.invalidate_link(link_id, "step_closed")
        if tell:  # they met: each is told kindly that it will not continue, not why
            y, v = youth["details"], volunteer["details"]
            self._mail_once(match, "not_continuing:youth", emails.not_continuing(
                y.get("email") or y["contact_adult_email"], y["first_name"]), "youth")
            self._mail_once(match, "not_continuing:volunteer", emails.not_continuing(v["email"], v["first_name"]),
                            "volunteer")
        # last, and outside the guard: a retry completes a half-done stamp (a closed proposal goes in time)
        closed = self.proposal(proposal_id)
        if closed.get("expires_at"):
            self.repository.expire_trail(proposal_id, MATCH, int(closed["expires_at"]))

    def _release_both(self, match: dict[str, Any], youth: dict[str, Any], volunteer: dict[str, Any],
                      exclude: bool) -> None:
        proposal_id = match["application_id"]
        youth_id, volunteer_id = youth["application_id"], volunteer["application_id"]
        at = self.now()
        back = Event(at=at, kind=EventKind.MATCH_RELEASED, by=SYSTEM,
                     details={"proposal_id": proposal_id, "pair_excluded": str(exclude).lower()})
        expiry = retention_expiry(self.settings, at)
        changes = [ProfileChange(proposal_id, MATCH, {"stage": Stage.CLOSED.value, "stage_since": clock.iso(at),
                                                      "expires_at": expiry},
                                 event=Event(at=at, kind=EventKind.MATCH_CLOSED, stage=Stage.CLOSED, by=SYSTEM))]
        # someone who withdrew meanwhile stays withdrawn; only the other returns to the pool
        if not Stage(youth["stage"]).is_final:
            extra = {"excluded_volunteers": sorted({*youth.get("excluded_volunteers", []), volunteer_id})} \
                if exclude else {}
            changes.append(self._release(youth_id, YOUTH, Stage.WAITING_FOR_MATCH, proposal_id, back, extra))
        if not Stage(volunteer["stage"]).is_final:
            changes.append(self._release(volunteer_id, VOLUNTEER, Stage.READY_FOR_MATCH, proposal_id, back))
        self.repository.change_people(changes)
        self.count_metric("MatchReleased", None)

    def _all_enter(self, stage: Stage, kind: EventKind, youth_id: str, volunteer_id: str, proposal_id: str) -> None:
        """The young person, the volunteer and their proposal move on together, or not at all."""
        at = self.now()
        event = Event(at=at, kind=kind, stage=stage, by=SYSTEM, details={"proposal_id": proposal_id})
        # only while both are still held by this proposal: someone who withdrew is let go of it
        moved = {"stage": stage.value, "stage_since": clock.iso(at)}
        try:
            self.repository.change_people([
                *(ProfileChange(person_id, kind_, dict(moved), condition="proposal_id = :p",
                                condition_values={":p": proposal_id}, event=event)
                  for person_id, kind_ in ((youth_id, YOUTH), (volunteer_id, VOLUNTEER))),
                ProfileChange(proposal_id, MATCH, dict(moved), event=event),
            ])
        except Conflict:
            raise PersonGone(proposal_id) from None

    @staticmethod
    def _release(person_id: str, kind: str, free_stage: Stage, proposal_id: str, event: Event,
                 extra: dict[str, Any] | None = None) -> ProfileChange:
        return ProfileChange(person_id, kind, {"stage": free_stage.value, "stage_since": clock.iso(event.at),
                                               **(extra or {})},
                             remove=("proposal_id",), condition="proposal_id = :p",
                             condition_values={":p": proposal_id}, event=event)

    # --- the links' decisions ---------------------------------------------------------------------

    def decide(self, link: Link, token: str | None, decision: str, notes: str, details: dict[str, str]) -> None:
        """Use a proposal, intro or continue link once and resume the match where it waits."""
        at = self.now()
        kind = {LinkKind.PROPOSAL: EventKind.PROPOSAL_DECIDED, LinkKind.INTRO: EventKind.INTRO_HELD,
                LinkKind.CONTINUE: EventKind.CONTINUE_ANSWERED}[link.kind]
        event = Event(at=at, kind=kind, by=link.party or link.sent_to, notes=notes or None,
                      details={"decision": decision, **details})
        try:
            self.repository.use_link(link.link_id, decision, link.sent_to, at, link.application_id, event, MATCH)
        except Conflict:
            found = self.repository.get_link(link.link_id)
            check_usable(found[0] if found else None, at)
            raise UsedLink("Der er allerede svaret på dette link.", link) from None
        if link.kind is LinkKind.CONTINUE:
            self._answer(link, token, decision)
            return
        self._resume(link, token, {**details, **_output(decision)})

    def _resume(self, link: Link, token: str | None, output: dict[str, Any]) -> None:
        """Resume the match; if it no longer waits (ended, or its wait timed out), say so plainly."""
        try:
            if not token:
                raise StepNotWaiting("no token")
            self.engine.resume(token, output)
        except StepNotWaiting as gone:
            if self._picked_up_later(link, token, output):
                return
            self.repository.add_event(link.application_id, Event(
                at=self.now(), kind=EventKind.DECISION_UNDELIVERED, by=link.party or link.sent_to,
                details={"reason": str(gone)}), MATCH)
            raise InvalidatedLink("Forslaget venter ikke længere på dette svar. Konsulenten er orienteret.",
                                  link) from None

    def _picked_up_later(self, link: Link, token: str | None, output: dict[str, Any]) -> bool:
        """A consultant's decision that found no open wait (it had just timed out for a reminder):
        delivered to the newer wait, or picked up when the step waits again (_wait_again)."""
        match = self.proposal(link.application_id)
        if link.kind is LinkKind.CONTINUE:  # the two answers share one wait: any of their links
            mine = link.link_id in (match.get("answer_links") or {}).values()
            candidates = list((match.get("answer_links") or {}).values())
        else:
            mine = match.get("open_link_id") == link.link_id
            candidates = [link.link_id]
        for link_id in candidates:
            found = self.repository.get_link(link_id)
            newer = found[1] if found else None
            if newer and newer != token:
                with contextlib.suppress(StepNotWaiting):
                    self.engine.resume(newer, output)
                    return True
        return mine and not Stage(match["stage"]).is_final and match["stage"] != Stage.MATCHED.value

    def _answer(self, link: Link, token: str | None, answer: str) -> None:
        """Record one side's answer; resume once: at the first no, or when both said yes."""
        proposal_id = link.application_id
        self.repository.update_person(proposal_id, None, {f"answers.{link.party}": answer}, kind=MATCH)
        outcome = _outcome(self.proposal(proposal_id).get("answers", {}))
        if outcome is None:
            return
        try:  # only the first to see the outcome resumes the match
            self.repository.update_person(proposal_id, None, {"outcome": outcome},
                                          condition="attribute_not_exists(outcome)", kind=MATCH)
        except Conflict:
            return
        if token:  # without one, the wait delivers the outcome when it waits again
            self._resume(link, token, {"outcome": outcome})

    # --- helpers ----------------------------------------------------------------------------------

    def _link(self, kind: LinkKind, proposal_id: str, sent_to: str, token: str, party: str | None = None) -> Link:
        at = self.now()
        link = Link(link_id=new_link_id(), kind=kind, application_id=proposal_id, person_kind=MATCH, sent_to=sent_to,
                    created_at=at, expires_at=at + timedelta(days=LINK_DAYS), proposal_id=proposal_id, party=party)
        self.repository.put_link(link, token, keep_until(link.expires_at, 30))
        return link

    def _settings(self) -> Settings:
        if self.settings is None:
            raise RuntimeError("this function is not configured to send links")
        return self.settings

    def _mail_once(self, match: dict[str, Any], key: str, email: emails.Email, role: str) -> None:
        if self.mailer is None:
            raise RuntimeError("this function is not configured to send email")
        send_once(self.repository, self.mailer, match, key, email,
                  {"application_id": match["application_id"], "kind": MATCH, "recipient": role})

    def _mail(self, email: emails.Email, proposal_id: str, role: str) -> None:
        if self.mailer is None:
            raise RuntimeError("this function is not configured to send email")
        self.mailer.send(email, {"application_id": proposal_id, "kind": MATCH, "recipient": role})
