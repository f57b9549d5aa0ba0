#!/usr/bin/env python3
"""Latency of queries the service has never seen, through HTTP, as users meet it.

Warms the service up with queries from another split (JIT, ONNX sessions, Lucene readers), then sends each query
of the measured split once, one at a time, to POST /v1/indexes/{index}/search with the default stages, and prints
p50/p95/p99 and the per-stage medians from the trace. Start the service fresh (query embeddings are cached in
memory only, so a new process has seen no query) over a data folder that holds the index:

    scripts/serve.sh --Urls=http://127.0.0.1:8080 --Rag:DataDirectory=/tmp/evaldata &
    python3 eval/latency/novel_queries.py http://127.0.0.1:8080 eval-beir-scifact-minilm-256 \
        ../shared/data/retrieval/beir-scifact --split test --warmup-split train --top-k 100

Targets only the URL it is given (use a loopback address) and stops after one pass over the queries.
"""
import argparse
import json
import os
import statistics
import sys
import time
import urllib.request


def read_queries(dataset, split):
    with open(os.path.join(dataset, "qrels", f"{split}.tsv"), encoding="utf-8") as f:
        wanted = {line.split("\t")[0] for line in f.read().splitlines()[1:] if line.strip()}
    with open(os.path.join(dataset, "queries.jsonl"), encoding="utf-8") as f:
        queries = [json.loads(line) for line in f if line.strip()]
    return [q for q in queries if q["_id"] in wanted]


def search(url, index, text, top_k, api_key):
    body = json.dumps({"query": text, "topK": top_k, "trace": True}).encode("utf-8")
    request = urllib.request.Request(f"{url.rstrip('/')}/v1/indexes/{index}/search", data=body,
                                     headers={"content-type": "application/json"})
    if api_key:
        request.add_header("X-Api-Key", api_key)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        payload = json.loads(response.read())
    return (time.perf_counter() - started) * 1000.0, payload


def percentile(values, p):
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("index")
    parser.add_argument("dataset")
    parser.add_argument("--split", default="test")
    parser.add_argument("--warmup-split", default="train")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--top-k", type=int, default=100)
    parser.add_argument("--api-key", default=os.environ.get("RAG_API_KEY"))
    args = parser.parse_args()

    measured = read_queries(args.dataset, args.split)
    texts = {q["text"] for q in measured}
    warmup = [q for q in read_queries(args.dataset, args.warmup_split) if q["text"] not in texts][: args.warmup]
    for q in warmup:
        search(args.url, args.index, q["text"], args.top_k, args.api_key)

    latencies, stages = [], {}
    for q in measured:
        ms, payload = search(args.url, args.index, q["text"], args.top_k, args.api_key)
        latencies.append(ms)
        trace = payload.get("trace") or {}
        for leg in ("bm25Ms", "denseMs", "embedMs"):
            stages.setdefault(leg, []).append(trace.get(leg, 0.0))
        for step in trace.get("steps", []):
            stages.setdefault(step["stage"], []).append(step.get("ms", 0.0))

    print(f"{len(measured)} novel queries ({args.split}) after {len(warmup)} warm-up queries ({args.warmup_split}), topK {args.top_k}")
    print(f"p50 {percentile(latencies, 50):.1f} ms  p95 {percentile(latencies, 95):.1f} ms  p99 {percentile(latencies, 99):.1f} ms  "
          f"mean {statistics.mean(latencies):.1f} ms  max {max(latencies):.1f} ms")
    for name, values in stages.items():
        print(f"  {name:<22} median {statistics.median(values):7.1f} ms   p95 {percentile(values, 95):7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
