#!/usr/bin/env bash
# Set up (if needed), install headless Chromium for the browser tests, lint, and run
# every test, including the eval on each question set against its thresholds in eval/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installerer Chromium til browsertestene ..."
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; }; then
    echo "ADVARSEL: Chromium kunne ikke installeres; browsertestene bliver sprunget over (se pytest-resuméet)." >&2
  fi
fi
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
