"""Numbers: counts with what they count, hedges, money, percentages, durations, skips."""

from __future__ import annotations

import pytest

from coverage_cmp.extract.numbers import parse_number, scan_numbers


def only(text: str):
    facts, _ = scan_numbers(text)
    assert len(facts) == 1, facts
    return facts[0]


@pytest.mark.parametrize(
    ("words", "value"),
    [("eight", 8), ("twenty-one", 21), ("two hundred and five", 205), ("a dozen", 12),
     ("two dozen", 24), ("1.5 million", 1_500_000), ("9,172", 9172), ("ten thousand", 10_000),
     ("one two", None), ("hundred hundred", None)],
)
def test_parse_number(words, value):
    assert parse_number(words) == value


@pytest.mark.parametrize(
    ("sentence", "text", "value", "subject"),
    [
        ("Police held 660 suspected paedophiles across the country.", "660", 660,
         "suspected paedophiles"),
        ("Eight arrests were made.", "Eight", 8, "arrests"),
        ("It involved 45 police forces across England.", "45", 45, "police forces"),
        ("Officers examined 9,172 devices.", "9,172", 9172, "devices"),
        ("The site had 1.2m visitors.", "1.2m", 1_200_000, "visitors"),
        ("Some 1.5 million people voted.", "Some 1.5 million", 1_500_000, "people"),
        ("Twenty-one officers were hurt.", "Twenty-one", 21, "officers"),
        ("A dozen homes were searched.", "A dozen", 12, "homes"),
    ],
)
def test_counts_keep_the_thing_counted(sentence, text, value, subject):
    fact = only(sentence)
    assert (fact.kind, fact.text, fact.value, fact.subject) == ("quantity", text, value, subject)


def test_complement_names_what_was_counted():
    fact = only("Of them, 39 people were Registered Sex Offenders but most were not.")
    assert fact.value == 39
    assert fact.subject == "registered sex offenders"


def test_generic_noun_stays_when_no_complement_or_participle():
    assert only("Police said 12 people attended.").subject == "people"


@pytest.mark.parametrize(
    ("sentence", "subject"),
    [
        ("Police said 12 people were arrested.", "people arrested"),
        ("Eight people have been arrested in Cambridgeshire.", "people arrested"),
        ("One man has been charged.", "people charged"),
        ("13 people have been released on bail.", "people released on bail"),
        ("Teachers are among 660 people arrested in a six-month operation.", "people arrested"),
        ("They were among 660 people across the UK accused of grooming.", "people accused"),
    ],
)
def test_people_are_counted_by_what_happened_to_them(sentence, subject):
    assert scan_numbers(sentence)[0][0].subject == subject


@pytest.mark.parametrize(
    ("sentence", "subject"),
    [
        ("Officers examined 9,172 computers, phones and other devices.", "devices"),
        ("Nearly 10,000 phones and computers were seized.", "phones and computers"),
        ("Eleven of the arrests were made in North Yorkshire.", "arrests"),
        ("It was a six-month operation targeting people.", "operation"),
    ],
)
def test_lists_parts_and_clauses_name_the_thing_counted(sentence, subject):
    assert scan_numbers(sentence)[0][0].subject == subject


def test_a_part_of_the_count_before_keeps_what_sets_it_apart():
    facts, _ = scan_numbers("So far 431 children have been safeguarded, 127 of whom were judged"
                            " to be at serious risk of harm. 12 of whom were at home.")
    assert [(f.value, f.subject) for f in facts] == [
        (431, "children"), (127, "children at serious risk"), (12, None)]


@pytest.mark.parametrize(
    ("sentence", "text", "subject"),
    [
        ("In total 660 suspects were arrested over six months in an operation led by the NCA.",
         "six months", "operation"),
        ("He was jailed for over six months.", "over six months", None),
    ],
)
def test_over_before_a_duration_is_a_hedge_only_after_for(sentence, text, subject):
    duration = next(f for f in scan_numbers(sentence)[0] if f.kind == "duration")
    assert (duration.text, duration.subject) == (text, subject)
    assert duration.qualifier == ("over" if text.startswith("over") else None)


@pytest.mark.parametrize("sentence", [
    "It is the first time the UK has been able to run one targeted operation of this kind.",
    "It was one raid of its kind in the county.",
])
def test_one_meaning_a_single_is_skipped(sentence):
    facts, skips = scan_numbers(sentence)
    assert facts == []
    assert [s.reason for s in skips] == ["single"]


