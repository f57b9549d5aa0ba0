#!/usr/bin/env bash
# Runs the `rag` command line (builds it first when needed): scripts/rag.sh eval --dataset ... 
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dll="$root/src/RagService.Cli/bin/Release/net10.0/rag.dll"
if [ ! -f "$dll" ] || [ -n "$(find "$root/src" -name '*.cs' -newer "$dll" -print -quit)" ]; then
  dotnet build "$root/src/RagService.Cli" -c Release -nologo -v quiet >&2
fi
exec dotnet "$dll" "$@"
