"""The recruitment-needs aggregates, checked by hand on a small pool."""

from datetime import UTC, datetime, timedelta

from backup.domain.recruitment import MIN_PEOPLE_FOR_FREE_TEXT, UNKNOWN_REGION, recruitment_needs, wish_words
from tests.factories import young_person

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def young(
    postcode,
    *,
    days,
    no_candidates=True,
    interests=(),
    wishes="",
    preferences=None,
    first_name="Kim",
    stage="WAITING_FOR_MATCH",
):
    return young_person(
        first_name.lower(),
        stage,
        NOW - days,
        record={"no_candidates": no_candidates},
        first_name=first_name,
        birth_date="2008-03-14",
        postcode=postcode,
        interests=list(interests),
        wishes=wishes,
        preferences={k: v for k, v in (preferences or {}).items() if v},
        contact_adult_name="Lone Berg",
    )


POOL = [
    # Syddanmark: three with nobody within reach (10, 4 and 1 days), one with candidates
    young(
        "6760",
        days=timedelta(days=10),
        first_name="Sara",
        interests=["football", "cooking", "Brætspil"],
        wishes="En rolig voksen, der kan lide fodbold og vil lære mig at lave mad.",
        preferences={"volunteer_gender": "female", "volunteer_age": "25-35"},
    ),
    young(
        "6700",
        days=timedelta(days=4, hours=12),
        first_name="Ali",
        interests=["football", "brætspil"],
        wishes="Jeg hedder Ali og vil gerne spille fodbold og gå ture med en rolig voksen mand. Ali elsker fodbold!",
        preferences={"volunteer_gender": "male", "volunteer_age": None},
    ),
    young(
        "6000",
        days=timedelta(days=1, hours=23),
        first_name="Emma",
        interests=["music", "skak"],
        wishes="Musik og fodbold",
    ),
    young(
        "6000",
        days=timedelta(days=30),
        no_candidates=False,
        first_name="Noah",
        interests=["gaming"],
        wishes="Computerspil og fodbold og fodbold",
    ),
    # Nordjylland: one with nobody within reach
    young(
        "9990",
        days=timedelta(days=2),
        first_name="Ida",
        interests=["animals"],
        wishes="Dyr, heste og natur",
        preferences={"volunteer_age": "50+"},
    ),
    # Hovedstaden: one waiting with candidates
    young("2100", days=timedelta(days=3), no_candidates=False, first_name="Oscar"),
    # no longer waiting (proposed since the index was read): left out
    young("8000", days=timedelta(days=50), first_name="Alma", stage="MATCH_PROPOSED", interests=["film"]),
]


def counts(items):
    return [(c.label, c.count) for c in items]


def test_only_regions_with_someone_without_candidates_in_the_fixed_order():
    needs = recruitment_needs(POOL, NOW)
    assert [(r.region, r.without_candidates, r.waiting) for r in needs.regions] == [
        ("Syddanmark", 3, 4),
        ("Nordjylland", 1, 1),
    ]
    assert [(w.region, w.waiting, w.without_candidates) for w in needs.waiting_per_region] == [
        ("Hovedstaden", 1, 0),
        ("Syddanmark", 4, 3),
        ("Nordjylland", 1, 1),
    ]
    assert (needs.total.without_candidates, needs.total.waiting) == (4, 6)


def test_waiting_days_are_whole_days_longest_and_median():
    needs = recruitment_needs(POOL, NOW)
    south, north = needs.regions
    assert (south.longest_wait_days, south.median_wait_days) == (10, 4.0)  # 10, 4 and 1 days
    assert (north.longest_wait_days, north.median_wait_days) == (2, 2.0)
    assert (needs.total.longest_wait_days, needs.total.median_wait_days) == (10, 3.0)  # 10, 4, 2, 1
    # the one with candidates (30 days) is not a recruitment need
    assert needs.total.longest_wait_days < 30


def test_top_interests_have_danish_labels_and_free_text_needs_three_people():
    south = recruitment_needs(POOL, NOW).regions[0]
    # "Brætspil" (two young people) and "skak" (one) are free text: not shown for fewer than three
    assert counts(south.interests) == [("Fodbold", 2), ("Madlavning", 1), ("Musik", 1)]
    assert [c.key for c in south.interests] == ["football", "cooking", "music"]
    total = recruitment_needs(POOL, NOW).total
    assert counts(total.interests) == [("Fodbold", 2), ("Dyr", 1), ("Madlavning", 1), ("Musik", 1)]


def test_free_text_interests_are_counted_case_insensitively_in_the_spelling_most_used():
    pool = [
        young("6760", days=timedelta(days=1), first_name=name, interests=[spelling])
        for name, spelling in (("Ane", "Brætspil"), ("Bo", "brætspil"), ("Cy", "Brætspil"))
    ]
    assert counts(recruitment_needs(pool, NOW).regions[0].interests) == [("Brætspil", 3)]


def test_a_typed_fixed_interest_is_the_same_interest_and_at_most_five_are_shown():
    pool = [
        young(
            "6760",
            days=timedelta(days=1),
            interests=["Fodbold", "FOOTBALL", "music", "art", "film", "travel", "reading"],
        ),
        young("6760", days=timedelta(days=1), interests=["football"]),
    ]
    interests = recruitment_needs(pool, NOW).regions[0].interests
    assert interests[0].label == "Fodbold" and interests[0].count == 2  # once per person
    assert len(interests) == 5


