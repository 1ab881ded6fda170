#!/usr/bin/env bash
# Builds a portable llama-cpp-python wheel into OUT (default dist/llama-cpu/): llama.cpp's CPU
# backend compiled once per processor generation (x86-64: x64, SSE4.2, Sandy Bridge, Haswell,
# Skylake-X, Ice Lake, Zen 4, Alder Lake ...; ARM likewise), each a loadable module. At run time
# ggml scores every variant against the processor in hand and loads the best one, so one
# installer runs fast on every workstation and never dies of an illegal instruction. The
# Sapphire Rapids variant (AMX) is built but left out of the bundle by letterdesk.spec: it died
# of one on an AMX Xeon (docs/installers.md; benchmarks/bench_cpu_variants.py checks a machine).
#
#   packaging/build_llama_cpu.sh [OUT]        # 20-40 min on 2 cores; minutes on 16
#
# Flags (llama.cpp's docs/build.md and .devops/cpu.Dockerfile, in the llama.cpp that
# llama-cpp-python vendors): GGML_NATIVE=OFF (never tune for the build machine),
# GGML_BACKEND_DL=ON (backends as modules), GGML_CPU_ALL_VARIANTS=ON (every CPU variant).
# CMAKE_INSTALL_BINDIR puts the modules into the wheel's llama_cpp/lib; the PyInstaller spec
# then moves them beside the executable, where ggml looks for them.
#
# The wheel is for the app bundle. In a plain virtualenv ggml would look for the modules
# beside the Python executable and find none: keep the default wheel there.
#
# LLAMA_CPP_PYTHON: the version (default: the one installed in .venv) or a path to an sdist.
# EXTRA_CMAKE_ARGS: appended to the CMake flags (build_llama_cuda.sh adds CUDA this way).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/dist/llama-cpu}"
python="${PYTHON:-$root/.venv/bin/python}"
installed="$("$python" -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))' \
  2>/dev/null || true)"
source="${LLAMA_CPP_PYTHON:-${installed:-0.3.36}}"
case "$source" in
  */*|*.tar.gz) requirement="$source" ;;          # a local sdist
  *) requirement="llama-cpp-python==$source" ;;
esac

export CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON \
-DCMAKE_INSTALL_BINDIR=llama_cpp/lib -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF \
-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF ${EXTRA_CMAKE_ARGS:-}"
mkdir -p "$out"
echo "build_llama: $requirement with CMAKE_ARGS=$CMAKE_ARGS" >&2
# --no-cache-dir: pip's wheel cache ignores CMAKE_ARGS and would hand back a native build
"$python" -m pip wheel --no-deps --no-cache-dir --no-binary llama-cpp-python \
  -w "$out" "$requirement"

wheel="$(ls -t "$out"/llama_cpp_python-*.whl | head -n 1)"
variants="$("$python" -m zipfile -l "$wheel" | grep -o 'llama_cpp/lib/[^ ]*ggml-cpu-[^ ]*' || true)"
if [ -z "$variants" ]; then
  echo "build_llama: $wheel has no CPU variant modules in llama_cpp/lib" >&2
  exit 1
fi
echo "build_llama: $wheel with $(echo "$variants" | wc -l) CPU variants:" >&2
echo "$variants" | sed 's/^/  /' >&2
