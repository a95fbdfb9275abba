#!/usr/bin/env bash
# Renders the Kubernetes manifests (the base and every overlay) with kustomize and validates
# them offline: against the Kubernetes API schemas of the oldest and newest supported versions
# (kubernetes-validate, from PyPI, bundles them; strict: unknown fields fail), then for what the
# schemas cannot see (.ci/check_kubernetes.py). No cluster is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v kubectl >/dev/null; then
  echo "error: kubectl (with its built-in kustomize) is needed to render deploy/kubernetes" >&2
  exit 1
fi
python3 -m pip install --quiet --disable-pip-version-check 'kubernetes-validate==1.37.0'
work=$(mktemp -d)
overlays=(deploy/kubernetes/overlays/*/)
cleanup() {
  rm -rf "$work"
  # The overlays' secrets.env made from the examples below, never a real one.
  for overlay in "${overlays[@]}"; do
    if [[ -f "$overlay/secrets.env.ci" ]]; then
      rm -f "$overlay/secrets.env" "$overlay/secrets.env.ci"
    fi
  done
}
trap cleanup EXIT

kubectl kustomize deploy/kubernetes/base >"$work/base.yaml"
rendered=("$work/base.yaml")
checked=("$work/base.yaml")
for overlay in "${overlays[@]}"; do
  name=$(basename "$overlay")
  if [[ ! -f "$overlay/secrets.env" ]]; then
    cp "$overlay/secrets.env.example" "$overlay/secrets.env"
    touch "$overlay/secrets.env.ci"
  fi
  kubectl kustomize "$overlay" >"$work/$name.yaml"
  rendered+=("$work/$name.yaml")
  checked+=("$work/$name.yaml:with-secret")
done
for version in 1.29.0 1.34.0; do
  kubernetes-validate --strict --quiet -k "$version" "${rendered[@]}"
done
python3 .ci/check_kubernetes.py "${checked[@]}"
echo "kubernetes: ${#rendered[@]} renderings valid"