def test_wish_words_leave_out_stop_words_names_and_rare_words():
    south = recruitment_needs(POOL, NOW).regions[0]
    # fodbold: Sara, Ali and Emma (Ali's twice counts once); rolig (Sara and Ali) is too few
    assert counts(south.wish_words) == [("fodbold", 3)]
    words = {c.label for c in recruitment_needs(POOL, NOW).total.wish_words}
    assert not words & {"og", "en", "voksen", "vil", "gerne", "ali", "hedder"}
    assert MIN_PEOPLE_FOR_FREE_TEXT == 3
    assert recruitment_needs(POOL, NOW).regions[1].wish_words == ()  # Ida alone: nothing of hers is shown


def test_wish_words_of_one_wish():
    assert wish_words(
        "Jeg hedder Sara og vil gerne spille FODBOLD; skriv til sara@example.org eller 12 34 56 78.", ["Sara"]
    ) == {"spille", "fodbold", "skriv"}


def test_at_most_eight_wish_words_most_common_first():
    text = "fodbold fodbold musik kage heste skak tegne svømme klatre cykle løbe"
    pool = [young("6760", days=timedelta(days=1), wishes=text, first_name=name) for name in ("Ane", "Bo", "Di")]
    pool.append(young("6760", days=timedelta(days=1), wishes="fodbold", first_name="Cy"))
    words = recruitment_needs(pool, NOW).regions[0].wish_words
    assert len(words) == 8 and (words[0].label, words[0].count) == ("fodbold", 4)
    assert [w.label for w in words[1:]] == sorted(w.label for w in words[1:])  # ties alphabetically


def test_preferences_count_each_option_and_no_preference():
    south, north = recruitment_needs(POOL, NOW).regions
    assert counts(south.preferences.volunteer_gender) == [("Kvinde", 1), ("Mand", 1)]
    assert south.preferences.no_gender_preference == 1
    assert counts(south.preferences.volunteer_age) == [("25-35 år", 1), ("35-50 år", 0), ("Over 50 år", 0)]
    assert south.preferences.no_age_preference == 2
    assert counts(north.preferences.volunteer_age) == [("25-35 år", 0), ("35-50 år", 0), ("Over 50 år", 1)]
    assert north.preferences.no_gender_preference == 1


def test_an_empty_pool():
    needs = recruitment_needs([], NOW)
    assert needs.regions == () and needs.waiting_per_region == ()
    assert (
        needs.total.without_candidates,
        needs.total.waiting,
        needs.total.longest_wait_days,
        needs.total.median_wait_days,
    ) == (0, 0, 0, 0.0)
    assert needs.total.interests == () and needs.total.wish_words == ()
    assert needs.as_dict()["regions"] == []


def test_a_pool_where_everyone_has_candidates_has_no_needs_but_is_counted():
    needs = recruitment_needs([young("8000", days=timedelta(days=1), no_candidates=False)], NOW)
    assert needs.regions == ()
    assert [(w.region, w.waiting, w.without_candidates) for w in needs.waiting_per_region] == [("Midtjylland", 1, 0)]


def test_a_postcode_without_a_region_is_counted_last():
    pool = [young("0001", days=timedelta(days=1)), young("6760", days=timedelta(days=1))]
    assert [r.region for r in recruitment_needs(pool, NOW).regions] == ["Syddanmark", UNKNOWN_REGION]


def test_the_json_shape_holds_aggregates_only():
    data = recruitment_needs(POOL, NOW).as_dict()
    assert set(data) == {"generated_at", "total", "regions", "waiting_per_region"}
    south = data["regions"][0]
    assert set(south) == {
        "region",
        "without_candidates",
        "waiting",
        "longest_wait_days",
        "median_wait_days",
        "interests",
        "wish_words",
        "preferences",
    }
    assert south["interests"][0] == {"key": "football", "label": "Fodbold", "count": "færre end 3"}
    assert south["wish_words"][0] == {"word": "fodbold", "count": 3}
    assert south["preferences"]["volunteer_gender"][0] == {"key": "female", "label": "Kvinde", "count": "færre end 3"}
    assert (south["without_candidates"], south["longest_wait_days"]) == (3, 10)
    text = str(data)
    for personal in ("Sara", "Ali", "Emma", "2008-03-14", "6760", "6700", "Lone", "rolig voksen"):
        assert personal not in text


def test_no_figure_is_about_fewer_than_three_young_people():
    """A count of one or two could point at a young person: it reads "færre end 3", and the wait of
    a group that small (which would be their own wait) is not shown at all."""
    data = recruitment_needs(POOL, NOW).as_dict()
    north = data["regions"][1]  # Ida alone
    assert north["without_candidates"] == "færre end 3" and north["waiting"] == "færre end 3"
    assert north["longest_wait_days"] is None and north["median_wait_days"] is None

    def numbers(value):
        if isinstance(value, dict):
            return [n for v in value.values() for n in numbers(v)]
        if isinstance(value, list):
            return [n for v in value for n in numbers(v)]
        return [value] if isinstance(value, int) and not isinstance(value, bool) else []

    counted = {k: v for k, v in data.items() if k != "generated_at"}
    for region in [counted["total"], *counted["regions"]]:
        region = {k: v for k, v in region.items() if not k.endswith("_wait_days")}
        assert not [n for n in numbers(region) if n in (1, 2)]
    assert not [n for n in numbers(counted["waiting_per_region"]) if n in (1, 2)]


def test_the_recruitment_page_says_when_it_was_counted_in_danish_time():
    from backup.web.recruitment_page import recruitment_page

    page = recruitment_page(recruitment_needs(POOL, datetime(2026, 11, 26, 23, 30, tzinfo=UTC)))
    assert "Opgjort 27.11.2026 kl. 00:30 (dansk tid)" in page
    assert "(UTC)" not in page
