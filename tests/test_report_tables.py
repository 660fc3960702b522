"""Tidy data scholars load: CSV tables that join and load with no options, the codebook
that documents them, and the JSON Schemas every JSON output keeps (issue 6, point 4).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from test_report import fixture_articles, fixture_comparison

from coverage_cmp.compare.events import Event
from coverage_cmp.extract import extract_article
from coverage_cmp.model import Cluster, ClusterMember, SourceFailure
from coverage_cmp.report import tables
from coverage_cmp.report.corpus import corpus_summary
from coverage_cmp.report.tables import (
    corpus_to_json,
    load_schema,
    write_compare_csv,
    write_corpus_csv,
)

CODEBOOK = Path(__file__).resolve().parents[1] / "docs" / "codebook.md"
TABLE_COLUMNS = {"reports.csv": tables.REPORT_COLUMNS, "segments.csv": tables.SEGMENT_COLUMNS,
                 "quotes.csv": tables.QUOTE_COLUMNS, "facts.csv": tables.FACT_COLUMNS,
                 "outlets.csv": tables.OUTLET_COLUMNS, "events.csv": tables.EVENT_COLUMNS,
                 "key_numbers.csv": tables.KEY_NUMBER_COLUMNS}


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("csv")
    write_compare_csv(fixture_comparison(hostile=True), out, event_id="op-2014-07")
    return out


def test_one_row_per_item_with_ids_that_join(compare_dir):
    comparison = fixture_comparison(hostile=True)
    reports = read(compare_dir / "reports.csv")
    assert [r["report_id"] for r in reports] == [r.article.id for r in comparison.reports]
    ids = {r["report_id"] for r in reports}
    for name, items in (("segments.csv", "segments"), ("quotes.csv", "quotes"),
                        ("facts.csv", "facts")):
        rows = read(compare_dir / name)
        assert len(rows) == sum(len(getattr(r, items)) for r in comparison.reports)
        assert {row["report_id"] for row in rows} <= ids
        assert {row["event_id"] for row in rows} == {"op-2014-07"}
    reference_ids = {ref.id for ref in comparison.references}
    assert {r["reference_id"] for r in reports} <= reference_ids


def test_segment_text_is_the_report_slice_even_with_markup_and_newlines(compare_dir):
    comparison = fixture_comparison(hostile=True)
    texts = {r.article.id: r.article.text for r in comparison.reports}
    rows = read(compare_dir / "segments.csv")
    for row in rows:
        assert row["text"] == texts[row["report_id"]][int(row["start"]):int(row["end"])]
    assert any("<script>" in row["text"] for row in rows)


def test_counts_in_reports_agree_with_the_item_tables(compare_dir):
    reports = {r["report_id"]: r for r in read(compare_dir / "reports.csv")}
    for row in read(compare_dir / "facts.csv"):
        reports[row["report_id"]].setdefault("_facts", []).append(row["status"])
    for report in reports.values():
        for status in ("same", "changed", "qualified", "added", "omitted"):
            assert int(report[f"facts_{status}"]) == report.get("_facts", []).count(status)


def test_tables_load_in_pandas_with_no_options(compare_dir, tmp_path):
    pandas = pytest.importorskip("pandas")
    comparison = fixture_comparison(hostile=True)
    events = [Event("op-2014-07", "NCA", comparison)]
    write_corpus_csv(corpus_summary(events), tmp_path, events)
    for name, columns in TABLE_COLUMNS.items():
        frame = pandas.read_csv(tmp_path / name)
        assert list(frame.columns) == columns
    reports = pandas.read_csv(tmp_path / "reports.csv")
    segments = pandas.read_csv(tmp_path / "segments.csv")
    assert len(reports) == len(comparison.reports)
    assert reports["reused_share"].dtype.kind == "f"
    joined = segments.merge(reports[["report_id", "outlet"]], on="report_id", how="left")
    assert joined["outlet"].notna().all()
    quotes = pandas.read_csv(tmp_path / "quotes.csv")
    assert quotes["report_partial"].dropna().isin([True, False]).all()


@pytest.mark.skipif(shutil.which("Rscript") is None and not os.environ.get("CI"),
                    reason="R is not installed (CI installs it, and fails without it)")
def test_tables_load_in_r_with_no_options(compare_dir):
    for name in ("reports.csv", "segments.csv", "quotes.csv", "facts.csv"):
        script = f'd <- read.csv("{compare_dir / name}"); cat(nrow(d), ncol(d))'
        out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True,
                             check=True).stdout.split()
        assert [int(n) for n in out] == [len(read(compare_dir / name)),
                                         len(TABLE_COLUMNS[name])]


def test_codebook_documents_every_column_of_every_table():
    text = CODEBOOK.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (\S+\.csv)\n(.*?)(?=^## |\Z)", text, re.S | re.M))
    assert set(sections) == set(TABLE_COLUMNS)
    for name, columns in TABLE_COLUMNS.items():
        documented = re.findall(r"^\| `([a-z_]+)` \|", sections[name], re.M)
        assert documented == columns, name


def test_compare_json_keeps_its_schema():
    document = {**fixture_comparison(hostile=True).to_json(),
                "errors": [SourceFailure("gone.html", "no such file").to_json()]}
    jsonschema.validate(document, load_schema("coverage-cmp/compare@1"))
    document["reports"][0]["quotes"].append({"status": "invented"})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, load_schema("coverage-cmp/compare@1"))


def test_extract_and_cluster_json_keep_their_schemas():
    extractions = [extract_article(a) for a in fixture_articles()]
    jsonschema.validate({"schema": "coverage-cmp/extract@1",
                         "articles": [e.to_json() for e in extractions], "errors": []},
                        load_schema("coverage-cmp/extract@1"))
    cluster = Cluster("c1", "NCA · 660 arrests",
                      [ClusterMember(e.article.id, e.article.source, e.article.outlet,
                                     e.article.published) for e in extractions],
                      outlets=sorted({e.article.outlet or "" for e in extractions}))
    document = {"schema": "coverage-cmp/cluster@1", "clusters": [cluster.to_json()]}
    jsonschema.validate(document, load_schema("coverage-cmp/cluster@1"))
    document["clusters"][0]["articles"] = []
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, load_schema("coverage-cmp/cluster@1"))


def test_corpus_json_keeps_its_schema_and_round_trips():
    corpus = corpus_summary([Event("op", "NCA", fixture_comparison())])
    document = json.loads(json.dumps(corpus_to_json(corpus)))
    jsonschema.validate(document, load_schema("coverage-cmp/report@1"))
    assert document["reports"] == corpus.reports


def test_every_schema_is_valid_draft_2020_12():
    for name in tables.SCHEMAS:
        schema = load_schema(name)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$id"] == name
