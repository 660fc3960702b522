"""Reuse segments: word tiling, folding, sentence rewrites, shares and the label."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coverage_cmp.compare.align import (
    QuoteSpans,
    SentenceMatcher,
    align,
    content_overlap,
    fold_word,
    ngram_index,
    prepare_reference,
    tile,
    tokenize,
)
from coverage_cmp.extract.quotes import extract_quotes
from coverage_cmp.model import Article, Quote
from coverage_cmp.settings import CompareSettings

REFERENCE = (
    "Officers from 45 police forces arrested 660 suspects during the six-month operation. "
    "The suspects include doctors, teachers and former police officers.\n\n"
    "Detectives examined 9,172 devices seized from 833 properties across the country.")


def _align(report: str, reference: str = REFERENCE, quotes=(), ref_quotes=(),
           settings: CompareSettings | None = None):
    settings = settings or CompareSettings()
    refs = [prepare_reference(Article(source="ref", text=reference), list(ref_quotes))]
    return align(Article(source="report", text=report), list(quotes), refs,
                 SentenceMatcher(refs), settings, ngram_index(refs, settings.min_match_words))


def _kinds(text: str, alignment) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.kind) for s in alignment.segments]


def test_fold_word_ignores_case_apostrophe_style_and_hyphens():
    assert fold_word("Children’s") == fold_word("children's") == "children's"
    assert fold_word("Six-Month") == fold_word("sixmonth")


@pytest.mark.parametrize(("report", "reference"), [
    ("They ran a six month operation", "They ran a six-month operation"),
    ("Send an e-mail to the team", "Send an email to the team"),
    ("The raids were co-ordinated by police", "The raids were coordinated by police"),
    ("The raids were organized by police", "The raids were organised by police"),
])
def test_hyphenation_and_spelling_variants_tile_as_verbatim(report, reference):
    tokens = tokenize(report)
    refs = [prepare_reference(Article(source="ref", text=reference), [])]
    (only,) = tile(tokens, refs, 4)
    assert (only.report_at, only.length) == (0, len(tokens))
    assert _kinds(report, _align(report, reference)) == [(report, "verbatim")]


def test_content_overlap_counts_content_words_the_reference_sentence_has():
    reference = tokenize("Detectives examined 9,172 devices seized from 833 properties").folded
    report = tokenize("Investigators examined 9,172 devices from 833 homes").folded
    assert content_overlap(report, reference) == 2 / 4  # examined, devices; numbers aside
    assert content_overlap(tokenize("the 45 of them").folded, reference) == 1.0


def test_a_new_sentence_on_the_same_event_is_no_rewrite():
    # Shares the rare words of the event ("9,172 devices", "833 properties") with a
    # reference sentence, so TF-IDF alone reads it as reworded; most of its words are new.
    report = ("Neighbours in the quiet cul-de-sac watched as 9,172 devices and boxes left "
              "833 properties, one resident recalled.")
    overlap_off = CompareSettings(rewrite_overlap=0.0)
    assert [kind for _, kind in _kinds(report, _align(report, settings=overlap_off))] == [
        "rewrite"]
    assert _kinds(report, _align(report)) == [(report, "new")]


def test_tokens_inside_direct_quotes_are_flagged():
    text = 'He said: "We will come for them." Then he left.'
    tokens = tokenize(text, extract_quotes(text))
    quoted = [word for word, inside in zip(tokens.folded, tokens.quoted, strict=True) if inside]
    assert quoted == ["we", "will", "come", "for", "them"]


def test_quote_spans_answer_overlap_and_containment():
    spans = QuoteSpans([Quote("a", 10, 20), Quote("b", 30, 40), Quote("c", 0, 5, kind="indirect")])
    assert spans.overlaps(15, 35) and spans.overlaps(19, 25) and not spans.overlaps(20, 30)
    assert spans.contains(31, 39) and not spans.contains(15, 35) and not spans.contains(0, 4)


def test_sentence_matcher_scores_each_text_as_if_alone():
    refs = [prepare_reference(Article(source="ref", text=REFERENCE), [])]
    matcher = SentenceMatcher(refs)
    texts = ["detectives examined 9172 devices", "the weather was mild",
             "officers arrested 660 suspects", "detectives examined 9172 devices"]
    batch = matcher.best(texts)
    assert batch == [matcher.best([text])[0] for text in texts]
    assert batch[1] == (-1, 0.0)  # no word in common with any reference sentence
    assert batch[0][0] != batch[2][0] and batch[0][1] > 0.5 and batch[2][1] > 0.5


def test_tiling_folds_case_punctuation_and_quote_marks():
    report = ("OFFICERS from 45 Police Forces arrested 660 ‘suspects’ during the six-month "
              "OPERATION!")
    tokens = tokenize(report)
    refs = [prepare_reference(Article(source="ref", text=REFERENCE), [])]
    (only,) = tile(tokens, refs, 4)
    assert (only.report_at, only.length, only.ref_at) == (0, len(tokens), 0)


def test_tiling_uses_each_reference_word_once_and_skips_short_runs():
    report = ("arrested 660 suspects during the week. Later they arrested 660 suspects during "
              "the night. Doctors and teachers were held.")
    refs = [prepare_reference(Article(source="ref", text=REFERENCE), [])]
    tiles = tile(tokenize(report), refs, 4)
    assert len(tiles) == 1  # the second copy of the run has no reference words left
    assert tiles[0].length == 5  # "arrested 660 suspects during the"


def test_copied_reworded_and_new_sentences():
    report = ("Officers from 45 police forces arrested 660 suspects during the six-month "
              "operation.\n\n"
              "Investigators looked at 9,172 devices seized from 833 homes around the country.\n\n"
              "The weather in Leeds was warm and sunny on Tuesday afternoon.")
    alignment = _align(report)
    kinds = _kinds(report, alignment)
    assert kinds[0] == ("Officers from 45 police forces arrested 660 suspects during the "
                        "six-month operation.", "verbatim")
    assert kinds[-1] == ("The weather in Leeds was warm and sunny on Tuesday afternoon.", "new")
    middle = {kind for text, kind in kinds[1:-1]}
    assert "rewrite" in middle and "new" not in middle
    rewrite = next(s for s in alignment.segments if s.kind == "rewrite")
    assert REFERENCE[rewrite.reference_start:rewrite.reference_end].startswith("Detectives")


def test_segments_point_at_the_copied_reference_words():
    report = "Last week detectives examined 9,172 devices seized from 833 properties."
    alignment = _align(report)
    verbatim = [s for s in alignment.segments if s.kind == "verbatim"]
    assert [REFERENCE[s.reference_start:s.reference_end] for s in verbatim] == [
        "Detectives examined 9,172 devices seized from 833 properties"]
    assert [report[s.start:s.end] for s in verbatim] == [
        "detectives examined 9,172 devices seized from 833 properties."]


def test_shares_are_fractions_of_report_words():
    report = ("Officers from 45 police forces arrested 660 suspects during the six-month "
              "operation. Nobody in Leeds expected it at all.")
    reuse = _align(report).reuse
    # 13 words copied ("six-month" is two words), 7 new.
    assert reuse.verbatim_share == reuse.reused_share == round(13 / 20, 4)
    assert 0 < reuse.reference_coverage < 1


def test_shared_quotes_alone_do_not_make_a_copy():
    # Two reporters at one press conference: the same words of the speaker, their own
    # narrative around them.
    speech = ("We have never seen cooperation like this between forces, and every offender "
              "should know that we are coming for them")
    reference = f'The chief constable spoke at a briefing in London. "{speech}," she said.'
    report = (f'Reporters gathered outside the Manchester court building on Friday. "{speech},"'
              " a senior officer told them before leaving for another meeting.")
    alignment = _align(report, reference, extract_quotes(report), extract_quotes(reference))
    assert alignment.reuse.reused_share > 0.5
    assert alignment.reuse.narrative_reused_share < 0.2
    assert alignment.reuse.label == "non-derived"


def test_label_thresholds_come_from_settings():
    report = ("Officers from 45 police forces arrested 660 suspects during the six-month "
              "operation. Nobody in Leeds expected it at all.")
    strict = CompareSettings(wholly_derived=0.99, partially_derived=0.9)
    loose = CompareSettings(wholly_derived=0.6, partially_derived=0.1)
    assert _align(report, settings=strict).reuse.label == "non-derived"
    assert _align(report, settings=loose).reuse.label == "wholly-derived"


WORDS = st.sampled_from(["police", "arrested", "660", "suspects", "“we", "said”", "the",
                         "Leeds,", "officers.", "devices", "seized", "833", "(properties)",
                         "and", "children’s", "—", "in", "operation."])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(WORDS, min_size=1, max_size=30), min_size=1, max_size=5))
def test_segments_tile_any_text_in_order_with_only_white_space_between(paras):
    report = "\n\n".join(" ".join(words) for words in paras)
    alignment = _align(report, quotes=extract_quotes(report))
    position = 0
    for segment in alignment.segments:
        assert report[position:segment.start].strip() == ""
        assert segment.start < segment.end
        assert segment.kind in ("verbatim", "rewrite", "new")
        position = segment.end
    assert report[position:].strip() == ""
    assert 0 <= alignment.reuse.verbatim_share <= alignment.reuse.reused_share <= 1
