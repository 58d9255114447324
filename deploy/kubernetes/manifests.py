#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The Kubernetes manifests' own tool (docs/kubernetes.md).

  python3 deploy/kubernetes/manifests.py checksum [--write] [DIR]
      The sha256 of the ConfigMap's data; --write puts it into every DaemonSet's checksum/config annotation, so a
      config change rolls the pods on the next `kubectl apply`.
  python3 deploy/kubernetes/manifests.py check [--iotsense BIN] [DIR]
      Everything the sensor needs from the manifests, checked against each other: hostNetwork, the mounts, the
      probes, resources, tolerations, the checksum, the Secret's keys, the metrics port, the securityContext,
      the least-privilege DaemonSet equal to the privileged one but for its securityContext, and the config in
      the ConfigMap accepted by `iotsense config check` (BIN). Prints each problem; exit 0 none, 1 some, 2 usage.

DIR is deploy/kubernetes (the default). Needs PyYAML (python3-yaml).
"""
import copy
import glob
import hashlib
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

NS = "iotsense"
CHECKSUM_KEY = "checksum/config"
REQUIRED_CAPS = {"BPF", "NET_ADMIN", "PERFMON", "SYS_ADMIN"}
# The daemon's budget is 64 MiB RSS; its BPF maps are charged to the pod's cgroup too (about 25 MiB).
MEMORY_LIMIT_MIN = 160 * 2**20
MEMORY_LIMIT_MAX = 1024 * 2**20


def load_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def config_checksum(cm):
    """sha256 over the ConfigMap's data as canonical JSON (sorted keys, no spaces): the same for any layout
    of the YAML around it, different for any change of a key or a value."""
    data = cm.get("data") or {}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def memory_bytes(q):
    m = re.fullmatch(r"([0-9]+)(Ki|Mi|Gi|K|M|G)?", str(q))
    if not m:
        return None
    mult = {None: 1, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 10**3, "M": 10**6, "G": 10**9}
    return int(m.group(1)) * mult[m.group(2)]


def get(d, *path, default=None):
    for p in path:
        if isinstance(d, dict) and p in d:
            d = d[p]
        elif isinstance(d, list) and isinstance(p, int) and -len(d) <= p < len(d):
            d = d[p]
        else:
            return default
    return d


class Tree:
    """The manifests of DIR: what `kubectl apply -f DIR` applies, and the files beside it."""

    def __init__(self, root):
        self.root = root
        self.problems = []
        self.applied = {}  # file -> docs: DIR/*.yaml, what `kubectl apply -f DIR` takes
        for f in sorted(glob.glob(os.path.join(root, "*.yaml")) + glob.glob(os.path.join(root, "*.yml"))):
            self.applied[f] = self._load(f)
        self.least = self._load_one(os.path.join(root, "least-privilege", "daemonset.yaml"), "DaemonSet")
        self.monitor = self._load_one(os.path.join(root, "prometheus-operator", "servicemonitor.yaml"),
                                      "ServiceMonitor")
        self.secret = self._load_one(os.path.join(root, "secret.yaml.example"), "Secret")

    def _load(self, f):
        try:
            return load_docs(f)
        except (OSError, yaml.YAMLError) as e:
            self.fail(f, "cannot be read as YAML: %s" % e)
            return []

    def _load_one(self, f, kind):
        docs = self._load(f) if os.path.exists(f) else None
        if docs is None:
            self.fail(f, "missing (it holds the %s)" % kind)
            return None
        objs = [d for d in docs if isinstance(d, dict) and d.get("kind") == kind]
        if len(objs) != 1:
            self.fail(f, "must hold exactly one %s" % kind)
            return None
        return objs[0]

    def fail(self, where, msg):
        self.problems.append("%s: %s" % (os.path.relpath(where, self.root), msg))

    def objects(self, kind):
        return [(f, d) for f, docs in self.applied.items() for d in docs if isinstance(d, dict) and d.get("kind") == kind]

    def one(self, kind):
        objs = self.objects(kind)
        if len(objs) != 1:
            self.fail(self.root, "kubectl apply -f must create exactly one %s (found %d)" % (kind, len(objs)))
            return None, None
        return objs[0]


def daemonset_files(root):
    return [f for f in glob.glob(os.path.join(root, "*.yaml")) + [os.path.join(root, "least-privilege",
                                                                              "daemonset.yaml")]
            if os.path.exists(f) and any(isinstance(d, dict) and d.get("kind") == "DaemonSet"
                                         for d in load_docs(f))]


def cmd_checksum(root, write):
    t = Tree(root)
    cm_file, cm = t.one("ConfigMap")
    if cm is None:
        print("\n".join(t.problems), file=sys.stderr)
        return 1
    sha = config_checksum(cm)
    print(sha)
    if not write:
        return 0
    pat = re.compile(r'^(\s*%s:\s*)"?[0-9a-fA-F]*"?\s*$' % re.escape(CHECKSUM_KEY), re.M)
    for f in daemonset_files(root):
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
        new, n = pat.subn(lambda m: '%s"%s"' % (m.group(1), sha), text)
        if n != 1:
            print("%s: expected one '%s:' line in the pod template's annotations, found %d" % (f, CHECKSUM_KEY, n),
                  file=sys.stderr)
            return 1
        if new != text:
            with open(f, "w", encoding="utf-8") as fh:
                fh.write(new)
            print("wrote %s" % os.path.relpath(f))
    return 0


def listen_port_and_loopback(listen):
    m = re.fullmatch(r"\[([^\]]+)\]:([0-9]+)|([^:]+):([0-9]+)", listen or "")
    if not m:
        return None, None
    host, port = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    if host == "localhost":
        return int(port), True
    try:
        return int(port), ipaddress.ip_address(host).is_loopback
    except ValueError:
        return int(port), None


def check_config(t, cm_file, cm, iotsense):
    """The config text: iotsense accepts it, and what the manifests need of it. Returns it parsed ({} if not)."""
    data = cm.get("data") or {}
    if "iotsense.yaml" not in data:
        t.fail(cm_file, "the ConfigMap has no iotsense.yaml key")
        return {}
    text = data["iotsense.yaml"]
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="iotsense-k8s-", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        if not iotsense or not os.access(iotsense, os.X_OK):
            t.fail(cm_file, "cannot run 'iotsense config check': no binary at %r (build it, or --iotsense BIN)"
                   % iotsense)
        else:
            p = subprocess.run([iotsense, "config", "check", path], capture_output=True, text=True, timeout=30)
            if p.returncode != 0:
                out = (p.stderr + p.stdout).strip().replace(path, "iotsense.yaml")
                t.fail(cm_file, "iotsense config check refuses the config (exit %d): %s" % (p.returncode, out))
    finally:
        os.unlink(path)
    try:
        cfg = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        t.fail(cm_file, "the config is not YAML: %s" % e)
        return {}
    if not cfg.get("interfaces"):
        t.fail(cm_file, "the config names no interfaces: a DaemonSet's pods have no -i")
    return cfg


def token_files(cfg):
    """(what, path) for every token_file of the config: the API's and each output's."""
    out = []
    if get(cfg, "api", "token_file"):
        out.append(("api", cfg["api"]["token_file"]))
    for o in cfg.get("outputs") or []:
        if isinstance(o, dict) and o.get("token_file"):
            out.append(("output %s" % o.get("name"), o["token_file"]))
    return out


def check_pod(t, f, ds, cm, cfg, sa, secret, privileged):
    """One DaemonSet against the rest. privileged: the default one (True) or the least-privilege one."""
    fail = lambda msg: t.fail(f, msg)
    spec = get(ds, "spec", default={})
    tmpl = get(spec, "template", default={})
    pod = get(tmpl, "spec", default={})
    labels = get(tmpl, "metadata", "labels", default={}) or {}
    sel = get(spec, "selector", "matchLabels", default={}) or {}
    if not sel or any(labels.get(k) != v for k, v in sel.items()):
        fail("spec.selector.matchLabels must be non-empty and match the pod template's labels")
    if get(spec, "updateStrategy", "type") != "RollingUpdate" or \
            str(get(spec, "updateStrategy", "rollingUpdate", "maxUnavailable")) != "1":
        fail("updateStrategy must be RollingUpdate with maxUnavailable 1")
    if str(get(spec, "updateStrategy", "rollingUpdate", "maxSurge", default=0)) not in ("0", "0%"):
        fail("updateStrategy.rollingUpdate.maxSurge must be 0: two sensors on a node share its port and pins")

    sha = config_checksum(cm) if cm else None
    ann = get(tmpl, "metadata", "annotations", CHECKSUM_KEY)
    if ann != sha:
        fail("the pod template's %s annotation is %r, the ConfigMap's data hashes to %r: run "
             "'python3 deploy/kubernetes/manifests.py checksum --write'" % (CHECKSUM_KEY, ann, sha))

    if pod.get("hostNetwork") is not True:
        fail("spec.template.spec.hostNetwork must be true (the node's interfaces and its pods' veths)")
    if pod.get("dnsPolicy") != "ClusterFirstWithHostNet":
        fail("dnsPolicy must be ClusterFirstWithHostNet (cluster names on hostNetwork)")
    if sa and pod.get("serviceAccountName") != get(sa, "metadata", "name"):
        fail("serviceAccountName must be the ServiceAccount %r" % get(sa, "metadata", "name"))
    if pod.get("automountServiceAccountToken") is not False:
        fail("automountServiceAccountToken must be false: the sensor never calls the Kubernetes API")
    if pod.get("priorityClassName") != "system-node-critical":
        fail("priorityClassName must be system-node-critical")
    if not any(isinstance(x, dict) and x.get("operator") == "Exists" and not x.get("key") and not x.get("effect")
               for x in pod.get("tolerations") or []):
        fail("tolerations must hold {operator: Exists} (no key, no effect): every node, tainted or not")
    grace = pod.get("terminationGracePeriodSeconds")
    if not isinstance(grace, int) or grace < 30:
        fail("terminationGracePeriodSeconds must be at least 30 (the daemon detaches and flushes on SIGTERM)")

    ctrs = pod.get("containers") or []
    if len(ctrs) != 1:
        fail("one container, the sensor (found %d)" % len(ctrs))
        return
    c = ctrs[0]
    image = c.get("image") or ""
    if not re.search(r":[^/:]+$", image) or image.endswith(":latest"):
        fail("the image needs a fixed tag, not :latest (%r)" % image)

    vols = {v.get("name"): v for v in pod.get("volumes") or [] if isinstance(v, dict)}
    mounts = {m.get("mountPath"): m for m in c.get("volumeMounts") or [] if isinstance(m, dict)}
    for m in mounts.values():
        if m.get("name") not in vols:
            fail("volumeMount %s names no volume %r" % (m.get("mountPath"), m.get("name")))
    mounted = {m.get("name") for m in mounts.values()}
    for n in vols:
        if n not in mounted:
            fail("volume %r is mounted nowhere" % n)

    def host_mount(path, host, types, ro):
        m = mounts.get(path)
        v = vols.get(m.get("name")) if m else None
        if not m or not v or get(v, "hostPath", "path") != host or get(v, "hostPath", "type") not in types:
            fail("%s must be mounted from hostPath %s (type %s)" % (path, host, " or ".join(types)))
            return None
        if ro is not None and bool(m.get("readOnly")) != ro:
            fail("%s must be mounted %s" % (path, "readOnly" if ro else "writable"))
        return m

    bpf = host_mount("/sys/fs/bpf", "/sys/fs/bpf", ("Directory", "DirectoryOrCreate"), False)
    host_mount("/sys/kernel/btf", "/sys/kernel/btf", ("Directory",), True)
    state_dir = cfg.get("state_dir") or "/var/lib/iotsense"
    host_mount(state_dir, "/var/lib/iotsense", ("DirectoryOrCreate",), False)

    args = list(c.get("command") or []) + list(c.get("args") or [])
    cfg_path = args[args.index("-c") + 1] if "-c" in args[:-1] else None
    if "run" not in args or not cfg_path:
        fail("the container must run 'iotsense run -c /etc/iotsense/iotsense.yaml' (args: %r)" % args)
    elif cm:
        d, key = os.path.split(cfg_path)
        m = mounts.get(d)
        if not m or get(vols.get(m.get("name")), "configMap", "name") != get(cm, "metadata", "name") or \
                key not in (cm.get("data") or {}):
            fail("-c %s must be a key of the ConfigMap %r mounted at %s" % (cfg_path, get(cm, "metadata", "name"), d))
        elif not m.get("readOnly"):
            fail("the config mount %s must be readOnly" % d)

    # Tokens: files of the Secret, under its mount, each key present.
    secret_name = get(secret, "metadata", "name")
    secret_keys = set((secret or {}).get("stringData") or {}) | set((secret or {}).get("data") or {})
    for what, path in token_files(cfg):
        d, key = os.path.split(path)
        m = mounts.get(d)
        v = vols.get(m.get("name")) if m else None
        if not v or get(v, "secret", "secretName") != secret_name:
            fail("the %s token_file %s is not in a mount of the Secret %r" % (what, path, secret_name))
            continue
        items = get(v, "secret", "items")
        if items is not None and key not in {i.get("path") for i in items}:
            fail("the %s token_file %s is not among the Secret volume's items" % (what, path))
        if key not in secret_keys:
            fail("the %s token_file %s names key %r, which the Secret (secret.yaml.example) lacks" % (what, path, key))
        if not m.get("readOnly"):
            fail("the Secret mount %s must be readOnly" % d)
        mode = get(v, "secret", "defaultMode")
        if mode is None or mode & 0o077:
            fail("the Secret volume's defaultMode must be 0400 or 0600 (the daemon warns about readable tokens)")

    # The API: its port, the probes, the token when it leaves loopback.
    port, loopback = listen_port_and_loopback(get(cfg, "api", "listen") or "127.0.0.1:8080")
    ports = [p for p in c.get("ports") or [] if isinstance(p, dict) and p.get("name") == "metrics"]
    if len(ports) != 1 or ports[0].get("containerPort") != port:
        fail("the container needs one port named 'metrics' with containerPort = api.listen's port (%s)" % port)
    if loopback is False and not (get(cfg, "api", "token_file") or get(cfg, "api", "token_env")):
        fail("api.listen %s is not loopback: it needs api.token_file" % get(cfg, "api", "listen"))
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        h = get(c, probe, "httpGet")
        if not h:
            fail("%s must be an httpGet probe on %s" % (probe, path))
            continue
        if h.get("path") != path:
            fail("%s must GET %s (got %r)" % (probe, path, h.get("path")))
        if h.get("port") not in ("metrics", port):
            fail("%s must use the API's port ('metrics' or %s)" % (probe, port))
        if h.get("host") not in ("127.0.0.1", "localhost"):
            fail("%s must probe host 127.0.0.1 (hostNetwork: the node's loopback; the API's Host guard)" % probe)
        if h.get("scheme", "HTTP") != "HTTP":
            fail("%s: the API speaks plain HTTP" % probe)
    if get(c, "startupProbe") and get(c, "startupProbe", "httpGet", "path") != "/healthz":
        fail("startupProbe must GET /healthz")

    lim = memory_bytes(get(c, "resources", "limits", "memory"))
    req = memory_bytes(get(c, "resources", "requests", "memory"))
    if lim is None or not MEMORY_LIMIT_MIN <= lim <= MEMORY_LIMIT_MAX:
        fail("resources.limits.memory must be 160Mi..1Gi (64 MiB RSS budget, BPF maps, headroom)")
    if req is None or get(c, "resources", "requests", "cpu") is None or (lim is not None and req > lim):
        fail("resources.requests needs cpu and memory (memory at most the limit)")

    sc = c.get("securityContext") or {}
    if pod.get("securityContext", {}).get("runAsNonRoot"):
        fail("runAsNonRoot cannot be: capabilities are root's")
    if sc.get("readOnlyRootFilesystem") is not True:
        fail("securityContext.readOnlyRootFilesystem must be true (state is on the hostPath)")
    caps_add = {x.upper().removeprefix("CAP_") for x in get(sc, "capabilities", "add", default=[]) or []}
    caps_drop = {x.upper() for x in get(sc, "capabilities", "drop", default=[]) or []}
    # What the API server itself refuses:
    if sc.get("allowPrivilegeEscalation") is False and (sc.get("privileged") or "SYS_ADMIN" in caps_add):
        fail("allowPrivilegeEscalation: false is refused with privileged or SYS_ADMIN")
    if bpf and bpf.get("mountPropagation") == "Bidirectional" and sc.get("privileged") is not True:
        fail("mountPropagation Bidirectional needs a privileged container")
    if privileged:
        if sc.get("privileged") is not True:
            fail("securityContext.privileged must be true (least-privilege/daemonset.yaml is the alternative)")
        if bpf and bpf.get("mountPropagation") != "Bidirectional":
            fail("/sys/fs/bpf must have mountPropagation Bidirectional (a bpffs the daemon mounts reaches the host)")
    else:
        if sc.get("privileged") is not False:
            fail("securityContext.privileged must be false here")
        if not REQUIRED_CAPS <= caps_add or caps_drop != {"ALL"}:
            fail("capabilities must add %s and drop [ALL]" % sorted(REQUIRED_CAPS))
        if get(sc, "seccompProfile", "type") != "RuntimeDefault":
            fail("seccompProfile must be RuntimeDefault")
        if bpf and bpf.get("mountPropagation") not in (None, "None", "HostToContainer"):
            fail("/sys/fs/bpf: mountPropagation must be HostToContainer (or None) without privileges")


def without_privilege(ds):
    """The DaemonSet minus what the two may differ in: the container's securityContext, bpffs propagation."""
    d = copy.deepcopy(ds)
    for c in get(d, "spec", "template", "spec", "containers", default=[]) or []:
        c.pop("securityContext", None)
        for m in c.get("volumeMounts") or []:
            if m.get("mountPath") == "/sys/fs/bpf":
                m.pop("mountPropagation", None)
    return d


