"""Checks the rendered Kubernetes manifests (`kubectl kustomize` output, one file per overlay)
for what a schema cannot see: every service target the binary knows has a Deployment running
that target on its own port, behind a Service of the same name and port, with a
PodDisruptionBudget and a CPU autoscaler; probes on /health and /health/ready; resources and a
locked-down container, and no replica count of their own (the autoscaler keeps at least two); every INVENTORY_* key of the ConfigMap and the Secret is a real setting,
the services' addresses point at those Services, and the Secret has what every replica needs;
the migration Job runs `migrate` with the same configuration; the Ingress reaches the dashboard.
The schemas themselves are checked by kubernetes-validate (see .ci/check_kubernetes.sh)."""

import re
import sys
from pathlib import Path

import yaml

root = Path(__file__).resolve().parent.parent
settings_src = (root / "shared/settings/src/lib.rs").read_text()
struct = re.search(r"pub struct Settings \{(.*?)\n\}", settings_src, re.S).group(1)
settings = set(re.findall(r"pub (\w+):", struct))
env_ok = {f"INVENTORY_{k.upper()}" for k in settings} | {"INVENTORY_TARGET"}
targets = re.findall(r'name: "(\w+)"', (root / "app/src/targets.rs").read_text())
default_ports = {
    name: int(re.search(rf"\b{name}_port: (\d+),", settings_src).group(1)) for name in targets
}
NEEDED_SECRETS = {"INVENTORY_DATABASE_URL", "INVENTORY_AMQP_URL", "INVENTORY_INTERNAL_SECRET"}


def check(path, needs_secret):
    docs = [d for d in yaml.safe_load_all(Path(path).read_text()) if d]
    by_kind = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    errors = []
    deployments = by_kind.get("Deployment", {})
    services = by_kind.get("Service", {})
    config_maps = by_kind.get("ConfigMap", {})
    secrets = by_kind.get("Secret", {})

    def refs_resolve(where, env_from):
        for source in env_from:
            if "configMapRef" in source and source["configMapRef"]["name"] not in config_maps:
                errors.append(f"{where}: ConfigMap {source['configMapRef']['name']} is not rendered")
            if "secretRef" in source and needs_secret and source["secretRef"]["name"] not in secrets:
                errors.append(f"{where}: Secret {source['secretRef']['name']} is not rendered")

    for target in targets:
        deployment = deployments.get(target)
        if deployment is None:
            errors.append(f"no Deployment for {target}")
            continue
        spec = deployment["spec"]["template"]["spec"]
        (container,) = spec["containers"]
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        if env.get("INVENTORY_TARGET") != target:
            errors.append(f"{target}: runs target {env.get('INVENTORY_TARGET')}")
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        if ports.get("http") != default_ports[target]:
            errors.append(f"{target}: listens on {ports.get('http')}, its port is {default_ports[target]}")
        probes = (container.get("livenessProbe"), container.get("readinessProbe"))
        paths = tuple(p and p["httpGet"]["path"] for p in probes)
        if paths != ("/health", "/health/ready"):
            errors.append(f"{target}: liveness/readiness probe paths {paths}")
        resources = container.get("resources", {})
        if not {"cpu", "memory"} <= set(resources.get("requests", {})) or "memory" not in resources.get("limits", {}):
            errors.append(f"{target}: needs cpu and memory requests and a memory limit")
        security = container.get("securityContext", {})
        if not security.get("readOnlyRootFilesystem") or security.get("allowPrivilegeEscalation") is not False:
            errors.append(f"{target}: the container is not locked down")
        refs_resolve(target, container.get("envFrom", []))
        if "replicas" in deployment["spec"]:
            errors.append(f"{target}: sets replicas, which its autoscaler owns (each apply would reset them)")
        service = services.get(target)
        if service is None or service["spec"]["ports"][0]["port"] != default_ports[target]:
            errors.append(f"{target}: no Service on port {default_ports[target]}")
        elif service["spec"]["selector"] != deployment["spec"]["selector"]["matchLabels"]:
            errors.append(f"{target}: the Service selects other pods than the Deployment's")
        pdb = by_kind.get("PodDisruptionBudget", {}).get(target)
        if pdb is None or pdb["spec"]["selector"]["matchLabels"] != deployment["spec"]["selector"]["matchLabels"]:
            errors.append(f"{target}: no PodDisruptionBudget for its pods")
        hpa = by_kind.get("HorizontalPodAutoscaler", {}).get(target)
        if hpa is None or hpa["spec"]["scaleTargetRef"]["name"] != target:
            errors.append(f"{target}: no autoscaler")
        elif hpa["spec"]["minReplicas"] < 2 or hpa["spec"]["metrics"][0]["resource"]["name"] != "cpu":
            errors.append(f"{target}: the autoscaler must keep two replicas and follow the CPU")

    for name, config in {**config_maps, **secrets}.items():
        data = {**config.get("data", {}), **config.get("stringData", {})}
        for key in data:
            if key.startswith("INVENTORY_") and key not in env_ok:
                errors.append(f"{name}: {key} is not a setting")
    for config in config_maps.values():
        for target in targets:
            url = config.get("data", {}).get(f"INVENTORY_{target.upper()}_URL")
            if url is not None and url != f"http://{target}:{default_ports[target]}":
                errors.append(f"{config['metadata']['name']}: the {target} address {url} is not its Service")
    if needs_secret:
        keys = set().union(*(set(s.get("data", {})) for s in secrets.values())) if secrets else set()
        if not NEEDED_SECRETS <= keys:
            errors.append(f"the Secret lacks {sorted(NEEDED_SECRETS - keys)}")

    job = by_kind.get("Job", {}).get("migrate")
    if job is None:
        errors.append("no migration Job")
    else:
        (container,) = job["spec"]["template"]["spec"]["containers"]
        if container.get("args") != ["migrate"]:
            errors.append(f"the migration Job runs {container.get('args')}")
        refs_resolve("migrate", container.get("envFrom", []))
        images = {d["spec"]["template"]["spec"]["containers"][0]["image"] for d in deployments.values()}
        if images != {container["image"]}:
            errors.append(f"the migration Job's image {container['image']} is not the services' {images}")

    for ingress in by_kind.get("Ingress", {}).values():
        for rule in ingress["spec"]["rules"]:
            for p in rule["http"]["paths"]:
                backend = p["backend"]["service"]
                if backend["name"] not in services:
                    errors.append(f"Ingress {ingress['metadata']['name']}: no Service {backend['name']}")
                elif backend["name"] != "admin":
                    errors.append(f"Ingress {ingress['metadata']['name']}: should reach the dashboard, not {backend['name']}")
    return errors


failed = False
for argument in sys.argv[1:]:
    path, _, kind = argument.partition(":")
    problems = check(path, needs_secret=(kind == "with-secret"))
    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    failed |= bool(problems)
    if not problems:
        print(f"{path}: ok")
sys.exit(1 if failed else 0)
