"""Score quote extraction on ../shared/data/quotes-dev and time it.

Usage: python bench/quotes.py [--errors] [--repeat N]

The scoring is the dataset README's: a gold quote is found when one predicted quote
covers at least half of its words; speaker accuracy is over found quotes. Only direct
quotes are scored (the set annotates no reported speech).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path

from coverage_cmp.extract.quotes import extract_quotes

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEV = SHARED / "data" / "quotes-dev" / "quotes-dev.jsonl"
SEED = SHARED / "seed" / "cambridgeshire-regional-report.txt"
PRONOUNS = {"he", "she", "they", "it"}


def cover(text: str, gold: dict, pred: dict) -> float:
    words = [(m.start() + gold["start"], m.end() + gold["start"])
             for m in re.finditer(r"\w+", text[gold["start"]:gold["end"]])]
    inside = sum(pred["start"] <= s and e <= pred["end"] for s, e in words)
    return inside / max(len(words), 1)


def norm(name: str | None) -> str | None:
    return " ".join(name.lower().replace(".", "").split()) if name else None


def same(gold: str | None, pred: str | None) -> bool:
    gold, pred = norm(gold), norm(pred)
    if None in (gold, pred):
        return gold == pred
    return gold == pred or gold.endswith(" " + pred) or pred.endswith(" " + gold)


def score(articles: list[dict], predictions: dict[str, list[dict]], show_errors: bool) -> None:
    n_gold = n_found = n_speaker = n_pred = n_pred_ok = 0
    n_named = n_named_ok = 0
    subsets = {"multi-paragraph": [0, 0], "pronoun": [0, 0], "partial": [0, 0]}
    for article in articles:
        text, preds = article["text"], predictions.get(article["id"], [])
        n_pred += len(preds)
        for p in preds:
            ok = any(cover(text, g, p) >= 0.5 for g in article["quotes"])
            n_pred_ok += ok
            if not ok and show_errors:
                print(f"FP   {article['id'][:8]} {p['speaker']!r:30} {p['text'][:90]!r}")
        for g in article["quotes"]:
            n_gold += 1
            best = max(preds, key=lambda p, g=g: cover(text, g, p), default=None)
            found = best is not None and cover(text, g, best) >= 0.5
            keys = [k for k, flag in (
                ("multi-paragraph", g["multi_paragraph"]),
                ("pronoun", (g["speaker_mention"] or "").lower() in PRONOUNS),
                ("partial", g["partial"]),
            ) if flag]
            for key in keys:
                subsets[key][0] += 1
                subsets[key][1] += found
            if not found:
                if show_errors:
                    print(f"MISS {article['id'][:8]} {g['speaker']!r:30} {g['text'][:90]!r}")
                continue
            n_found += 1
            right = same(g["speaker"], best["speaker"])
            n_speaker += right
            if g["speaker"] is not None:
                n_named += 1
                n_named_ok += right
            if not right and show_errors:
                print(f"SPKR {article['id'][:8]} gold={g['speaker']!r} ({g['speaker_mention']!r})"
                      f" pred={best['speaker']!r} ({best['speaker_mention']!r})"
                      f" {g['text'][:50]!r}")
    recall, precision = n_found / n_gold, n_pred_ok / max(n_pred, 1)
    f1 = 2 * recall * precision / max(recall + precision, 1e-9)
    print(f"gold quotes {n_gold}, predicted direct quotes {n_pred}")
    print(f"recall     {recall:.3f}")
    print(f"precision  {precision:.3f}")
    print(f"F1         {f1:.3f}")
    print(f"speaker accuracy                   {n_speaker / max(n_found, 1):.3f}")
    print(f"speaker accuracy (named gold only) {n_named_ok / max(n_named, 1):.3f}")
    for key, (total, found) in subsets.items():
        print(f"recall on {key:16} {found / max(total, 1):.3f} ({found}/{total})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="print misses, FPs, speakers")
    parser.add_argument("--repeat", type=int, default=5, help="timing repetitions")
    args = parser.parse_args()
    articles = [json.loads(line) for line in DEV.open(encoding="utf-8")]
    predictions = {}
    for article in articles:
        predictions[article["id"]] = [
            {"start": q.start, "end": q.end, "speaker": q.speaker,
             "speaker_mention": q.speaker_mention, "text": q.text}
            for q in extract_quotes(article["text"]) if q.kind == "direct"
        ]
    score(articles, predictions, args.errors)

    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        for article in articles:
            extract_quotes(article["text"])
        timings.append(time.perf_counter() - started)
    total = statistics.median(timings)
    print(f"time: {total * 1000:.0f} ms for {len(articles)} articles "
          f"({total / len(articles) * 1000:.2f} ms/article, median of {args.repeat})")
    marks = ("“”\"'‘’«»`" * 600_000)[:5_000_000]
    started = time.perf_counter()
    extract_quotes(marks)
    print(f"time: {time.perf_counter() - started:.2f} s for 5 MB of nothing but quote marks")
    seed = SEED.read_text(encoding="utf-8")
    for q in extract_quotes(seed):
        print(f"seed: {q.kind:8} {q.speaker!r:28} multi={q.multi_paragraph} {q.text[:50]!r}")


if __name__ == "__main__":
    main()
