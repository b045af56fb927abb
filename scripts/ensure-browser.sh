#!/usr/bin/env bash
# Makes sure the browser tests have a browser: Debian's chromium (and a font to render text with).
# Idempotent and quiet when everything is already installed. Browser downloads such as
# `playwright install` are not used: only the Debian archive is needed.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
# fonts-dejavu-core: chromium renders Danish letters (æ, ø, å) with it when no other font exists.

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
dpkg-query -W -f='${Status}' fonts-dejavu-core 2>/dev/null | grep -q "install ok installed" || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0

log=$(mktemp)
trap 'rm -f "$log"' EXIT
fail() {
    cat "$log" >&2
    echo "ensure-browser: could not install ${missing[*]} with apt-get (see the output above);" \
         "install Debian's chromium package yourself (apt-get install chromium) and run make test again." >&2
    exit 1
}

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-browser: ${missing[*]} missing and apt-get not found; install Debian's chromium package" \
         "so that $CHROMIUM exists, then run make test again." >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && SUDO="sudo" || {
        echo "ensure-browser: ${missing[*]} missing and installing needs root; run" \
             "'apt-get install chromium fonts-dejavu-core' as root, then make test again." >&2
        exit 1
    }
fi

echo "ensure-browser: installing ${missing[*]} from Debian for the browser tests (once)..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >"$log" 2>&1 || fail
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1 || fail
[ -x "$CHROMIUM" ] || fail
echo "ensure-browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed."
