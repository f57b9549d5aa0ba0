#!/usr/bin/env bash
# Permission filtering must cost neither quality nor speed. Over an index built by `rag eval --data DATA`:
#   1. every document gets the ACL group:sci, and a reader holding group:sci is evaluated through the API
#      (nDCG@10 must equal the admin's, which sees the tenant without any ACL filter);
#   2. half of the documents (odd MD5 of the id) get group:restricted instead, and the same reader's search
#      latency is compared with the admin's (p95 may rise by at most 20 %).
# Usage: eval/security/acl_bench.sh RAG DATA DATASET INDEX [PORT]
#   RAG: the rag CLI (e.g. src/RagService.Cli/bin/Release/net10.0/rag), DATA: its --data folder,
#   DATASET: the BEIR folder the index was built from, INDEX: the index name `rag eval` printed.
set -euo pipefail
RAG=$1; DATA=$2; DATASET=$3; INDEX=$4; PORT=${5:-18091}
URL=http://127.0.0.1:$PORT
cd "$(dirname "$0")/../.."
Rag__Limits__RequestsPerMinute=0 "$RAG" serve --data "$DATA" --urls "$URL" > "$DATA/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
until curl -sf "$URL/health" > /dev/null; do sleep 1; done
ADMIN=$(cat "$DATA/secrets/admin.key")
READER=$(curl -sf "$URL/v1/keys" -H "Authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d '{"name":"acl-bench","role":"reader","user":"bench","groups":["sci"]}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
eval_as() { "$RAG" eval --url "$URL" --api-key "$1" --index "$INDEX" --dataset "$DATASET" --split test --mode hybrid; }

python3 eval/security/set_acls.py "$URL" "$INDEX" --key "$ADMIN" --acl group:sci --workers 4
echo "== admin (no ACL filter), every document group:sci"; eval_as "$ADMIN"
echo "== reader holding group:sci, every document group:sci"; eval_as "$READER"
python3 eval/security/set_acls.py "$URL" "$INDEX" --key "$ADMIN" --acl group:sci --restrict-half group:restricted --workers 4
# Alternated twice: on a shared machine the load drifts between runs.
for round in 1 2; do
  echo "== round $round: admin (no ACL filter), half the documents restricted"; eval_as "$ADMIN"
  echo "== round $round: reader, half the documents restricted from it"; eval_as "$READER"
done
