"""Recruitment needs: who waits in the pool with no possible volunteer within reach, per region, so
volunteers can be recruited for them on purpose.

Pure domain code (no AWS): it takes the waiting young people's profiles and the time, and returns
aggregates only. Nothing here can point at one young person: no names, birth dates or postcodes,
never a whole wish; free text (wish words and free-text interests) is only shown when at least
MIN_PEOPLE_FOR_FREE_TEXT young people wrote it, and a young person's own first name (or their
contact adult's name) never counts as a word of their wishes.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backup.domain import clock
from backup.domain.applications import EMAIL_IN_TEXT, INTEREST_LABELS, PHONE_IN_TEXT, Interest
from backup.domain.records import YoungPerson
from backup.domain.referrals import AgeBand, VolunteerGender
from backup.domain.regions import REGIONS, region_of
from backup.domain.stages import Stage

TOP_INTERESTS = 5
TOP_WISH_WORDS = 8
# A word or a free-text interest that only one young person wrote is not "common", and it may be
# something that points at them (a place, a pet's name): it needs at least this many people.
MIN_PEOPLE_FOR_FREE_TEXT = 3
# No figure about fewer people than this is shown: a count of 1 or 2 reads "færre end 3", and
# the waits of a group that small are not shown at all (they would be one person's wait).
SMALLEST_GROUP = 3
FEWER = f"færre end {SMALLEST_GROUP}"


def shown(count: int) -> int | str:
    """A count as it may be shown: 0 or at least SMALLEST_GROUP, else "færre end 3"."""
    return FEWER if 0 < count < SMALLEST_GROUP else count


def shown_days(days: float, group: int) -> float | None:
    """A wait, only for a group large enough that it is nobody's own."""
    return days if group >= SMALLEST_GROUP else None


MIN_WORD_LENGTH = 3
UNKNOWN_REGION = "Ukendt region"  # a postcode no longer in the postcode data; listed last
SECONDS_PER_DAY = 86400

