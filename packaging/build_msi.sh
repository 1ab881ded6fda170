#!/usr/bin/env bash
# Builds OUT/LetterDesk-VERSION-x64.msi with msitools' wixl (Linux, WSL, or a Linux CI runner)
# from packaging/windows/letterdesk.wxs and a Windows app bundle.
#
#   packaging/build_msi.sh --bundle DIR [--out DIR] [--site-config FILE]
#   packaging/build_msi.sh --placeholder [--out DIR]   # check the WiX source on Linux
#
# --bundle       the PyInstaller bundle built ON WINDOWS (dist\letterdesk: LetterDesk.exe,
#                letterdesk-cli.exe, _internal\)
# --placeholder  a stand-in bundle (dummy executables and the real resources/): a
#                PyInstaller bundle cannot be cross-built, so Linux can only check the MSI
# --site-config  the file installed as %ProgramData%\LetterDesk\config.toml (IT's presets;
#                default: packaging/windows/site-config.default.toml, which sets nothing)
# Needs wixl and wixl-heat (Debian/Ubuntu: apt-get install wixl; Fedora: msitools).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bundle="" placeholder="" out="$root/dist"
site_config="$root/packaging/windows/site-config.default.toml"
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) bundle="$2"; shift 2 ;;
    --placeholder) placeholder=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --site-config) site_config="$2"; shift 2 ;;
    *) echo "build_msi: unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in wixl wixl-heat; do
  command -v "$tool" >/dev/null || { echo "build_msi: $tool missing (apt-get install wixl)" >&2; exit 1; }
done
work="$(mktemp -d "${TMPDIR:-/tmp}/letterdesk-msi.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if [ -n "$placeholder" ]; then
  bundle="$work/letterdesk"
  mkdir -p "$bundle/_internal"
  for exe in LetterDesk.exe letterdesk-cli.exe; do
    printf 'placeholder: build the bundle on Windows (docs/installers.md)\r\n' > "$bundle/$exe"
  done
  cp -r "$root/resources" "$bundle/_internal/resources"
fi
[ -n "$bundle" ] || { echo "build_msi: give --bundle DIR or --placeholder" >&2; exit 2; }
[ -f "$bundle/LetterDesk.exe" ] || { echo "build_msi: no LetterDesk.exe in $bundle" >&2; exit 1; }
bundle="$(cd "$bundle" && pwd)"

version="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/letterdesk/__init__.py")"
# every file of the bundle as a component under INSTALLDIR
(cd "$bundle" && find . -type f | sed 's|^\./||' | sort) |
  wixl-heat --prefix "" --component-group AppFiles --var var.BundleDir \
    --directory-ref INSTALLDIR --win64 > "$work/AppFiles.wxs"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
msi="$out/LetterDesk-$version-x64.msi"
# wixl 0.101 finds sources only by paths relative to where it runs: gather them there
ln -s "$bundle" "$work/bundle"
cp "$site_config" "$work/config.toml"
cp "$root/packaging/config.example.toml" "$root/packaging/icons/letterdesk.ico" \
  "$root/packaging/windows/letterdesk.wxs" "$work/"
(cd "$work" && wixl --arch x64 -o "$msi" \
  -D Version="$version" -D Win64=yes -D BundleDir=bundle -D SiteConfig=config.toml \
  -D ExampleConfig=config.example.toml -D IconFile=letterdesk.ico \
  letterdesk.wxs AppFiles.wxs 2> >(grep -v "NeverOverwrite\|Permanent\|^$" >&2))
# wixl ignores NeverOverwrite and Permanent: set them in the Component table itself
# (msidbComponentAttributes 64-bit 256 + Permanent 16 + NeverOverwrite 128)
msibuild "$msi" -q "UPDATE \`Component\` SET \`Attributes\` = 400 WHERE \`Component\` = 'SiteConfig'"
echo "build_msi: $msi ($(du -h "$msi" | cut -f1))"
