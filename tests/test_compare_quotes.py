"""Quote matching: each reference quote's fate in a report, and who the report says spoke."""

from __future__ import annotations

from coverage_cmp.compare.quotes import (
    match_quotes,
    normalise,
    prepare_quote_references,
    same_speaker,
    word_diff,
)
from coverage_cmp.extract.quotes import extract_quotes
from coverage_cmp.model import Article, Extraction, Quote
from coverage_cmp.settings import CompareSettings

GORMLEY = ("Phil Gormley said: “This is the first time the UK has been able to run one targeted "
           "operation of this kind across the whole country. People who look at these images "
           "should understand that the internet does not hide them from us.”\n\n"
           "Officers examined 9,172 devices.\n\n"
           "“Every force in England and Wales is seeing more reports of abuse than ever "
           "before,” said Simon Bailey.")


def _extraction(text: str, source: str) -> Extraction:
    return Extraction(Article(source=source, text=text), extract_quotes(text))


def _match(report: str, reference: str = GORMLEY):
    return match_quotes([_extraction(reference, "release")], _extraction(report, "report"),
                        CompareSettings())


def _by_start(matches, words: str):
    """The match whose reference (or, failing that, report) quote starts with ``words``."""
    return [m for m in matches
            if (m.reference or m.report).text.startswith(words)]


def test_normalise_folds_marks_case_and_punctuation():
    assert normalise("‘It’s over,’ he SAID!") == normalise("'it's over' he said") == \
        "it's over he said"


def test_word_diff_tells_verbatim_trimmed_and_altered():
    assert word_diff("We will find them.", "we will find them")[0] == "verbatim"
    status, diff = word_diff("We will find them, wherever they hide.", "We will find them.")
    assert status == "trimmed" and diff["dropped"] == ["wherever they hide"]
    status, diff = word_diff("We will find them.", "We will catch them.")
    assert status == "altered" and diff["changed"] == [["find", "catch"]]


def test_same_speaker_by_surname():
    assert same_speaker("Phil Gormley", "Mr Gormley")
    assert not same_speaker("Phil Gormley", "Simon Bailey")
    assert not same_speaker(None, "Simon Bailey")


def test_verbatim_in_other_quote_marks_with_the_same_speaker():
    report = ('"Every force in England and Wales is seeing more reports of abuse than ever '
              'before," Simon Bailey said.')
    (match,) = _by_start(_match(report), "Every force")
    assert (match.status, match.speaker_status, match.similarity) == ("verbatim", "same", 1.0)


def test_trimmed_quote_lists_the_dropped_words():
    report = ("Phil Gormley said: “This is the first time the UK has been able to run one "
              "targeted operation of this kind across the whole country.”")
    (match,) = _by_start(_match(report), "This is the first time")
    assert match.status == "trimmed"
    assert match.diff["dropped"] == [normalise("People who look at these images should "
                                               "understand that the internet does not hide "
                                               "them from us.")]


def test_altered_quote_with_an_added_sentence_in_the_same_marks():
    report = ("Phil Gormley said: “This is the first time the UK has been able to run one "
              "targeted operation of this kind across the whole country. Anyone who hides "
              "online is wrong – we will find them.”")
    matches = _match(report)
    (match,) = _by_start(matches, "This is the first time")
    assert match.status == "altered" and match.speaker_status == "same"
    # The release's second sentence gave way to the report's own words.
    new_words = match.diff["added"] + [new for _, new in match.diff["changed"]]
    assert any("anyone" in words for words in new_words)
    assert not [m for m in matches if m.status == "new"]


def test_misattributed_quote_is_a_changed_speaker():
    report = ("“Every force in England and Wales is seeing more reports of abuse than ever "
              "before,” said Phil Gormley.")
    (match,) = _by_start(_match(report), "Every force")
    assert match.speaker_status == "changed"


def test_references_prepared_once_match_every_report_as_fresh_ones():
    references = [_extraction(GORMLEY, "release")]
    prepared = prepare_quote_references(references)
    reports = ["“Every force in England and Wales is seeing more reports of abuse than ever "
               "before,” said Phil Gormley.",
               "Phil Gormley said: “This is the first time the UK has been able to run one "
               "targeted operation of this kind.” Officers examined 9,172 devices.",
               "Simon Bailey said every force in England and Wales was seeing more reports."]
    for report in reports:
        extraction = _extraction(report, "report")
        assert match_quotes(prepared, extraction, CompareSettings()) == match_quotes(
            references, extraction, CompareSettings())


