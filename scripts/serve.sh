#!/usr/bin/env bash
# Builds and runs the RagService API on its embedded defaults: http://127.0.0.1:8080, data under ./data.
# Pass settings as arguments, e.g. scripts/serve.sh --Rag:DataDirectory=/srv/rag --Urls=http://0.0.0.0:8080
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
dotnet build src/RagService.Api -c Release -nologo -v quiet
export ASPNETCORE_CONTENTROOT="$PWD/src/RagService.Api"
exec dotnet src/RagService.Api/bin/Release/net10.0/RagService.Api.dll --Rag:DataDirectory="${RAG_DATA:-$PWD/data}" "$@"
