#!/usr/bin/env python3
"""Makes a discriminative Chinese retrieval set from CMRC 2018 dev (BEIR layout): every passage is cut into
windows of consecutive sentences, and a question's one relevant passage is the window that holds its answer.
Each question now competes with the other windows of its own article (same title, same topic, same names):
hard negatives, where CMRC as published has one passage per article and is saturated (BM25 nDCG@10 0.99).

    python3 eval/datasets/zh_hard_passages.py ../shared/data/retrieval/zh-cmrc2018-dev-beir /tmp/zh-hard
    python3 eval/datasets/split_queries.py /tmp/zh-hard /tmp/zh-hard-split

Sentences end at 。！？; a window is WINDOW sentences (default 2), windows do not overlap. A question is kept
only when its first answer occurs in exactly one window of its article (else it has no single relevant
window). Titles are kept on every window, as BEIR keeps them. The output holds corpus.jsonl, queries.jsonl
and qrels/test.tsv; split_queries.py then halves the questions into train (dev) and test by an MD5 of the id.
"""
import json
import os
import re
import sys

WINDOW = int(os.environ.get("WINDOW", "2"))


def sentences(text: str) -> list:
    parts = re.split(r"(?<=[。！？])", text)
    return [p for p in (s.strip() for s in parts) if p]


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source, target = sys.argv[1:]
    corpus = {}
    with open(os.path.join(source, "corpus.jsonl"), encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            corpus[row["_id"]] = row
    qrels = {}
    with open(os.path.join(source, "qrels", "test.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            query_id, corpus_id, _ = line.rstrip("\n").split("\t")
            qrels[query_id] = corpus_id

    windows = {}
    out_corpus = []
    for doc_id, row in corpus.items():
        sents = sentences(row["text"])
        pieces = ["".join(sents[i:i + WINDOW]) for i in range(0, len(sents), WINDOW)]
        windows[doc_id] = []
        for n, piece in enumerate(pieces):
            window_id = f"{doc_id}_W{n}"
            windows[doc_id].append((window_id, piece))
            out_corpus.append({"_id": window_id, "title": row.get("title", ""), "text": piece})

    out_queries, out_qrels, dropped = [], [], 0
    with open(os.path.join(source, "queries.jsonl"), encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            doc_id = qrels.get(row["_id"])
            answers = row.get("metadata", {}).get("answers", [])
            if doc_id is None or not answers:
                dropped += 1
                continue
            holding = [w for w, text in windows[doc_id] if answers[0] in text]
            if len(holding) != 1:
                dropped += 1
                continue
            out_queries.append({"_id": row["_id"], "text": row["text"]})
            out_qrels.append(f"{row['_id']}\t{holding[0]}\t1")

    os.makedirs(os.path.join(target, "qrels"), exist_ok=True)
    with open(os.path.join(target, "corpus.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in out_corpus)
    with open(os.path.join(target, "queries.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in out_queries)
    with open(os.path.join(target, "qrels", "test.tsv"), "w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n" + "\n".join(out_qrels) + "\n")
    print(f"{target}: {len(out_corpus)} passages from {len(corpus)}, {len(out_queries)} questions ({dropped} without one answer window)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