def test_bare_number_inherits_an_earlier_subject():
    facts, _ = scan_numbers("They held 660 suspects. Of the 660, most were men.")
    assert [f.subject for f in facts] == ["suspects", "suspects"]


@pytest.mark.parametrize(
    ("sentence", "qualifier", "value"),
    [("more than 400 children", "more than", 400), ("nearly 10,000 phones", "nearly", 10_000),
     ("around 400 children", "around", 400), ("at least 5 men", "at least", 5),
     ("up to 20 people", "up to", 20), ("almost 30 cars", "almost", 30),
     ("over 100 homes", "over", 100), ("about 50 guns", "about", 50),
     ("some 400 homes", "some", 400), ("fewer than ten cases", "fewer than", 10),
     ("approximately 300 staff", "approximately", 300),
     ("in excess of 300 devices", "in excess of", 300)],
)
def test_hedges_are_kept_apart_from_the_value(sentence, qualifier, value):
    fact = only(f"They found {sentence}.")
    assert (fact.qualifier, fact.value) == (qualifier, value)
    assert fact.text.lower().startswith(qualifier)


@pytest.mark.parametrize(
    ("sentence", "value"),
    [("10 to 15 suspects", [10, 15]), ("10-15 suspects", [10, 15]),
     ("between 10 and 15 suspects", [10, 15]), ("ten to fifteen suspects", [10, 15])],
)
def test_ranges(sentence, value):
    fact = only(f"Police held {sentence}.")
    assert fact.value == value and fact.qualifier is None and fact.subject == "suspects"


@pytest.mark.parametrize(
    ("phrase", "value", "unit"),
    [("£1.2m", 1_200_000, "GBP"), ("$5bn", 5_000_000_000, "USD"), ("€30", 30, "EUR"),
     ("30p", 0.3, "GBP"), ("5 million pounds", 5_000_000, "GBP"), ("£30,000", 30_000, "GBP")],
)
def test_money(phrase, value, unit):
    fact = only(f"It cost {phrase} in total.")
    assert (fact.kind, fact.text, fact.value, fact.unit) == ("money", phrase, value, unit)


@pytest.mark.parametrize(
    ("phrase", "value", "unit"),
    [("12%", 12, "%"), ("12 per cent", 12, "%"), ("twelve percent", 12, "%"),
     ("3.5 percentage points", 3.5, "percentage points")],
)
def test_percentages(phrase, value, unit):
    fact = only(f"Crime fell {phrase} last year.")
    assert (fact.kind, fact.text, fact.value, fact.unit) == ("percent", phrase, value, unit)


def test_durations():
    fact = only("It was an unprecedented six-month operation.")
    assert (fact.kind, fact.value, fact.unit, fact.subject) == (
        "duration", 6, "months", "operation")
    facts, _ = scan_numbers("It happened in a single day.")
    assert [(f.kind, f.value, f.unit) for f in facts] == [("duration", 1, "days")]
    fact = only("Over the past six months we have seen change.")
    assert (fact.kind, fact.text, fact.value, fact.unit) == ("duration", "six months", 6,
                                                           "months")


def test_ages_are_quantities_in_years_old():
    fact = only("A 45-year-old man was charged.")
    assert (fact.kind, fact.value, fact.unit, fact.subject) == ("quantity", 45, "years old",
                                                               "man")


def test_ordinals_count_events_but_first_and_fractions_do_not():
    fact = only("It was the third operation this year.")
    assert (fact.value, fact.unit, fact.subject) == (3, "ordinal", "operation")
    assert scan_numbers("This is the first time it has happened.")[0] == []
    assert scan_numbers("A third of children were at risk.")[0] == []


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [("Call Crimestoppers on 0800 555 111 today.", "phone"),
     ("Call police on 101 with information.", "phone"),
     ("The raid began at 10.30am.", "time"), ("The raid began at 06:15.", "time"),
     ("He was held under Section 18 of the act.", "section"),
     ("Covid-19 changed things.", "glued"),
     ("One of them was released.", "pronoun")],
)
def test_knowingly_skipped(sentence, reason):
    facts, skips = scan_numbers(sentence)
    assert facts == []
    assert [s.reason for s in skips] == [reason]


def test_postcodes_are_skipped():
    facts, skips = scan_numbers("The address was CB1 2AB in the city.")
    assert facts == [] and [s.reason for s in skips] == ["postcode"]


def test_numbers_inside_taken_spans_are_skipped_as_dates():
    text = "On 16 July 2014 police held 660 suspects."
    facts, skips = scan_numbers(text, [(3, 15)])
    assert [f.value for f in facts] == [660]
    assert {s.reason for s in skips} == {"date"}
