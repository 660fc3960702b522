"""Benchmark: read generated local sources with ``collect.files.read_path``.

Builds, in a temporary folder, a Media Cloud-like JSONL and CSV export (``--rows`` rows of
about 1.4 kB of text each), a folder of wire-copy text files (``--files`` copies of
``fixtures/files/wire/pa-police-operation.txt``) and a ``.warc.gz`` of ``--pages`` HTML
responses, then prints the median time of ``--runs`` reads of each, and the rate of
outlet lookups.

Run: ``.venv/bin/python bench/files.py [--rows 20000] [--files 2000] [--pages 300] [--runs 3]``
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from coverage_cmp.collect.files import read_path
from coverage_cmp.collect.outlets import OutletDirectory
from coverage_cmp.settings import CollectSettings

WIRE = Path(__file__).resolve().parents[1] / "fixtures" / "files" / "wire"
PARAGRAPH = "Police arrested 660 people in a six-month operation, the agency said today. " * 4


def build(root: Path, rows: int, files: int, pages: int) -> None:
    text = "\n\n".join([PARAGRAPH] * 4)
    row = {"title": "Held", "text": text, "media_name": "BBC",
           "publish_date": "2014-07-16 10:32:00"}
    with open(root / "export.jsonl", "w", encoding="utf-8") as stream:
        for n in range(rows):
            stream.write(json.dumps({"url": f"https://www.bbc.co.uk/news/{n}", **row}) + "\n")
    with open(root / "export.csv", "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["url", *row])
        for n in range(rows):
            writer.writerow([f"https://www.bbc.co.uk/news/{n}", *row.values()])
    wire = (WIRE / "pa-police-operation.txt").read_text(encoding="utf-8")
    (root / "wire").mkdir()
    for n in range(files):
        (root / "wire" / f"{n:06d}.txt").write_text(wire, encoding="utf-8")
    body = "".join(f"<p>{PARAGRAPH}</p>" for _ in range(4))
    with open(root / "crawl.warc.gz", "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for n in range(pages):
            url = f"https://www.theargus.co.uk/news/{n}"
            html = (f"<html><head><meta charset='utf-8'><link rel='canonical' href='{url}'>"
                    f"</head><body><nav>Home</nav><article><h1>Held</h1>{body}</article>"
                    "</body></html>")
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(html.encode()), http_headers=headers))


def median_seconds(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=2_000)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings = CollectSettings()
    outlets = OutletDirectory.load()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        build(root, args.rows, args.files, args.pages)
        for name, count, unit in [("export.jsonl", args.rows, "rows"),
                                  ("export.csv", args.rows, "rows"),
                                  ("wire", args.files, "files"),
                                  ("crawl.warc.gz", args.pages, "pages")]:
            def read(name: str = name, count: int = count) -> None:
                records = list(read_path(str(root / name), settings, outlets))
                assert len(records) == count, (name, len(records))
            seconds = median_seconds(args.runs, read)
            print(f"{name:14s} {count:>7,} {unit}: median {seconds:.2f} s, "
                  f"{count / seconds:,.0f} {unit}/s")
    urls = [f"https://news.example{n % 50}.co.uk/a/{n}" for n in range(20_000)]
    urls += ["https://news.bbc.co.uk/x"] * 20_000
    seconds = median_seconds(args.runs, lambda: [outlets.lookup(url) for url in urls])
    print(f"outlet lookup  {len(urls):>7,} URLs: {len(urls) / seconds:,.0f} lookups/s")


if __name__ == "__main__":
    main()