def test_unquoted_words_are_paraphrased_else_omitted():
    report = ("Simon Bailey said every force in England and Wales was seeing more reports of "
              "abuse than ever before.")
    matches = _match(report)
    (bailey,) = _by_start(matches, "Every force")
    assert bailey.status == "paraphrased" and bailey.report.kind == "indirect"
    (gormley,) = _by_start(matches, "This is the first time")
    assert gormley.status == "omitted" and gormley.report is None


def test_report_only_quote_is_new_and_release_narrative_in_marks_is_narrative_quoted():
    report = ("Inspector Jane Hill said: “Anyone with concerns should call us.”\n\n"
              "Gormley added: “Officers examined 9,172 devices.”")
    matches = _match(report)
    (new,) = [m for m in matches if m.status == "new"]
    assert new.report.text.startswith("Anyone with concerns") and new.reference is None
    (narrative,) = [m for m in matches if m.status == "narrative-quoted"]
    assert narrative.reference.text == "Officers examined 9,172 devices."
    assert narrative.reference_id is not None


def test_a_quote_split_by_a_lost_paragraph_break_is_one_match():
    report = ("Phil Gormley said: “This is the first time the UK has been able to run one "
              "targeted operation of this kind across the whole country. “People who look at "
              "these images should understand that the internet does not hide them from us.”")
    matches = _by_start(_match(report), "This is the first time")
    assert [m.status for m in matches] == ["verbatim"]


def test_quotes_given_as_records_are_matched_without_the_extractor():
    words = "We will find them"
    reference = Extraction(Article(source="r", text=f"“{words}”"), [
        Quote(words, 1, 18, speaker="Ann Lee")])
    report = Extraction(Article(source="p", text=f'"{words}"'), [
        Quote(words, 1, 18, speaker="Lee")])
    (match,) = match_quotes([reference], report, CompareSettings())
    assert (match.status, match.speaker_status) == ("verbatim", "same")
    assert match.reference_id == reference.article.id


def test_same_speaker_past_a_name_suffix():
    assert same_speaker("James P. Kennedy Jr.", "Kennedy")
    assert same_speaker("Kennedy", "James P. Kennedy Jr")
    assert not same_speaker("James P. Kennedy Jr.", "Ted Jr")


LEE = ("Ann Lee took over as coach of the Rovers in June.\n\n"
       "The 40-year-old said: “We will win the league this season, and the cup too.”\n\n"
       "“The squad is the best I have had,” she said. “Nobody here fears anybody.”\n\n"
       "“The new ground opens in the spring,” said Tom Hale, the club chairman.")


def _lee(report: str):
    return {m.reference.text[:12]: m for m in _match(report, LEE) if m.reference}


def test_the_same_description_keeps_the_speaker_the_report_cannot_name():
    # The report dropped the sentence naming the coach: "the 40-year-old" is still her.
    report = "The 40-year-old said: “We will win the league this season, and the cup too.”"
    assert _lee(report)["We will win "].speaker_status == "same"


def test_a_quote_carried_on_from_a_pronoun_keeps_the_speaker():
    # "she" finds another woman first in the report; both quotes lean on the same "she".
    report = ("Mary Jones, the club secretary, watched from the stand.\n\n"
              "“The squad is the best I have had,” she said. “Nobody here fears anybody.”")
    matches = _lee(report)
    assert matches["The squad is"].speaker_status == "same"
    assert matches["Nobody here "].speaker_status == "same"


def test_an_unattributed_quote_next_to_its_speakers_name_keeps_the_speaker():
    report = ("Tom Hale, the club chairman, showed reporters the site.\n\n"
              "“The new ground opens in the spring.”")
    assert _lee(report)["The new grou"].speaker_status == "same"
    alone = "The site was quiet on Monday.\n\n“The new ground opens in the spring.”"
    assert _lee(alone)["The new grou"].speaker_status == "missing"


def test_a_quote_given_to_someone_else_is_changed_even_with_its_speaker_nearby():
    report = ("Tom Hale, the club chairman, showed reporters the site.\n\n"
              "“The new ground opens in the spring,” said Mary Jones, the club secretary.")
    assert _lee(report)["The new grou"].speaker_status == "changed"
