"""The Python API for notebooks: ``coverage_cmp.extract``, ``cluster``, ``compare``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import coverage_cmp
from coverage_cmp.extract.quotes import extract_quotes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notarise"


def test_all_is_sorted_and_every_name_exists() -> None:
    assert coverage_cmp.__all__ == sorted(coverage_cmp.__all__)
    for name in coverage_cmp.__all__:
        assert hasattr(coverage_cmp, name), name


def test_verbs_are_functions_even_though_stage_modules_share_their_names() -> None:
    for verb in ("extract", "cluster", "compare", "collect"):
        assert callable(getattr(coverage_cmp, verb)), verb
    assert callable(extract_quotes)  # importing a stage module afterwards changes nothing
    assert callable(coverage_cmp.extract)


def test_extract_returns_the_records_the_cli_prints() -> None:
    path = str(FIXTURES / "cambs-regional.html")
    (extraction,) = coverage_cmp.extract([path])
    assert isinstance(extraction, coverage_cmp.Extraction)
    cli = subprocess.run([sys.executable, "-m", "coverage_cmp", "extract", path, "--format",
                          "json"], capture_output=True, text=True, check=True)
    assert json.loads(cli.stdout)["articles"] == [
        json.loads(json.dumps(extraction.to_json()))]


def test_cluster_and_compare_on_fixture_articles() -> None:
    files = [str(FIXTURES / name) for name in
             ("nca-release.html", "cambs-regional.html", "lincs-regional.html",
              "distractor-march-2015.html")]
    clusters = coverage_cmp.cluster(files)
    assert sorted(len(c.articles) for c in clusters) == [1, 3]
    comparison = coverage_cmp.compare(files[:3], reference=files[0])
    assert [r.source for r in comparison.references] == [files[0]]
    assert {r.article.source for r in comparison.reports} == set(files[1:3])
