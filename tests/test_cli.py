"""The coverage-cmp command end to end: real processes, a real store, loopback servers."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from httpserver import LoopbackServer, Reply, sequence

from coverage_cmp.pair_model import DEFAULT_PAIR_MODEL, PAIR_FEATURES

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "notarise"
ORIGIN = "http://fixtures.invalid"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
ARTICLE_FILES = [a["file"] for a in EXPECTED["articles"]]
HTML_ARTICLES = [f for f in ARTICLE_FILES if f.endswith(".html")]
FAST = ["--delay", "0", "--timeout", "5", "--retries", "1"]


def run(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coverage_cmp", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def stored(db: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT id, source FROM articles ORDER BY id").fetchall()
    finally:
        con.close()


def serve_fixtures(server: LoopbackServer) -> None:
    """Serve the fixture folder as a site, the placeholder origin swapped for the server's."""
    for path in FIXTURES.iterdir():
        if path.suffix in {".html", ".xml", ".txt"}:
            body = path.read_text(encoding="utf-8").replace(ORIGIN, server.base_url)
            kind = {".xml": "application/rss+xml", ".txt": "text/plain"}.get(
                path.suffix, "text/html; charset=utf-8")
            server.route(f"/{path.name}", Reply(body=body.encode("utf-8"), content_type=kind))
    server.route("/", Reply(body=(FIXTURES / "index.html").read_text(encoding="utf-8")
                            .replace(ORIGIN, server.base_url).encode("utf-8")))


