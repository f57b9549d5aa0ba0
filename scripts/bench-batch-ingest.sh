#!/usr/bin/env bash
# docs/benchmarks.md, "Batch ingestion": N small files (default 10,000) through `rag ingest --url` against `rag serve`
# on loopback; wall time and peak RSS of the CLI (GNU time -v), then the same command again (it must send nothing).
# Usage: scripts/bench-batch-ingest.sh [files] [work folder]   (the work folder is deleted and recreated)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
files="${1:-10000}"
root="${2:-/tmp/ingest-bench}"
port=18181
key=bench-admin-key-0123456789
rag="$repo/scripts/rag.sh"
rm -rf "$root"; mkdir -p "$root/files"
python3 - "$root/files" "$files" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
random.seed(10)
words = "pump valve filter bearing seal gasket rotor stator flange coupling impeller shaft".split()
for i in range(n):
    d = f"{root}/site-{i % 50:02d}/unit-{(i // 50) % 20:02d}"
    os.makedirs(d, exist_ok=True)
    text = f"Maintenance note {i}: the {random.choice(words)} of unit {i} was checked; tag serial{i}q. " + " ".join(random.choice(words) for _ in range(25))
    open(f"{d}/note-{i:05d}.txt", "w").write(text + "\n")
PY
"$rag" --help > /dev/null   # builds the CLI once, outside the timings
"$rag" serve --data "$root/data" --urls "http://127.0.0.1:$port" --Rag:Auth:AdminKey=$key --Logging:LogLevel:Default=Warning > "$root/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/alive" > /dev/null && break; sleep 1; done
cd "$root"
for run in first again; do
  echo "== $run run"
  /usr/bin/time -v "$rag" ingest files --url "http://127.0.0.1:$port" --api-key $key --index bench --parallel 4 > "$run.out" 2> "$run.time" || echo "exit $?"
  grep "files:" "$run.out"; grep -E "Elapsed|Maximum resident" "$run.time"
done

# Interrupted and resumed: kill -9 the CLI during its uploads, run it again, and count what the re-run sent (the
# service's audit events); then DELETE the index while the worker is still writing it (must answer 204, fast).
echo "== interrupted run (index bench-resume)"
total() { curl -s -H "X-Api-Key: $key" "http://127.0.0.1:$port/v1/indexes/bench-resume" | python3 -c "import json,sys; print(json.load(sys.stdin)['documents']['total'])"; }
sent() { grep -c '"Target":"index bench-resume document' "$root/serve.log" || true; }
"$rag" ingest files --url "http://127.0.0.1:$port" --api-key $key --index bench-resume --parallel 4 > resume1.out 2>&1 &
cli=$!
sleep "${KILL_AFTER:-40}"
kill -9 $cli; wait $cli 2>/dev/null || true
sleep 1
before=$(sent); echo "killed: $(total) documents on the service"
"$rag" ingest files --url "http://127.0.0.1:$port" --api-key $key --index bench-resume --parallel 4 > resume2.out 2>&1 &
cli=$!
while [ "$(total)" -lt "$files" ]; do sleep 2; done
sleep 3
echo "re-run sent $(( $(sent) - before )) files; $(total) documents on the service"
kill $cli; wait $cli 2>/dev/null || true
curl -s -o /dev/null -w "DELETE while ingesting: %{http_code} in %{time_total} s\n" -X DELETE -H "X-Api-Key: $key" "http://127.0.0.1:$port/v1/indexes/bench-resume"
echo "errors in the service log: $(grep -c '"LogLevel":"Error"' "$root/serve.log" || true)"
