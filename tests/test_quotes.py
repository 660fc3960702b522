"""Direct and reported quotes with their speakers, on sentences written for these tests."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from coverage_cmp.extract.quotes import extract_quotes
from coverage_cmp.model import Quote

SEED = (Path(__file__).resolve().parents[1].parent / "shared" / "seed"
        / "cambridgeshire-regional-report.txt")


def _direct(text: str) -> list[Quote]:
    return [q for q in extract_quotes(text) if q.kind == "direct"]


def _pairs(text: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in _direct(text)]


def test_seed_report_has_two_direct_quotes_and_the_agency_statement() -> None:
    text = SEED.read_text(encoding="utf-8")
    quotes = extract_quotes(text)
    direct = [q for q in quotes if q.kind == "direct"]
    assert [(q.speaker, q.multi_paragraph) for q in direct] == [
        ("Phil Gormley", True), ("Simon Bailey", True)
    ]
    gormley, bailey = direct
    assert gormley.text.startswith("The operation targeted people")
    assert gormley.text.endswith("to deliver this result.")
    assert gormley.text.count("\n\n") == 3
    assert gormley.speaker_mention == "NCA Deputy Director General Phil Gormley"
    assert bailey.text.startswith("Sexual abuse is a complex crime")
    assert bailey.text.endswith("protecting vulnerable people")
    assert bailey.text.count("\n\n") == 3
    assert bailey.speaker_mention == "Chief Constable Simon Bailey"
    indirect = [q for q in quotes if q.kind == "indirect"]
    assert [(q.speaker, q.speaker_mention) for q in indirect] == [
        ("National Crime Agency", "NCA")
    ]
    assert indirect[0].text.startswith("the majority of those arrested")
    for quote in quotes:
        assert text[quote.start:quote.end] == quote.text
        assert text[quote.speaker_start:quote.speaker_end] == quote.speaker_mention


def test_said_after_name() -> None:
    text = "“The bridge will reopen in spring after the repairs,” Harriet Olsen said."
    assert _pairs(text) == [("The bridge will reopen in spring after the repairs,",
                             "Harriet Olsen")]


def test_inverted_said_with_apposition() -> None:
    text = ("“We have never seen a harvest this poor in the valley,” said Tomas Ruiz, "
            "the cooperative's chairman.")
    quote = _direct(text)[0]
    assert (quote.speaker, quote.speaker_mention, quote.cue) == ("Tomas Ruiz", "Tomas Ruiz",
                                                                 "said")


def test_colon_form_with_title_before_name() -> None:
    text = ("Harbour Authority Chief Executive Nadia Brennan said: “Every vessel has been "
            "accounted for tonight.”")
    quote = _direct(text)[0]
    assert quote.speaker == "Nadia Brennan"
    assert quote.speaker_mention == "Harbour Authority Chief Executive Nadia Brennan"
    assert quote.cue == "said"


def test_interrupted_quote_is_two_items_with_one_speaker() -> None:
    text = "Grace Whitlow opened the meeting. “We will rebuild,” she said, “and soon.”"
    quotes = _direct(text)
    assert [(q.text, q.speaker, q.speaker_mention) for q in quotes] == [
        ("We will rebuild,", "Grace Whitlow", "she"),
        ("and soon.", "Grace Whitlow", "she"),
    ]


def test_pronoun_and_surname_resolve_to_the_full_name() -> None:
    text = ("Mayor Colin Pratt visited the flooded street on Monday.\n\n"
            "“The council will pay for every repair on this road,” Pratt added.\n\n"
            "“Nobody will be left to cope with this alone,” he said.")
    assert [q.speaker for q in _direct(text)] == ["Colin Pratt", "Colin Pratt"]


def test_pronoun_prefers_the_person_of_matching_gender() -> None:
    text = ("Robert Hale and Susan Mercer met the families.\n\n"
            "“It was the hardest week of my whole career,” she said.")
    assert _direct(text)[0].speaker == "Susan Mercer"


def test_title_anaphor_resolves_to_the_person_with_that_role() -> None:
    text = ("Health Minister Olga Varga opened the ward. Staff cheered.\n\n"
            "“This ward will treat four thousand patients a year,” the minister said.")
    quote = _direct(text)[0]
    assert (quote.speaker, quote.speaker_mention) == ("Olga Varga", "the minister")


def test_organisation_statement() -> None:
    text = ("The Coastal Rescue Service said in a statement: “All crews returned safely "
            "before midnight.”")
    assert _direct(text)[0].speaker == "Coastal Rescue Service"


def test_unnamed_spokesperson_keeps_the_description_and_names_the_organisation() -> None:
    text = ("“We are reviewing the footage with great care,” a spokesperson for the "
            "Northfield Water Board said.")
    quote = _direct(text)[0]
    assert quote.speaker == "Northfield Water Board"
    assert quote.speaker_mention == "a spokesperson for the Northfield Water Board"
    unnamed = "“The gates were locked before the fire started,” one neighbour said."
    quote = _direct(unnamed)[0]
    assert (quote.speaker, quote.speaker_mention) == (None, "one neighbour")


def test_press_release_dash_and_from_forms() -> None:
    text = ("“Our members have waited far too long for this decision.” – Fiona Adair, "
            "General Secretary\n\nFrom Liam Doyle: “We welcome the ruling and will study it.”")
    assert _pairs(text) == [
        ("Our members have waited far too long for this decision.", "Fiona Adair"),
        ("We welcome the ruling and will study it.", "Liam Doyle"),
    ]


def test_multi_paragraph_quote_is_one_item() -> None:
    text = ("Inspector Mark Ellery said: “The first part of the inquiry is complete.\n\n"
            "“The second part will start in June.\n\n"
            "“We expect charges by the end of the year.”\n\nThe inquiry continues.")
    quotes = _direct(text)
    assert len(quotes) == 1
    assert quotes[0].multi_paragraph
    assert quotes[0].speaker == "Mark Ellery"
    assert quotes[0].text.endswith("by the end of the year.")


def test_partial_quote_worked_into_a_sentence() -> None:
    text = "Dana Kerr said the plan was “a complete waste of public money” and left."
    quote = _direct(text)[0]
    assert (quote.text, quote.partial, quote.speaker) == (
        "a complete waste of public money", True, "Dana Kerr")


def test_scare_quotes_titles_and_short_phrases_are_not_quotes() -> None:
    text = ("The so-called “experts” reviewed the “Pride and Prejudice Revisited Volume Two” "
            "exhibition and the “new normal” in town.")
    assert _direct(text) == []


def test_apostrophes_are_not_quote_marks() -> None:
    text = ("The Joneses' house and the police's van don't fit the 1990s' look. "
            "“Nobody parks here after dark any more,” Ella Joyce said.")
    assert _pairs(text) == [("Nobody parks here after dark any more,", "Ella Joyce")]


def test_single_quotes_in_british_style() -> None:
    text = ("‘The rail link will be finished on time and on budget,’ Owen Barker said. "
            "He didn't say when.")
    assert _pairs(text) == [("The rail link will be finished on time and on budget,",
                             "Owen Barker")]


def test_tex_marks_and_guillemets() -> None:
    text = ("``We counted every single ballot twice,'' Irene Castle said.\n\n"
            "«Nous resterons ici jusqu'à la fin», said Marc Olivier.")
    assert _pairs(text) == [
        ("We counted every single ballot twice,", "Irene Castle"),
        ("Nous resterons ici jusqu'à la fin", "Marc Olivier"),
    ]


def test_stray_mark_does_not_derail_the_rest_of_the_article() -> None:
    text = ("Pamela Grant said: “The road is shut for many reasons. “ The main one is safety.\n\n"
            "Traffic was diverted.\n\n"
            "“We hope to reopen the road next week,” said Carl Boyd.")
    quotes = _direct(text)
    assert [q.speaker for q in quotes] == ["Pamela Grant", "Carl Boyd"]
    assert quotes[0].text.endswith("The main one is safety.")


def test_unbalanced_mark_never_swallows_the_next_paragraph() -> None:
    text = ("Ruth Lamb said: “The vote was rigged from the start and everyone knew it\n\n"
            "The result stands. Officials declined to comment on the claims.")
    quotes = _direct(text)
    assert len(quotes) == 1
    assert "\n" not in quotes[0].text


def test_indirect_speech_with_according_to() -> None:
    text = "According to police, the driver had been travelling well above the limit."
    quote = extract_quotes(text)[0]
    assert quote.kind == "indirect"
    assert quote.text == "the driver had been travelling well above the limit"
    assert quote.speaker_mention == "police"


_PIECES = st.sampled_from([
    "“", "”", '"', "'", "‘", "’", "``", "''", "«", "»", "\n", "\n\n", " ", ", ", ". ",
    ": ", "said", " he said", " she added", "Anna Berg", " Mr Lund", "the NCA", "don't",
    "the Joneses' ", "We will go", "and soon", "—", "according to police",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_offsets_are_consistent_on_adversarial_text(text: str) -> None:
    paragraph_runs = [m.span() for m in re.finditer(r"[^\n]+(?:\n+[^\n]+)*", text)]
    for quote in extract_quotes(text):
        assert 0 <= quote.start <= quote.end <= len(text)
        assert text[quote.start:quote.end] == quote.text
        if quote.speaker_mention is not None:
            assert text[quote.speaker_start:quote.speaker_end] == quote.speaker_mention
        assert quote.speaker not in ("he", "she", "they", "it")
        assert any(s <= quote.start and quote.end <= e for s, e in paragraph_runs)


def test_input_of_nothing_but_quote_marks_completes() -> None:
    text = ("“”\"'‘’«»`\n" * 25_000)[:200_000]
    assert isinstance(extract_quotes(text), list)


def test_definite_description_resolves_to_the_organisation() -> None:
    text = ("Harlow Brewing Company issued a statement on Friday.\n\n"
            "“Every bottle from the affected batch has been recalled,” the statement said.")
    quote = _direct(text)[0]
    assert (quote.speaker, quote.speaker_mention) == ("Harlow Brewing Company", "the statement")


def test_pronoun_after_a_quote_means_the_subject_of_the_sentence_before() -> None:
    text = ("“We will appeal,” said coach Dan Rourke.\n\n"
            "Defender Milo Grant, who joked about Rourke's temper, saw the anger on his face.\n\n"
            "“He hates losing more than anyone,” he said.\n\n"
            "Rourke gave the players a talk on Tuesday.\n\n"
            "“You have beaten better teams than this one,” he said.")
    assert [q.speaker for q in _direct(text)] == ["Dan Rourke", "Milo Grant", "Dan Rourke"]


def test_pronoun_prefers_the_subject_over_a_later_person_in_the_sentence() -> None:
    text = ("Amy Hollis, Ruth Kemp’s lawyer, told reporters her client never met Kate Lowe.\n\n"
            "“My client was in Leeds all week,” she said.")
    assert _direct(text)[0].speaker == "Amy Hollis"


def test_pronoun_chain_keeps_its_referent_across_narrative_sentences() -> None:
    text = ("Prince Edmund gave a long interview on Sunday.\n\n"
            "During the tour, he was seen walking with Jeffrey Dunn in the park.\n\n"
            "He told the interviewer: “I went there to end the friendship in person.”")
    assert _direct(text)[0].speaker == "Prince Edmund"


def test_verb_inside_the_quoted_sentence_is_not_the_attribution() -> None:
    text = ("“The board wants a bigger plan than the small one” announced in May, said "
            "Nadia Rahm, a fellow at the Civic Institute.")
    assert _direct(text)[0].speaker == "Nadia Rahm"


def test_participle_cue_takes_the_subject_of_its_clause() -> None:
    text = ("After the vote, Greta Lindqvist issued a statement about the result, saying, "
            "“We will respect the decision of the members.”")
    assert _direct(text)[0].speaker == "Greta Lindqvist"


def test_speaker_opening_a_long_apposition_with_a_place_in_it() -> None:
    text = ("“The model surprised us again and again,” Ola Berg, a fellow at the Lund "
            "Institute in Malmo, Sweden, and co-author of the study, said in a statement.")
    assert _direct(text)[0].speaker == "Ola Berg"


def test_adverb_between_pronoun_and_verb() -> None:
    text = ("Governor Paul Reyes skipped the hearing.\n\n"
            "He instead told the local radio host: “I had a prior engagement that day.”")
    assert _direct(text)[0].speaker == "Paul Reyes"


def test_plural_group_nouns_name_nobody() -> None:
    text = "“Fund our schools now,” teachers chanted outside the hall."
    assert _direct(text)[0].speaker is None


def test_role_description_refers_to_the_salient_person() -> None:
    text = ("Maya Lindholm finished her last season at the club on Sunday.\n\n"
            "“I will miss every single one of these fans,” said the 34-year-old.\n\n"
            "Host Peter Crane thanked the guests. Anna Roe sang.\n\n"
            "“It was the best night of my life,” the singer and guitarist told the crowd.")
    assert [q.speaker for q in _direct(text)] == ["Maya Lindholm", "Anna Roe"]


def test_unnamed_source_descriptions_stay_unnamed() -> None:
    text = ("Ivan Petrov ran the fund until 2019.\n\n"
            "“The fund was badly run for years,” the expert said.")
    assert _direct(text)[0].speaker is None


def test_description_with_a_proper_adjective_names_the_body() -> None:
    text = "The Danish foreign ministry said it “deeply regrets the decision taken today”."
    assert _direct(text)[0].speaker == "Danish foreign ministry"


def test_speaker_is_given_the_fullest_form_of_the_name() -> None:
    text = ("Benjamin R. Whitcombe Jr. was charged on Monday. Ann Whitcombe wept.\n\n"
            "Ben Whitcombe said in court: “I never meant to hurt anybody at all.”")
    assert _direct(text)[0].speaker.rstrip(".") == "Benjamin R. Whitcombe Jr"


def test_partial_quotes_far_from_their_verb_and_sharing_it() -> None:
    text = ("Economist Lara Quint argued in a long report published on Friday that while the "
            "scheme brought \"real gains for many small firms in the north,\" its costs were "
            "\"a serious problem for the treasury.\"")
    quotes = _direct(text)
    assert [(q.speaker, q.partial) for q in quotes] == [("Lara Quint", True)] * 2


def test_according_to_earlier_in_the_sentence_attributes_a_partial_quote() -> None:
    text = ("The mayor, according to Hal Byrne, left the meeting for a \"long walk "
            "around the old harbour\" before the vote.")
    assert _direct(text)[0].speaker == "Hal Byrne"


def test_lists_of_titles_are_not_partial_quotes() -> None:
    text = ("Rhea Mott, who spoke briefly, played “Walking On The Moon,” “Under The Old "
            "Bridge,” and “Down By The River Tonight” to close the show.")
    assert _direct(text) == []


def test_coordinated_verb_takes_the_subject_of_the_clause() -> None:
    text = ("Rosa Ilic said she never used the phrase and added, “I am tired of hearing "
            "it every day.”")
    assert _direct(text)[0].speaker == "Rosa Ilic"


def test_report_from_an_organisation_speaks_for_it() -> None:
    text = ("“Margins will stay thin through the winter,” said a report from Halden "
            "Securities.")
    quote = _direct(text)[0]
    assert (quote.speaker, quote.speaker_mention) == (
        "Halden Securities", "a report from Halden Securities")


def test_the_statement_speaks_for_whoever_issued_it() -> None:
    text = (
        "Harbour Rail Group issued a statement on Monday about the timetable.\n\n"
        "Later, Wessex Ferries Ltd denied any deal with the rail firm.\n\n"
        "“We never agreed to share the Sunday slots with anyone,” Wessex Ferries Ltd said.\n\n"
        "The rail firm hit back in a statement posted to its website.\n\n"
        "“Our passengers deserve a clear answer about the winter timetable,” the statement "
        "read.\n\n"
        "“We will publish the full correspondence this week,” the statement concluded."
    )
    assert [speaker for _, speaker in _pairs(text)] == [
        "Wessex Ferries Ltd", "Harbour Rail Group", "Harbour Rail Group"]


def test_it_and_they_stand_for_the_organisation_just_named() -> None:
    text = (
        "Maria Lopez said the band would tour in the spring.\n\n"
        "“We are thrilled to be back on the road,” she said.\n\n"
        "The label that owns the catalogue, Blue Lantern, has denied blocking the tour.\n\n"
        "Blue Lantern have twice refused to comment on the contract.\n\n"
        "“At no point did we stand in the way of any performance,” they said in a statement."
    )
    assert [speaker for _, speaker in _pairs(text)] == ["Maria Lopez", "Blue Lantern"]


def test_single_quoted_speech_in_an_article_that_also_uses_double_marks() -> None:
    text = (
        "The council's \"Green Streets\" plan was approved on Tuesday.\n\n"
        "‘We have waited far too long for safer crossings,’ said Councillor Jane Porter.\n\n"
        "Residents' groups welcomed the vote. Tom Baker, who chairs one, said: ‘This is a "
        "good day for the families on Mill Road.’\n\n"
        "Critics called it a ‘war on drivers’ and the ‘plan of the decade’ was mocked online.\n\n"
        "The scheme's ‘phase two’ starts in May, and it's the town's biggest since the 1990s'."
    )
    assert _pairs(text) == [
        ("We have waited far too long for safer crossings,", "Jane Porter"),
        ("This is a good day for the families on Mill Road.", "Tom Baker"),
    ]


def test_single_quoted_speech_nested_in_double_quotes_stays_inside() -> None:
    text = (
        "“He told me ‘we will never give up on this town’ and I believed him,” said Ann Lee.\n\n"
        "‘It was a promise kept,’ Ms Lee added."
    )
    quotes = _direct(text)
    assert [(q.text[:8], q.speaker) for q in quotes] == [("He told ", "Ann Lee"),
                                                         ("It was a", "Ann Lee")]


def test_the_one_told_is_not_the_speaker() -> None:
    text = ("Maria Costa thanked the staff at the dinner.\n\n"
            "“I could not have done it alone,” Costa said, turning to Peter Walsh, "
            "“and you carried the whole team this year.”\n\n"
            "The mayor stood up, telling Walsh, “Your work kept the library open.”")
    speakers = dict(_pairs(text))
    assert speakers["Your work kept the library open."] != "Peter Walsh"


def test_an_unattributed_quote_goes_to_the_person_its_paragraph_names() -> None:
    text = ("“Prices will fall by the summer,” said Tom Reed, the bank's chief economist.\n\n"
            "Not everyone agrees. Analyst Sara Lund sees two reasons for caution. "
            "“Energy costs are still climbing across the region.”")
    assert dict(_pairs(text))["Energy costs are still climbing across the region."] == (
        "Sara Lund")
    owner = text.replace("Analyst Sara Lund sees", "Sara Lund's adviser sees")
    assert dict(_pairs(owner))["Energy costs are still climbing across the region."] != (
        "Sara Lund")


def test_a_quote_following_another_in_its_paragraph_still_carries_it_on() -> None:
    text = ("“We are not moving,” one tenant said, per Sara Lund. "
            "“This is our home and we will stay here.”")
    assert dict(_pairs(text))["This is our home and we will stay here."] != "Sara Lund"
