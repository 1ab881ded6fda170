#!/usr/bin/env bash
# Builds the app bundle with PyInstaller: DIST/letterdesk/ (one folder; on macOS also
# DIST/LetterDesk.app). Everything in resources/ goes in, the demo model included when it is
# there. Usage: packaging/build_bundle.sh [DIST]   (default: dist)
# PYTHON names the interpreter whose packages are bundled (default: .venv/bin/python).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dist="$(mkdir -p "${1:-$root/dist}" && cd "${1:-$root/dist}" && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
work="$(mktemp -d "${TMPDIR:-/tmp}/letterdesk-pyinstaller.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if [ ! -f "$root/resources/models/letterdesk-demo.gguf" ]; then
  echo "build_bundle: note: resources/models/letterdesk-demo.gguf is missing;" \
       "the bundle will need a model_path setting (make demo-model builds it)" >&2
fi
llama_lib="$("$python" -c 'import importlib.util as u, os; s = u.find_spec("llama_cpp"); print(os.path.join(os.path.dirname(s.origin), "lib"))')"
if ! ls "$llama_lib" | grep -q 'ggml-cpu-'; then
  echo "build_bundle: warning: llama.cpp in $llama_lib has no per-CPU variants: a default pip" \
       "build is tuned to this machine's processor and may stop with 'illegal instruction' on" \
       "older workstations. Ship bundles built on packaging/build_llama_cpu.sh's wheel." >&2
fi
cd "$root"
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$work" packaging/letterdesk.spec
echo "build_bundle: $dist/letterdesk ($(du -sh "$dist/letterdesk" | cut -f1))"
