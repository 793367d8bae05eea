#!/usr/bin/env bash
# Validates every file under deploy/ offline: the ARM JSON parses and declares the same resources
# (type@apiVersion) as main.bicep (no Bicep compiler can be fetched here), with the settings the
# docs promise; the Kubernetes manifests parse, carry their required fields and the sharding wiring,
# and validate against the Kubernetes API schemas (kubernetes-models, pinned in
# deploy/kubernetes/schema-check/package-lock.json); the Prometheus rules pass `promtool check rules`
# and their unit tests (`promtool test rules`). Then docs/operations.md against captured real output:
# its jq recipes and its troubleshooting table (scripts/check_runbook.py).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
source scripts/deps.sh
XDRSYNC_PACKAGES=(python3 python3-yaml jq)
xdrsync_install_deps

python3 - <<'PY'
import json, re, sys, pathlib
import yaml

failures = []
def check(ok, what):
    if not ok:
        failures.append(what)

# Azure: ARM JSON parses, same resources as the Bicep file, the promised settings.
bicep = pathlib.Path("deploy/azure/main.bicep").read_text()
arm = json.loads(pathlib.Path("deploy/azure/azuredeploy.json").read_text())
bicep_types = sorted(m.group(1) for m in re.finditer(r"^resource \w+ '([^']+)'(?! existing)", bicep, re.M))
arm_types = sorted(f"{r['type']}@{r['apiVersion']}" for r in arm["resources"])
check(bicep_types == arm_types, f"Bicep resources {bicep_types} != ARM JSON resources {arm_types}")
check(set(re.findall(r"^param (\w+)", bicep, re.M)) == set(arm["parameters"]), "Bicep and ARM JSON parameters differ")
apps = [r for r in arm["resources"] if r["type"] == "Microsoft.App/containerApps"]
check(len(apps) == 1, "one container app")
if apps:
    app = apps[0]
    check(app["identity"]["type"] == "UserAssigned", "the app uses a user-assigned identity")
    tpl = app["properties"]["template"]
    check(tpl["scale"] == {"minReplicas": 1, "maxReplicas": 1}, "exactly one replica")
    probes = {p["type"]: p["httpGet"]["path"] for p in tpl["containers"][0]["probes"]}
    check(probes.get("Liveness") == "/healthz" and probes.get("Readiness") == "/readyz", f"probes {probes}")
    vols = {v["name"]: v["storageType"] for v in tpl["volumes"]}
    check(vols.get("state") == "EmptyDir", "state on local (EmptyDir) disk, never Azure Files")
    mounts = {m["mountPath"]: m["volumeName"] for m in tpl["containers"][0]["volumeMounts"]}
    check(mounts.get("/var/lib/xdrsync") == "state", "the state volume is mounted at /var/lib/xdrsync")
roles = [r for r in arm["resources"] if r["type"] == "Microsoft.Authorization/roleAssignments"]
# Sentinel Responder on the workspace's resource group (docs/operations.md §1): no narrower scope.
check(arm["variables"].get("sentinelResponderRoleId") == "3e150937-b8fe-4cfb-8069-0eaf05ecd056" and
      len(roles) == 1 and "scope" not in roles[0], "ARM JSON: Sentinel Responder on the resource group")
check("'3e150937-b8fe-4cfb-8069-0eaf05ecd056'" in bicep and "guid(resourceGroup().id" in bicep,
      "Bicep: Sentinel Responder on the resource group")
check("AzureFile" not in bicep + json.dumps(arm), "no Azure Files volume")