def test_collect_files_then_list_them(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    files = [str(FIXTURES / f) for f in ARTICLE_FILES]
    result = run("collect", *files, "--db", str(db), "--outlets",
                 str(FIXTURES / "outlets.toml"))
    assert result.returncode == 0, result.stderr
    assert len(stored(db)) == len(files)
    listing = run("articles", "--db", str(db), "--format", "json")
    assert listing.returncode == 0
    articles = json.loads(listing.stdout)["articles"]
    by_file = {Path(a["source"]).name: a for a in articles}
    for expected in EXPECTED["articles"]:
        got = by_file[expected["file"]]
        assert got["outlet"] == expected["outlet"], expected["file"]
        assert got["outlet_scope"] == expected["scope"], expected["file"]


def test_rerun_stores_nothing_twice(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    files = [str(FIXTURES / f) for f in ARTICLE_FILES[:4]]
    assert run("collect", *files, "--db", str(db)).returncode == 0
    before = stored(db)
    again = run("collect", *files, "--db", str(db))
    assert again.returncode == 0
    assert stored(db) == before
    assert "0 new" in again.stderr


def test_bad_sources_are_named_and_the_rest_still_stored(tmp_path: Path, http_server) -> None:
    db = tmp_path / "c.db"
    good = str(FIXTURES / "cambs-regional.html")
    assert run("collect", good, "--db", str(db)).returncode == 0
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "blob.html"
    binary.write_bytes(bytes(range(256)) * 40)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Police in Hôpital-Café arrested eight people on Tuesday.\n\n"
                       "« Nous avons agi », a dit le préfet.\n".encode("latin-1"))
    server = http_server("127.0.0.2")
    server.route("/gone", Reply(status=410))
    server.route("/flaky", sequence(Reply(status=500),
                                    Reply(body=(FIXTURES / "lincs-regional.html").read_bytes())))
    server.route("/doc.pdf", Reply(body=b"%PDF-1.4 ...", content_type="application/pdf"))
    bad = ["/no/such/file.html", str(empty), str(binary), "file:///etc/passwd",
           "not a url://", server.url("/gone"), server.url("/doc.pdf"), "http://127.0.0.1:9/x"]
    result = run("collect", *bad, str(latin1), server.url("/flaky"), "--db", str(db), *FAST)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    for source in bad:
        assert any(source in line for line in errors), (source, result.stderr)
    assert "Traceback" not in result.stderr
    sources = {s for _, s in stored(db)}
    assert good in sources, "an article stored earlier was lost"
    assert str(latin1) in sources
    assert server.url("/flaky") in sources
    con = sqlite3.connect(db)
    text = con.execute("SELECT text FROM articles WHERE source = ?", (str(latin1),)).fetchone()[0]
    assert "Hôpital-Café" in text
    attempts = con.execute("SELECT attempts FROM fetch_log WHERE url = ?",
                           (server.url("/flaky"),)).fetchone()[0]
    assert attempts == 2


def test_json_errors_list_failed_sources(tmp_path: Path) -> None:
    result = run("extract", str(FIXTURES / "cambs-regional.html"), "/no/such.html",
                 "--format", "json")
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert [e["source"] for e in out["errors"]] == ["/no/such.html"]
    assert len(out["articles"]) == 1


def test_unusable_store_exits_2_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_text("my notes\n" * 50)
    result = run("collect", str(FIXTURES / "cambs-regional.html"), "--db", str(db))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error: ") and str(db) in result.stderr
    assert db.read_text() == "my notes\n" * 50


def test_bad_usage_exits_2() -> None:
    assert run("collect").returncode == 2
    assert run("cluster", "--threshold", "7").returncode == 2
    assert run("no-such-command").returncode == 2


def test_feed_and_site_collect_through_the_polite_fetcher(tmp_path: Path, http_server) -> None:
    server = http_server("127.0.0.3")
    serve_fixtures(server)
    db = tmp_path / "c.db"
    result = run("collect", "--feed", server.url("/feed.xml"), "--db", str(db), *FAST,
                 "--since", "2014-07-01", "--until", "2014-12-31")
    assert result.returncode == 0, result.stderr
    urls = {s for _, s in stored(db)}
    july = {server.url(f"/{a['file']}") for a in EXPECTED["articles"]
            if a["cluster"] == "op-2014-07"}
    assert july <= urls
    assert not any("2015" in u or "distractor" in u for u in urls)
    user_agents = {r.headers.get("user-agent") for r in server.requests}
    assert len(user_agents) == 1 and "coverage-cmp" in user_agents.pop()
    # Stored URLs are not fetched again; --refresh fetches them.
    def article_paths() -> list[str]:
        return [p for p in server.paths() if p.endswith((".html", ".txt")) and p != "/robots.txt"]

    pages = article_paths()
    assert run("collect", "--feed", server.url("/feed.xml"), "--db", str(db), *FAST,
               "--since", "2014-07-01", "--until", "2014-12-31").returncode == 0
    assert article_paths() == pages
    refreshed = run("collect", "--feed", server.url("/feed.xml"), "--db", str(db), *FAST,
                    "--since", "2014-07-01", "--until", "2014-12-31", "--refresh")
    assert refreshed.returncode == 0
    assert len(article_paths()) == 2 * len(pages)
    site = run("collect", "--site", server.base_url + "/", "--db", str(tmp_path / "s.db"),
               *FAST)
    assert site.returncode in (0, 1), site.stderr
    assert len(stored(tmp_path / "s.db")) >= len(HTML_ARTICLES) - 1


def test_robots_txt_is_obeyed_unless_ignored(tmp_path: Path, http_server) -> None:
    server = http_server("127.0.0.4")
    serve_fixtures(server)
    server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /\n",
                                      content_type="text/plain"))
    url = server.url("/cambs-regional.html")
    blocked = run("collect", url, "--db", str(tmp_path / "c.db"), *FAST)
    assert blocked.returncode == 1 and "robots.txt" in blocked.stderr
    assert "/cambs-regional.html" not in server.paths()
    allowed = run("collect", url, "--ignore-robots", "--db", str(tmp_path / "c.db"), *FAST)
    assert allowed.returncode == 0
    assert len(stored(tmp_path / "c.db")) == 1


