#!/usr/bin/env python3
"""Writes a small BEIR dataset from a large one: the first N queries of a split, every document relevant to
them, and D other documents drawn at random with a fixed seed, so a fresh-index run takes minutes.

    python3 eval/datasets/subset_beir.py ../shared/data/retrieval/beir-scifact /tmp/scifact-mini \
        --split test --queries 60 --distractors 400 --seed 7

--in-order takes the first D other documents in corpus order instead of a seeded sample: a subset whose
documents lead the corpus, so an index of the whole corpus cut short (the ingestion follows corpus order)
left their embeddings in the data folder's cache.
"""
import argparse
import json
import os
import random
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--split", default="test")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--distractors", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--in-order", action="store_true", help="the first D other documents in corpus order, not a seeded sample")
    args = parser.parse_args()

    with open(os.path.join(args.source, "qrels", f"{args.split}.tsv"), encoding="utf-8") as f:
        header, *rows = f.read().splitlines()
    chosen, kept_rows = [], []
    for row in rows:
        query_id = row.split("\t")[0]
        if query_id not in chosen:
            if len(chosen) == args.queries:
                continue
            chosen.append(query_id)
        kept_rows.append(row)
    relevant = {row.split("\t")[1] for row in kept_rows}

    with open(os.path.join(args.source, "corpus.jsonl"), encoding="utf-8") as f:
        ids = [json.loads(line)["_id"] for line in f if line.strip()]
    if args.in_order:
        keep = relevant | set([i for i in ids if i not in relevant][:args.distractors])
    else:
        others = sorted(set(ids) - relevant)
        keep = relevant | set(random.Random(args.seed).sample(others, min(args.distractors, len(others))))

    os.makedirs(os.path.join(args.target, "qrels"), exist_ok=True)
    with open(os.path.join(args.source, "corpus.jsonl"), encoding="utf-8") as f, \
            open(os.path.join(args.target, "corpus.jsonl"), "w", encoding="utf-8") as out:
        for line in f:
            if line.strip() and json.loads(line)["_id"] in keep:
                out.write(line)
    wanted = set(chosen)
    with open(os.path.join(args.source, "queries.jsonl"), encoding="utf-8") as f, \
            open(os.path.join(args.target, "queries.jsonl"), "w", encoding="utf-8") as out:
        for line in f:
            if line.strip() and json.loads(line)["_id"] in wanted:
                out.write(line)
    with open(os.path.join(args.target, "qrels", f"{args.split}.tsv"), "w", encoding="utf-8") as out:
        out.write("\n".join([header, *kept_rows]) + "\n")
    print(f"{args.target}: {len(chosen)} queries, {len(keep)} documents ({len(relevant)} relevant)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
