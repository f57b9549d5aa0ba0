#!/usr/bin/env python3
"""Sets the ACL of every document of an index through the API (PATCH, no re-embedding), for the ACL benchmarks.

    python3 eval/security/set_acls.py URL INDEX --key KEY --acl group:sci
    python3 eval/security/set_acls.py URL INDEX --key KEY --acl group:sci --restrict-half group:restricted

--workers N keeps N requests in flight (the index serialises the writes; this hides the round trips).
--restrict-half gives the second ACL to the half of the documents whose id has an odd MD5 (a fixed, seedless
split), the first to the rest. Documents that hold their ACL already are not PATCHed. Prints how many documents got each
ACL, how many PATCHes were sent and the time they took. The server should run with
Rag:Limits:RequestsPerMinute=0 (one request per document).
"""
import argparse
import concurrent.futures
import hashlib
import json
import time
import urllib.parse
import urllib.request


def call(method, url, key, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("index")
    parser.add_argument("--key", required=True)
    parser.add_argument("--acl", required=True, help="comma-separated ACL for every document")
    parser.add_argument("--restrict-half", help="comma-separated ACL for half of the documents")
    parser.add_argument("--workers", type=int, default=1, help="PATCH requests in flight at once")
    args = parser.parse_args()
    base = args.url.rstrip("/") + f"/v1/indexes/{urllib.parse.quote(args.index)}/documents"
    ids, current, offset = [], {}, 0
    while True:
        page = call("GET", f"{base}?offset={offset}&limit=1000", args.key)
        ids += [d["documentId"] for d in page["documents"]]
        current.update((d["documentId"], sorted(d.get("acl") or [])) for d in page["documents"])
        offset += len(page["documents"])
        if not page["documents"] or offset >= page["total"]:
            break

    def acl_of(doc_id):
        restricted = args.restrict_half and int(hashlib.md5(doc_id.encode()).hexdigest(), 16) % 2 == 1
        return (args.restrict_half if restricted else args.acl).split(",")

    def patch(doc_id):
        call("PATCH", f"{base}/{urllib.parse.quote(doc_id)}", args.key, {"acl": acl_of(doc_id)})

    counts = {}
    for doc_id in ids:
        key = ",".join(acl_of(doc_id))
        counts[key] = counts.get(key, 0) + 1
    # A document that holds its ACL already is left alone: the second run PATCHes only the half it restricts.
    changes = [doc_id for doc_id in ids if current.get(doc_id) != sorted(acl_of(doc_id))]
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.workers)) as pool:
        for _ in pool.map(patch, changes):
            pass
    elapsed = time.monotonic() - started
    print(json.dumps({"acls": counts, "patches": len(changes), "seconds": round(elapsed, 1), "msPerPatch": round(1000 * elapsed / len(changes), 1) if changes else None}))


if __name__ == "__main__":
    main()
