"""The SQLite corpus: articles, raw HTML, fetch log and run manifests.

A plain SQLite file in WAL mode that users can open with sqlite3, Datasette or pandas.
Every article is written in its own transaction, so a run killed at any point loses only
the article in flight, and a rerun skips what is already there. Two processes may write
to one store at once: writers take the lock up front (``BEGIN IMMEDIATE``) and wait for
each other (``busy_timeout``) instead of failing.

The schema is built by named migrations, applied once each and recorded in
``schema_migrations``; ``SCHEMA_VERSION`` is the number applied by this version.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coverage_cmp.errors import StoreError
from coverage_cmp.model import Article, Cluster, ClusterMember, FetchLogEntry

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 60_000


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _execute_script(db: sqlite3.Connection, script: str) -> None:
    """Run several statements inside the caller's transaction.

    ``executescript`` would commit first, so a half-applied migration could stick.
    """
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _migration_1(db: sqlite3.Connection) -> None:
    """Articles, the URLs that led to them, the fetch log and run manifests."""
    _execute_script(
        db,
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            command TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL DEFAULT 'running',
            inputs TEXT NOT NULL,
            options TEXT NOT NULL,
            versions TEXT NOT NULL,
            counts TEXT
        );
        CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            url TEXT,
            canonical_url TEXT,
            outlet TEXT,
            outlet_scope TEXT,
            outlet_region TEXT,
            title TEXT,
            authors TEXT NOT NULL DEFAULT '[]',
            published TEXT,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            duplicate_of TEXT REFERENCES articles(id),
            raw_html BLOB,
            collected_at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id)
        );
        CREATE INDEX articles_content_hash ON articles(content_hash);
        CREATE INDEX articles_published ON articles(published);
        CREATE INDEX articles_canonical_url ON articles(canonical_url);
        CREATE TABLE urls (
            url TEXT PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id)
        );
        CREATE TABLE fetch_log (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs(id),
            source TEXT NOT NULL,
            url TEXT,
            status INTEGER,
            error TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            elapsed_s REAL,
            at TEXT NOT NULL
        );
        CREATE INDEX fetch_log_url ON fetch_log(url);
        """
    )


def _migration_2(db: sqlite3.Connection) -> None:
    """Event clusters and which cluster each article belongs to."""
    _execute_script(
        db,
        """
        CREATE TABLE clusters (
            id TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            first_published TEXT,
            last_published TEXT,
            outlets TEXT NOT NULL DEFAULT '[]',
            updated_at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id)
        );
        CREATE TABLE cluster_members (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            cluster_id TEXT NOT NULL REFERENCES clusters(id),
            position INTEGER NOT NULL,
            duplicate_of TEXT REFERENCES articles(id)
        );
        CREATE INDEX cluster_members_cluster ON cluster_members(cluster_id)
        """,
    )


def _migration_3(db: sqlite3.Connection) -> None:
    """Results written back partition by partition, so a rerun resumes where it stopped."""
    _execute_script(
        db,
        """
        CREATE TABLE extractions (
            article_id TEXT PRIMARY KEY REFERENCES articles(id),
            result TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id),
            updated_at TEXT NOT NULL
        );
        CREATE TABLE comparisons (
            cluster_id TEXT PRIMARY KEY,
            result TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id),
            updated_at TEXT NOT NULL
        );
        CREATE TABLE partitions (
            stage TEXT NOT NULL,
            key TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id),
            done_at TEXT NOT NULL,
            PRIMARY KEY (stage, key)
        )
        """,
    )


def _migration_4(db: sqlite3.Connection) -> None:
    """A digest of each stored result's inputs, so a rerun redoes only what changed, and
    each clustering partition's result."""
    _execute_script(
        db,
        """
        ALTER TABLE extractions ADD COLUMN input_hash TEXT;
        ALTER TABLE comparisons ADD COLUMN input_hash TEXT;
        ALTER TABLE partitions ADD COLUMN input_hash TEXT;
        ALTER TABLE partitions ADD COLUMN result TEXT
        """,
    )


#: Named migrations in the order they apply. Append only; never edit a released one.
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("0001_articles_urls_fetch_log_runs", _migration_1),
    ("0002_clusters", _migration_2),
    ("0003_scale_results", _migration_3),
    ("0004_scale_input_hashes", _migration_4),
]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class SaveResult:
    """What happened to one article offered to the store."""

    article_id: str
    inserted: bool
    """False when the store already had it (same id) and nothing was overwritten."""
    duplicate_of: str | None
    """An earlier article with the same content under another URL, if any."""


