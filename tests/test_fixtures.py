"""The notarise fixture set is consistent with its own ``expected.json``.

Every later stage is tested against these pages, so a typo here would make a correct
extractor fail (or a wrong one pass). These checks read the pages with lxml only; they
depend on no stage of coverage_cmp.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import httpx
import lxml.html
import pytest
from httpserver import Reply

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notarise"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
ARTICLES = {article["file"]: article for article in EXPECTED["articles"]}
HTML_FILES = [name for name in ARTICLES if name.endswith(".html")]
ORIGIN = "http://fixtures.invalid"
REFERENCE = EXPECTED["event"]["reference"]

#: Cardinal numbers as words; every one in a body must be a listed fact or a listed trap.
NUMBER = re.compile(
    r"\d[\d,]*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty"
    r"|seventy|eighty|ninety|hundred|thousand|dozen|single)\b",
    re.IGNORECASE,
)


def squash(text: str) -> str:
    return " ".join(text.split())


@cache
def page(name: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((FIXTURES / name).read_bytes())


@cache
def body(name: str) -> str:
    """Ground-truth body text: paragraphs joined by a blank line, spaces squashed.

    HTML: the paragraphs ``body_xpath`` selects. Wire text: the paragraphs between the
    header block (up to the first blank line) and the ``ENDS`` line.
    """
    if name.endswith(".txt"):
        text = (FIXTURES / name).read_text(encoding="utf-8")
        paragraphs = text.split("\n\n")[1:]
        paragraphs = paragraphs[: next(i for i, p in enumerate(paragraphs) if p.startswith("ENDS"))]
    else:
        paragraphs = [p.text_content() for p in page(name).xpath(ARTICLES[name]["body_xpath"])]
    return "\n\n".join(squash(p) for p in paragraphs)


def meta(name: str, prop: str) -> str:
    values = page(name).xpath(f"//meta[@property='{prop}' or @name='{prop}']/@content")
    assert len(values) == 1, f"{name}: {prop} given {len(values)} times"
    return values[0]


def test_every_listed_file_exists():
    listed = set(ARTICLES) | {EXPECTED["near_verbatim"], REFERENCE}
    listed |= {name for files in EXPECTED["clusters"].values() for name in files}
    listed |= {d["article"] for d in EXPECTED["departures"]}
    listed |= {d["reference"] for d in EXPECTED["departures"]}
    missing = sorted(name for name in listed if not (FIXTURES / name).is_file())
    assert missing == []


def test_clusters_partition_the_articles():
    clustered = [name for files in EXPECTED["clusters"].values() for name in files]
    assert sorted(clustered) == sorted(ARTICLES)
    for cluster, files in EXPECTED["clusters"].items():
        assert all(ARTICLES[name]["cluster"] == cluster for name in files)


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_body_is_found_and_nonempty(name):
    assert len(body(name).split()) >= 40


@pytest.mark.parametrize("name", HTML_FILES)
def test_html_page_has_the_metadata_tools_read(name):
    article = ARTICLES[name]
    assert squash(page(name).findtext(".//title"))
    assert meta(name, "og:title") == article["title"]
    assert meta(name, "og:site_name") == article["outlet"]
    assert meta(name, "article:published_time") == article["published"]
    assert meta(name, "author")
    canonical = page(name).xpath("//link[@rel='canonical']/@href")
    assert canonical == [article["url"]]
    assert urlsplit(article["url"]).hostname.removeprefix("www.") == article["domain"]


@pytest.mark.parametrize("name", HTML_FILES)
def test_html_page_carries_site_chrome_around_the_body(name):
    """Navigation, scripts and reader comments surround the body but are not part of it."""
    tree = page(name)
    assert tree.xpath("//script")
    assert tree.xpath("//a[contains(@href, 'privacy') or contains(@href, 'cookie')]")
    whole = squash(tree.text_content())
    for text in ARTICLES[name]["outside_body"]:
        assert text in whole, f"{name}: {text!r} missing from the page"
        assert text not in body(name), f"{name}: {text!r} leaked into the body"


def test_wire_text_keeps_its_header_and_trailer_outside_the_body():
    text = (FIXTURES / "agency-wire.txt").read_text(encoding="utf-8")
    assert "``" in text and "''" in text and "\nENDS\n" in text
    for outside in ARTICLES["agency-wire.txt"]["outside_body"]:
        assert outside in text and outside not in body("agency-wire.txt")
    assert body("agency-wire.txt").startswith("LONDON (Press Wire) - ")


def test_publication_dates_fit_the_events():
    for article in EXPECTED["articles"]:
        if article["published"] is None:
            continue
        published = datetime.fromisoformat(article["published"])
        assert published.tzinfo is not None
        if article["cluster"] == "op-2014-07":
            assert published.date().isoformat() in {"2014-07-16", "2014-07-17"}
        else:
            assert published.year == 2015
    assert ARTICLES[REFERENCE]["published"].startswith(EXPECTED["event"]["published"])


@pytest.mark.parametrize("departure", EXPECTED["departures"], ids=lambda d: d["id"])
def test_departure_texts_occur_in_their_pages(departure):
    if departure["reference_text"] is not None:
        assert departure["reference_text"] in body(departure["reference"])
    if departure["report_text"] is not None:
        assert departure["report_text"] in body(departure["article"])
    assert departure["reference_text"] or departure["report_text"]


def test_departure_ids_are_unique():
    ids = [d["id"] for d in EXPECTED["departures"]]
    assert len(ids) == len(set(ids))


def test_departure_statuses_follow_the_compare_contract():
    statuses = {
        "fact": {"same", "changed", "qualified", "added", "omitted"},
        "quote": {
            "verbatim",
            "trimmed",
            "altered",
            "paraphrased",
            "narrative-quoted",
            "new",
            "omitted",
        },
        "reuse": {"verbatim", "omitted"},
    }
    for d in EXPECTED["departures"]:
        assert d["status"] in statuses[d["kind"]], d["id"]
        assert (d["reference_text"] is None) == (d["status"] in {"added", "new"}), d["id"]
        assert (d["report_text"] is None) == (d["status"] == "omitted"), d["id"]


def has(kind: str, status: str, **fields: str):
    return any(
        d["kind"] == kind and d["status"] == status and all(d[k] == v for k, v in fields.items())
        for d in EXPECTED["departures"]
    )


def test_every_departure_kind_of_the_coverage_notes_is_present():
    """COVERAGE-NOTES, "What a good fixture set shows"."""
    assert has("fact", "changed", fact_kind="quantity"), "changed number"
    assert has("fact", "qualified", fact_kind="quantity"), "rounded or hedged number"
    assert has("fact", "changed", fact_kind="place"), "wrong place"
    assert has("fact", "changed", fact_kind="verb"), "changed verb"
    assert has("fact", "changed", fact_kind="title"), "shortened title"
    assert has("fact", "changed", fact_kind="duration"), "changed duration"
    assert has("fact", "added", fact_kind="quantity"), "local angle"
    assert has("quote", "trimmed"), "trimmed quote"
    assert has("quote", "altered"), "reworded quote"
    assert has("quote", "narrative-quoted"), "narrative inside quote marks"
    assert has("quote", "new"), "quote only in the report"
    assert has("quote", "omitted"), "omitted quote"
    assert has("quote", "verbatim", speaker_status="changed"), "misattributed quote"
    assert has("reuse", "verbatim", article=EXPECTED["near_verbatim"]), "near-verbatim copy"


def quote_span(name: str, quote: dict) -> tuple[int, int]:
    """Where a listed quote lies in the body, from its first and last words."""
    text = body(name)
    start = text.index(quote["text_startswith"])
    return start, text.index(quote["text_endswith"], start) + len(quote["text_endswith"])


def test_every_release_quote_has_a_status_in_every_report():
    """Quote departures are complete: each report accounts for each release quote."""
    text = body(REFERENCE)
    spans = [quote_span(REFERENCE, quote) for quote in ARTICLES[REFERENCE]["quotes"]]
    for name, article in ARTICLES.items():
        if article["cluster"] != "op-2014-07" or name == REFERENCE:
            continue
        starts = [
            text.index(d["reference_text"])
            for d in EXPECTED["departures"]
            if d["article"] == name
            and d["reference"] == REFERENCE
            and d["kind"] == "quote"
            and d["reference_text"] is not None
        ]
        covered = {span for span in spans for at in starts if span[0] <= at < span[1]}
        assert covered == set(spans), name


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_listed_quotes_occur_in_the_body(name):
    text = body(name)
    for quote in ARTICLES[name]["quotes"]:
        start = text.find(quote["text_startswith"])
        assert start >= 0, quote["text_startswith"]
        assert text.find(quote["text_endswith"], start) > start, quote["text_endswith"]
        assert quote["kind"] in {"direct", "indirect"}
        assert quote["speaker"] and quote["speaker"] != "he"
        if quote["speaker_mention"] is not None:
            assert quote["speaker_mention"] in text
    for trap in ARTICLES[name]["not_quotes"]:
        assert trap["text"] in text


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_listed_facts_occur_in_the_body_with_their_value(name):
    text = body(name)
    for fact in ARTICLES[name]["facts"]:
        assert fact["text"] in text, fact["text"]
        digits = re.search(r"\d[\d,]*", fact["text"])
        if digits and fact["kind"] in {"quantity", "money", "percent"}:
            assert int(digits.group().replace(",", "")) == fact["value"], fact["text"]
        assert fact["qualifier"] is None or fact["text"].lower().startswith(fact["qualifier"])


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_every_number_in_the_body_is_a_listed_fact_or_trap(name):
    """Facts are complete: no count in the body goes unlisted."""
    text = body(name)
    listed = ARTICLES[name]["facts"] + ARTICLES[name]["not_facts"]
    spans = [m.span() for item in listed for m in re.finditer(re.escape(item["text"]), text)]
    for number in NUMBER.finditer(text):
        assert any(s <= number.start() and number.end() <= e for s, e in spans), number.group()


def test_near_verbatim_copy_differs_from_the_agency_only_as_documented():
    """Trade copy = agency copy minus one sentence, with straight quote marks."""
    dropped = next(
        d["reference_text"] for d in EXPECTED["departures"] if d["id"] == "trade-dropped-sentence"
    )
    agency = body("agency-wire.html").replace("\n\n" + dropped, "")
    straightened = re.sub("[“”]", '"', agency).replace("’", "'")
    assert body(EXPECTED["near_verbatim"]) == straightened
    assert ARTICLES["agency-wire.html"]["title"] != ARTICLES[EXPECTED["near_verbatim"]]["title"]


def test_wire_text_is_the_agency_story():
    ascii_agency = re.sub("[“”]", '"', body("agency-wire.html")).replace("’", "'")
    wire = body("agency-wire.txt").removeprefix("LONDON (Press Wire) - ")
    wire = wire.replace("``", '"').replace("''", '"').replace(" -- ", " – ")
    assert wire == ascii_agency


def linked_urls() -> set[str]:
    return {url for url in page("index.html").xpath("//a/@href")}


def test_front_page_links_every_article_and_the_categories():
    links = linked_urls()
    for name in ARTICLES:
        assert f"{ORIGIN}/{name}" in links
    assert sum("/category/" in url for url in links) >= 5


@pytest.mark.parametrize("feed_name", ["feed.xml", "atom.xml"])
def test_feeds_parse_and_list_every_article(feed_name):
    feed = feedparser.parse((FIXTURES / feed_name).read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    entries = {entry.link: entry for entry in feed.entries}
    assert set(entries) == {f"{ORIGIN}/{name}" for name in ARTICLES}
    for name, article in ARTICLES.items():
        entry = entries[f"{ORIGIN}/{name}"]
        assert entry.title == article["title"]
        assert entry.summary
        if article["published"]:
            published = datetime.fromisoformat(article["published"])
            assert entry.published_parsed[:6] == published.utctimetuple()[:6]


def test_outlets_file_describes_every_outlet():
    outlets = tomllib.loads((FIXTURES / "outlets.toml").read_text(encoding="utf-8"))["outlet"]
    by_domain = {outlet["domain"]: outlet for outlet in outlets}
    for article in EXPECTED["articles"]:
        outlet = by_domain[article["domain"]]
        assert (outlet["name"], outlet["scope"], outlet["region"]) == (
            article["outlet"],
            article["scope"],
            article["region"],
        )


def test_exports_hold_the_same_text_as_the_pages():
    with open(FIXTURES / "exports" / "coverage.csv", encoding="utf-8", newline="") as handle:
        csv_rows = list(csv.DictReader(handle))
    lines = (FIXTURES / "exports" / "coverage.jsonl").read_text(encoding="utf-8").splitlines()
    jsonl_rows = [json.loads(line) for line in lines]
    assert len(csv_rows) == len(jsonl_rows) == 3
    by_url = {article["url"]: name for name, article in ARTICLES.items()}
    for row in csv_rows + jsonl_rows:
        name = by_url[row["url"]]
        assert row["text"] == body(name)
        assert row["title"] == ARTICLES[name]["title"]
        assert row["media_name"] == ARTICLES[name]["outlet"]
        assert ARTICLES[name]["published"].startswith(row["publish_date"].replace(" ", "T"))


def test_feed_served_from_loopback_links_pages_that_answer(http_server):
    """The README's recipe: serve the folder, swapping the placeholder origin."""
    server = http_server("127.0.0.1")
    origin = server.url("")
    types = {
        ".html": "text/html; charset=utf-8",
        ".xml": "application/rss+xml",
        ".txt": "text/plain",
    }
    for path in FIXTURES.glob("*.*"):
        data = path.read_bytes().replace(ORIGIN.encode(), origin.encode())
        server.route("/" + path.name, Reply(body=data, content_type=types.get(path.suffix)))
    feed = feedparser.parse(httpx.get(server.url("/feed.xml")).content)
    links = [entry.link for entry in feed.entries]
    assert len(links) == len(ARTICLES) and all(link.startswith(origin) for link in links)
    for link in links:
        assert httpx.get(link).status_code == 200
