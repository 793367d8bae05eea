#!/usr/bin/env bash
# Validates every file under deploy/ offline: the ARM JSON parses and declares the same resources
# (type@apiVersion) as main.bicep (no Bicep compiler can be fetched here), with the settings the
# docs promise; the Kubernetes manifests parse and carry their required fields; the Prometheus rules
# pass `promtool check rules` and their unit tests (`promtool test rules`).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
source scripts/deps.sh
XDRSYNC_PACKAGES=(python3 python3-yaml)
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
            check(get(doc, "spec.replicas") == 1, f"{where}: one replica until sharding exists")
check({"StatefulSet", "PodDisruptionBudget", "ServiceAccount"} <= kinds, f"Kubernetes kinds present: {kinds}")

if failures:
    for f in failures:
        print("check-deploy: FAIL:", f, file=sys.stderr)
    sys.exit(1)
print(f"check-deploy: Azure: {len(arm_types)} resources agree between Bicep and ARM JSON; Kubernetes: {sorted(kinds)}")
PY
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

printf 'check-deploy: ok (%ds)\n' $((SECONDS - start))
