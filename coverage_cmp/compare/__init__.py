"""Compare: where each report departs from the reference, word by word, fact by fact,
quote by quote.

``compare_articles`` chooses the reference(s) (``reference.py``), cuts each report into
verbatim, rewrite and new segments (``align.py``), matches quotes (``quotes.py``) and
facts (``facts.py``) and ranks the departures (``summary.py``). Everything about the
references (tokens, n-gram index, sentence TF-IDF, folded quotes and narrative, fact
sentences) is prepared once per comparison, not once per report.
"""

from __future__ import annotations

from collections.abc import Sequence

from coverage_cmp.compare.align import SentenceMatcher, align, ngram_index, prepare_reference
from coverage_cmp.compare.facts import match_facts, prepare_fact_references
from coverage_cmp.compare.quotes import match_quotes, prepare_quote_references
from coverage_cmp.compare.reference import choose_references
from coverage_cmp.compare.summary import summarise
from coverage_cmp.errors import SettingsError
from coverage_cmp.model import Comparison, Extraction, ReportComparison
from coverage_cmp.settings import CompareSettings

__all__ = ["compare_articles"]


def compare_articles(articles: Sequence[Extraction], *, references: Sequence[str] = (),
                     settings: CompareSettings | None = None) -> Comparison:
    """Compare every article with the reference(s) chosen among them.

    Args:
        articles: extracted articles of one event, references included.
        references: ids, sources, URLs or outlet names of the references; empty to let
            the rule of ``choose_references`` pick one.
        settings: thresholds; defaults when None.

    Returns:
        The comparison; ``to_json()`` gives the ``compare@1`` object.

    Raises:
        SettingsError: a name in ``references`` matches no article.
    """
    settings = settings or CompareSettings()
    if not articles:
        return Comparison([], "no articles", [])
    chosen, why = choose_references(articles, references)
    if references and not chosen:
        raise SettingsError(
            f"No article matches the reference {', '.join(references)!r}; give an id, a "
            "source, a URL or an outlet name of one of the articles.")
    refs = [prepare_reference(articles[i].article, articles[i].quotes) for i in chosen]
    matcher = SentenceMatcher(refs)
    index = ngram_index(refs, settings.min_match_words)
    references = [articles[i] for i in chosen]
    reference_quotes = prepare_quote_references(references)
    reference_facts = prepare_fact_references(references)
    reports = []
    for i, extraction in enumerate(articles):
        if i in chosen:
            continue
        report = extraction.article
        alignment = align(report, extraction.quotes, refs, matcher, settings, index)
        quotes = match_quotes(reference_quotes, extraction, settings)
        facts = match_facts(reference_facts, extraction)
        reports.append(ReportComparison(report, alignment.reuse, alignment.segments, quotes,
                                        facts, summarise(alignment.reuse, quotes, facts)))
    return Comparison([articles[i].article for i in chosen], why, reports)
