"""Terminal tables of ``coverage_cmp.report.terminal``."""

from __future__ import annotations

from coverage_cmp.model import Cluster, ClusterMember
from coverage_cmp.report.terminal import clusters_table


def cluster(copies: int) -> Cluster:
    members = [ClusterMember(id="a0", source="a0.html")] + [
        ClusterMember(id=f"a{i}", source=f"a{i}.html", duplicate_of="a0")
        for i in range(1, copies + 1)]
    return Cluster(id=f"c-{copies}", label="National Crime Agency · 660 suspects",
                   articles=members, outlets=["Press Wire"])


def test_cluster_sizes_count_copies_in_words_a_reader_expects():
    table = clusters_table([cluster(0), cluster(1), cluster(2)], width=120)
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip()
            for line in table.splitlines() if line.startswith("│ c-")}
    assert rows == {"c-0": "1", "c-1": "2 (1 copy)", "c-2": "3 (2 copies)"}
