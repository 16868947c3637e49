#!/usr/bin/env bash
# Set up (if needed), index the bundled corpus (incrementally) and start the chat app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python app.py
