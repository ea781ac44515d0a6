#!/usr/bin/env bash
# Debian packages the project runs or tests with: chromium + chromedriver for the
# workbench/dashboard browser tests, ffmpeg to decode voice messages, espeak-ng and
# pocketsphinx (+ its US-English model) for speech in and out, sox to inspect audio,
# a CJK font so screenshots of Chinese pages are legible.
# Installs only what is missing; needs root (or sudo) and the Debian registry.
set -euo pipefail
packages=(chromium chromium-driver fonts-wqy-microhei ffmpeg espeak-ng pocketsphinx pocketsphinx-en-us sox)
# --cluster: the production profile's servers (scripts/run_cluster.sh)
[ "${1:-}" = "--cluster" ] && packages=(postgresql redis-server rabbitmq-server haproxy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "install_system: no apt-get; install by hand: ${missing[*]}" >&2; exit 1
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install_system: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