class Store:
    """The corpus in one SQLite file.

    Example:
        >>> with Store("coverage.db") as store:
        ...     store.save_article(article)
    """

    def __init__(self, path: str | Path = "coverage.db", *, readonly: bool = False) -> None:
        self.path = str(path)
        self.readonly = readonly
        try:
            self._db = self._open()
        except sqlite3.Error as exc:
            reason = _reason(exc)
            if "unable to open" in str(exc) and Path(self.path).exists():
                reason = "cannot open it for writing (read-only file or folder?)"
            raise StoreError(f"cannot use {self.path} as a store: {reason}") from exc

    def _open(self) -> sqlite3.Connection:
        """Connect and bring the schema up to date, waiting out other processes doing the same.

        Switching a new file to WAL mode needs the file to itself, and SQLite reports
        "database is locked" at once instead of calling its busy handler, so two processes
        starting on one new store retry here until ``BUSY_TIMEOUT_MS``.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.01
        while True:
            db = None
            try:
                db = self._db = self._connect()
                if self.readonly:
                    self._check_schema()
                else:
                    self._migrate()
                return db
            except sqlite3.OperationalError as exc:
                if db is not None:
                    db.close()
                locked = "locked" in str(exc) or "busy" in str(exc)
                if not locked or time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.5)

    def _connect(self) -> sqlite3.Connection:
        p = Path(self.path)
        if self.readonly:
            if not p.exists():
                raise StoreError(f"no store at {self.path}; run `coverage-cmp collect` first")
            uri = f"{p.resolve().as_uri()}?mode=ro"
            db = sqlite3.connect(uri, uri=True, isolation_level=None,
                                 check_same_thread=False)
        else:
            if p.is_dir():
                raise StoreError(f"cannot use {self.path} as a store: it is a directory")
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Reading the schema makes a non-SQLite file fail here, before anything writes.
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if not self.readonly:
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                log.warning("%s: journal mode is %s, not WAL", self.path, mode)
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
        return db

    def _applied(self) -> set[str]:
        exists = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
        ).fetchone()
        if not exists:
            return set()
        return {r[0] for r in self._db.execute("SELECT name FROM schema_migrations")}

    def _check_schema(self) -> None:
        applied = self._applied()
        if not applied:
            raise StoreError(f"{self.path} is not a coverage-cmp store (no schema)")
        unknown = applied - {name for name, _ in MIGRATIONS}
        if unknown:
            raise StoreError(
                f"{self.path} was written by a newer coverage-cmp "
                f"(unknown migrations: {', '.join(sorted(unknown))})"
            )

    def _migrate(self) -> None:
        with self.atomic():
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            applied = self._applied()
            if not applied and self._db.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='table' "
                "AND name != 'schema_migrations'"
            ).fetchone()[0]:
                raise StoreError(
                    f"{self.path} is an SQLite database but not a coverage-cmp store; "
                    "refusing to write to it"
                )
            for name, apply in MIGRATIONS:
                if name in applied:
                    continue
                log.info("%s: applying migration %s", self.path, name)
                apply(self._db)
                self._db.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    (name, _now()),
                )
        self._check_schema()

    # -- transactions --------------------------------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken up front so concurrent writers queue, not fail.

        Nested calls join the outer transaction through a savepoint.
        """
        db = self._db
        if db.in_transaction:
            db.execute("SAVEPOINT nested")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK TO nested")
                db.execute("RELEASE nested")
                raise
            db.execute("RELEASE nested")
            return
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to {self.path}: {_reason(exc)}") from exc
        try:
            yield db
        except sqlite3.Error as exc:
            db.execute("ROLLBACK")
            raise StoreError(f"cannot write to {self.path}: {_reason(exc)}") from exc
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            try:
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                db.execute("ROLLBACK")
                raise StoreError(f"cannot write to {self.path}: {_reason(exc)}") from exc

    # -- runs ----------------------------------------------------------------------

    def start_run(self, command: str, inputs: Sequence[str], options: dict[str, Any],
                  versions: dict[str, str]) -> int:
        """Record a run's manifest: what was asked, with which options and versions."""
        with self.atomic() as db:
            cur = db.execute(
                "INSERT INTO runs (command, started_at, inputs, options, versions) "
                "VALUES (?, ?, ?, ?, ?)",
                (command, _now(), json.dumps(list(inputs)), json.dumps(options, default=str),
                 json.dumps(versions)),
            )
            return int(cur.lastrowid)

    def finish_run(self, run_id: int, status: str, counts: dict[str, int]) -> None:
        with self.atomic() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, counts = ? WHERE id = ?",
                (_now(), status, json.dumps(counts), run_id),
            )

    def runs(self) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT * FROM runs ORDER BY id").fetchall()
        out = []
        for row in rows:
            d = dict(row)
            for key in ("inputs", "options", "versions", "counts"):
                d[key] = json.loads(d[key]) if d[key] else None
            out.append(d)
        return out

    # -- articles ------------------------------------------------------------------

    def has_url(self, url: str) -> bool:
        """True when an article was already stored from this URL (or it is canonical)."""
        row = self._db.execute("SELECT 1 FROM urls WHERE url = ?", (url,)).fetchone()
        return row is not None

    def save_article(self, article: Article, *, run_id: int | None = None,
                     refresh: bool = False, urls: Sequence[str] = ()) -> SaveResult:
        """Store one article in its own transaction.

        An article already stored under the same id is left as it is unless ``refresh``
        (then its text and metadata are replaced). Other URLs that led to it (``urls``,
        plus its own ``url``) are recorded so they are not fetched again.
        """
        raw = zlib.compress(article.raw_html, 6) if article.raw_html else None
        with self.atomic() as db:
            exists = db.execute(
                "SELECT 1 FROM articles WHERE id = ?", (article.id,)
            ).fetchone() is not None
            dup = db.execute(
                "SELECT id FROM articles WHERE content_hash = ? AND id != ? "
                "ORDER BY coalesce(published, '9999'), collected_at LIMIT 1",
                (article.content_hash, article.id),
            ).fetchone()
            duplicate_of = dup[0] if dup else None
            values = (
                article.source, article.url, article.canonical_url, article.outlet,
                article.outlet_scope, article.outlet_region, article.title,
                json.dumps(article.authors), article.published, article.text,
                article.content_hash, duplicate_of, raw,
            )
            if not exists:
                db.execute(
                    "INSERT INTO articles (source, url, canonical_url, outlet, outlet_scope, "
                    "outlet_region, title, authors, published, text, content_hash, "
                    "duplicate_of, raw_html, collected_at, run_id, id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, _now(), run_id, article.id),
                )
            elif refresh:
                db.execute(
                    "UPDATE articles SET source = ?, url = ?, canonical_url = ?, outlet = ?, "
                    "outlet_scope = ?, outlet_region = ?, title = ?, authors = ?, "
                    "published = ?, text = ?, content_hash = ?, duplicate_of = ?, "
                    "raw_html = coalesce(?, raw_html), collected_at = ?, run_id = ? "
                    "WHERE id = ?",
                    (*values, _now(), run_id, article.id),
                )
            for url in {u for u in (*urls, article.url, article.canonical_url) if u}:
                db.execute(
                    "INSERT OR REPLACE INTO urls (url, article_id) VALUES (?, ?)",
                    (url, article.id),
                )
        return SaveResult(article.id, not exists, duplicate_of)

    def log_fetch(self, entry: FetchLogEntry, *, run_id: int | None = None) -> None:
        with self.atomic() as db:
            db.execute(
                "INSERT INTO fetch_log (run_id, source, url, status, error, attempts, "
                "elapsed_s, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, entry.source, entry.url, entry.status, entry.error,
                 entry.attempts, entry.elapsed_s, _now()),
            )

    def fetch_log(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._db.execute("SELECT * FROM fetch_log ORDER BY id")]

    def article_dates(self) -> list[tuple[str, str | None]]:
        """(id, published) of every article in ``articles()`` order, without their text:
        enough to plan partitions of a large corpus."""
        return [(r[0], r[1]) for r in self._db.execute(
            "SELECT id, published FROM articles "
            "ORDER BY published IS NULL, published, collected_at, id")]

    def articles(self, ids: Sequence[str] | None = None, *,
                 with_html: bool = True) -> list[Article]:
        """Articles in publication order (undated last), optionally only those ``ids``.

        ``with_html=False`` leaves the raw pages out (workers analysing text never need them).
        """
        columns = "*" if with_html else ", ".join(
            c for c in self._columns("articles") if c != "raw_html")
        sql = (f"SELECT {columns} FROM articles {{where}} "
               "ORDER BY published IS NULL, published, collected_at, id")
        if ids is None:
            rows = self._db.execute(sql.format(where="")).fetchall()
        else:
            rows = []
            ids = list(ids)
            for i in range(0, len(ids), 500):  # stay under SQLite's variable limit
                chunk = ids[i:i + 500]
                marks = ",".join("?" * len(chunk))
                rows += self._db.execute(
                    sql.format(where=f"WHERE id IN ({marks})"), chunk
                ).fetchall()
        return [_row_to_article(r) for r in rows]

    def _columns(self, table: str) -> list[str]:
        return [r[1] for r in self._db.execute(f"PRAGMA table_info({table})")]

    def articles_for_urls(self, urls: Sequence[str]) -> list[Article]:
        """The stored articles those URLs led to, in the order of ``urls``."""
        ids: list[str] = []
        for url in urls:
            row = self._db.execute("SELECT article_id FROM urls WHERE url = ?", (url,)).fetchone()
            if row and row[0] not in ids:
                ids.append(row[0])
        by_id = {a.id: a for a in self.articles(ids)}
        return [by_id[i] for i in ids if i in by_id]

    def duplicates(self) -> dict[str, str]:
        """Article id -> id of the earlier article with the same content."""
        return {
            r[0]: r[1]
            for r in self._db.execute(
                "SELECT id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL"
            )
        }

    def save_clusters(self, clusters: Sequence[Cluster], *, run_id: int | None = None) -> None:
        """Replace the stored cluster assignment with ``clusters``, in one transaction."""
        with self.atomic() as db:
            db.execute("DELETE FROM cluster_members")
            db.execute("DELETE FROM clusters")
            for cluster in clusters:
                db.execute(
                    "INSERT INTO clusters (id, label, first_published, last_published, outlets, "
                    "updated_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (cluster.id, cluster.label, cluster.first_published,
                     cluster.last_published, json.dumps(cluster.outlets), _now(), run_id),
                )
                db.executemany(
                    "INSERT INTO cluster_members (article_id, cluster_id, position, duplicate_of)"
                    " VALUES (?, ?, ?, ?)",
                    [(m.id, cluster.id, i, m.duplicate_of)
                     for i, m in enumerate(cluster.articles)],
                )

    def clusters(self) -> list[Cluster]:
        """The stored clusters, earliest first, each with its members in order."""
        members: dict[str, list[ClusterMember]] = {}
        for row in self._db.execute(
            "SELECT m.cluster_id, m.article_id, m.duplicate_of, a.source, a.outlet, a.published "
            "FROM cluster_members m JOIN articles a ON a.id = m.article_id "
            "ORDER BY m.cluster_id, m.position"
        ):
            members.setdefault(row[0], []).append(ClusterMember(
                id=row[1], source=row[3], outlet=row[4], published=row[5], duplicate_of=row[2]))
        return [
            Cluster(id=row["id"], label=row["label"], articles=members.get(row["id"], []),
                    first_published=row["first_published"],
                    last_published=row["last_published"], outlets=json.loads(row["outlets"]))
            for row in self._db.execute(
                "SELECT * FROM clusters ORDER BY first_published IS NULL, first_published, id")
        ]

    # -- results written back piece by piece (coverage_cmp.scale) ------------------

    def save_extraction(self, article_id: str, result: object, *, input_hash: str,
                        run_id: int | None = None) -> None:
        """Store one article's ``extract@1`` object in its own transaction.

        ``input_hash`` is the article's ``content_hash`` when it was extracted: a refreshed
        article no longer matches, so ``current_extractions`` leaves it out.
        """
        with self.atomic() as db:
            db.execute(
                "INSERT OR REPLACE INTO extractions (article_id, result, run_id, updated_at, "
                "input_hash) VALUES (?, ?, ?, ?, ?)",
                (article_id, _dumps(result), run_id, _now(), input_hash),
            )

    def content_hashes(self) -> dict[str, str]:
        """Article id -> hash of its current text, to tell results made from older text."""
        return {r[0]: r[1] for r in self._db.execute("SELECT id, content_hash FROM articles")}

    def current_extractions(self) -> set[str]:
        """Ids of the articles whose stored extraction was made from their current text."""
        return {r[0] for r in self._db.execute(
            "SELECT e.article_id FROM extractions e JOIN articles a ON a.id = e.article_id "
            "WHERE e.input_hash = a.content_hash")}

    def extractions(self, ids: Sequence[str] | None = None) -> dict[str, Any]:
        """Article id -> its stored ``extract@1`` object, all or only ``ids``."""
        sql = "SELECT article_id, result FROM extractions {where} ORDER BY article_id"
        if ids is None:
            return {r[0]: json.loads(r[1]) for r in self._db.execute(sql.format(where=""))}
        out: dict[str, Any] = {}
        ids = list(ids)
        for i in range(0, len(ids), 500):  # stay under SQLite's variable limit
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            out.update((r[0], json.loads(r[1])) for r in self._db.execute(
                sql.format(where=f"WHERE article_id IN ({marks})"), chunk))
        return out

    def save_partition(self, stage: str, key: str, result: object, *, input_hash: str,
                       run_id: int | None = None) -> None:
        """Mark one partition of a stage done, with its result, in its own transaction."""
        with self.atomic() as db:
            db.execute(
                "INSERT OR REPLACE INTO partitions (stage, key, run_id, done_at, input_hash, "
                "result) VALUES (?, ?, ?, ?, ?, ?)",
                (stage, key, run_id, _now(), input_hash, _dumps(result)),
            )

    def partition_result(self, stage: str, key: str, input_hash: str) -> Any | None:
        """A done partition's result if it was made from the same inputs, else None."""
        row = self._db.execute(
            "SELECT result FROM partitions WHERE stage = ? AND key = ? AND input_hash = ?",
            (stage, key, input_hash)).fetchone()
        return None if row is None or row[0] is None else json.loads(row[0])

    def save_comparison(self, cluster_id: str, result: object, *, input_hash: str,
                        run_id: int | None = None) -> None:
        """Store one cluster's ``compare@1`` object in its own transaction."""
        with self.atomic() as db:
            db.execute(
                "INSERT OR REPLACE INTO comparisons (cluster_id, result, run_id, updated_at, "
                "input_hash) VALUES (?, ?, ?, ?, ?)",
                (cluster_id, _dumps(result), run_id, _now(), input_hash),
            )

    def comparison_hashes(self) -> dict[str, str | None]:
        """Cluster id -> digest of the inputs its stored comparison was made from."""
        return {r[0]: r[1] for r in self._db.execute(
            "SELECT cluster_id, input_hash FROM comparisons")}

    def comparisons(self) -> dict[str, Any]:
        """Cluster id -> its stored ``compare@1`` object."""
        return {r[0]: json.loads(r[1]) for r in self._db.execute(
            "SELECT cluster_id, result FROM comparisons ORDER BY cluster_id")}

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def integrity_ok(self) -> bool:
        return self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _row_to_article(row: sqlite3.Row) -> Article:
    raw = row["raw_html"] if "raw_html" in row.keys() else None  # noqa: SIM118 (Row: in = values)
    return Article(
        id=row["id"],
        source=row["source"],
        text=row["text"],
        title=row["title"],
        url=row["url"],
        canonical_url=row["canonical_url"],
        outlet=row["outlet"],
        outlet_scope=row["outlet_scope"],
        outlet_region=row["outlet_region"],
        authors=json.loads(row["authors"] or "[]"),
        published=row["published"],
        raw_html=zlib.decompress(raw) if raw else None,
        content_hash=row["content_hash"],
    )


def _dumps(result: object) -> str:
    return json.dumps(result, ensure_ascii=False)


def _reason(exc: sqlite3.Error) -> str:
    msg = str(exc)
    if "file is not a database" in msg:
        return "not an SQLite database"
    if "readonly" in msg or "read-only" in msg:
        return "the file or its folder is read-only"
    if "unable to open" in msg:
        return "cannot open the file (missing folder or no permission)"
    return msg


def schema_markdown(store: Store) -> str:
    """The store's tables and columns as Markdown: the source of ``docs/schema.md``."""
    db = store._db
    lines = ["# Store schema", "",
             f"Generated from a fresh store (schema version {SCHEMA_VERSION}) by "
             "`python docs/make_schema.py`; `tests/test_docs.py` fails when it is stale.", ""]
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for table in tables:
        lines += [f"## `{table}`", "", "| column | type | not null | key |", "|---|---|---|---|"]
        for row in db.execute(f"PRAGMA table_info({table})"):
            lines.append(f"| `{row['name']}` | {row['type'] or ''} | "
                         f"{'yes' if row['notnull'] else ''} | {'primary' if row['pk'] else ''} |")
        lines.append("")
    return "\n".join(lines)

