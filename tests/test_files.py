"""Reading local files: pages, wire copy, URL lists, folders, exports and bad input."""

from __future__ import annotations

import csv
import gzip
import json
import logging
import os
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coverage_cmp._text import normalize_text
from coverage_cmp.collect.files import is_url_list, read_path
from coverage_cmp.collect.outlets import OutletDirectory
from coverage_cmp.collect.plaintext import parse_plain_text
from coverage_cmp.model import Article, Link, SourceFailure
from coverage_cmp.settings import CollectSettings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "files"
WIRE = FIXTURES / "wire"

PARAGRAPHS = [
    "Eleven people were arrested in the county as part of a national operation against "
    "online child abuse, officers said on Wednesday.",
    "Detectives searched fifteen homes and seized more than two hundred computers, phones "
    "and other devices during the six-month inquiry.",
    "A spokesperson for the force said the work would carry on “for as long as it takes” "
    "and thanked residents for their patience while the searches went on.",
]


def page(*, canonical: str | None = "https://www.cambridge-news.co.uk/news/eleven-held",
         site_name: str | None = "Cambridge News", charset: str | None = "utf-8",
         paragraphs: list[str] = PARAGRAPHS) -> str:
    """A saved article page in the usual shape (head metadata, nav, article, footer)."""
    head = [f'<meta charset="{charset}">' if charset else "", "<title>Eleven held</title>"]
    if canonical:
        head.append(f'<link rel="canonical" href="{canonical}">')
    if site_name:
        head.append(f'<meta property="og:site_name" content="{site_name}">')
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head>{''.join(head)}</head><body>"
            "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<article><h1>Eleven held in abuse inquiry</h1>{body}</article>"
            "<footer>Copyright notice</footer></body></html>")


@pytest.fixture(scope="module")
def outlets() -> OutletDirectory:
    return OutletDirectory.load()


@pytest.fixture
def read(outlets):
    def run(path: str | Path, **options) -> list:
        settings = CollectSettings(**options)
        records = list(read_path(str(path), settings, outlets))
        assert all(isinstance(r, Article | Link | SourceFailure) for r in records)
        return records
    return run


def only_failure(records: list, source: str) -> str:
    assert len(records) == 1 and isinstance(records[0], SourceFailure), records
    assert records[0].source == source
    # The source is named once, by ``source``; the error is the reason alone.
    assert not records[0].error.startswith(source) and "\n" not in records[0].error
    return records[0].error


# --- HTML -------------------------------------------------------------------------------

def test_saved_page_becomes_article_with_outlet_and_raw_html(read, tmp_path):
    path = tmp_path / "eleven.html"
    path.write_text(page(), encoding="utf-8")
    [article] = read(path)
    assert isinstance(article, Article)
    assert article.source == str(path)
    assert article.text.startswith("Eleven people were arrested")
    assert "Home" not in article.text and "Copyright" not in article.text
    assert article.canonical_url == "https://www.cambridge-news.co.uk/news/eleven-held"
    assert (article.outlet, article.outlet_scope, article.outlet_region) == (
        "Cambridge News", "regional", "Cambridgeshire")
    assert article.raw_html == path.read_bytes()


def test_source_is_the_path_exactly_as_given(read, tmp_path, monkeypatch):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.htm").write_text(page())
    monkeypatch.chdir(tmp_path)
    [article] = read("./pages/a.htm")
    assert article.source == "./pages/a.htm"


def test_outlet_from_site_name_when_page_has_no_canonical_link(read, tmp_path):
    path = tmp_path / "a.html"
    path.write_text(page(canonical=None, site_name="Liverpool Echo"))
    [article] = read(path)
    assert article.outlet == "Liverpool Echo"
    path.write_text(page(canonical=None, site_name=None))
    [article] = read(path)
    assert article.outlet is None


def test_html_charset_from_meta_then_detection(read, tmp_path):
    paragraphs = [*PARAGRAPHS, "The café owner said the £5,000 reward – a first – stood."]
    declared = tmp_path / "declared.html"
    declared.write_bytes(page(charset="windows-1252", paragraphs=paragraphs).encode("cp1252"))
    undeclared = tmp_path / "undeclared.html"
    undeclared.write_bytes(page(charset=None, paragraphs=paragraphs).encode("latin-1",
                                                                            errors="replace"))
    [with_meta] = read(declared)
    assert "café owner said the £5,000 reward – a first – stood" in with_meta.text
    assert "“for as long as it takes”" in with_meta.text
    [detected] = read(undeclared)
    assert "café owner said the £5,000 reward" in detected.text


