#!/bin/sh
# System packages the browser tests need: Debian's Chromium and a CJK font.
# Installed with apt-get when run as root; otherwise we say exactly what to install.
set -e
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then missing="$missing fonts-noto-cjk"; fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  echo "The browser tests need these Debian packages:$missing"
  echo "Install them with:  sudo apt-get install$missing"
  exit 1
fi
