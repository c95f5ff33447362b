#!/usr/bin/env bash
# What the browser tests need: Debian's Chromium and its WebDriver, and Selenium from PyPI.
# Safe to run again: it only installs what is missing.
set -euo pipefail

say() { printf 'setup-browser: %s\n' "$*"; }

if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing chromium and chromium-driver"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
    else
        say "install Chromium and its driver first: sudo apt-get install chromium chromium-driver" >&2
        exit 1
    fi
fi
python3 -c 'import selenium' 2>/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check selenium==4.51.0
