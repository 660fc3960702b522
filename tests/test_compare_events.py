"""compare_clusters: each stored event of two or more extracted articles, compared with its
reference, one cluster at a time, on the notarise fixtures."""

from __future__ import annotations

from test_report import fixture_articles

from coverage_cmp.compare import compare_articles, events
from coverage_cmp.compare.events import compare_clusters
from coverage_cmp.extract import extract_article
from coverage_cmp.model import Cluster, ClusterMember
from coverage_cmp.settings import CompareSettings


def members(articles) -> list[ClusterMember]:
    return [ClusterMember(a.id, a.source) for a in articles]


def test_compare_clusters_skips_single_articles_and_unknown_ids():
    articles = fixture_articles()
    extractions = [extract_article(a) for a in articles[:3]]
    clusters = [Cluster("event", "label", members(articles[:3])),
                Cluster("alone", "label", members(articles[3:4])),
                Cluster("missing", "label", [ClusterMember("nope", "x"),
                                             ClusterMember("nada", "y")])]
    compared = list(compare_clusters(clusters, extractions))
    assert [e.event_id for e in compared] == ["event"]
    assert len(compared[0].comparison.reports) == 2


def test_each_event_is_its_members_compared_in_cluster_order_with_the_settings():
    articles = fixture_articles()[:3]
    extractions = [extract_article(a) for a in articles]
    settings = CompareSettings(min_match_words=40, partially_derived=0.9, wholly_derived=0.99)
    [event] = compare_clusters([Cluster("op", "NCA 660", members(articles))],
                               list(reversed(extractions)), settings)
    assert (event.event_id, event.label) == ("op", "NCA 660")
    expected = compare_articles(extractions, settings=settings)
    assert event.comparison.to_json() == expected.to_json()
    assert expected.to_json() != compare_articles(extractions).to_json()


def test_compare_clusters_compares_only_the_events_a_caller_takes(monkeypatch):
    articles = fixture_articles()[:4]
    extractions = [extract_article(a) for a in articles]
    compared = []

    def counting(group, **kwargs):
        compared.append(group)
        return compare_articles(group, **kwargs)

    monkeypatch.setattr(events, "compare_articles", counting)
    clusters = [Cluster("first", "", members(articles[:2])),
                Cluster("second", "", members(articles[2:]))]
    first = next(compare_clusters(clusters, extractions))
    assert first.event_id == "first"
    assert len(compared) == 1
