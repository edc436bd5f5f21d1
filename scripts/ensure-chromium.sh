#!/usr/bin/env bash
# Installs Debian's chromium package when /usr/bin/chromium is missing, so the HTML report's
# browser test (tests/html.rs) runs on a fresh machine with no manual step. Prints the path of
# the browser on success. Needs root (or sudo) and Debian's package registry.
set -euo pipefail
BROWSER=/usr/bin/chromium
if [ -x "$BROWSER" ]; then
  echo "$BROWSER"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  SUDO="sudo -n"
fi
# One installer at a time: parallel test binaries may call this together.
exec 9>/tmp/idp-conformance-ensure-chromium.lock
flock 9
if [ ! -x "$BROWSER" ]; then
  echo "ensure-chromium: installing Debian's chromium package (once per machine)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends chromium >&2
fi
echo "$BROWSER"