def _many_files(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        (folder / f"story-{i:04d}.txt").write_text(
            f"Story {i} about the {folder.name} harbour\n\nThe harbour master counted {i} boats. "
            f"Officials said the number {i * 7} would be checked again next week.\n" * 3,
            encoding="utf-8")


def test_kill_9_during_collect_then_rerun_gives_each_article_once(tmp_path: Path) -> None:
    folder = tmp_path / "pile"
    _many_files(folder, 300)
    db = tmp_path / "c.db"
    for delay in (1.5, 2.5):
        proc = subprocess.Popen([sys.executable, "-m", "coverage_cmp", "collect", str(folder),
                                 "--db", str(db)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert run("collect", str(folder), "--db", str(db)).returncode == 0
    rows = stored(db)
    assert len(rows) == 300 and len({s for _, s in rows}) == 300
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    statuses = [r[0] for r in con.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses[-1] == "ok"


def test_two_collect_processes_on_one_store_both_finish(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _many_files(a, 120)
    _many_files(b, 120)
    (b / "story-0000.txt").write_text((a / "story-0000.txt").read_text())
    db = tmp_path / "c.db"
    procs = [subprocess.Popen([sys.executable, "-m", "coverage_cmp", "collect", str(d),
                               "--db", str(db)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for d in (a, b)]
    codes = [p.wait(timeout=300) for p in procs]
    assert codes == [0, 0], [p.stderr.read() for p in procs]
    # b/story-0000 has a/story-0000's text: one article (no URL, same content) in all.
    assert len(stored(db)) == 239


def test_extract_json_follows_the_contract() -> None:
    result = run("extract", str(FIXTURES / "cambs-regional.html"), "--format", "json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["schema"] == "coverage-cmp/extract@1" and out["errors"] == []
    (article,) = out["articles"]
    assert set(article) >= {"id", "source", "outlet", "title", "published", "text",
                            "quotes", "facts"}
    assert article["source"] == str(FIXTURES / "cambs-regional.html")
    text = article["text"]
    for quote in article["quotes"]:
        assert text[quote["start"]:quote["end"]] == quote["text"]
        assert quote["kind"] in {"direct", "indirect"}
    for fact in article["facts"]:
        assert text[fact["start"]:fact["end"]] == fact["text"]
    speakers = {q["speaker"] for q in article["quotes"] if q["kind"] == "direct"}
    assert speakers == {"Phil Gormley", "Simon Bailey"}


def test_same_article_same_text_from_every_command(tmp_path: Path) -> None:
    path = str(FIXTURES / "lincs-regional.html")
    db = tmp_path / "c.db"
    assert run("collect", path, "--db", str(db)).returncode == 0
    from_store = json.loads(run("articles", "--db", str(db), "--format", "json").stdout)
    direct = json.loads(run("articles", path, "--format", "json").stdout)
    extracted = json.loads(run("extract", path, "--format", "json").stdout)
    texts = {from_store["articles"][0]["text"], direct["articles"][0]["text"],
             extracted["articles"][0]["text"]}
    assert len(texts) == 1
    ids = {from_store["articles"][0]["id"], direct["articles"][0]["id"],
           extracted["articles"][0]["id"]}
    assert len(ids) == 1


def test_cluster_json_puts_every_article_in_one_cluster(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    files = [str(FIXTURES / f) for f in ARTICLE_FILES]
    assert run("collect", *files, "--db", str(db)).returncode == 0
    result = run("cluster", "--db", str(db), "--format", "json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["schema"] == "coverage-cmp/cluster@1"
    members = [m["id"] for c in out["clusters"] for m in c["articles"]]
    assert sorted(members) == sorted(i for i, _ in stored(db))
    again = json.loads(run("cluster", "--db", str(db), "--format", "json").stdout)
    assert [c["id"] for c in again["clusters"]] == [c["id"] for c in out["clusters"]]


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version(flag: str) -> None:
    result = run(flag)
    assert result.returncode == 0 and result.stdout


@pytest.fixture(scope="module")
def clustered_store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("store") / "c.db"
    files = [str(FIXTURES / f) for f in ARTICLE_FILES]
    assert run("collect", *files, "--db", str(db), "--outlets",
               str(FIXTURES / "outlets.toml")).returncode == 0
    assert run("cluster", "--db", str(db)).returncode == 0
    return db


def test_compare_writes_every_format(clustered_store: Path, tmp_path: Path) -> None:
    db = str(clustered_store)
    as_json = json.loads(run("compare", "--db", db, "--format", "json").stdout)
    assert as_json["schema"] == "coverage-cmp/compare@1"
    outlets = {r["outlet"] for r in as_json["reports"]}
    assert {"Fenland Gazette", "The Lincoln Standard"} <= outlets
    md = run("compare", "--db", db, "--format", "md")
    assert md.returncode == 0 and "| Fenland Gazette |" in md.stdout.replace("  ", " ")
    html = tmp_path / "r.html"
    assert run("compare", "--db", db, "--format", "html", "-o", str(html)).returncode == 0
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Fenland Gazette" in page
    assert "http://" not in page.split("<body", 1)[0].replace("http://www.w3.org", "")
    tables = tmp_path / "tables"
    assert run("compare", "--db", db, "--format", "csv", "-o", str(tables)).returncode == 0
    assert {p.name for p in tables.iterdir()} >= {"reports.csv", "segments.csv",
                                                  "quotes.csv", "facts.csv"}


def test_report_gives_the_corpus_view_and_figures(clustered_store: Path,
                                                  tmp_path: Path) -> None:
    result = run("report", "--db", str(clustered_store), "--format", "json",
                 "--plots", str(tmp_path / "figs"))
    assert result.returncode == 0, result.stderr
    corpus = json.loads(result.stdout)
    assert corpus["errors"] == []
    assert list((tmp_path / "figs").glob("*.svg")) and list((tmp_path / "figs").glob("*.png"))


def test_a_format_a_command_cannot_give_is_bad_usage() -> None:
    result = run("extract", str(FIXTURES / "cambs-regional.html"), "--format", "html")
    assert result.returncode == 2 and "--format html" in result.stderr
    assert run("compare", str(FIXTURES / "cambs-regional.html"), "--format",
               "csv").returncode == 2


def test_report_before_cluster_says_what_to_run(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    assert run("collect", str(FIXTURES / "cambs-regional.html"), "--db", str(db)).returncode == 0
    result = run("report", "--db", str(db))
    assert result.returncode == 2 and "coverage-cmp cluster" in result.stderr


@pytest.mark.slow
def test_dask_engine_prints_the_same_json_as_the_default(clustered_store: Path) -> None:
    db = str(clustered_store)
    files = [str(FIXTURES / f) for f in ARTICLE_FILES]
    dask = ["--engine", "dask", "--workers", "2"]
    for command in (["extract", "--db", db], ["compare", "--db", db], ["cluster", *files]):
        default = run(*command, "--format", "json")
        assert default.returncode == 0, default.stderr
        on_dask = run(*command, "--format", "json", *dask)
        assert on_dask.returncode == 0, on_dask.stderr
        assert on_dask.stdout == default.stdout, command


def test_engine_options_are_checked() -> None:
    result = run("extract", str(FIXTURES / "cambs-regional.html"), "--scheduler",
                 "tcp://127.0.0.1:8786")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --scheduler needs --engine dask"
    assert run("extract", str(FIXTURES / "cambs-regional.html"), "--workers", "0").returncode == 2


def test_parquet_export_then_import_keeps_every_article(clustered_store: Path,
                                                         tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    exported = run("export", "--format", "parquet", "-o", str(tmp_path / "pq"), "--db",
                   str(clustered_store))
    assert exported.returncode == 0, exported.stderr
    assert list((tmp_path / "pq").glob("window=*/*.parquet"))
    db = tmp_path / "imported.db"
    imported = run("import", str(tmp_path / "pq"), "--db", str(db))
    assert imported.returncode == 0, imported.stderr
    assert stored(db) == stored(clustered_store)
    again = run("import", str(tmp_path / "pq"), "--db", str(db))
    assert again.stderr.startswith("0 new articles")
    missing = run("import", str(tmp_path / "nowhere"), "--db", str(db))
    assert missing.returncode == 2 and "nowhere" in missing.stderr


def test_run_does_the_whole_store_and_a_rerun_redoes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    files = [str(FIXTURES / f) for f in ARTICLE_FILES]
    assert run("collect", *files, "--db", str(db)).returncode == 0
    first = run("run", "--db", str(db), "--workers", "1", "--format", "json")
    assert first.returncode == 0, first.stderr
    done = json.loads(first.stdout)
    assert done["extracted"] == len(files) and done["extractions_reused"] == 0
    assert done["clusters"] >= 3 and done["compared"] >= 1
    again = json.loads(run("run", "--db", str(db), "--workers", "1", "--format",
                           "json").stdout)
    assert (again["extracted"], again["extractions_reused"]) == (0, len(files))
    assert again["compared"] == 0 and again["comparisons_reused"] == done["compared"]
    assert run("report", "--db", str(db), "--format", "json").returncode == 0


def write_events(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["source,event", *(f"{source},{event}" for source, event in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


#: The fixtures' events, each article named by its path relative to the checkout.
FIXTURE_EVENTS = [(f"fixtures/notarise/{a['file']}", a["cluster"]) for a in EXPECTED["articles"]]


def groups(clusters_json: dict) -> set[frozenset[str]]:
    return {frozenset(Path(m["source"]).name for m in c["articles"])
            for c in clusters_json["clusters"]}


def test_fit_model_then_cluster_with_it(tmp_path: Path) -> None:
    files = [str(FIXTURES / f) for f in ARTICLE_FILES]
    events = write_events(tmp_path / "events.csv", FIXTURE_EVENTS)
    model = tmp_path / "model.json"
    fitted = run("fit-model", *files, "--events", str(events), "--out", str(model))
    assert fitted.returncode == 0, fitted.stderr
    assert f"fitted on {len(files)} articles of 3 events" in fitted.stderr
    written = json.loads(model.read_text(encoding="utf-8"))
    assert written["schema"] == "coverage-cmp/pair-model@1"
    assert written["features"] == list(PAIR_FEATURES)
    assert len(written["weights"]) == len(PAIR_FEATURES)
    result = run("cluster", *files, "--model", str(model), "--format", "json")
    assert result.returncode == 0, result.stderr
    expected = {frozenset(a["file"] for a in EXPECTED["articles"] if a["cluster"] == event)
                for event in {a["cluster"] for a in EXPECTED["articles"]}}
    assert groups(json.loads(result.stdout)) == expected


def test_a_model_keeping_every_pair_apart_is_used_by_cluster_and_run(tmp_path: Path) -> None:
    """Only verbatim copies (which need no model) stay together under such a model."""
    apart = tmp_path / "apart.json"
    apart.write_text(json.dumps({**DEFAULT_PAIR_MODEL.to_json(), "bias": -60.0}),
                     encoding="utf-8")
    files = [str(FIXTURES / f) for f in ARTICLE_FILES]
    together = json.loads(run("cluster", *files, "--format", "json").stdout)
    assert max(len(c["articles"]) for c in together["clusters"]) > 3
    result = run("cluster", *files, "--model", str(apart), "--format", "json")
    assert result.returncode == 0, result.stderr
    clusters = json.loads(result.stdout)["clusters"]
    assert sum(len(c["articles"]) for c in clusters) == len(files)
    originals = [[m for m in c["articles"] if m["duplicate_of"] is None] for c in clusters]
    assert all(len(kept) == 1 for kept in originals)
    assert len(clusters) > len(together["clusters"])

    db = tmp_path / "c.db"
    assert run("collect", *files, "--db", str(db)).returncode == 0
    first = run("run", "--db", str(db), "--workers", "1", "--model", str(apart), "--format",
                "json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["clusters"] >= len(clusters)
    con = sqlite3.connect(db)
    try:
        originals_per_cluster = {n for (n,) in con.execute(
            "SELECT COUNT(*) FROM cluster_members WHERE duplicate_of IS NULL "
            "GROUP BY cluster_id")}
    finally:
        con.close()
    assert originals_per_cluster == {1}
    same = json.loads(run("run", "--db", str(db), "--workers", "1", "--model", str(apart),
                          "--format", "json").stdout)
    assert same["partitions_clustered"] == 0 and same["partitions_reused"] > 0
    other = json.loads(run("run", "--db", str(db), "--workers", "1", "--format",
                           "json").stdout)
    assert other["partitions_clustered"] == same["partitions_reused"]


def test_fit_model_bad_inputs_give_one_line_and_exit_2(tmp_path: Path) -> None:
    files = [str(FIXTURES / f) for f in ARTICLE_FILES]
    model = tmp_path / "model.json"
    unknown = write_events(tmp_path / "unknown.csv",
                           [*FIXTURE_EVENTS, ("fixtures/notarise/not-there.html", "x")])
    one_event = write_events(tmp_path / "one-event.csv",
                             [(s, "op") for s, _ in FIXTURE_EVENTS])
    columns = tmp_path / "columns.csv"
    columns.write_text("path,story\na.html,x\n", encoding="utf-8")
    cases = [
        (unknown, f"row {len(FIXTURE_EVENTS) + 1}: 'fixtures/notarise/not-there.html'"),
        (one_event, "two events"),
        (columns, "needs the columns source and event"),
        (tmp_path / "missing.csv", "cannot read the events"),
    ]
    for events, message in cases:
        result = run("fit-model", *files, "--events", str(events), "--out", str(model))
        assert result.returncode == 2, (events, result.stderr)
        assert result.stderr.startswith(f"error: {events}: ")
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert not model.exists()


@pytest.mark.parametrize("command", ["cluster", "run"])
def test_an_unusable_model_file_gives_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "coverage-cmp/pair-model@1", "features": ["words"]}',
                      encoding="utf-8")
    db = tmp_path / "c.db"
    args = [str(FIXTURES / "nca-release.html")] if command == "cluster" else ["--db", str(db)]
    for model, message in [(broken, "features must be"), (tmp_path / "none.json",
                                                           "cannot read the model")]:
        result = run(command, *args, "--model", str(model))
        assert result.returncode == 2
        assert result.stderr.startswith(f"error: {model}: ") and message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
