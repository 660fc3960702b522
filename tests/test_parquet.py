"""Parquet export and import: round trip, windows, streaming, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

from coverage_cmp.errors import SettingsError, SourceError  # noqa: E402
from coverage_cmp.model import Article  # noqa: E402
from coverage_cmp.parquet import (  # noqa: E402
    UNDATED,
    export_parquet,
    parquet_windows,
    read_parquet,
    window_index,
    window_key,
)


def _articles() -> list[Article]:
    return [
        Article(source="a.txt", text="Eight arrests in Cambridgeshire.", title="Arrests",
                published="2024-03-04T09:00:00Z", outlet="Cambs News", outlet_scope="local",
                authors=["Jo Bloggs"], url="https://example.org/a"),
        Article(source="b.txt", text="Police said eight people were held. «Ça va», il a dit.",
                published="2024-03-12", outlet="Agency"),
        Article(source="c.txt", text="An undated note about the operation."),
    ]


def test_round_trip_keeps_every_exported_field(tmp_path: Path) -> None:
    articles = _articles()
    assert export_parquet(articles, tmp_path, window_days=7) == 3
    back = {a.id: a for a in read_parquet(tmp_path)}
    for article in articles:
        expected = article.to_json() | {"authors": article.authors, "url": article.url,
                                        "outlet_scope": article.outlet_scope,
                                        "content_hash": article.content_hash}
        got = back[article.id]
        assert got.to_json() | {"authors": got.authors, "url": got.url,
                                "outlet_scope": got.outlet_scope,
                                "content_hash": got.content_hash} == expected


def test_articles_land_in_epoch_aligned_windows(tmp_path: Path) -> None:
    export_parquet(_articles(), tmp_path, window_days=7)
    windows = parquet_windows(tmp_path)
    assert windows[-1] == UNDATED
    assert len(windows) == 3  # 4 March and 12 March are in different weeks
    first = window_key(window_index("2024-03-04T09:00:00Z", 7), 7)
    assert windows[0] == first and first <= "2024-03-04"
    only = list(read_parquet(tmp_path, windows=[first]))
    assert [a.source for a in only] == ["a.txt"]


def test_exporting_twice_adds_files_and_streams_generators(tmp_path: Path) -> None:
    export_parquet((a for a in _articles()), tmp_path)
    export_parquet(iter(_articles()[:1]), tmp_path)
    assert sorted(a.source for a in read_parquet(tmp_path)) == ["a.txt", "a.txt", "b.txt",
                                                                 "c.txt"]


def test_bad_inputs_name_themselves(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="window_days"):
        export_parquet(_articles(), tmp_path, window_days=0)
    with pytest.raises(SourceError, match="missing"):
        list(read_parquet(tmp_path / "missing"))
    broken = tmp_path / "ds" / "window=2024-01-01"
    broken.mkdir(parents=True)
    (broken / "part.parquet").write_text("not parquet")
    with pytest.raises(SourceError, match="part.parquet"):
        list(read_parquet(tmp_path / "ds"))
