#!/usr/bin/env bash
# Trains only when no model matches the current config, domain, data and model
# code: the model file is named after a hash of all of them. Prints the model
# path as its last line (SHOP_TRAIN_DRY_RUN=1: only print it).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
CONFIG="${1:-config.yml}"

hash=$(
  { echo "$CONFIG"; cat "$CONFIG" requirements/lock.txt;
    find domain data custom_components shop/nlu shop/catalog/data -type f -not -path '*/__pycache__/*' -print0 \
      | sort -z | xargs -0 cat; } | sha256sum | cut -c1-16
)
name="shop-$(basename "$CONFIG" .yml)-$hash"
model="models/$name.tar.gz"
if [ -n "${SHOP_TRAIN_DRY_RUN:-}" ]; then
  : # only say which model the current files need (tests look for it)
elif [ -f "$model" ]; then
  echo "train: $model matches the current data and config; not retraining" >&2
else
  echo "train: no model for the current data and config; training $model" >&2
  .venv/bin/rasa train --domain domain --config "$CONFIG" --data data --out models \
    --fixed-model-name "$name" >&2
fi
echo "$model"