# Kubernetes: every document parses and carries what the API server requires.
required = {
    "ServiceAccount": [],
    "Service": ["spec.selector", "spec.ports"],
    "StatefulSet": ["spec.selector.matchLabels", "spec.serviceName", "spec.template.spec.containers",
                    "spec.volumeClaimTemplates"],
    "PodDisruptionBudget": ["spec.selector.matchLabels"],
    "ConfigMap": [],
    "Role": ["rules"],
    "RoleBinding": ["roleRef", "subjects"],
}
def get(doc, dotted):
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc
kinds = set()
for path in sorted(pathlib.Path("deploy/kubernetes").glob("*.yaml")):
    for doc in yaml.safe_load_all(path.read_text()):
        if doc is None:
            continue
        where = f"{path}: {doc.get('kind')}/{get(doc, 'metadata.name')}"
        check(bool(doc.get("apiVersion")) and bool(doc.get("kind")) and bool(get(doc, "metadata.name")),
              f"{where}: apiVersion, kind, metadata.name")
        check(doc.get("kind") in required, f"{where}: unexpected kind")
        kinds.add(doc.get("kind"))
        for field in required.get(doc.get("kind"), []):
            check(get(doc, field) not in (None, [], {}), f"{where}: {field} missing")
        if doc.get("kind") == "StatefulSet":
            sel = get(doc, "spec.selector.matchLabels") or {}
            labels = get(doc, "spec.template.metadata.labels") or {}
            check(all(labels.get(k) == v for k, v in sel.items()), f"{where}: selector does not match the pod labels")
            c = get(doc, "spec.template.spec.containers")[0]
            check(get(c, "livenessProbe.httpGet.path") == "/healthz", f"{where}: liveness on /healthz")
            check(get(c, "readinessProbe.httpGet.path") == "/readyz", f"{where}: readiness on /readyz")
            check(any(m["mountPath"] == "/var/lib/xdrsync" for m in c.get("volumeMounts", [])), f"{where}: state mount")
            check(labels.get("azure.workload.identity/use") == "true", f"{where}: workload identity label")
            env = {e["name"]: e.get("value") for e in c.get("env", [])}
            check(str(get(doc, "spec.replicas")) == env.get("XDRSYNC_SHARDS"),
                  f"{where}: XDRSYNC_SHARDS {env.get('XDRSYNC_SHARDS')} must equal replicas {get(doc, 'spec.replicas')}")
            check(c.get("args", [])[-2:] == ["--shard", "$(POD_NAME)/$(XDRSYNC_SHARDS)"] and "POD_NAME" in env,
                  f"{where}: run --shard $(POD_NAME)/$(XDRSYNC_SHARDS)")
            check(get(doc, "spec.template.spec.automountServiceAccountToken") is True, f"{where}: token for leases")
        if doc.get("kind") == "Role":
            rules = [r for r in doc.get("rules", []) if "coordination.k8s.io" in r.get("apiGroups", [])]
            check(rules and "leases" in rules[0].get("resources", []) and
                  {"get", "create", "update"} <= set(rules[0].get("verbs", [])), f"{where}: leases get/create/update")
check({"StatefulSet", "PodDisruptionBudget", "ServiceAccount", "Role", "RoleBinding"} <= kinds,
      f"Kubernetes kinds present: {kinds}")

if failures:
    for f in failures:
        print("check-deploy: FAIL:", f, file=sys.stderr)
    sys.exit(1)
print(f"check-deploy: Azure: {len(arm_types)} resources agree between Bicep and ARM JSON; Kubernetes: {sorted(kinds)}")
PY
# Kubernetes API schemas: the validators kubernetes-models ships (the Kubernetes OpenAPI schemas
# compiled by ajv), installed once per lockfile into a cache; `npm ci` checks every integrity hash.
if ! command -v npm >/dev/null 2>&1; then
  XDRSYNC_PACKAGES=(nodejs npm)
  xdrsync_install_deps
fi
k8s_cache=/var/cache/xdrsync-ci/k8s-schema-check
lock_sum=$(sha256sum deploy/kubernetes/schema-check/package-lock.json | cut -c1-16)
if [ ! -f "$k8s_cache/$lock_sum" ]; then
  rm -rf "$k8s_cache" && mkdir -p "$k8s_cache"
  cp deploy/kubernetes/schema-check/package.json deploy/kubernetes/schema-check/package-lock.json "$k8s_cache/"
  (cd "$k8s_cache" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$k8s_cache/$lock_sum"
fi
cp deploy/kubernetes/schema-check/validate.mjs "$k8s_cache/"
python3 -c '
import json, pathlib, yaml
docs = [{"file": str(p), "doc": d} for p in sorted(pathlib.Path("deploy/kubernetes").glob("*.yaml"))
        for d in yaml.safe_load_all(p.read_text()) if d]
print(json.dumps(docs))' | node "$k8s_cache/validate.mjs"

# promtool: Debian ships it only inside the prometheus package (a server with a web UI and ~20
# dependencies). Its .deb is downloaded once and only promtool, a static binary, is unpacked and run.
promtool_bin() {
  local cache=/var/cache/xdrsync-ci/prometheus
  if [ ! -x "$cache/usr/bin/promtool" ]; then
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -q prometheus >/dev/null 2>&1 || { apt-get update -qq && apt-get download -q prometheus; })
    mkdir -p "$cache"
    dpkg-deb -x "$tmp"/prometheus_*.deb "$cache"
    rm -rf "$tmp"
  fi
  echo "$cache/usr/bin/promtool"
}
promtool=$(promtool_bin)
"$promtool" check rules deploy/prometheus/xdrsync-rules.yml
"$promtool" test rules deploy/prometheus/xdrsync-rules.test.yml

python3 scripts/check_runbook.py

printf 'check-deploy: ok (%ds)\n' $((SECONDS - start))
