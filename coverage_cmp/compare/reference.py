"""Reference choice: which article(s) every other report is compared with."""

from __future__ import annotations

from collections.abc import Sequence

from coverage_cmp.model import Extraction


def _named(extraction: Extraction, name: str) -> bool:
    article = extraction.article
    folded = name.casefold()
    return name in (article.id, article.source, article.url, article.canonical_url) or (
        article.outlet is not None and article.outlet.casefold() == folded)


def _shingles(text: str, n: int = 5) -> set[int]:
    words = text.casefold().split()
    return {hash(tuple(words[i:i + n])) for i in range(len(words) - n + 1)}


def choose_references(articles: Sequence[Extraction], names: Sequence[str] = ()
                      ) -> tuple[list[int], str]:
    """Indices of the reference articles and why they were chosen.

    Named references (id, source, URL or outlet name) win. Else: an article whose outlet
    scope is ``release``, else ``agency``, else the earliest published, else the one that
    shares most word 5-grams with the others.

    Returns:
        The indices into ``articles`` (empty when a name matches nothing) and the reason.
    """
    if names:
        chosen = [i for i, x in enumerate(articles) if any(_named(x, n) for n in names)]
        return chosen, "named with --reference: " + ", ".join(names)
    for scope in ("release", "agency"):
        scoped = [i for i, x in enumerate(articles) if x.article.outlet_scope == scope]
        if scoped:
            first = min(scoped, key=lambda i: articles[i].article.published or "~")
            outlet = articles[first].article.outlet or articles[first].article.source
            return [first], f"the {scope} ({outlet}): outlet scope {scope!r}"
    dated = [i for i, x in enumerate(articles) if x.article.published]
    if dated:
        first = min(dated, key=lambda i: articles[i].article.published or "")
        return [first], (f"the earliest published ({articles[first].article.published}); "
                         "no release or agency copy")
    shingles = [_shingles(x.article.text) for x in articles]
    shared = [sum(len(s & t) for j, t in enumerate(shingles) if j != i)
              for i, s in enumerate(shingles)]
    best = max(range(len(articles)), key=lambda i: shared[i])
    return [best], "shares most word 5-grams with the others; no release, agency or dates"
