#!/usr/bin/env bash
# Builds the Debian/Ubuntu package OUT/letterdesk_VERSION_ARCH.deb from the app bundle:
# the app under /opt/letterdesk, the launcher /usr/bin/letterdesk, a desktop entry and icon,
# the example site configuration in /usr/share/doc/letterdesk. Plain dpkg-deb, no debhelper.
#
#   packaging/build_deb.sh [--bundle DIR] [--out DIR] [--site-config FILE]
#
# --bundle  an existing PyInstaller bundle (default: build one with build_bundle.sh)
# --out     where the .deb goes (default: dist)
# --site-config  ship FILE as /etc/letterdesk/config.toml (a conffile: dpkg keeps local edits)
# DEB_COMPRESSION: xz (default, smallest), zstd or gzip (faster to build; gzip for old dpkg).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bundle="" out="$root/dist" site_config=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) bundle="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --site-config) site_config="$2"; shift 2 ;;
    *) echo "build_deb: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$bundle" ]; then
  "$root/packaging/build_bundle.sh" "$out"
  bundle="$out/letterdesk"
fi
[ -x "$bundle/letterdesk" ] || { echo "build_deb: no app bundle at $bundle" >&2; exit 1; }

version="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/letterdesk/__init__.py")"
arch="$(dpkg --print-architecture)"
stage="$(mktemp -d "${TMPDIR:-/tmp}/letterdesk-deb.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/256x256/apps" "$stage/usr/share/doc/letterdesk"
cp -a "$bundle" "$stage/opt/letterdesk"
install -m 0755 "$root/packaging/linux/letterdesk-launcher.sh" "$stage/usr/bin/letterdesk"
install -m 0644 "$root/packaging/linux/letterdesk.desktop" "$stage/usr/share/applications/"
install -m 0644 "$root/packaging/icons/letterdesk.png" \
  "$stage/usr/share/icons/hicolor/256x256/apps/letterdesk.png"
install -m 0644 "$root/packaging/config.example.toml" "$stage/usr/share/doc/letterdesk/"
if [ -n "$site_config" ]; then
  install -D -m 0644 "$site_config" "$stage/etc/letterdesk/config.toml"
  echo "/etc/letterdesk/config.toml" > "$stage/DEBIAN/conffiles"
fi

# Depends: the system libraries the bundle uses but does not carry (libc, OpenGL, fonts …),
# found with ldd and mapped to their packages, as dpkg-shlibdeps would.
glibc="$(ldd --version | sed -n '1s/.* \([0-9][0-9.]*\)$/\1/p')"
packages="$(
  find "$stage/opt/letterdesk" -type f \( -name '*.so*' -o -name letterdesk \) -print0 |
    LD_LIBRARY_PATH="$stage/opt/letterdesk/_internal" xargs -0 ldd 2>/dev/null |
    awk '$2 == "=>" && $3 ~ /^\// {print $3}' | grep -v "^$stage" | sort -u |
    while read -r library; do echo "$library"; readlink -f "$library"; done |  # merged /usr
    xargs -r dpkg -S 2>/dev/null | cut -d: -f1 | sort -u | grep -vx libc6 || true
)"
depends="libc6 (>= $glibc)"
for package in $packages; do depends="$depends, $package"; done

cat > "$stage/DEBIAN/control" <<CONTROL
Package: letterdesk
Version: $version
Architecture: $arch
Maintainer: LetterDesk IT <it@letterdesk.invalid>
Section: science
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $depends
Recommends: gnome-keyring | kwalletmanager
Description: physician letters in radiation oncology, drafted by a local language model
 LetterDesk drafts final reports, first-consultation and follow-up letters with a language
 model that runs on this computer. Physicians correct, rate and sign them off and export
 them to Word. Nothing leaves the machine. The bundled demo model is synthetic: not for
 clinical use.
CONTROL

deb="$out/letterdesk_${version}_${arch}.deb"
mkdir -p "$out"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" --build "$stage" "$deb" >/dev/null
echo "build_deb: $deb ($(du -h "$deb" | cut -f1))"
