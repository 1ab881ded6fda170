#!/usr/bin/env bash
# Installs the Debian packages the tests use (X server, LibreOffice, poppler, keyring daemon,
# Qt's runtime libraries, the PostgreSQL server the department-store tests start) when any is
# missing. Needs root or sudo; does nothing when all are there.
set -euo pipefail
packages=(xvfb xauth libreoffice-writer-nogui poppler-utils gnome-keyring dbus libegl1 libgl1
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libfontconfig1
  fonts-dejavu-core fonts-liberation wixl msitools postgresql openssl)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}"
