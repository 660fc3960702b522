"""Web archives: HTML responses become articles; cut-off files keep what came before."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from coverage_cmp.collect.files import read_path
from coverage_cmp.collect.outlets import OutletDirectory
from coverage_cmp.collect.warc import WarcPage, read_warc_pages
from coverage_cmp.model import Article, SourceFailure
from coverage_cmp.settings import CollectSettings

BODY = (
    "<p>Police in the county arrested eleven people during a six-month operation against "
    "online child abuse, the force said on Wednesday.</p>"
    "<p>Detectives searched fifteen homes and took away more than two hundred devices for "
    "examination, a spokesperson added.</p>"
    "<p>The café owner next door said the £5,000 reward had been “a surprise”.</p>"
)


def html(title: str, *, meta_charset: str | None = None) -> str:
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    return (f"<html><head>{meta}<title>{title}</title></head><body><nav>Home | News</nav>"
            f"<article><h1>{title}</h1>{BODY}</article></body></html>")


def write_warc(path: Path, records: list[tuple], *, compress: bool = True) -> None:
    """Write records (type, url, status, content type, body bytes, extra headers)."""
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=compress)
        for rec_type, url, status, content_type, body, extra in records:
            if rec_type == "response":
                headers = StatusAndHeaders(status, [("Content-Type", content_type), *extra],
                                           protocol="HTTP/1.1")
                record = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                   http_headers=headers)
            else:
                record = writer.create_warc_record(url, rec_type, payload=io.BytesIO(body))
            writer.write_record(record)


def crawl() -> list[tuple]:
    return [
        ("request", "https://news.bbc.co.uk/1/a", None, None, b"GET /1/a HTTP/1.1\r\n\r\n", []),
        ("response", "https://news.bbc.co.uk/1/a", "200 OK", "text/html; charset=utf-8",
         html("Eleven held").encode("utf-8"), []),
        ("response", "https://www.bbc.co.uk/logo.png", "200 OK", "image/png",
         b"\x89PNG\r\n\x1a\n" + bytes(200), []),
        ("response", "https://www.theargus.co.uk/news/b", "200 OK",
         'text/html; charset="windows-1252"', html("Held in Sussex").encode("cp1252"), []),
        ("response", "https://www.theargus.co.uk/gone", "404 Not Found", "text/html",
         html("Not found").encode(), []),
        ("response", "https://www.theargus.co.uk/moved", "301 Moved Permanently", "text/html",
         b"", [("Location", "https://www.theargus.co.uk/news/b")]),
        ("response", "https://www.newsandstar.co.uk/news/c", "200 OK", "text/html",
         gzip.compress(html("Held in Cumbria", meta_charset="utf-8").encode()),
         [("Content-Encoding", "gzip")]),
    ]


@pytest.fixture
def read():
    outlets = OutletDirectory.load()

    def run(path: Path, **options) -> list:
        return list(read_path(str(path), CollectSettings(**options), outlets))
    return run


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_html_responses_become_articles(read, tmp_path, name):
    path = tmp_path / name
    write_warc(path, crawl(), compress=name.endswith(".gz"))
    records = read(path)
    assert all(isinstance(r, Article) for r in records), records
    assert [r.url for r in records] == ["https://news.bbc.co.uk/1/a",
                                        "https://www.theargus.co.uk/news/b",
                                        "https://www.newsandstar.co.uk/news/c"]
    assert [r.source for r in records] == [f"{path}#record2", f"{path}#record4",
                                           f"{path}#record7"]
    assert [r.outlet for r in records] == ["BBC News", "The Argus", "News & Star"]
    bbc, argus, cumbria = records
    assert bbc.text.startswith("Police in the county arrested eleven people")
    assert bbc.raw_html == html("Eleven held").encode("utf-8")
    # The HTTP charset is honoured: the page has no meta charset and is not UTF-8.
    assert "£5,000 reward had been “a surprise”" in argus.text
    assert "£5,000" in cumbria.text  # gzip content encoding undone


def test_truncated_warc_gz_keeps_earlier_pages_and_reports_the_rest(read, tmp_path):
    whole = tmp_path / "whole.warc.gz"
    write_warc(whole, crawl())
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    records = read(cut)
    *articles, failure = records
    assert articles and all(isinstance(r, Article) for r in articles)
    assert articles[0].url == "https://news.bbc.co.uk/1/a"
    assert isinstance(failure, SourceFailure) and failure.source == str(cut)
    count = int(failure.error.rsplit("after ", 1)[1].split()[0])
    assert failure.error == f"truncated or corrupt WARC after {count} records"
    assert 2 <= count < len(crawl())


def test_truncated_uncompressed_warc_does_not_yield_a_partial_page(tmp_path):
    whole = tmp_path / "whole.warc"
    write_warc(whole, crawl()[:2], compress=False)
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[: len(data) - 200])  # inside the HTML response's body
    records = list(read_warc_pages(str(cut), max_record_bytes=10_000_000))
    assert records == [SourceFailure(str(cut), "truncated or corrupt WARC after 1 records")]


def test_not_a_warc_file(read, tmp_path):
    path = tmp_path / "page.warc"
    path.write_text("<html><body>Just a page saved with the wrong name.</body></html>")
    [failure] = read(path)
    assert failure == SourceFailure(str(path), "truncated or corrupt WARC after 0 records")


def test_record_over_size_limit_is_refused_and_others_read(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    records = crawl()
    records.insert(2, ("response", "https://news.bbc.co.uk/big", "200 OK", "text/html",
                       b"<html>" + b"x" * 5000 + b"</html>", []))
    write_warc(path, records)
    items = list(read_warc_pages(str(path), max_record_bytes=4000))
    pages = [i for i in items if isinstance(i, WarcPage)]
    [too_big] = [i for i in items if isinstance(i, SourceFailure)]
    assert len(pages) == 3
    assert too_big.source == f"{path}#record3"
    assert "https://news.bbc.co.uk/big" in too_big.error
    assert "larger than max_file_bytes (4000)" in too_big.error


def test_page_without_article_is_a_failure_naming_the_record(read, tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, [("response", "https://www.bbc.co.uk/", "200 OK", "text/html",
                       b"<html><body><nav><a href='/a'>A</a></nav></body></html>", [])])
    [failure] = read(path)
    assert failure.source == f"{path}#record1"
    assert "no article text" in failure.error