# Danish stop words (the common function words, as in the usual Danish lists) and the words that
# nearly every wish for a volunteer contains, which tell a recruiter nothing.
_STOP_WORDS_TEXT = """
ad af aldrig alle alt altid altså anden andet andre at bare begge blandt blev blive bliver da de dem
den denne der deres det dette dig din dine disse dit dog du efter eller ellers en end ene eneste enhver
enten er et evt fordi for fra fx før få gerne gider god godt ham han hans har havde have hele helst
hende hendes her hinanden hos hun hvad hvem hver hvilken hvis hvor hvordan hvorfor hvornår igen ikke
hedder ind ingen intet jeg jer jeres kan kom komme kommer kun kunne lave laver lide lidt lige man mange masse
med meget men mens mere mest mig min mine mit mod måske ned noget nogen nogle nok når og også om op os
osv over på ret rigtig rigtigt sammen selv sig sin sine sit skal skulle som stadig synes syntes så
sådan til tit ting tror ud under var vi via vil ville virkelig vores være været
voksen voksne frivillig frivillige person ønske ønsker ønsket
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
URL_IN_TEXT = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Count:
    """One item and how many young people it concerns."""

    key: str
    label: str
    count: int

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "count": shown(self.count)}


@dataclass(frozen=True)
class PreferenceCounts:
    """What the young people asked for in a volunteer; `none` is how many had no wish of that kind."""

    volunteer_gender: tuple[Count, ...]
    volunteer_age: tuple[Count, ...]
    no_gender_preference: int
    no_age_preference: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "volunteer_gender": [c.as_dict() for c in self.volunteer_gender],
            "volunteer_age": [c.as_dict() for c in self.volunteer_age],
            "no_gender_preference": shown(self.no_gender_preference),
            "no_age_preference": shown(self.no_age_preference),
        }


@dataclass(frozen=True)
class Needs:
    """The young people of one region (or of the whole country) who wait with nobody within reach."""

    region: str
    without_candidates: int
    waiting: int  # everyone waiting in the region, with or without possible volunteers: for context
    longest_wait_days: int
    median_wait_days: float
    interests: tuple[Count, ...]
    wish_words: tuple[Count, ...]
    preferences: PreferenceCounts

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "without_candidates": shown(self.without_candidates),
            "waiting": shown(self.waiting),
            "longest_wait_days": shown_days(self.longest_wait_days, self.without_candidates),
            "median_wait_days": shown_days(self.median_wait_days, self.without_candidates),
            "interests": [c.as_dict() for c in self.interests],
            "wish_words": [{"word": c.label, "count": shown(c.count)} for c in self.wish_words],
            "preferences": self.preferences.as_dict(),
        }


@dataclass(frozen=True)
class WaitingCount:
    region: str
    waiting: int
    without_candidates: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "waiting": shown(self.waiting),
            "without_candidates": shown(self.without_candidates),
        }


@dataclass(frozen=True)
class RecruitmentNeeds:
    generated_at: datetime
    total: Needs
    regions: tuple[Needs, ...]  # only regions where someone waits with nobody within reach
    waiting_per_region: tuple[WaitingCount, ...] = field(default=())  # every region where anyone waits

    def as_dict(self) -> dict[str, Any]:
        return {
            "generated_at": clock.iso(self.generated_at),
            "total": self.total.as_dict(),
            "regions": [r.as_dict() for r in self.regions],
            "waiting_per_region": [w.as_dict() for w in self.waiting_per_region],
        }


# --- reading one profile ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Young:
    region: str
    no_candidates: bool
    wait_days: int | None
    interests: frozenset[tuple[str, str, bool]]  # (key, spelling, fixed) once per person
    words: frozenset[str]
    gender: str | None
    age: str | None


def _wait_days(person: YoungPerson, now: datetime) -> int:
    return max(0, int((now - person.stage_since).total_seconds() // SECONDS_PER_DAY))


_FIXED_LABELS = {i.value: INTEREST_LABELS[i] for i in Interest}
# "Fodbold" or "FOOTBALL" typed as free text is the fixed interest football
_FIXED_BY_TEXT = {
    **{label.casefold(): value for value, label in _FIXED_LABELS.items()},
    **{value.casefold(): value for value in _FIXED_LABELS},
}


def _interests(raw: Any) -> frozenset[tuple[str, str, bool]]:
    """Each interest once per person as (key, spelling, fixed): a fixed interest by its key and
    Danish label, a free-text one by its lower-case text and the spelling used."""
    found: dict[str, tuple[str, str, bool]] = {}
    for item in raw if isinstance(raw, (list, tuple)) else []:
        text = " ".join(str(item).split())
        if not text:
            continue
        value = _FIXED_BY_TEXT.get(text.casefold())
        key, spelling, fixed = (value, _FIXED_LABELS[value], True) if value else (text.casefold(), text, False)
        found.setdefault(key, (key, spelling, fixed))
    return frozenset(found.values())


def wish_words(text: str, leave_out: Iterable[str] = ()) -> frozenset[str]:
    """The meaningful words of one wish, lower case, each once; stop words, short words, numbers,
    addresses and the given names (the young person's own) left out."""
    text = PHONE_IN_TEXT.sub(" ", URL_IN_TEXT.sub(" ", EMAIL_IN_TEXT.sub(" ", text or "")))
    skip = {part.casefold() for name in leave_out for part in WORD.findall(name or "")}
    return frozenset(
        word
        for word in (w.casefold() for w in WORD.findall(text))
        if len(word) >= MIN_WORD_LENGTH and word not in STOP_WORDS and word not in skip
    )


def _enum_value(raw: Any, enum: type[VolunteerGender] | type[AgeBand]) -> str | None:
    try:
        return enum(str(raw)).value if raw else None
    except ValueError:
        return None


def _young(person: YoungPerson, now: datetime) -> _Young:
    details = person.details
    preferences = details.preferences
    return _Young(
        region=region_of(details.postcode) or UNKNOWN_REGION,
        no_candidates=person.no_candidates,
        wait_days=_wait_days(person, now),
        interests=_interests(details.interests),
        words=wish_words(details.wishes, (details.first_name, details.contact_adult_name)),
        gender=_enum_value(preferences.volunteer_gender, VolunteerGender),
        age=_enum_value(preferences.volunteer_age, AgeBand),
    )


# --- aggregating ---------------------------------------------------------------------------------


def _top(counter: Counter[str], labels: dict[str, str], limit: int) -> tuple[Count, ...]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], labels[kv[0]].casefold(), kv[0]))
    return tuple(Count(key, labels[key], count) for key, count in ranked[:limit])


