"""Wire-copy conventions trimmed from page bodies: date lines on top, press-office trailers."""

from __future__ import annotations

from coverage_cmp.collect.plaintext import trim_page_text

BODY = ("Harbour officials counted forty boats in the bay on Sunday.\n\n"
        "The count was the highest since 1987, the harbour master said.")


def test_date_lines_on_top_are_dropped() -> None:
    for line in ("Published: Wednesday 16 July 2014, 07:00", "Updated 16/07/2014 10.30 BST",
                 "4:20pm Wednesday 16th July 2014 in News", "16 July 2014"):
        assert trim_page_text(f"{line}\n\n{BODY}") == BODY, line


def test_sentences_that_mention_a_date_stay() -> None:
    text = f"On 16 July 2014 the harbour reopened after the storm.\n\n{BODY}"
    assert trim_page_text(text) == text


def test_everything_from_an_end_marker_goes() -> None:
    for marker in ("ENDS", "Notes to editors", "-30-", "###"):
        text = f"{BODY}\n\n{marker}\n\nPress office: 01632 960123 (24 hours)"
        assert trim_page_text(text) == BODY, marker


def test_a_body_that_is_only_a_date_is_left_alone() -> None:
    assert trim_page_text("16 July 2014") == "16 July 2014"
