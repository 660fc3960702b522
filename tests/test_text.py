"""Paragraph, sentence and word splitting."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coverage_cmp.extract.text import Span, paragraphs, sentences, words


def _texts(text: str, spans: list[Span]) -> list[str]:
    return [text[s.start:s.end] for s in spans]


def test_paragraphs_end_at_any_line_break() -> None:
    text = "First line.\nSecond line.\n\n\n  Third, indented.  \n"
    assert _texts(text, paragraphs(text)) == ["First line.", "Second line.", "Third, indented."]


def test_sentences_keep_abbreviations_and_initials_together() -> None:
    text = (
        "Mr. Smith flew to the U.S. on Jan. 5 with Dr. Jones. "
        "They met J. K. Rowling at No. 10 Downing St. for tea, e.g. scones. "
        "It worked! Did it? Yes."
    )
    assert _texts(text, sentences(text)) == [
        "Mr. Smith flew to the U.S. on Jan. 5 with Dr. Jones.",
        "They met J. K. Rowling at No. 10 Downing St. for tea, e.g. scones.",
        "It worked!",
        "Did it?",
        "Yes.",
    ]


def test_sentence_ends_after_abbreviation_before_a_sentence_opener() -> None:
    text = "Sales rose in the U.S. The company said so."
    assert _texts(text, sentences(text)) == ["Sales rose in the U.S.", "The company said so."]


def test_closing_quote_stays_with_its_sentence() -> None:
    text = "He said: “We are done.” Then he left."
    assert _texts(text, sentences(text)) == ["He said: “We are done.”", "Then he left."]


def test_sentences_never_cross_paragraphs() -> None:
    text = "No full stop here\nNext paragraph"
    assert _texts(text, sentences(text)) == ["No full stop here", "Next paragraph"]


def test_words_keep_apostrophes_hyphens_and_numbers() -> None:
    text = "Don't the co-op's 1,200.50 members—police’s—say (yes)?"
    assert _texts(text, words(text)) == [
        "Don't", "the", "co-op's", "1,200.50", "members", "police’s", "say", "yes",
    ]


@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\"'”’U.SMr")), max_size=300))
def test_spans_are_ordered_inside_the_text(text: str) -> None:
    for splitter in (paragraphs, sentences, words):
        previous_end = 0
        for span in splitter(text):
            assert previous_end <= span.start < span.end <= len(text)
            previous_end = span.end


def test_sentences_are_linear_on_degenerate_input() -> None:
    text = ". " * 100_000 + "a." * 100_000
    assert sentences(text)
