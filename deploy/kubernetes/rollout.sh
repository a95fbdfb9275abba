#!/usr/bin/env bash
# Rolls inventory-tracker out with kubectl: the configuration and the migration Job first
# (waiting until the migrations are applied; a failed one stops here, before any replica of
# the new version serves), then everything else, then waits for each Deployment's rollout.
#
#   deploy/kubernetes/rollout.sh deploy/kubernetes/overlays/production
set -euo pipefail
overlay=${1:?usage: $0 <kustomize overlay directory>}
namespace=$(kubectl kustomize "$overlay" | awk '/^  namespace: / {print $2; exit}')
namespace=${namespace:-default}
if [[ "$namespace" != default ]]; then
  kubectl create namespace "$namespace" --dry-run=client -o yaml | kubectl apply -f -
fi

# A Job cannot be changed in place: the previous run's goes, the new version's runs.
kubectl -n "$namespace" delete job migrate --ignore-not-found --wait=true
kubectl apply -k "$overlay" -l 'app.kubernetes.io/component in (config,migration)'
if ! kubectl -n "$namespace" wait --for=condition=complete job/migrate --timeout=600s; then
  kubectl -n "$namespace" logs job/migrate --tail=50 >&2 || true
  echo "error: the migrations did not complete; nothing else was changed" >&2
  exit 1
fi

kubectl apply -k "$overlay"
for deployment in catalog inventory sales reports gateway admin; do
  kubectl -n "$namespace" rollout status "deployment/$deployment" --timeout=600s
done
