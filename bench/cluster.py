"""Event clustering accuracy on ECB+ (topics 1-35): B-cubed and look-alike merges.

Each ECB+ topic pairs two different events of the same kind, so the bench reports, besides
B-cubed precision/recall/F1 against the gold event, how often same-topic, different-event
stories were merged, in two senses:

- cluster pairs: over pairs of gold events in the same topic, the share of pairs with at
  least one predicted cluster holding articles of both (strict: one stray article counts);
- article pairs: over pairs of articles in the same topic but of different gold events,
  the share put in the same predicted cluster.

The threshold and the conflict weight are tuned by two-fold cross-validation over topics
(odd/even): tuned on one half, scored on the other, then the other way round. A setting's
training score is its B-cubed F1 less any excess of either merge share over 12 % (keeping
look-alike events apart is half the job, so F1 alone would pick thresholds that merge
them). The defaults of ``ClusterSettings`` are the setting both folds chose; they are scored
on all topics too, against a naive baseline (TF-IDF cosine, single linkage, same
cross-validation, F1 alone). The texts carry no dates, so the
time window plays no part here.

Run: ``.venv/bin/python bench/cluster.py``
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer

from coverage_cmp.cluster import cluster_articles
from coverage_cmp.model import Article
from coverage_cmp.settings import ClusterSettings

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ecbplus-dev"
THRESHOLDS = [round(float(t), 2) for t in np.arange(0.10, 0.42, 0.02)]
NAIVE_THRESHOLDS = [round(float(t), 2) for t in np.arange(0.10, 0.72, 0.02)]
CONFLICT_WEIGHTS = (0.0, 0.1, 0.2, 0.4)
MERGE_ALLOWANCE = 0.12


@dataclasses.dataclass
class Doc:
    article: Article
    topic: int
    event: str


def load(path: Path = DATA / "ecbplus-dev.jsonl") -> list[Doc]:
    """ECB+ texts as articles; the first line serves as the title, as for any plain text."""
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = row["text"]
        article = Article(source=row["doc_id"], text=text, title=text.split("\n", 1)[0],
                          id=row["doc_id"])
        docs.append(Doc(article, row["topic"], row["event_cluster"]))
    return docs


def bcubed(gold: Sequence[str], predicted: Sequence[object]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin 1998), averaged over items."""
    pairs = Counter(zip(gold, predicted, strict=True))
    gold_size, predicted_size = Counter(gold), Counter(predicted)
    precision = sum(c * c / predicted_size[p] for (g, p), c in pairs.items()) / len(gold)
    recall = sum(c * c / gold_size[g] for (g, p), c in pairs.items()) / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def lookalike_merges(docs: Sequence[Doc], predicted: Sequence[object]) -> tuple[float, float]:
    """Share of same-topic gold event pairs merged (strict), and of cross-event article pairs."""
    events_by_topic: dict[int, set[str]] = defaultdict(set)
    predicted_of_event: dict[str, set[object]] = defaultdict(set)
    for doc, label in zip(docs, predicted, strict=True):
        events_by_topic[doc.topic].add(doc.event)
        predicted_of_event[doc.event].add(label)
    event_pairs = merged_events = 0
    for events in events_by_topic.values():
        for a, b in itertools.combinations(sorted(events), 2):
            event_pairs += 1
            merged_events += bool(predicted_of_event[a] & predicted_of_event[b])
    article_pairs = merged_articles = 0
    for (i, a), (j, b) in itertools.combinations(enumerate(docs), 2):
        if a.topic == b.topic and a.event != b.event:
            article_pairs += 1
            merged_articles += predicted[i] == predicted[j]
    return merged_events / max(event_pairs, 1), merged_articles / max(article_pairs, 1)


def ours(threshold: float, conflict_weight: float | None = None
         ) -> Callable[[Sequence[Doc]], list[object]]:
    settings = dataclasses.replace(ClusterSettings(), threshold=threshold)
    if conflict_weight is not None:
        settings = dataclasses.replace(settings, conflict_weight=conflict_weight)

    def run(docs: Sequence[Doc]) -> list[object]:
        clusters = cluster_articles([d.article for d in docs], settings)
        label = {m.id: c.id for c in clusters for m in c.articles}
        return [label[d.article.id] for d in docs]

    return run


