#!/usr/bin/env python3
"""Splits a BEIR dataset's queries into two halves by the MD5 of the query id, so a decision can be made on
one half ("train") and reported on the other ("test"), reproducibly.

    python3 eval/datasets/split_queries.py ../shared/data/retrieval/zh-cmrc2018-dev-beir /tmp/cmrc-split

A query whose id's MD5 ends in an even byte goes to train, the others to test (CMRC 2018 dev: 1,624 / 1,595).
The output folder holds qrels/train.tsv and qrels/test.tsv and symbolic links to the corpus and queries.
"""
import hashlib
import os
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source, target = (os.path.abspath(a) for a in sys.argv[1:])
    qrels = os.path.join(source, "qrels")
    split = "test" if os.path.exists(os.path.join(qrels, "test.tsv")) else sorted(os.listdir(qrels))[0][:-4]
    with open(os.path.join(qrels, f"{split}.tsv"), encoding="utf-8") as f:
        header, *rows = f.read().splitlines()
    os.makedirs(os.path.join(target, "qrels"), exist_ok=True)
    halves = {"train": [], "test": []}
    for row in rows:
        query_id = row.split("\t")[0]
        even = hashlib.md5(query_id.encode("utf-8")).digest()[-1] % 2 == 0
        halves["train" if even else "test"].append(row)
    for name, lines in halves.items():
        with open(os.path.join(target, "qrels", f"{name}.tsv"), "w", encoding="utf-8") as f:
            f.write("\n".join([header, *lines]) + "\n")
    for name in ("corpus.jsonl", "queries.jsonl"):
        link = os.path.join(target, name)
        if not os.path.lexists(link):
            os.symlink(os.path.join(source, name), link)
    queries = {h: len({r.split("\t")[0] for r in lines}) for h, lines in halves.items()}
    print(f"{target}: train {queries['train']} queries, test {queries['test']} queries (from {split})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
