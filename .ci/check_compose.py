"""Checks compose files without a Docker engine, merged in the order given as `docker compose -f
a -f b` would: the YAML parses (anchors and merge keys included), every dependency and health
condition points at a real service, every `--target` is a target the binary knows, every
INVENTORY_* variable is a real setting, published ports are unique, the Dockerfile exposes the
ports the services listen on, files mounted from the repository exist, named volumes and
secrets are declared, and the internal secret and the metrics token are required."""

import re
import sys
from pathlib import Path

import yaml

root = Path(__file__).resolve().parent.parent
compose = {"services": {}, "volumes": {}, "secrets": {}}
for name in sys.argv[1:]:
    part = yaml.safe_load((root / name).read_text())
    for section in ("services", "volumes", "secrets"):
        for key, value in (part.get(section) or {}).items():
            merged = compose[section].setdefault(key, {}) or {}
            merged.update(value or {})
            compose[section][key] = merged

settings_src = (root / "shared/settings/src/lib.rs").read_text()
struct = re.search(r"pub struct Settings \{(.*?)\n\}", settings_src, re.S).group(1)
settings = set(re.findall(r"pub (\w+):", struct))
env_ok = {f"INVENTORY_{k.upper()}" for k in settings} | {"INVENTORY_CONFIG", "INVENTORY_TARGET"}
targets = set(re.findall(r'name: "(\w+)"', (root / "app/src/targets.rs").read_text())) | {"all"}
exposed = set(re.findall(r"^EXPOSE (.*)$", (root / "Dockerfile").read_text(), re.M)[0].split())

errors = []
services = compose["services"]
published = {}
for name, svc in services.items():
    if "image" not in svc and "build" not in svc:
        errors.append(f"{name}: neither image nor build")
    for dep, cond in (svc.get("depends_on") or {}).items():
        if dep not in services:
            errors.append(f"{name}: depends on unknown service {dep}")
        elif cond.get("condition") == "service_healthy" and "healthcheck" not in services[dep]:
            errors.append(f"{name}: waits for {dep} to be healthy, but {dep} has no healthcheck")
    command = svc.get("command") or []
    if "--target" in command:
        for target in command[command.index("--target") + 1].split(","):
            if target not in targets:
                errors.append(f"{name}: unknown target {target}")
    environment = svc.get("environment") or {}
    for key in environment:
        if key.startswith("INVENTORY_") and key not in env_ok:
            errors.append(f"{name}: {key} is not a setting")
    for target in str(environment.get("INVENTORY_TARGET", "all")).split(","):
        if target not in targets:
            errors.append(f"{name}: unknown target {target}")
    if svc.get("build") and "--target" not in command and "INVENTORY_TARGET" not in environment:
        errors.append(f"{name}: runs every service; set INVENTORY_TARGET")
    for port in svc.get("ports") or []:
        host, container = str(port).split(":")[-2:]
        if host in published:
            errors.append(f"{name}: host port {host} also published by {published[host]}")
        published[host] = name
        if svc.get("build") and container not in exposed:
            errors.append(f"{name}: port {container} not EXPOSEd in the Dockerfile")

for name, svc in services.items():
    for volume in svc.get("volumes") or []:
        source = str(volume).split(":")[0]
        if source.startswith("."):
            if not (root / source).exists():
                errors.append(f"{name}: mounts {source}, which does not exist")
        elif source not in compose["volumes"]:
            errors.append(f"{name}: named volume {source} is not declared")
    for secret in svc.get("secrets") or []:
        if secret not in compose["secrets"]:
            errors.append(f"{name}: secret {secret} is not declared")

# Secrets the services need are required (`${VAR:?…}`), never silently empty.
for name, svc in services.items():
    environment = svc.get("environment") or {}
    for key in ("INVENTORY_INTERNAL_SECRET", "INVENTORY_METRICS_TOKEN"):
        if svc.get("build") and not re.fullmatch(r"\$\{" + key + r":\?[^}]+\}", str(environment.get(key, ""))):
            errors.append(f"{name}: {key} must be required (${{{key}:?…}})")

if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
print(f"{len(services)} services checked: {', '.join(services)}")
