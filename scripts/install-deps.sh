#!/usr/bin/env bash
# Installs what RagService needs on a Debian machine. Idempotent: installs only what is missing.
set -euo pipefail

# chromium: the admin dashboard's browser tests (tests/RagService.Api.Tests/Dashboard) drive it through Playwright.
packages=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim tesseract-ocr-osd tesseract-ocr-script-latn poppler-utils chromium libreoffice-writer-nogui fonts-wqy-microhei)
# LibreOffice (and the Chinese font it renders with) only regenerates the committed parse test set
# (rag gen-docs); skip them where they are not wanted.
if [ "${RAG_SKIP_LIBREOFFICE:-1}" = "1" ]; then packages=("${packages[@]/libreoffice-writer-nogui}"); packages=("${packages[@]/fonts-wqy-microhei}"); fi

missing=()
for p in "${packages[@]}"; do
  [ -z "$p" ] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required (https://dot.net). Install it and run this again." >&2
  exit 1
fi