def naive(threshold: float, conflict_weight: None = None
          ) -> Callable[[Sequence[Doc]], list[object]]:
    """Bag-of-words TF-IDF cosine, single linkage: connected components above threshold."""

    def run(docs: Sequence[Doc]) -> list[object]:
        matrix = TfidfVectorizer().fit_transform([d.article.text for d in docs])
        similar = (matrix @ matrix.T).multiply((matrix @ matrix.T) >= threshold)
        _, labels = connected_components(sp.csr_matrix(similar), directed=False)
        return labels.tolist()

    return run


def score(docs: Sequence[Doc], method: Callable[[Sequence[Doc]], list[object]]) -> dict:
    started = time.perf_counter()
    predicted = method(docs)
    seconds = time.perf_counter() - started
    precision, recall, f1 = bcubed([d.event for d in docs], predicted)
    events_merged, articles_merged = lookalike_merges(docs, predicted)
    return {"P": precision, "R": recall, "F1": f1, "events_merged": events_merged,
            "article_pairs_merged": articles_merged, "clusters": len(set(predicted)),
            "seconds": seconds}


def merge_penalised_f1(row: dict) -> float:
    """F1 less how far either look-alike merge share exceeds ``MERGE_ALLOWANCE``."""
    return (row["F1"] - max(0.0, row["events_merged"] - MERGE_ALLOWANCE)
            - max(0.0, row["article_pairs_merged"] - MERGE_ALLOWANCE))


def cross_validate(docs: Sequence[Doc], make: Callable[..., Callable],
                   grid: Sequence[tuple[float, float | None]],
                   objective: Callable[[dict], float]) -> list[dict]:
    """Tune on odd topics and score on even ones, then the other way round."""
    folds = []
    for train_parity in (1, 0):
        train = [d for d in docs if d.topic % 2 == train_parity]
        test = [d for d in docs if d.topic % 2 != train_parity]
        train_rows = {params: score(train, make(*params)) for params in grid}
        best = max(grid, key=lambda params: (objective(train_rows[params]), -params[0]))
        folds.append({"tuned_on": "odd" if train_parity else "even", "params": best,
                      "train_F1": train_rows[best]["F1"], **score(test, make(*best))})
    return folds


def show(name: str, row: dict) -> None:
    print(f"  {name:<44} P={row['P']:.3f} R={row['R']:.3f} F1={row['F1']:.3f}  "
          f"look-alike events merged={row['events_merged']:.1%}  "
          f"article pairs merged={row['article_pairs_merged']:.2%}  "
          f"clusters={row['clusters']}  {row['seconds']:.2f}s")


def main() -> None:
    docs = load()
    gold_events = len({d.event for d in docs})
    print(f"ECB+ dev: {len(docs)} texts, {gold_events} gold events, "
          f"{len({d.topic for d in docs})} topics")
    print("look-alike events merged = share of same-topic gold event pairs with >=1 predicted "
          "cluster holding articles of both (strict)")
    print("article pairs merged = share of same-topic, different-event article pairs put "
          "in one cluster")
    default = ClusterSettings()
    print(f"\nDefault settings ({default}) on all topics:")
    show("ours (default threshold)", score(docs, ours(default.threshold)))
    methods = (
        ("ours (threshold, conflict_weight)", ours,
         [(t, w) for w in CONFLICT_WEIGHTS for t in THRESHOLDS], merge_penalised_f1),
        ("naive single-link (threshold)", naive, [(t, None) for t in NAIVE_THRESHOLDS],
         lambda row: row["F1"]),
    )
    for label, make, grid, objective in methods:
        print(f"\nTwo-fold cross-validation over topics, {label}:")
        folds = cross_validate(docs, make, grid, objective)
        for fold in folds:
            show(f"tuned on {fold['tuned_on']} {fold['params']} "
                 f"train F1={fold['train_F1']:.3f}", fold)
        mean = {k: float(np.mean([f[k] for f in folds])) for k in folds[0]
                if k not in ("tuned_on", "params")}
        show("mean of the two held-out halves", mean)
    grid = [(t, w) for w in CONFLICT_WEIGHTS for t in THRESHOLDS]
    rows = {params: score(docs, ours(*params)) for params in grid}
    best = max(grid, key=lambda params: (merge_penalised_f1(rows[params]), -params[0]))
    print("\nThe same tuning on all topics (how the defaults were chosen):")
    show(f"best {best}", rows[best])
    if "--sweep" in sys.argv:
        print("\nThreshold sweep on all topics (for the record; defaults are not tuned on it):")
        for threshold in THRESHOLDS:
            show(f"t={threshold}", score(docs, ours(threshold)))


if __name__ == "__main__":
    main()