def test_html_without_article_is_a_failure(read, tmp_path):
    path = tmp_path / "index.html"
    path.write_text("<html><body><nav><a href='/a'>A</a></nav></body></html>")
    assert "no article text" in only_failure(read(path), str(path))


def test_broken_html_still_gives_its_article(read, tmp_path):
    path = tmp_path / "broken.html"
    html = page().replace("</p>", "").replace("</article>", "").replace("</body></html>", "")
    path.write_text(html + "<div><span><p>unclosed")
    [article] = read(path)
    assert "Detectives searched fifteen homes" in article.text


# --- plain text and wire copy -----------------------------------------------------------

def test_pa_style_wire_copy(read):
    [article] = read(WIRE / "pa-police-operation.txt")
    assert article.title == "Hundreds held in six-month online abuse inquiry"
    assert article.authors == ["Jane Doe"]
    assert article.published == "2014-07-16T10:30:00+01:00"
    assert article.outlet == "PA Media" and article.outlet_scope == "agency"
    assert article.text.startswith("Hundreds of people suspected")
    assert article.text.endswith("the agency added.")
    for header in ("URGENT", "POLICE Abuse", "^", "By Jane Doe", "ENDS"):
        assert header not in article.text
    # TeX-style quote marks stay as written; quote extraction reads them.
    assert "``This operation was about protecting children" in article.text
    assert "again.''" in article.text


def test_reuters_style_wire_copy(read):
    [article] = read(WIRE / "reuters-police-operation.txt")
    assert article.title == "UK police arrest 660 in child abuse image crackdown"
    assert article.authors == ["Jane Doe", "John Roe"]  # editors are not authors
    assert article.outlet == "Reuters"
    assert article.text.startswith("LONDON, July 16 (Reuters) - British police")
    assert "BC-BRITAIN" not in article.text and "UPDATE 1" not in article.text
    assert "Reporting by" not in article.text and "Editing" not in article.text


def test_markdown_release_with_embargo_and_notes(read):
    [article] = read(WIRE / "nca-release-embargoed.md")
    assert article.title == "660 arrested in UK-wide operation against online child abuse"
    assert article.published == "2014-07-16T00:01:00+01:00"
    assert article.text.startswith("The National Crime Agency today announced")
    assert "EMBARGOED" not in article.text and "#" not in article.text
    assert "Notes to editors" not in article.text and "ENDS" not in article.text


def test_plain_report_first_line_is_title_and_stays_in_text(read):
    [article] = read(WIRE / "plain-regional-report.txt")
    assert article.title.startswith("Eleven people were arrested in the county")
    assert article.text.startswith(article.title)
    assert article.outlet is None and article.authors == []


def test_headline_followed_by_byline_is_dropped_from_text():
    parts = parse_plain_text("Police hold 660\nBy Ann Lee and Bo Kim\n\nOfficers said more.\n")
    assert parts.title == "Police hold 660"
    assert parts.authors == ("Ann Lee", "Bo Kim")
    assert parts.text == "Officers said more."


@pytest.mark.parametrize("name", sorted(p.name for p in WIRE.iterdir()))
def test_body_is_an_unaltered_slice_of_the_file(name):
    # Header and trailer lines may go, but the body keeps every character as written,
    # so quote and fact offsets into it are honest.
    raw = normalize_text((WIRE / name).read_text(encoding="utf-8"))
    assert parse_plain_text(raw).text in raw


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
       | st.lists(st.sampled_from(["PA", "URGENT", "^Head<", "# Head", "By Ann Lee", "ENDS",
                                   "16 July 2014", "Body line.", "", "-30-", "``Q,'' he said."]),
                  max_size=12).map("\n".join))
def test_parse_plain_text_never_fails_and_never_rewrites(raw):
    parts = parse_plain_text(raw)
    assert parts.text in normalize_text(raw)


