 
/**
 * One golden per row of the Kubernetes mapping: the Compose input and the exact Kubernetes fragment it
 * becomes. Every conversion also passes kubernetes-models and rules.ts.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { assertValid, convertYaml, find, podOf } from "./k8s-support.js";
import { convertToKubernetesObjects } from "../../src/api/convert.js";

const valid = (yaml: string, options = {}) => {
  const r = convertYaml(yaml, options);
  assertValid(r.conversion.objects);
  return r.conversion;
};

const SELECTOR = (name: string, project = "project") => ({ "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": project });

describe("k8s convert: workload kinds", () => {
  test("a service becomes a Deployment with a selector matching its template", () => {
    const c = valid("services: {web: {image: nginx:1.27}}");
    const d = find(c.objects, "Deployment", "web");
    assert.equal(d.apiVersion, "apps/v1");
    assert.deepEqual(d.spec.selector, { matchLabels: SELECTOR("web") });
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(podOf(d).containers, [{ name: "web", image: "nginx:1.27" }]);
    assert.equal(podOf(d).restartPolicy, "Always");
    assert.deepEqual(c.services, { web: { name: "web", kind: "Deployment" } });
  });
  test("a named volume and one replica → StatefulSet with its governing Service", () => {
    const c = valid("services: {db: {image: postgres:16, volumes: ['pgdata:/var/lib/postgresql/data']}}\nvolumes: {pgdata: {}}");
    const s = find(c.objects, "StatefulSet", "db");
    assert.equal(s.spec.serviceName, "db");
    assert.equal(s.spec.replicas, 1);
    assert.deepEqual(podOf(s).volumes, [{ name: "vol-pgdata", persistentVolumeClaim: { claimName: "pgdata" } }]);
    assert.deepEqual(podOf(s).containers[0].volumeMounts, [{ name: "vol-pgdata", mountPath: "/var/lib/postgresql/data" }]);
  });
  test("deploy.mode global → DaemonSet (no replicas)", () => {
    const c = valid("services: {agent: {image: node-exporter, deploy: {mode: global}}}");
    const d = find(c.objects, "DaemonSet", "agent");
    assert.equal(d.spec.replicas, undefined);
    assert.deepEqual(d.spec.selector, { matchLabels: SELECTOR("agent") });
  });
  test('restart: "no" → Job (Never, no retries); replicated-job → completions = parallelism = replicas', () => {
    const c = valid("services:\n  migrate: {image: app, restart: 'no', command: [migrate]}\n  batch: {image: app, deploy: {mode: replicated-job, replicas: 3, restart_policy: {condition: on-failure, max_attempts: 4}}}");
    const m = find(c.objects, "Job", "migrate");
    assert.equal(m.apiVersion, "batch/v1");
    assert.equal(podOf(m).restartPolicy, "Never");
    assert.equal(m.spec.backoffLimit, 0);
    assert.equal(m.spec.selector, undefined);
    const b = find(c.objects, "Job", "batch");
    assert.deepEqual([b.spec.completions, b.spec.parallelism, b.spec.backoffLimit, podOf(b).restartPolicy], [3, 3, 4, "OnFailure"]);
  });
  test("a service others wait on with service_completed_successfully is a Job, and the wait is warned, not dropped", () => {
    const c = valid("services:\n  seed: {image: app}\n  web: {image: app, depends_on: {seed: {condition: service_completed_successfully}}}");
    find(c.objects, "Job", "seed");
    assert.equal(podOf(find(c.objects, "Deployment", "web")).initContainers, undefined);
    assert.equal(c.notes.length, 1);
    assert.deepEqual(c.notes[0]!.path, ["services", "web", "depends_on", "seed"]);
    assert.match(c.notes[0]!.message, /without waiting for the one-shot seed/);
  });
  test("deploy.replicas and scale → spec.replicas", () => {
    const c = valid("services:\n  a: {image: x, deploy: {replicas: 3}}\n  b: {image: x, scale: 2}");
    assert.equal(find(c.objects, "Deployment", "a").spec.replicas, 3);
    assert.equal(find(c.objects, "Deployment", "b").spec.replicas, 2);
  });
});

describe("k8s convert: Services", () => {
  test("ports and expose → a ClusterIP Service with named ports; the container declares them", () => {
    const c = valid("services: {web: {image: x, ports: ['8080:80', '53:53/udp'], expose: ['9000']}}");
    const s = find(c.objects, "Service", "web");
    assert.deepEqual(s.spec, {
      selector: SELECTOR("web"),
      ports: [
        { name: "tcp-8080", port: 8080, targetPort: 80, protocol: "TCP" },
        { name: "udp-53", port: 53, targetPort: 53, protocol: "UDP" },
        { name: "tcp-9000", port: 9000, targetPort: 9000, protocol: "TCP" },
      ],
    });
    assert.deepEqual(podOf(find(c.objects, "Deployment", "web")).containers[0].ports, [
      { containerPort: 80, protocol: "TCP" },
      { containerPort: 53, protocol: "UDP" },
      { containerPort: 9000, protocol: "TCP" },
    ]);
  });
  test("no ports → a headless Service, so the name resolves as in Compose", () => {
    const c = valid("services: {worker: {image: x}}");
    assert.deepEqual(find(c.objects, "Service", "worker").spec, { clusterIP: "None", selector: SELECTOR("worker") });
  });
  test("--expose nodeport / loadbalancer picks the type of Services with published ports only", () => {
    const yaml = "services:\n  web: {image: x, ports: ['80:80']}\n  api: {image: x, expose: ['3000']}";
    assert.equal(find(valid(yaml, { expose: "nodeport" }).objects, "Service", "web").spec.type, "NodePort");
    assert.equal(find(valid(yaml, { expose: "loadbalancer" }).objects, "Service", "web").spec.type, "LoadBalancer");
    assert.equal(find(valid(yaml, { expose: "loadbalancer" }).objects, "Service", "api").spec.type, undefined);
    assert.equal(find(valid(yaml).objects, "Service", "web").spec.type, undefined);
  });
  test("a user's port name longer than 15 characters is replaced by a valid one", () => {
    const c = valid("services: {web: {image: x, ports: [{target: 80, published: '80', name: a-very-long-port-name}]}}");
    assert.equal(find(c.objects, "Service", "web").spec.ports[0].name, "tcp-80");
  });
  test("endpoint_mode dnsrr → a headless Service with ports; network aliases → extra Services", () => {
    const c = valid("services: {db: {image: x, expose: ['5432'], deploy: {endpoint_mode: dnsrr}, networks: {default: {aliases: [database]}}}}");
    assert.equal(find(c.objects, "Service", "db").spec.clusterIP, "None");
    const alias = find(c.objects, "Service", "database");
    assert.deepEqual(alias.spec.selector, SELECTOR("db"));
    assert.equal(alias.metadata.annotations?.["flotilla.dev/alias-of"], "db");
  });
  test("web_1 becomes web-1 and the renaming is reported", () => {
    const c = valid("services: {web_1: {image: x}, 9lives: {image: x}}");
    find(c.objects, "Deployment", "web-1");
    find(c.objects, "Service", "s-9lives");
    assert.deepEqual(c.renames, { "services.9lives": "s-9lives", "services.web_1": "web-1" });
  });
});

describe("k8s convert: health and order", () => {
  test("healthcheck → readiness AND liveness exec probes; CMD-SHELL runs under sh -c; start_period → startupProbe", () => {
    const c = valid("services: {web: {image: x, healthcheck: {test: 'curl -f localhost', interval: 10s, timeout: 3s, retries: 5, start_period: 30s}}}");
    const ctr = podOf(find(c.objects, "Deployment", "web")).containers[0];
    const probe = { exec: { command: ["sh", "-c", "curl -f localhost"] }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 5 };
    assert.deepEqual(ctr.readinessProbe, probe);
    assert.deepEqual(ctr.livenessProbe, probe);
    assert.deepEqual(ctr.startupProbe, { exec: { command: ["sh", "-c", "curl -f localhost"] }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 11 });
  });
  test("CMD runs as given; Compose's defaults 30s/30s/3; disable and NONE write no probe", () => {
    const c = valid("services:\n  a: {image: x, healthcheck: {test: [CMD, pg_isready, -U, postgres]}}\n  b: {image: x, healthcheck: {disable: true}}\n  c: {image: x, healthcheck: {test: [NONE]}}");
    assert.deepEqual(podOf(find(c.objects, "Deployment", "a")).containers[0].livenessProbe, { exec: { command: ["pg_isready", "-U", "postgres"] }, periodSeconds: 30, timeoutSeconds: 30, failureThreshold: 3 });
    assert.equal(podOf(find(c.objects, "Deployment", "b")).containers[0].livenessProbe, undefined);
    assert.equal(podOf(find(c.objects, "Deployment", "c")).containers[0].readinessProbe, undefined);
  });
  test("depends_on → init containers waiting for the dependency's Service (TCP when it has ports, DNS of the headless Service otherwise)", () => {
    const c = valid(
      "services:\n  web: {image: x, depends_on: {db: {condition: service_healthy}, cache: {condition: service_started, required: false}}}\n  db: {image: postgres, expose: ['5432'], healthcheck: {test: [CMD, pg_isready]}}\n  cache: {image: redis}",
    );
    const init = podOf(find(c.objects, "Deployment", "web")).initContainers;
    assert.deepEqual(init.map((i: { name: string }) => i.name), ["wait-for-cache", "wait-for-db"]);
    assert.equal(init[1].image, "busybox:1.36");
    assert.deepEqual(init[1].command, ["sh", "-c", 'until nc -z -w 2 db 5432; do echo "waiting for db"; sleep 2; done']);
    assert.match(init[0].command[2], /^i=0; until nslookup cache >\/dev\/null 2>&1; do .*starting anyway"; exit 0/);
  });
});

describe("k8s convert: storage", () => {
  test("named volumes → PVCs: size and storage class from x-flotilla, options, or 1Gi", () => {
    const yaml = "services: {a: {image: x, volumes: ['big:/a', 'small:/b']}}\nvolumes:\n  big: {x-flotilla: {k8s: {size: 20Gi, storage_class: fast}}}\n  small: {}";
    const c = valid(yaml, { storageClass: "standard" });
    assert.deepEqual(find(c.objects, "PersistentVolumeClaim", "big").spec, { accessModes: ["ReadWriteOnce"], storageClassName: "fast", resources: { requests: { storage: "20Gi" } } });
    assert.deepEqual(find(c.objects, "PersistentVolumeClaim", "small").spec, { accessModes: ["ReadWriteOnce"], storageClassName: "standard", resources: { requests: { storage: "1Gi" } } });
    assert.equal(find(valid(yaml, { volumeSize: "5Gi" }).objects, "PersistentVolumeClaim", "small").spec.resources.requests.storage, "5Gi");
  });
  test("an external volume is claimed by name and not written", () => {
    const c = valid("services: {a: {image: x, volumes: ['data:/d']}}\nvolumes: {data: {external: true, name: shared-data}}");
    assert.equal(c.objects.some((o) => o.kind === "PersistentVolumeClaim"), false);
    assert.equal(podOf(find(c.objects, "StatefulSet", "a")).volumes[0].persistentVolumeClaim.claimName, "shared-data");
  });
  test("tmpfs (both syntaxes) and shm_size → emptyDir medium Memory", () => {
    const c = valid("services: {a: {image: x, tmpfs: ['/run'], shm_size: 64m, volumes: [{type: tmpfs, target: /cache, tmpfs: {size: 10485760}}]}}");
    const pod = podOf(find(c.objects, "Deployment", "a"));
    assert.deepEqual(pod.volumes, [
      { name: "tmpfs-0", emptyDir: { medium: "Memory", sizeLimit: "10Mi" } },
      { name: "tmpfs-1", emptyDir: { medium: "Memory" } },
      { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
    ]);
    assert.deepEqual(pod.containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath), ["/cache", "/run", "/dev/shm"]);
  });
  test("bind mounts are left out by default (refused by the checks) and become hostPath with --bind-as-hostpath", () => {
    const yaml = "services: {a: {image: x, volumes: ['/srv/www:/usr/share/nginx/html:ro']}}";
    assert.equal(podOf(find(valid(yaml).objects, "Deployment", "a")).volumes, undefined);
    const pod = podOf(find(valid(yaml, { bindAsHostPath: true }).objects, "Deployment", "a"));
    assert.deepEqual(pod.volumes, [{ name: "host-0", hostPath: { path: "/srv/www", type: "DirectoryOrCreate" } }]);
    assert.deepEqual(pod.containers[0].volumeMounts, [{ name: "host-0", mountPath: "/usr/share/nginx/html", readOnly: true }]);
  });
});

describe("k8s convert: environment, secrets, configs", () => {
  const dir = fileURLToPath(new URL("../../../fixtures/k8s-env/", import.meta.url));
  test("environment and env_file → one ConfigMap (the loader's precedence: environment wins) + envFrom", async () => {
    const r = await convertToKubernetesObjects({ cwd: dir, env: { API_KEY: "k-123" } });
    assertValid(r.objects);
    assert.deepEqual(find(r.objects, "ConfigMap", "app-env").data, { EMPTY: "", FROM_FILE: "1", SHARED: "inline" });
    assert.deepEqual(podOf(find(r.objects, "Deployment", "app")).containers[0].envFrom, [{ configMapRef: { name: "app-env" } }]);
  });
  test("secrets → Secrets from a file and from the environment, mounted at /run/secrets/<name> or the target with their mode", async () => {
    const r = await convertToKubernetesObjects({ cwd: dir, env: { API_KEY: "k-123" } });
    assert.deepEqual(find(r.objects, "Secret", "db-password").data, { db_password: Buffer.from("s3cret\n").toString("base64") });
    assert.deepEqual(find(r.objects, "Secret", "api-key").data, { api_key: Buffer.from("k-123").toString("base64") });
    const pod = podOf(find(r.objects, "Deployment", "app"));
    assert.deepEqual(pod.volumes.filter((v: { secret?: unknown }) => v.secret), [
      { name: "secret-0", secret: { secretName: "db-password", items: [{ key: "db_password", path: "db_password" }] } },
      { name: "secret-1", secret: { secretName: "api-key", items: [{ key: "api_key", path: "api_key" }], defaultMode: 0o400 } },
    ]);
    const mounts = pod.containers[0].volumeMounts;
    assert.deepEqual(mounts.find((m: { name: string }) => m.name === "secret-0"), { name: "secret-0", mountPath: "/run/secrets/db_password", subPath: "db_password", readOnly: true });
    assert.deepEqual(mounts.find((m: { name: string }) => m.name === "secret-1"), { name: "secret-1", mountPath: "/etc/app/key", subPath: "api_key", readOnly: true });
  });
  test("configs → a ConfigMap mounted at the target", async () => {
    const r = await convertToKubernetesObjects({ cwd: dir, env: { API_KEY: "k" } });
    assert.deepEqual(find(r.objects, "ConfigMap", "nginx").data, { nginx: readFileSync(`${dir}/nginx.conf`, "utf8") });
    const mounts = podOf(find(r.objects, "Deployment", "app")).containers[0].volumeMounts;
    assert.deepEqual(mounts.find((m: { name: string }) => m.name === "config-0"), { name: "config-0", mountPath: "/etc/nginx/conf.d/default.conf", subPath: "nginx", readOnly: true });
  });
  test("an unset secret variable is a refusal at the secret, its value never printed", async () => {
    await assert.rejects(convertToKubernetesObjects({ cwd: dir, env: {} }), (e: Error) => /compose\.yaml:\d+:\d+: secrets\.api_key\.environment: the variable API_KEY is not set/.test(e.message));
  });
  test("$( in command is escaped so Kubernetes does not expand it", () => {
    const c = valid("services: {a: {image: x, command: ['sh', '-c', 'echo $$(date)']}}");
    assert.deepEqual(podOf(find(c.objects, "Deployment", "a")).containers[0].args, ["sh", "-c", "echo $$(date)"]);
  });
});

describe("k8s convert: resources, rollout, labels", () => {
  test("deploy.resources → limits and requests", () => {
    const c = valid("services: {a: {image: x, deploy: {resources: {limits: {cpus: '0.5', memory: 512M}, reservations: {cpus: '2', memory: 1g}}}}}");
    assert.deepEqual(podOf(find(c.objects, "Deployment", "a")).containers[0].resources, { limits: { cpu: "500m", memory: "512Mi" }, requests: { cpu: "2", memory: "1Gi" } });
  });
  test("update_config → RollingUpdate: start-first surges, stop-first goes unavailable; delay + monitor → minReadySeconds", () => {
    const c = valid("services:\n  a: {image: x, deploy: {replicas: 4, update_config: {parallelism: 2, order: start-first, delay: 5s, monitor: 10s}}}\n  b: {image: x, deploy: {update_config: {parallelism: 1}}}");
    const a = find(c.objects, "Deployment", "a").spec;
    assert.deepEqual(a.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 2, maxUnavailable: 0 } });
    assert.equal(a.minReadySeconds, 15);
    assert.deepEqual(find(c.objects, "Deployment", "b").spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
  });
  test("labels with Kubernetes-valid keys and values are pod labels; the others become annotations", () => {
    const c = valid("services: {a: {image: x, labels: {tier: web, 'traefik.http.routers.a.rule': 'Host(`a.example.com`)'}, deploy: {labels: {team: core}}}}");
    const d = find(c.objects, "Deployment", "a");
    assert.equal(d.spec.template.metadata.labels.tier, "web");
    assert.equal(d.spec.template.metadata.annotations["traefik.http.routers.a.rule"], "Host(`a.example.com`)");
    assert.equal(d.metadata.labels?.["team"], "core");
  });
  test("pull_policy → imagePullPolicy", () => {
    const c = valid("services:\n  a: {image: x, pull_policy: always}\n  b: {image: x, pull_policy: missing}\n  c: {image: x, pull_policy: never}");
    assert.deepEqual(["a", "b", "c"].map((n) => podOf(find(c.objects, "Deployment", n)).containers[0].imagePullPolicy), ["Always", "IfNotPresent", "Never"]);
  });
  test("placement constraints → nodeAffinity; spread → topologySpreadConstraints", () => {
    const c = valid("services: {a: {image: x, deploy: {placement: {constraints: ['node.labels.zone==eu', 'node.platform.os != windows'], preferences: [{spread: node.labels.rack}]}}}}");
    const pod = podOf(find(c.objects, "Deployment", "a"));
    assert.deepEqual(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions, [
      { key: "zone", operator: "In", values: ["eu"] },
      { key: "kubernetes.io/os", operator: "NotIn", values: ["windows"] },
    ]);
    assert.deepEqual(pod.topologySpreadConstraints, [{ maxSkew: 1, topologyKey: "rack", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: SELECTOR("a") } }]);
  });
  test("dns, extra_hosts, hostname, stop_grace_period → pod fields", () => {
    const c = valid("services: {a: {image: x, dns: [1.1.1.1], dns_search: [corp], extra_hosts: ['db=10.0.0.5', 'cache:10.0.0.5'], hostname: box, stop_grace_period: 1m}}");
    const pod = podOf(find(c.objects, "Deployment", "a"));
    assert.deepEqual(pod.dnsConfig, { nameservers: ["1.1.1.1"], searches: ["corp"] });
    assert.deepEqual(pod.hostAliases, [{ ip: "10.0.0.5", hostnames: ["cache", "db"] }]);
    assert.equal(pod.hostname, "box");
    assert.equal(pod.terminationGracePeriodSeconds, 60);
  });
});

describe("k8s convert: networks and security", () => {
  test("a NetworkPolicy per network: only pods sharing a network talk; published ports stay reachable", () => {
    const c = valid("services:\n  web: {image: x, ports: ['80:80'], networks: [front]}\n  api: {image: x, networks: [front, back]}\n  db: {image: x, networks: [back]}\nnetworks: {front: {}, back: {internal: true}}");
    assert.deepEqual(find(c.objects, "NetworkPolicy", "network-front").spec, {
      podSelector: { matchLabels: { "network.flotilla.dev/front": "true" } },
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ podSelector: { matchLabels: { "network.flotilla.dev/front": "true" } } }] }],
      egress: [{}],
    });
    const back = find(c.objects, "NetworkPolicy", "network-back").spec;
    assert.deepEqual(back.egress[0], { to: [{ podSelector: { matchLabels: { "network.flotilla.dev/back": "true" } } }] });
    const labels = (n: string) => find(c.objects, "Deployment", n).spec.template.metadata.labels;
    assert.equal(labels("api")["network.flotilla.dev/front"], "true");
    assert.equal(labels("api")["network.flotilla.dev/back"], "true");
    assert.equal(labels("db")["network.flotilla.dev/front"], undefined);
    assert.deepEqual(find(c.objects, "NetworkPolicy", "web-published").spec.ingress, [{ ports: [{ port: 80, protocol: "TCP" }] }]);
  });
  test("user, cap_add/cap_drop, read_only, privileged, sysctls → securityContext", () => {
    const c = valid("services: {a: {image: x, user: '1000:2000', cap_add: [NET_ADMIN], cap_drop: [ALL], read_only: true, privileged: true, sysctls: {net.core.somaxconn: 1024}, group_add: ['44']}}");
    const pod = podOf(find(c.objects, "Deployment", "a"));
    assert.deepEqual(pod.containers[0].securityContext, { runAsUser: 1000, runAsGroup: 2000, capabilities: { add: ["NET_ADMIN"], drop: ["ALL"] }, readOnlyRootFilesystem: true, privileged: true });
    assert.deepEqual(pod.securityContext, { sysctls: [{ name: "net.core.somaxconn", value: "1024" }], supplementalGroups: [44] });
  });
  test("network_mode: host → hostNetwork", () => {
    const pod = podOf(find(valid("services: {a: {image: x, network_mode: host}}").objects, "Deployment", "a"));
    assert.equal(pod.hostNetwork, true);
    assert.equal(pod.dnsPolicy, "ClusterFirstWithHostNet");
  });
  test("an invalid hostname is warned, not written", () => {
    const r = convertYaml("services: {a: {image: x, hostname: my_host}}");
    assertValid(r.conversion.objects);
    assert.equal(podOf(find(r.conversion.objects, "Deployment", "a")).hostname, undefined);
    assert.ok(r.issues.some((i) => i.key === "services.hostname" && /not a DNS-1123 label/.test(i.message)));
  });
  test("--namespace is written into every object", () => {
    const c = valid("services: {a: {image: x}}", { namespace: "shop" });
    assert.ok(c.objects.every((o) => o.metadata.namespace === "shop"));
  });
  test("the output is deterministic: same input, same objects in the same order", () => {
    const yaml = "services:\n  b: {image: x, ports: ['1:1']}\n  a: {image: y, depends_on: [b]}\nvolumes: {v: {}}";
    assert.deepEqual(JSON.stringify(valid(yaml).objects), JSON.stringify(valid(yaml).objects));
    assert.deepEqual(valid(yaml).objects.map((o) => `${o.kind}/${o.metadata.name}`), ["PersistentVolumeClaim/v", "Service/a", "Service/b", "Deployment/a", "Deployment/b", "NetworkPolicy/b-published", "NetworkPolicy/network-default"]);
  });
});
