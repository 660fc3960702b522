"""Articles to and from Parquet, partitioned by time window.

``export_parquet`` writes a Hive-partitioned dataset (``DIR/window=2024-03-07/…parquet``)
that pandas, Polars, DuckDB, R's arrow or Spark read as one table; ``read_parquet`` reads
it back window by window. A window is ``window_days`` long and windows are aligned to the
Unix epoch, so the same article always lands in the same window; articles without a
readable date go to ``window=undated``. Raw HTML is not exported (it stays in the store).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from dateutil.parser import isoparse

from coverage_cmp.errors import SettingsError, SourceError
from coverage_cmp.model import Article

#: Window key of articles without a readable publication date.
UNDATED = "undated"
#: Article fields exported, in column order (``window`` is the partition column).
COLUMNS = ("id", "source", "title", "published", "outlet", "outlet_scope", "outlet_region",
           "url", "canonical_url", "authors", "content_hash", "text")
_DAY_S = 86_400.0
_WRITE_ROWS = 10_000


def published_seconds(published: str | None) -> float | None:
    """Seconds since the epoch (a date without a zone counts as UTC); None if unknown."""
    if not published:
        return None
    try:
        moment = isoparse(published)
    except (ValueError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def window_index(published: str | None, window_days: float) -> int | None:
    """Number of the epoch-aligned window an article falls in; None when undated."""
    seconds = published_seconds(published)
    return None if seconds is None else window_of(seconds, window_days)


def window_of(seconds: float, window_days: float) -> int:
    """Number of the epoch-aligned window a moment falls in."""
    return math.floor(seconds / (window_days * _DAY_S))


def window_key(index: int | None, window_days: float) -> str:
    """``YYYY-MM-DD`` of a window's first day (with the time when windows are not whole
    days), or ``undated``."""
    if index is None:
        return UNDATED
    start = datetime.fromtimestamp(index * window_days * _DAY_S, UTC)
    whole_days = float(window_days).is_integer()
    return start.date().isoformat() if whole_days else start.strftime("%Y-%m-%dT%H%M%S")


def export_parquet(articles: Iterable[Article], directory: str | Path, *,
                   window_days: float = 7.0) -> int:
    """Write articles to a Parquet dataset partitioned by ``window=KEY``.

    Articles are written in slices of 10,000, so a corpus larger than memory streams
    through; exporting again into the same folder adds files next to the old ones.

    Returns:
        How many articles were written.

    Raises:
        SettingsError: ``window_days`` is not positive.
    """
    import pyarrow as pa
    import pyarrow.dataset as ds

    if window_days <= 0:
        raise SettingsError(f"The 'window_days' parameter must be a float in the range "
                            f"(0, inf). Got {window_days} instead.")
    directory = Path(directory)
    schema = _schema()
    run = uuid.uuid4().hex[:8]
    written = 0
    iterator = iter(articles)
    part = 0
    while chunk := list(islice(iterator, _WRITE_ROWS)):
        columns = {name: [getattr(a, name) for a in chunk] for name in COLUMNS}
        columns["window"] = [window_key(window_index(a.published, window_days), window_days)
                             for a in chunk]
        table = pa.Table.from_pydict(columns, schema=schema)
        ds.write_dataset(table, directory, format="parquet",
                         partitioning=ds.partitioning(pa.schema([("window", pa.string())]),
                                                      flavor="hive"),
                         basename_template=f"part-{run}-{part}-{{i}}.parquet",
                         existing_data_behavior="overwrite_or_ignore")
        written += len(chunk)
        part += 1
    return written


def parquet_windows(directory: str | Path) -> list[str]:
    """Window keys present in a dataset, earliest first, ``undated`` last."""
    keys = [p.name.split("=", 1)[1] for p in Path(directory).glob("window=*") if p.is_dir()]
    return sorted(keys, key=lambda key: (key == UNDATED, key))


def read_parquet(directory: str | Path, windows: Iterable[str] | None = None
                 ) -> Iterator[Article]:
    """Articles of a dataset written by ``export_parquet``, window by window.

    Args:
        directory: the dataset's folder.
        windows: keys to read (``parquet_windows`` lists them); all when None.

    Raises:
        SourceError: the folder is not such a dataset.
    """
    import pyarrow.parquet as pq

    directory = Path(directory)
    if not directory.is_dir():
        raise SourceError(str(directory), "no Parquet dataset here (not a folder)")
    for key in parquet_windows(directory) if windows is None else windows:
        folder = directory / f"window={key}"
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.parquet")):
            try:
                table = pq.read_table(path, columns=list(COLUMNS))
            except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
                raise SourceError(str(path), f"not a coverage-cmp Parquet file: {exc}") from exc
            for row in table.to_pylist():
                row["authors"] = row["authors"] or []
                yield Article(**row)


def _schema():  # -> pyarrow.Schema (pyarrow is imported lazily: it is an extra)
    import pyarrow as pa

    fields = [(name, pa.list_(pa.string()) if name == "authors" else pa.string())
              for name in COLUMNS]
    return pa.schema([*fields, ("window", pa.string())])
