"""The SQLite store: schema, idempotent saves, duplicates, bad databases, crashes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from coverage_cmp.errors import StoreError
from coverage_cmp.model import Article, FetchLogEntry
from coverage_cmp.store import MIGRATIONS, SCHEMA_VERSION, Store


def make_article(n: int, **kw) -> Article:
    defaults = dict(source=f"https://news.example/{n}", url=f"https://news.example/{n}",
                    canonical_url=f"https://news.example/{n}",
                    text=f"Story number {n}. Police made {n} arrests.", title=f"Story {n}",
                    outlet="Example News", published=f"2014-07-{16 + n % 2:02d}")
    defaults.update(kw)
    return Article(**defaults)


def test_new_store_is_wal_with_recorded_migrations(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with Store(path):
        pass
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = [r[0] for r in db.execute("SELECT name FROM schema_migrations ORDER BY name")]
    assert names == [name for name, _ in MIGRATIONS]
    assert len(names) == SCHEMA_VERSION


def test_reopening_applies_no_migration_twice(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    for _ in range(3):
        with Store(path) as store:
            store.save_article(make_article(1))
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == SCHEMA_VERSION


def test_save_is_idempotent_and_round_trips(tmp_path: Path) -> None:
    article = make_article(3, authors=["Jo Bloggs"], raw_html=b"<html><p>x</p></html>",
                           outlet_scope="regional", outlet_region="Cambridgeshire")
    with Store(tmp_path / "c.db") as store:
        first = store.save_article(article)
        second = store.save_article(article)
        assert first.inserted and not second.inserted
        assert store.count() == 1
        (back,) = store.articles()
    assert back == article
    assert back.raw_html == b"<html><p>x</p></html>"


def test_refresh_replaces_text_but_not_identity(tmp_path: Path) -> None:
    with Store(tmp_path / "c.db") as store:
        store.save_article(make_article(1))
        updated = make_article(1, text="Corrected story. Police made 9 arrests.")
        assert not store.save_article(updated).inserted
        assert store.articles()[0].text.startswith("Story number")
        store.save_article(updated, refresh=True)
        assert store.count() == 1
        assert store.articles()[0].text.startswith("Corrected")


def test_same_text_under_two_urls_is_marked_duplicate_of_the_earlier(tmp_path: Path) -> None:
    text = "Agency copy reprinted word for word. 660 arrests."
    early = make_article(1, text=text, published="2014-07-16")
    late = make_article(2, text=text.upper(), published="2014-07-17")
    with Store(tmp_path / "c.db") as store:
        store.save_article(early)
        saved = store.save_article(late)
        assert saved.inserted and saved.duplicate_of == early.id
        assert store.duplicates() == {late.id: early.id}


def test_urls_that_led_to_an_article_are_known(tmp_path: Path) -> None:
    with Store(tmp_path / "c.db") as store:
        article = make_article(1)
        store.save_article(article, urls=["https://feed.example/item?id=1"])
        assert store.has_url("https://news.example/1")
        assert store.has_url("https://feed.example/item?id=1")
        assert not store.has_url("https://news.example/2")
        assert store.articles_for_urls(["https://feed.example/item?id=1"]) == [article]


def test_run_manifest_and_fetch_log(tmp_path: Path) -> None:
    with Store(tmp_path / "c.db") as store:
        run = store.start_run("collect", ["urls.txt"], {"delay": 1.0}, {"trafilatura": "2"})
        store.log_fetch(FetchLogEntry("urls.txt", "https://x.example/a", 500,
                                      "HTTP 500", attempts=4), run_id=run)
        store.finish_run(run, "partial", {"new": 0, "failed": 1})
        (manifest,) = store.runs()
        (entry,) = store.fetch_log()
    assert manifest["inputs"] == ["urls.txt"] and manifest["status"] == "partial"
    assert manifest["options"] == {"delay": 1.0}
    assert entry["attempts"] == 4 and entry["error"] == "HTTP 500"


def test_not_an_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not an SQLite database"):
        Store(path)
    assert path.read_bytes() == before


def test_foreign_sqlite_database_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE mine (x)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a coverage-cmp store"):
        Store(path)
    tables = {r[0] for r in sqlite3.connect(path).execute(
        "SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"mine"}


@pytest.fixture
def read_only(tmp_path: Path):
    """Make files read-only for real, even for root (CI runs as root): immutable when
    ``chattr`` works here, else plain permissions."""
    locked: list[Path] = []

    def lock(*paths: Path) -> None:
        for p in paths:
            if os.geteuid() == 0:
                if subprocess.run(["chattr", "+i", str(p)], capture_output=True).returncode:
                    pytest.skip("cannot make a file read-only for root here (no chattr)")
            else:
                p.chmod(0o555 if p.is_dir() else 0o444)
            locked.append(p)

    yield lock
    for p in locked:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(p)], check=False)
        else:
            p.chmod(0o755 if p.is_dir() else 0o644)


def test_read_only_store_gives_one_line_error_and_keeps_its_articles(
    tmp_path: Path, read_only
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "c.db"
    with Store(path) as store:
        store.save_article(make_article(1))
    before = path.read_bytes()
    read_only(path, folder)
    with pytest.raises(StoreError, match="read-only") as info, Store(path) as store:
        store.save_article(make_article(2))
    assert "\n" not in str(info.value)
    assert path.read_bytes() == before


def test_read_only_open_of_missing_store_says_so(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        Store(tmp_path / "missing.db", readonly=True)


def test_read_only_open_reads(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with Store(path) as store:
        store.save_article(make_article(1))
    with Store(path, readonly=True) as store:
        assert store.count() == 1


WRITER = textwrap.dedent(
    """
    import sys
    from coverage_cmp.model import Article
    from coverage_cmp.store import Store
    path, start, stop = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with Store(path) as store:
        for n in range(start, stop):
            store.save_article(Article(source=f"s{n}", canonical_url=f"https://x.example/{n}",
                                       text=f"article {n} " * 200, raw_html=b"<p>x</p>" * 500))
    """
)


def _writer(path: Path, start: int, stop: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(start), str(stop)])


def test_kill_9_mid_run_then_rerun_keeps_every_article_once(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    for delay in (0.4, 0.7, 1.0):
        proc = _writer(path, 0, 400)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with Store(path) as store:
            assert store.integrity_ok()
    assert _writer(path, 0, 400).wait() == 0
    with Store(path) as store:
        assert store.integrity_ok()
        assert store.count() == 400
        ids = [a.id for a in store.articles()]
    assert len(ids) == len(set(ids))


def test_two_writers_on_one_store_both_finish(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    Store(path).close()
    procs = [_writer(path, 0, 150), _writer(path, 100, 250)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    with Store(path) as store:
        assert store.count() == 250
        assert store.integrity_ok()


def test_articles_without_html_and_dates_only(tmp_path: Path) -> None:
    with Store(tmp_path / "c.db") as store:
        for n in (1, 2, 3):
            store.save_article(make_article(n, raw_html=b"<p>page</p>"))
        light = store.articles(with_html=False)
        assert [a.raw_html for a in light] == [None, None, None]
        assert [a.text for a in light] == [a.text for a in store.articles()]
        assert store.article_dates() == [(a.id, a.published) for a in store.articles()]


def test_scale_results_round_trip_and_go_stale_with_their_inputs(tmp_path: Path) -> None:
    with Store(tmp_path / "c.db") as store:
        one, two = make_article(1), make_article(2)
        store.save_article(one)
        store.save_article(two)
        store.save_extraction(one.id, {"id": one.id, "quotes": [], "facts": ["«x»"]},
                              input_hash=one.content_hash)
        store.save_extraction(two.id, {"id": two.id}, input_hash="an older text")
        assert store.current_extractions() == {one.id}
        assert store.content_hashes() == {one.id: one.content_hash, two.id: two.content_hash}
        assert store.extractions([one.id])[one.id]["facts"] == ["«x»"]
        assert set(store.extractions()) == {one.id, two.id}
        store.save_article(make_article(1, text="Story number 1, rewritten."), refresh=True)
        assert store.current_extractions() == set()

        store.save_partition("cluster", "2014-07-14", [{"id": "c-1"}], input_hash="h1")
        assert store.partition_result("cluster", "2014-07-14", "h1") == [{"id": "c-1"}]
        assert store.partition_result("cluster", "2014-07-14", "h2") is None
        store.save_comparison("c-1", {"schema": "coverage-cmp/compare@1"}, input_hash="h3")
        assert store.comparison_hashes() == {"c-1": "h3"}
        assert store.comparisons() == {"c-1": {"schema": "coverage-cmp/compare@1"}}
