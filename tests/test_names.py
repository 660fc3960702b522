"""Person, organisation and title mentions, and their short forms."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from coverage_cmp.extract.names import Mention, find_mentions, gender


def _of_kind(text: str, kind: str) -> list[Mention]:
    return [m for m in find_mentions(text) if m.kind == kind]


def test_title_before_name_is_split_from_the_name() -> None:
    text = "Agency Deputy Director General Maria Okafor said it was over."
    person = _of_kind(text, "person")[0]
    assert person.text == "Agency Deputy Director General Maria Okafor"
    assert person.name == "Maria Okafor"
    assert person.title == "Deputy Director General"
    assert text[person.title_start:person.title_end] == "Deputy Director General"


def test_organisation_prefix_of_a_title_is_an_organisation() -> None:
    text = "The Food Standards Agency said so. FSA Chief Executive Tom Reilly agreed."
    orgs = _of_kind(text, "organisation")
    assert [(m.text, m.name) for m in orgs] == [
        ("Food Standards Agency", "Food Standards Agency"),
        ("FSA", "Food Standards Agency"),
    ]
    assert _of_kind(text, "person")[0].name == "Tom Reilly"


def test_acronym_in_brackets_and_bare_resolve_to_long_form() -> None:
    text = "The Serious Fraud Office (SFO) opened a case. Later the SFO closed it."
    names = {m.text: m.name for m in _of_kind(text, "organisation")}
    assert names == {"Serious Fraud Office": "Serious Fraud Office", "SFO": "Serious Fraud Office"}


def test_surname_and_honorific_resolve_to_full_name() -> None:
    text = "Karen Whitfield opened the bakery. Whitfield's staff cheered. Ms Whitfield smiled."
    people = _of_kind(text, "person")
    assert [m.name for m in people] == ["Karen Whitfield"] * 3
    assert people[1].text == "Whitfield"


def test_appositive_title_is_linked_to_the_person() -> None:
    text = "Gerald Pike, the chief financial officer of Pikeco, said nothing."
    titles = _of_kind(text, "title")
    assert [(m.text, m.name) for m in titles] == [
        ("chief financial officer of Pikeco", "Gerald Pike")
    ]


def test_anaphoric_title_resolves_to_last_person_with_that_role() -> None:
    text = "Transport Minister Lena Brook visited. Later the minister left."
    title = _of_kind(text, "title")[-1]
    assert (title.text, title.name) == ("the minister", "Lena Brook")


def test_sentence_initial_words_and_countries_are_not_people() -> None:
    text = "The United States and Britain agreed. However, Germany did not."
    assert _of_kind(text, "person") == []


def test_gender_from_honorific_and_first_name() -> None:
    text = "Mrs Ashby arrived with Robert Ashby and Linda Cole."
    people = _of_kind(text, "person")
    assert gender(Mention(0, 3, "Mrs", "person", None, "Mrs")) == "female"
    assert [gender(p) for p in people[1:]] == ["male", "female"]


@settings(deadline=None)  # the first call loads the place gazetteer
@given(st.text(alphabet=st.sampled_from(list("Ab Mr.Smith NCA of the,'’\n")), max_size=200))
def test_mentions_stay_inside_the_text(text: str) -> None:
    for mention in find_mentions(text):
        assert 0 <= mention.start < mention.end <= len(text)
        assert text[mention.start:mention.end] == mention.text


def test_middle_initial_and_role_word_surnames_are_names() -> None:
    text = ("Mara J. Oduya, the family's lawyer, spoke first. CEO Tim Cook and analyst "
            "Ken Doctor listened. Later Cook left and Doctor stayed.")
    people = {m.text: m.name for m in _of_kind(text, "person")}
    assert people["Mara J. Oduya"] == "Mara J. Oduya"
    assert people["CEO Tim Cook"] == "Tim Cook"
    assert people["Cook"] == "Tim Cook"
    assert people["Doctor"] == "Ken Doctor"


def test_role_word_alone_is_no_person_without_a_full_name() -> None:
    text = "The Minister arrived. Doctor Who was on television."
    assert [m.name for m in _of_kind(text, "person")] == []


def test_royal_title_belongs_to_a_one_word_name_and_first_names_link() -> None:
    text = "Princess Anne opened the school. Anne later met Jose Ortega. Jose waved."
    people = [(m.text, m.name) for m in _of_kind(text, "person")]
    assert people == [("Princess Anne", "Princess Anne"), ("Anne", "Princess Anne"),
                      ("Jose Ortega", "Jose Ortega"), ("Jose", "Jose Ortega")]


def test_unknown_first_names_are_people_when_they_speak_or_hold_a_role() -> None:
    text = ("Okonkwo Adeyemi, a retired judge, spoke. Wen Haoran, another resident, said "
            "little. The river rose, said Xu Lingyun. New Zealand said nothing.")
    names = {m.name for m in _of_kind(text, "person")}
    assert {"Okonkwo Adeyemi", "Wen Haoran", "Xu Lingyun"} <= names
    assert "New Zealand" not in names


def test_name_particles_inside_a_name() -> None:
    text = "Anna van der Berg met Carlos de la Vega. Later van der Berg left."
    names = [m.name for m in _of_kind(text, "person")]
    assert names == ["Anna van der Berg", "Carlos de la Vega", "Anna van der Berg"]


def test_lower_case_role_or_auxiliary_before_a_speech_verb_promotes_a_name() -> None:
    text = ("Envoy to Paris Mei Tanaka has said little. Chief analyst Oyelaran Bello "
            "spoke. Sang-woo Rhee later said more.")
    names = {m.name for m in _of_kind(text, "person")}
    assert {"Oyelaran Bello", "Sang-woo Rhee"} <= names


def test_short_form_of_an_organisation_is_that_organisation() -> None:
    text = ("Crane Valley Records said on Monday it would appeal. Later Crane Valley said "
            "the ruling was unfair.")
    short = next(m for m in find_mentions(text) if m.text == "Crane Valley")
    assert (short.kind, short.name) == ("organisation", "Crane Valley Records")


def test_a_name_taking_a_plural_verb_is_an_organisation() -> None:
    text = "Blue Lantern have denied the claims, and Maria Lopez said she was relieved."
    kinds = {m.text: m.kind for m in find_mentions(text) if m.kind != "pronoun"}
    assert kinds["Blue Lantern"] == "organisation"
    assert kinds["Maria Lopez"] == "person"


def test_superlative_most_is_no_role_title() -> None:
    text = "Phil Gormley said: “Keeping people safe is the most important thing we do.”"
    assert not [m for m in find_mentions(text) if m.kind == "title"]
