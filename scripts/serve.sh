#!/usr/bin/env bash
# Builds and runs the RagService API on its embedded defaults: http://127.0.0.1:8080, data under ./data.
# Settings are ordinary ASP.NET Core configuration, the same for the service and the CLI: arguments
# (scripts/serve.sh --Urls=http://0.0.0.0:8080), environment variables (Rag__DataDirectory=/srv/rag,
# Retrieval__Fusion=rrf) or src/RagService.Api/appsettings.json. RAG_DATA=/srv/rag is a shortcut for the data
# directory that Rag__DataDirectory and --Rag:DataDirectory override.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
dotnet build src/RagService.Api -c Release -nologo -v quiet
export ASPNETCORE_CONTENTROOT="$PWD/src/RagService.Api"
# As an environment variable, not an argument, so that Rag__DataDirectory (and any argument) still wins.
# With neither, appsettings.json's "./data" resolves against this folder, the repository root.
if [ -n "${RAG_DATA:-}" ] && [ -z "${Rag__DataDirectory:-}" ]; then
  export Rag__DataDirectory="$RAG_DATA"
fi
# Keys are on by default: the service writes its admin key once, on first start, to <data>/secrets/admin.key
# (unless Rag__Auth__AdminKey or RAG_ADMIN_KEY sets it). Send it as "Authorization: Bearer <key>".
echo "Admin key: $(realpath -m "${Rag__DataDirectory:-$PWD/data}")/secrets/admin.key (created on first start; or set RAG_ADMIN_KEY)" >&2
exec dotnet src/RagService.Api/bin/Release/net10.0/RagService.Api.dll "$@"