def cmd_check(root, iotsense):
    t = Tree(root)
    for f, docs in list(t.applied.items()) + [(os.path.join(root, "least-privilege", "daemonset.yaml"), [t.least]),
                                              (os.path.join(root, "prometheus-operator", "servicemonitor.yaml"),
                                               [t.monitor]),
                                              (os.path.join(root, "secret.yaml.example"), [t.secret])]:
        for d in docs:
            if d is None:
                continue
            if not isinstance(d, dict) or not d.get("apiVersion") or not d.get("kind") or \
                    not get(d, "metadata", "name"):
                t.fail(f, "every object needs apiVersion, kind and metadata.name")
            elif d["kind"] != "Namespace" and get(d, "metadata", "namespace") != NS:
                t.fail(f, "%s %s must be in namespace %s" % (d["kind"], d["metadata"]["name"], NS))

    ns_file, ns = t.one("Namespace")
    sa_file, sa = t.one("ServiceAccount")
    cm_file, cm = t.one("ConfigMap")
    svc_file, svc = t.one("Service")
    ds_file, ds = t.one("DaemonSet")
    for kind in ("Secret", "ServiceMonitor"):
        for f, _ in t.objects(kind):
            t.fail(f, "no %s in what 'kubectl apply -f' takes (see secret.yaml.example, prometheus-operator/)" % kind)
    # kubectl apply -f DIR goes through the files in name order: the namespace first.
    if ns_file and sorted(t.applied)[0] != ns_file:
        t.fail(ns_file, "must sort first in the directory (kubectl applies files in name order)")
    if ns and get(ns, "metadata", "name") != NS:
        t.fail(ns_file, "the Namespace must be %s" % NS)
    if ns and get(ns, "metadata", "labels", "pod-security.kubernetes.io/enforce") != "privileged":
        t.fail(ns_file, "the namespace must allow privileged pods (pod-security.kubernetes.io/enforce: privileged)")
    if sa and sa.get("automountServiceAccountToken") is not False:
        t.fail(sa_file, "the ServiceAccount must not automount a token")

    cfg = check_config(t, cm_file, cm, iotsense) if cm else {}

    if t.secret:
        sec_file = os.path.join(root, "secret.yaml.example")
        values = dict(t.secret.get("stringData") or {})
        if not values or t.secret.get("data"):
            t.fail(sec_file, "the example Secret gives its values as stringData, nothing in data")
        for k, v in values.items():
            if "REPLACE ME" not in str(v):
                t.fail(sec_file, "value %r must be a placeholder that says REPLACE ME" % k)
        api_key = os.path.basename(get(cfg, "api", "token_file") or "")
        if api_key in values and " " not in str(values[api_key]):
            t.fail(sec_file, "the API token placeholder must not be a valid token (keep a space in it)")

    if ds:
        check_pod(t, ds_file, ds, cm, cfg, sa, t.secret, privileged=True)
    if t.least:
        lp_file = os.path.join(root, "least-privilege", "daemonset.yaml")
        check_pod(t, lp_file, t.least, cm, cfg, sa, t.secret, privileged=False)
        if ds and without_privilege(ds) != without_privilege(t.least):
            t.fail(lp_file, "differs from %s in more than the securityContext and the bpffs mount's propagation"
                   % os.path.basename(ds_file))

    pod_labels = get(ds, "spec", "template", "metadata", "labels", default={}) or {}
    port, _ = listen_port_and_loopback(get(cfg, "api", "listen") or "127.0.0.1:8080")
    if svc:
        spec = svc.get("spec") or {}
        if spec.get("clusterIP") != "None":
            t.fail(svc_file, "the Service must be headless (clusterIP: None): one target per sensor")
        sel = spec.get("selector") or {}
        if not sel or any(pod_labels.get(k) != v for k, v in sel.items()):
            t.fail(svc_file, "the Service's selector must match the DaemonSet's pods")
        mp = [p for p in spec.get("ports") or [] if p.get("name") == "metrics"]
        if len(mp) != 1 or mp[0].get("port") != port or mp[0].get("targetPort") not in ("metrics", port):
            t.fail(svc_file, "the Service needs a port named 'metrics', port and targetPort the API's (%s)" % port)
    if t.monitor:
        mon_file = os.path.join(root, "prometheus-operator", "servicemonitor.yaml")
        if t.monitor.get("apiVersion") != "monitoring.coreos.com/v1":
            t.fail(mon_file, "the ServiceMonitor is monitoring.coreos.com/v1")
        sel = get(t.monitor, "spec", "selector", "matchLabels", default={}) or {}
        svc_labels = get(svc, "metadata", "labels", default={}) or {}
        if not sel or any(svc_labels.get(k) != v for k, v in sel.items()):
            t.fail(mon_file, "the ServiceMonitor's selector must match the Service's labels")
        if NS not in (get(t.monitor, "spec", "namespaceSelector", "matchNames", default=[]) or []):
            t.fail(mon_file, "namespaceSelector.matchNames must hold %s" % NS)
        eps = get(t.monitor, "spec", "endpoints", default=[]) or []
        api_key = os.path.basename(get(cfg, "api", "token_file") or "")
        if not eps or not all(e.get("port") == "metrics" and e.get("path", "/metrics") == "/metrics" for e in eps):
            t.fail(mon_file, "every endpoint scrapes port 'metrics', path /metrics")
        for e in eps:
            b = e.get("bearerTokenSecret") or get(e, "authorization", "credentials") or {}
            if b.get("name") != get(t.secret, "metadata", "name") or b.get("key") != api_key:
                t.fail(mon_file, "the endpoint's bearerTokenSecret must be the Secret %r, key %r (the API token)"
                       % (get(t.secret, "metadata", "name"), api_key))

    for p in t.problems:
        print("  " + p)
    if t.problems:
        print("manifests: %d problem(s)" % len(t.problems))
        return 1
    print("manifests: ok")
    return 0


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    if len(argv) < 2 or argv[1] not in ("checksum", "check"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    args, root, write, iotsense = argv[2:], here, False, None
    while args:
        a = args.pop(0)
        if a == "--write" and argv[1] == "checksum":
            write = True
        elif a == "--iotsense" and argv[1] == "check" and args:
            iotsense = args.pop(0)
        elif not a.startswith("-"):
            root = a
        else:
            print("manifests.py: unknown option %r" % a, file=sys.stderr)
            return 2
    if argv[1] == "checksum":
        return cmd_checksum(root, write)
    if iotsense is None:
        build = os.environ.get("BUILD", "build")
        iotsense = os.path.join(build, "iotsense")
    return cmd_check(root, iotsense)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
