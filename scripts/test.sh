#!/usr/bin/env bash
# Set up everything the tests need on a Debian/Ubuntu machine, then run the whole suite
# (arguments go to pytest: -m "not slow" is the fast lane).
# Debian packages: LibreOffice (opens and renders the workbooks xlcrm writes), CJK fonts, poppler-utils, Chromium,
# PostgreSQL (the team store's tests start a throwaway server on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || need+=(fonts-wqy-zenhei)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)  # renders LibreOffice's PDF to pixels
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need+=(chromium)  # renders the HTML report
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else sudo="none"; fi
  if [ "$sudo" != none ] && command -v apt-get >/dev/null; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "warning: cannot install ${need[*]}; tests that need them will be skipped" >&2
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
exec .venv/bin/python -m pytest --durations=15 "$@"  # the 15 slowest tests: where the time goes
