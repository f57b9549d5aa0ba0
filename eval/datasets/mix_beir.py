#!/usr/bin/env python3
"""Merges BEIR datasets into one, so documents in several languages share one index and each language's
questions are scored against all of them. Ids are prefixed with each source's tag ("en:", "zh:"), and the
qrels of the named split are concatenated into qrels/test.tsv.

    python3 eval/datasets/subset_beir.py ../shared/data/retrieval/beir-scifact /tmp/mix/en --split test --queries 100 --distractors 300 --seed 7
    python3 eval/datasets/subset_beir.py ../shared/data/retrieval/zh-cmrc2018-dev-beir /tmp/mix/zh --split test --queries 100 --distractors 300 --seed 7
    python3 eval/datasets/mix_beir.py /tmp/mix/mixed en=/tmp/mix/en zh=/tmp/mix/zh

Then `rag eval --dataset /tmp/mix/mixed` gives the mixed figure; `--dataset` on the same folder with
qrels/en.tsv or qrels/zh.tsv (also written) scores one language's questions in the shared index.
"""
import json
import os
import sys


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    target, sources = sys.argv[1], [a.split("=", 1) for a in sys.argv[2:]]
    os.makedirs(os.path.join(target, "qrels"), exist_ok=True)
    all_qrels = []
    with open(os.path.join(target, "corpus.jsonl"), "w", encoding="utf-8") as corpus, \
            open(os.path.join(target, "queries.jsonl"), "w", encoding="utf-8") as queries:
        for tag, folder in sources:
            with open(os.path.join(folder, "corpus.jsonl"), encoding="utf-8") as f:
                for line in f:
                    row = json.loads(line)
                    row["_id"] = f"{tag}:{row['_id']}"
                    corpus.write(json.dumps(row, ensure_ascii=False) + "\n")
            with open(os.path.join(folder, "queries.jsonl"), encoding="utf-8") as f:
                for line in f:
                    row = json.loads(line)
                    queries.write(json.dumps({"_id": f"{tag}:{row['_id']}", "text": row["text"]}, ensure_ascii=False) + "\n")
            split = sorted(os.listdir(os.path.join(folder, "qrels")))[0]
            with open(os.path.join(folder, "qrels", split), encoding="utf-8") as f:
                rows = [r.split("\t") for r in f.read().splitlines()[1:] if r]
            lines = [f"{tag}:{q}\t{tag}:{d}\t{s}" for q, d, s in rows]
            with open(os.path.join(target, "qrels", f"{tag}.tsv"), "w", encoding="utf-8") as f:
                f.write("query-id\tcorpus-id\tscore\n" + "\n".join(lines) + "\n")
            all_qrels += lines
    with open(os.path.join(target, "qrels", "test.tsv"), "w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n" + "\n".join(all_qrels) + "\n")
    print(f"{target}: {len(all_qrels)} qrels from {', '.join(t for t, _ in sources)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
