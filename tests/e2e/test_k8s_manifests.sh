#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The Kubernetes manifests (deploy/kubernetes/, docs/kubernetes.md): yamllint with the committed config, then
# deploy/kubernetes/manifests.py's structural check (hostNetwork, mounts, probes, resources, tolerations, the
# config checksum, the Secret's keys, the metrics port, the securityContext, the least-privilege DaemonSet in
# step with the privileged one) including `iotsense config check` of the ConfigMap's config with the built
# binary. Then the checker must catch each of a list of broken copies, each for its own reason, and
# `checksum --write` must repair a stale annotation. No cluster is needed; nothing is applied anywhere.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
K=deploy/kubernetes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

need() { # a tool the test cannot do without: one failed check naming how to get it
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "FAIL $1 is not installed ($2)"
	echo "0 passed, 1 failed"
	exit 1
}
need yamllint "apt-get install yamllint, or make setup"
need python3 "apt-get install python3"
python3 -c 'import yaml' 2>/dev/null || { echo "FAIL PyYAML missing (apt-get install python3-yaml)"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$IOTSENSE" ] || { echo "FAIL no $IOTSENSE: build first (make O=DIR all; BUILD=DIR)"; echo "0 passed, 1 failed"; exit 1; }

lint() { yamllint -s -c $K/.yamllint "$1" >"$tmp/lint.out" 2>&1 || { cat "$tmp/lint.out"; return 1; }; }
checker() { python3 $K/manifests.py check --iotsense "$IOTSENSE" "$1" >"$tmp/check.out" 2>&1; }
show() { sed 's/^/    /' "$tmp/check.out"; }

# ---- the committed tree ----
check "yamllint: the manifests pass" lint $K
committed_ok() { checker $K || { show; return 1; }; }
check "structural check and 'iotsense config check' pass" committed_ok
check "checksum --write changes nothing on the committed tree" bash -c \
	"cp -r $K $tmp/same && python3 $K/manifests.py checksum --write $tmp/same >/dev/null && diff -r $K $tmp/same"

# ---- yamllint sees every file, the example Secret included ----
fresh() { rm -rf "$tmp/m" && cp -r $K "$tmp/m"; }
lint_catches() { # file in the copy, sed expression: yamllint must now fail
	fresh
	sed -i "$2" "$tmp/m/$1"
	! yamllint -s -c $K/.yamllint "$tmp/m" >/dev/null 2>&1
}
check "yamllint catches a duplicate key" lint_catches 04-daemonset.yaml 's/^  revisionHistoryLimit: 5$/&\n  revisionHistoryLimit: 6/'
check "yamllint catches a yes/no boolean" lint_catches 04-daemonset.yaml 's/hostNetwork: true /hostNetwork: yes  /'
check "yamllint reads secret.yaml.example too" lint_catches secret.yaml.example 's/^type: Opaque$/type: Opaque   /'
check "yamllint reads least-privilege/ too" lint_catches least-privilege/daemonset.yaml 's/^  revisionHistoryLimit: 5$/&   /'

# ---- the checker catches each broken copy, for the right reason ----
# mutate FILE PYTHON: the copy's FILE loaded as `docs` (a list), `d` its first object, `cfg` the ConfigMap's
# config text when FILE is the ConfigMap (written back); comments are lost, which the checker does not mind.
mutate() {
	python3 - "$tmp/m/$1" "$2" <<'EOF'
import sys, yaml
path, code = sys.argv[1], sys.argv[2]
docs = [x for x in yaml.safe_load_all(open(path)) if x is not None]
d = docs[0]
env = {"docs": docs, "d": d, "cfg": (d.get("data") or {}).get("iotsense.yaml", "")}
exec(code, env)
if "iotsense.yaml" in (d.get("data") or {}):
    d["data"]["iotsense.yaml"] = env["cfg"]
yaml.safe_dump_all(docs, open(path, "w"), explicit_start=True, sort_keys=False)
EOF
}
rehash() { python3 $K/manifests.py checksum --write "$tmp/m" >/dev/null; }
catches() { # expected text in the checker's complaint, file, python[, rehash]
	fresh
	mutate "$2" "$3" || return 1
	[ "${4:-}" = rehash ] && rehash
	if checker "$tmp/m"; then
		echo "    the checker passed the broken copy"
		return 1
	fi
	grep -qF -- "$1" "$tmp/check.out" || { echo "    no '$1' in:"; show; return 1; }
}
POD='d["spec"]["template"]["spec"]'
CTR='d["spec"]["template"]["spec"]["containers"][0]'
MOUNT() { echo "[m for m in $CTR[\"volumeMounts\"] if m[\"mountPath\"] == \"$1\"][0]"; }
VOL() { echo "[v for v in $POD[\"volumes\"] if v[\"name\"] == \"$1\"][0]"; }

check "catches: no hostNetwork" catches "hostNetwork must be true" 04-daemonset.yaml "$POD.pop('hostNetwork')"
check "catches: dnsPolicy Default" catches "ClusterFirstWithHostNet" 04-daemonset.yaml "$POD['dnsPolicy'] = 'Default'"
check "catches: no /sys/fs/bpf mount" catches "/sys/fs/bpf must be mounted" 04-daemonset.yaml \
	"$CTR['volumeMounts'].remove($(MOUNT /sys/fs/bpf))"
check "catches: bpffs without Bidirectional (privileged)" catches "mountPropagation Bidirectional" 04-daemonset.yaml \
	"$(MOUNT /sys/fs/bpf).pop('mountPropagation')"
check "catches: BTF mounted writable" catches "/sys/kernel/btf must be mounted readOnly" 04-daemonset.yaml \
	"$(MOUNT /sys/kernel/btf).pop('readOnly')"
check "catches: state hostPath not DirectoryOrCreate" catches "/var/lib/iotsense must be mounted from hostPath" \
	04-daemonset.yaml "$(VOL state)['hostPath']['type'] = 'Directory'"
check "catches: the config not from the ConfigMap" catches "must be a key of the ConfigMap" 04-daemonset.yaml \
	"$(VOL config)['configMap']['name'] = 'other'"
check "catches: no liveness probe" catches "livenessProbe must be an httpGet probe" 04-daemonset.yaml \
	"$CTR.pop('livenessProbe')"
check "catches: readiness on /healthz" catches "readinessProbe must GET /readyz" 04-daemonset.yaml \
	"$CTR['readinessProbe']['httpGet']['path'] = '/healthz'"
check "catches: a probe on the pod IP" catches "must probe host 127.0.0.1" 04-daemonset.yaml \
	"$CTR['livenessProbe']['httpGet'].pop('host')"
check "catches: no memory limit" catches "limits.memory" 04-daemonset.yaml "$CTR['resources'].pop('limits')"
check "catches: a 64Mi limit (no headroom)" catches "limits.memory" 04-daemonset.yaml \
	"$CTR['resources']['limits']['memory'] = '64Mi'"
check "catches: no tolerations" catches "tolerations must hold" 04-daemonset.yaml "$POD.pop('tolerations')"
check "catches: no priority class" catches "priorityClassName" 04-daemonset.yaml "$POD.pop('priorityClassName')"
check "catches: a short grace period" catches "terminationGracePeriodSeconds" 04-daemonset.yaml \
	"$POD['terminationGracePeriodSeconds'] = 5"
check "catches: maxUnavailable 3" catches "maxUnavailable 1" 04-daemonset.yaml \
	"d['spec']['updateStrategy']['rollingUpdate']['maxUnavailable'] = 3"
check "catches: the metrics port renamed" catches "port named 'metrics'" 04-daemonset.yaml \
	"$CTR['ports'][0]['name'] = 'http'; $CTR['startupProbe']['httpGet']['port'] = 9830; \
	 $CTR['livenessProbe']['httpGet']['port'] = 9830; $CTR['readinessProbe']['httpGet']['port'] = 9830"
check "catches: not privileged" catches "privileged must be true" 04-daemonset.yaml \
	"$CTR['securityContext']['privileged'] = False"
check "catches: a writable root filesystem" catches "readOnlyRootFilesystem" 04-daemonset.yaml \
	"$CTR['securityContext'].pop('readOnlyRootFilesystem')"
check "catches: the :latest image" catches "fixed tag" 04-daemonset.yaml \
	"$CTR['image'] = 'registry.example.com/iotsense:latest'"
check "catches: least-privilege without SYS_ADMIN" catches "capabilities must add" least-privilege/daemonset.yaml \
	"$CTR['securityContext']['capabilities']['add'].remove('SYS_ADMIN')"
check "catches: least-privilege without drop ALL" catches "drop [ALL]" least-privilege/daemonset.yaml \
	"$CTR['securityContext']['capabilities'].pop('drop')"
check "catches: least-privilege with Bidirectional" catches "Bidirectional needs a privileged container" \
	least-privilege/daemonset.yaml "$(MOUNT /sys/fs/bpf)['mountPropagation'] = 'Bidirectional'"
check "catches: allowPrivilegeEscalation false with SYS_ADMIN" catches "allowPrivilegeEscalation" \
	least-privilege/daemonset.yaml "$CTR['securityContext']['allowPrivilegeEscalation'] = False"
check "catches: least-privilege out of step" catches "differs from 04-daemonset.yaml" least-privilege/daemonset.yaml \
	"$CTR['imagePullPolicy'] = 'Always'"
check "catches: the Secret without hec.token" catches "lacks" secret.yaml.example "d['stringData'].pop('hec.token')"
check "catches: a real-looking value in the example Secret" catches "REPLACE ME" secret.yaml.example \
	"d['stringData']['hec.token'] = '0123456789abcdef0123456789abcdef'"
check "catches: the Secret volume readable by all" catches "defaultMode" 04-daemonset.yaml \
	"$(VOL tokens)['secret']['defaultMode'] = 0o644"
check "catches: the Service not headless" catches "headless" 03-service.yaml "d['spec'].pop('clusterIP')"
check "catches: the Service's port renamed" catches "Service needs a port named 'metrics'" 03-service.yaml \
	"d['spec']['ports'][0]['name'] = 'web'"
check "catches: the ServiceMonitor with the HEC token" catches "bearerTokenSecret" \
	prometheus-operator/servicemonitor.yaml "d['spec']['endpoints'][0]['bearerTokenSecret']['key'] = 'hec.token'"
check "catches: a namespace without privileged pods" catches "pod-security" 00-namespace.yaml \
	"d['metadata']['labels'].pop('pod-security.kubernetes.io/enforce')"
check "catches: a ServiceAccount that mounts its token" catches "ServiceAccount must not automount" \
	01-serviceaccount.yaml "d.pop('automountServiceAccountToken')"

# The config: a change without a new checksum, a token outside the Secret, one iotsense refuses.
check "catches: a config change without checksum --write" catches "checksum/config" 02-configmap.yaml \
	"cfg = cfg.replace('snapshot_interval: 10s', 'snapshot_interval: 20s'); assert '20s' in cfg"
check "catches: a token_file outside the Secret's mount" catches "is not in a mount of the Secret" 02-configmap.yaml \
	"cfg = cfg.replace('/etc/iotsense-secrets/api.token', '/etc/iotsense/api.token')" rehash
check "catches: a public API without a token" catches "needs api.token_file" 02-configmap.yaml \
	"cfg = cfg.replace('  token_file: /etc/iotsense-secrets/api.token\n', ''); assert 'secrets/api' not in cfg" rehash
check "catches: a config iotsense refuses (exit 2 with file:line:col)" catches "config check refuses the config (exit 2)" \
	02-configmap.yaml "cfg = cfg.replace('snapshot_interval: 10s', 'snapshot_intervall: 10s')" rehash
check "catches: the API port out of step with the container's" catches "containerPort = api.listen's port" \
	02-configmap.yaml "cfg = cfg.replace('0.0.0.0:9830', '0.0.0.0:9831')" rehash

repaired() {
	fresh
	mutate 02-configmap.yaml "cfg = cfg.replace('zone: k8s', 'zone: k8s-b')" && ! checker "$tmp/m" && rehash &&
		checker "$tmp/m" || { show; return 1; }
}
check "checksum --write repairs a stale annotation" repaired

summary