def test_fifo_is_not_read(read, tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert "not a regular file" in only_failure(read(fifo), str(fifo))


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_non_utf8_text_is_decoded_not_rejected(read, tmp_path, encoding):
    words = "Le café a fermé: €" if encoding == "cp1252" else "Le café a fermé: £"
    text = f"{words}12 de dégâts, a dit la propriétaire à la presse régionale.\n"
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    [article] = read(path)
    assert article.text == text.strip()


# --- URL lists --------------------------------------------------------------------------

def test_url_list_gives_links_once_each(read):
    path = FIXTURES / "urls.list"
    links = read(path)
    assert [link.url for link in links] == ["https://news.example.test/story/660-arrests",
                                            "http://regional.example.test/local/eleven-held"]
    assert {link.source for link in links} == {str(path)}


def test_txt_of_urls_and_unknown_extension_of_urls_are_lists(read, tmp_path):
    for name in ("links.txt", "links.dat"):
        path = tmp_path / name
        path.write_text("https://a.example.test/1\n\n# note\nhttps://b.example.test/2\n")
        assert is_url_list(path)
        assert [r.url for r in read(path)] == ["https://a.example.test/1",
                                               "https://b.example.test/2"]
    assert not is_url_list(WIRE / "plain-regional-report.txt")
    assert not is_url_list(tmp_path / "missing.txt")


def test_long_url_list(read, tmp_path):
    path = tmp_path / "many.urls"
    path.write_text("".join(f"https://a.example.test/story/{n}\n" for n in range(40_000)))
    assert is_url_list(path)
    links = read(path)
    assert len(links) == 40_000 and links[-1].url.endswith("/39999")


def test_urls_file_with_other_lines_is_a_failure(read, tmp_path):
    path = tmp_path / "feeds.urls"
    path.write_text("https://a.example.test/1\nftp://b.example.test/2\n")
    assert "not a list of URLs" in only_failure(read(path), str(path))


# --- folders ----------------------------------------------------------------------------

def test_folder_is_read_recursively_in_order_skipping_hidden_and_unknown(read, tmp_path,
                                                                        caplog):
    root = tmp_path / "coverage"
    (root / "b").mkdir(parents=True)
    (root / "a.txt").write_text("First report line.\n\nMore words here for the body.")
    (root / "b" / "c.html").write_text(page())
    (root / "b" / "notes.pdf").write_bytes(b"%PDF-1.4")
    (root / ".hidden.txt").write_text("Hidden report.")
    (root / ".git").mkdir()
    (root / ".git" / "x.txt").write_text("Not a report.")
    (root / "loop").symlink_to(root, target_is_directory=True)
    folder = str(root) + "/"
    with caplog.at_level(logging.DEBUG, logger="coverage_cmp.collect.files"):
        records = read(folder)
    assert [r.source for r in records] == [folder + "a.txt", folder + "b/c.html"]
    assert all(isinstance(r, Article) for r in records)
    assert any("2 files read" in m and "skipped" in m for m in caplog.messages)


def test_folder_without_readable_files_is_a_failure(read, tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    assert "no readable files" in only_failure(read(tmp_path), str(tmp_path))


# --- exports ----------------------------------------------------------------------------

def test_jsonl_export_rows_links_and_a_bad_line(read, tmp_path):
    path = tmp_path / "mediacloud.jsonl"
    rows = [
        {"url": "https://www.theguardian.com/uk/2014/jul/16/x", "Title": "660 held",
         "text": "Police arrested 660 people.\r\n\r\nMore followed.", "media_name": "Guardian",
         "publish_date": "2014-07-16 10:32:00", "authors": ["Ann Lee"]},
        {"DocumentIdentifier": "https://www.liverpoolecho.co.uk/news/y",
         "SourceCommonName": "liverpoolecho.co.uk", "seendate": "20140716103000"},
    ]
    lines = [json.dumps(rows[0]), "", json.dumps(rows[1]), "{not json", "[1, 2]",
             json.dumps({"title": "nothing else"}), json.dumps(rows[0] | {"url": None})]
    path.write_text("\n".join(lines) + "\n")
    records = read(path)
    article, link, bad, not_object, empty, no_url = records
    assert isinstance(article, Article) and article.source == f"{path}#L1"
    assert article.text == "Police arrested 660 people.\n\nMore followed."
    assert (article.title, article.outlet, article.published, article.authors) == (
        "660 held", "The Guardian", "2014-07-16T10:32:00", ["Ann Lee"])
    assert article.canonical_url == "https://www.theguardian.com/uk/2014/jul/16/x"
    assert link == Link(url="https://www.liverpoolecho.co.uk/news/y", source=f"{path}#L3",
                        published="2014-07-16T10:30:00", outlet="liverpoolecho.co.uk")
    assert bad.source == f"{path}#L4"
    assert bad.error.startswith("line 4: invalid JSON (")
    assert not_object.error == "line 5: not a JSON object"
    assert "line 6: no text and no http(s) URL" in empty.error
    assert isinstance(no_url, Article) and no_url.url is None


def test_csv_export_with_factiva_like_columns_and_a_huge_field(read, tmp_path):
    path = tmp_path / "factiva.csv"
    long_body = "Officers said more. " * 20_000  # over csv's default 131072-character field
    path.write_text(
        "Headline;Body;Source;Byline;Date\n"
        f'"Eleven held";"{long_body}";"Cambridge News";"By Ann Lee, Crime Reporter";'
        '"16/07/2014"\n'
        '"Only a title";"";"";"";""\n',
        encoding="utf-8",
    )
    article, failure = read(path)
    assert article.source == f"{path}#row1"
    assert (article.title, article.outlet, article.authors, article.published) == (
        "Eleven held", "Cambridge News", ["Ann Lee"], "2014-07-16")
    assert article.outlet_region == "Cambridgeshire"
    assert len(article.text) == len(long_body.strip())
    assert failure.source == f"{path}#row2" and "no text and no http(s) URL" in failure.error


def test_csv_without_text_or_url_column_names_the_columns(read, tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("outlet,count\nBBC,3\n")
    assert "columns found: outlet, count" in only_failure(read(path), str(path))


def test_csv_in_windows_1252_with_url_only_rows(read, tmp_path):
    path = tmp_path / "links.csv"
    path.write_bytes("url,title\nhttps://a.example.test/1,Café £5 row\n".encode("cp1252"))
    [link] = read(path)
    assert link == Link(url="https://a.example.test/1", source=f"{path}#row1",
                        title="Café £5 row")


def test_gzipped_exports_are_read_and_a_cut_one_reported(read, tmp_path):
    rows = "".join(json.dumps({"url": f"https://a.example.test/{n}", "text": f"Report {n}."})
                   + "\n" for n in range(2000))
    path = tmp_path / "export.jsonl.gz"
    path.write_bytes(gzip.compress(rows.encode()))
    records = read(path)
    assert len(records) == 2000 and records[-1].source == f"{path}#L2000"
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(gzip.compress(("url,text\n" + "https://a.example.test/1,Words.\n" * 5000)
                                  .encode())[:-40])
    *articles, failure = read(cut)
    assert articles and all(isinstance(a, Article) for a in articles)
    assert failure.source == str(cut) and "truncated or corrupt" in failure.error


# Exports whose text column holds HTML (a saved page, or a marked-up body).

LIBRARY_PARAGRAPHS = [
    "The reading room of the town library opened again on Saturday, two years after a "
    "burst pipe flooded the basement and soaked the local history shelves.",
    "Volunteers dried more than four thousand pamphlets by hand, one page at a time, in a "
    "borrowed church hall with the heating turned up high.",
    "The head librarian said fewer than fifty items were lost for good, most of them "
    "bus timetables that nobody had asked to see since the 1970s.",
]


def library_page() -> str:
    """A whole article page as some exports carry it: head metadata, menus, a script."""
    body = "".join(f"<p>{p}</p>" for p in LIBRARY_PARAGRAPHS)
    return ("<!DOCTYPE html><html><head><title>Library reopens | Valley Gazette</title>"
            '<meta property="og:site_name" content="Valley Gazette">'
            '<meta property="article:published_time" content="2021-03-06T09:15:00+00:00">'
            '<link rel="canonical" href="https://valley-gazette.example/news/library">'
            "</head><body><nav><a href='/'>Front page</a> <a href='/sport'>Sport</a></nav>"
            f"<article><h1>Library reopens after the flood</h1>{body}</article>"
            "<script>trackVisit('library');</script>"
            "<footer>Letters to the editor welcome</footer></body></html>")


def library_body() -> str:
    """The article alone, as a marked-up body field."""
    return "".join(f"<p>{p}</p>" for p in LIBRARY_PARAGRAPHS)


def assert_library_text(article) -> None:
    assert isinstance(article, Article), article
    assert article.text == "\n\n".join(LIBRARY_PARAGRAPHS)


PROSE_WITH_ANGLE_BRACKETS = [
    "Turnout in the ward was fewer than 5 < 10 per cent of voters, officials said, and "
    "the count finished before midnight.",
    "Shares of <VGZ.L> fell after the results, while the index held steady; analysts "
    "wrote that a<b and c>d in the model, nothing more.",
    "The web team said the <p> tag was missing from the archive pages, and readers "
    "would see them fixed next week.",
]


def test_jsonl_rows_holding_html_are_read_like_saved_pages(read, tmp_path):
    path = tmp_path / "export.jsonl"
    rows = [
        {"url": "https://valley-gazette.example/news/library?src=feed",
         "title": "Flooded library back in use", "media_name": "The Valley Gazette",
         "publish_date": "2021-03-07", "text": library_page()},
        {"text": library_page()},
        {"title": "Library reopens", "body": library_body()},
        {"title": "Turnout", "text": PROSE_WITH_ANGLE_BRACKETS[0]},
        {"url": "https://valley-gazette.example/menu", "text": "<ul><li>Home</li></ul>"},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    own_metadata, page_metadata, body_only, prose, no_article = read(path)

    assert_library_text(own_metadata)
    assert (own_metadata.title, own_metadata.outlet, own_metadata.published) == (
        "Flooded library back in use", "The Valley Gazette", "2021-03-07")
    assert own_metadata.url == rows[0]["url"]
    assert own_metadata.canonical_url == "https://valley-gazette.example/news/library"
    assert own_metadata.raw_html == library_page().encode("utf-8")

    assert_library_text(page_metadata)
    assert (page_metadata.title, page_metadata.outlet, page_metadata.published) == (
        "Library reopens after the flood", "Valley Gazette", "2021-03-06T09:15:00+00:00")
    assert page_metadata.canonical_url == "https://valley-gazette.example/news/library"

    assert_library_text(body_only)
    assert body_only.title == "Library reopens"

    assert isinstance(prose, Article) and prose.text == PROSE_WITH_ANGLE_BRACKETS[0]
    assert prose.raw_html is None

    assert no_article.source == f"{path}#L5"
    assert "line 5: no article text found" in no_article.error


def test_csv_rows_holding_html_are_read_like_saved_pages(read, tmp_path):
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Headline", "Body", "Source", "Date"])
        writer.writerow(["Flooded library back in use", library_page(), "The Valley Gazette",
                         "07/03/2021"])
        writer.writerow(["Library reopens", "<br>".join(LIBRARY_PARAGRAPHS), "", ""])
        for prose in PROSE_WITH_ANGLE_BRACKETS:
            writer.writerow(["Prose", prose, "", ""])
    page, lines, *proses = read(path)
    assert_library_text(page)
    assert (page.title, page.outlet, page.published) == (
        "Flooded library back in use", "The Valley Gazette", "2021-03-07")
    assert_library_text(lines)
    assert [a.text for a in proses] == PROSE_WITH_ANGLE_BRACKETS
    assert all(a.raw_html is None for a in proses)


# --- bad input --------------------------------------------------------------------------

def test_missing_path(read, tmp_path):
    missing = str(tmp_path / "nope.html")
    assert "no such file or directory" in only_failure(read(missing), missing)


@pytest.mark.parametrize("name", ["empty.txt", "empty.html", "empty.jsonl", "empty.csv"])
def test_empty_file(read, tmp_path, name):
    path = tmp_path / name
    path.write_text("  \n")
    assert "empty file" in only_failure(read(path), str(path))


@pytest.mark.parametrize("name", ["image.txt", "image.html", "image.jsonl", "image.csv"])
def test_binary_file(read, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert "binary file" in only_failure(read(path), str(path))


def test_file_over_size_limit_is_refused_before_reading(read, tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as stream:
        stream.truncate(200_000_000)  # sparse: quick to make, slow to read
    error = only_failure(read(path), str(path))
    assert "200.0 MB, larger than max_file_bytes (50.0 MB)" in error


def test_unknown_extension_given_explicitly(read, tmp_path):
    path = tmp_path / "report.docx"
    path.write_text("Some words that are not a list of URLs.")
    assert "unsupported file type .docx" in only_failure(read(path), str(path))


@pytest.mark.parametrize("suffix", [".html", ".txt", ".md", ".urls", ".jsonl", ".csv", ".tsv",
                                    ".csv.gz", ".warc", ".warc.gz", ".bin"])
def test_random_bytes_never_raise(read, tmp_path, suffix):
    rng = random.Random(suffix)
    for size in (1, 100, 5000):
        path = tmp_path / f"noise{size}{suffix}"
        path.write_bytes(rng.randbytes(size))
        for record in read(path):  # read() checks every record is one of the three kinds
            if isinstance(record, SourceFailure):
                assert record.source.startswith(str(path)) and "\n" not in record.error


def test_unreadable_file_is_a_failure(read, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path = tmp_path / "locked.txt"
    path.write_text("Words.")
    path.chmod(0)
    assert "cannot read" in only_failure(read(path), str(path))
