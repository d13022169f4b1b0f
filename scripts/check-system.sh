#!/usr/bin/env bash
# Before `npm test`: the system packages the suite drives for real. Installs the missing ones with
# apt-get when it can (root on Debian/Ubuntu); otherwise stops at once with the exact command, so a
# missing binary never shows up as half a suite failing.
set -euo pipefail

missing=()
# The browser tests (console, portal, widget) drive Chromium at /usr/bin/chromium.
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
# Real mail peers for the e-mail channel's tests: an IMAP server for the poller, an SMTP client.
[[ -x /usr/sbin/dovecot ]] || missing+=(dovecot-imapd)
command -v swaks >/dev/null 2>&1 || missing+=(swaks)
# Chromium draws Chinese as boxes without a CJK font (the zh-CN screens are asserted).
fc-list 2>/dev/null | grep -i 'Noto Sans CJK' >/dev/null || missing+=(fonts-noto-cjk)

((${#missing[@]} == 0)) && exit 0

command="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "check-system: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  $command -qq >/dev/null
  exit 0
fi
echo "check-system: the tests need ${missing[*]}, which this machine lacks. Install them, then run npm test again:" >&2
echo "  sudo apt-get update && sudo $command" >&2
exit 1