def _interest_counts(people: list[_Young]) -> tuple[Count, ...]:
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    fixed: set[str] = set()
    for person in people:
        for key, spelling, is_fixed in person.interests:
            counts[key] += 1
            spellings.setdefault(key, Counter())[spelling] += 1
            if is_fixed:
                fixed.add(key)
    shown = Counter({k: c for k, c in counts.items() if k in fixed or c >= MIN_PEOPLE_FOR_FREE_TEXT})
    # a free-text interest is shown as most people spelled it (ties: alphabetically first)
    labels = {k: min(spellings[k].items(), key=lambda kv: (-kv[1], kv[0]))[0] for k in shown}
    return _top(shown, labels, TOP_INTERESTS)


def _word_counts(people: list[_Young]) -> tuple[Count, ...]:
    counts: Counter[str] = Counter(word for person in people for word in person.words)
    shown = Counter({w: c for w, c in counts.items() if c >= MIN_PEOPLE_FOR_FREE_TEXT})
    return _top(shown, {w: w for w in shown}, TOP_WISH_WORDS)


def _preference_counts(people: list[_Young]) -> PreferenceCounts:
    genders = Counter(p.gender for p in people)
    ages = Counter(p.age for p in people)
    return PreferenceCounts(
        volunteer_gender=tuple(Count(g.value, g.label, genders[g.value]) for g in VolunteerGender),
        volunteer_age=tuple(Count(a.value, a.label, ages[a.value]) for a in AgeBand),
        no_gender_preference=genders[None],
        no_age_preference=ages[None],
    )


def _needs(region: str, people: list[_Young], waiting: int) -> Needs:
    days = [p.wait_days for p in people if p.wait_days is not None]
    return Needs(
        region=region,
        without_candidates=len(people),
        waiting=waiting,
        longest_wait_days=max(days, default=0),
        median_wait_days=float(statistics.median(days)) if days else 0.0,
        interests=_interest_counts(people),
        wish_words=_word_counts(people),
        preferences=_preference_counts(people),
    )


REGION_ORDER = (*REGIONS, UNKNOWN_REGION)


def recruitment_needs(people: Iterable[YoungPerson], now: datetime) -> RecruitmentNeeds:
    """Per region, in REGIONS' fixed order: the young people who wait with no possible volunteer
    within reach (profiles with `no_candidates`), and how many wait there at all. Profiles no
    longer waiting for a match are left out."""
    young = [_young(p, now) for p in people if p.stage is Stage.WAITING_FOR_MATCH]
    in_need = [y for y in young if y.no_candidates]
    waiting = Counter(y.region for y in young)
    needs_by_region = Counter(y.region for y in in_need)
    regions = tuple(
        _needs(region, [y for y in in_need if y.region == region], waiting[region])
        for region in REGION_ORDER
        if needs_by_region[region]
    )
    waiting_per_region = tuple(
        WaitingCount(region, waiting[region], needs_by_region[region]) for region in REGION_ORDER if waiting[region]
    )
    return RecruitmentNeeds(
        generated_at=now,
        total=_needs("Hele landet", in_need, len(young)),
        regions=regions,
        waiting_per_region=waiting_per_region,
    )
