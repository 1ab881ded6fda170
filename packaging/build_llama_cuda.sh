#!/usr/bin/env bash
# Builds the CUDA llama-cpp-python wheel into OUT (default dist/llama-cuda/): the portable
# CPU variants of build_llama_cpu.sh plus the CUDA backend as a loadable module. On a
# workstation without an NVIDIA driver the CUDA module does not load and letters are
# written on the CPU; `letterdesk selftest` says which backend runs.
#
#   packaging/build_llama_cuda.sh [OUT]
#
# Needs the CUDA toolkit (nvcc on PATH, or CUDACXX) on the build machine; the workstations
# need only the NVIDIA driver (the bundle carries the CUDA runtime and cuBLAS).
# CUDA_ARCHITECTURES: the GPU generations compiled for (default: Turing to Hopper,
# 75;80;86;89;90 — add 100;120 for Blackwell with CUDA 12.8 or newer).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v "${CUDACXX:-nvcc}" >/dev/null; then
  echo "build_llama_cuda: no CUDA compiler (nvcc); install the CUDA toolkit or set CUDACXX" >&2
  exit 1
fi
export EXTRA_CMAKE_ARGS="-DGGML_CUDA=ON \
-DCMAKE_CUDA_ARCHITECTURES=${CUDA_ARCHITECTURES:-75;80;86;89;90} ${EXTRA_CMAKE_ARGS:-}"
exec "$here/build_llama_cpu.sh" "${1:-$here/../dist/llama-cuda}"
