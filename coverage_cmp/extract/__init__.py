"""Extract: the quotes (with speakers) and facts of an article's body text.

Rules, gazetteers and statistics that ship with the package; no model is downloaded.
``extract_article`` is the stage's verb; the modules below it do one thing each:
``text`` (paragraphs, sentences, words), ``names`` (people, organisations, titles),
``quotes``, ``numbers``, ``dates``, ``places`` and ``facts``.
"""

from __future__ import annotations

from coverage_cmp.extract.facts import extract_facts
from coverage_cmp.extract.names import find_mentions
from coverage_cmp.extract.quotes import extract_quotes
from coverage_cmp.model import Article, Extraction

__all__ = ["extract_article"]


def extract_article(article: Article) -> Extraction:
    """Quotes and facts of one article; dates resolve against its publication date."""
    mentions = find_mentions(article.text)
    return Extraction(
        article=article,
        quotes=extract_quotes(article.text, mentions=mentions),
        facts=extract_facts(article.text, article.published, mentions=mentions),
    )
