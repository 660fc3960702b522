"""Tables for the terminal, drawn with ``rich``; plain text when not a terminal."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from coverage_cmp.model import Article, Cluster, Extraction


def _render(table: Table, width: int | None) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 100, force_terminal=False, no_color=True,
                      highlight=False)
    console.print(table)
    return buffer.getvalue()


def articles_table(articles: Sequence[Article], width: int | None = None) -> str:
    """One row per article: id, outlet, scope, date, words, title."""
    table = Table(title=f"{len(articles)} articles", title_justify="left", expand=False)
    for name, kwargs in (("id", {"no_wrap": True}), ("outlet", {}), ("scope", {}),
                         ("published", {"no_wrap": True}), ("words", {"justify": "right"}),
                         ("title", {"ratio": 1})):
        table.add_column(name, **kwargs)
    for a in articles:
        table.add_row(a.id, a.outlet or "", a.outlet_scope or "", (a.published or "")[:16],
                      str(len(a.text.split())), a.title or "")
    return _render(table, width)


def _clip(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def extractions_table(extractions: Sequence[Extraction], width: int | None = None) -> str:
    """Per article: its quotes (speaker, kind, words) and its facts (kind, value, subject)."""
    parts = []
    for ex in extractions:
        a = ex.article
        quotes = Table(title=f"{a.outlet or a.source} · {a.title or ''} · "
                       f"{len(ex.quotes)} quotes", title_justify="left")
        for name in ("speaker", "kind", "quote"):
            quotes.add_column(name, ratio=3 if name == "quote" else None)
        for q in ex.quotes:
            kind = q.kind + (" partial" if q.partial else "")
            quotes.add_row(q.speaker or f"({q.speaker_mention or 'unknown'})", kind,
                           _clip(q.text))
        facts = Table(title=f"{len(ex.facts)} facts", title_justify="left")
        for name in ("kind", "text", "value", "qualifier", "subject"):
            facts.add_column(name)
        for f in ex.facts:
            value = "" if f.value is None else str(f.value)
            if f.unit:
                value += f" {f.unit}"
            facts.add_row(f.kind, _clip(f.text, 40), _clip(value, 30), f.qualifier or "",
                          _clip(f.subject or "", 40))
        parts += [_render(quotes, width), _render(facts, width)]
    return "\n".join(parts)


def clusters_table(clusters: Sequence[Cluster], width: int | None = None) -> str:
    """One row per event cluster: id, size, dates, label, outlets."""
    table = Table(title=f"{len(clusters)} clusters", title_justify="left")
    for name, kwargs in (("id", {"no_wrap": True}), ("articles", {"justify": "right"}),
                         ("from", {"no_wrap": True}), ("to", {"no_wrap": True}),
                         ("label", {"ratio": 2}), ("outlets", {"ratio": 2})):
        table.add_column(name, **kwargs)
    for c in clusters:
        dups = sum(1 for m in c.articles if m.duplicate_of)
        copies = f" ({dups} {'copy' if dups == 1 else 'copies'})" if dups else ""
        size = f"{len(c.articles)}{copies}"
        table.add_row(c.id, size, (c.first_published or "")[:10], (c.last_published or "")[:10],
                      c.label, ", ".join(c.outlets))
    return _render(table, width)

