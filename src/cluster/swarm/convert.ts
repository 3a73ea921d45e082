/**
 * Model → the Engine API specs `stack deploy` sends: overlay networks, secrets and configs
 * (named `<stack>_<name>_<sha8>` so a content change rolls the services that use them), and one
 * ServiceSpec per service. Pure: file contents come through `readFile`, variables through
 * `environment`. Keys the Swarm column refuses are not converted (they are refused before this
 * runs, or dropped knowingly with `--ignore`). The parts: convert-objects (networks, secrets,
 * configs), convert-service (the container and task), convert-deploy (scheduling, endpoint),
 * convert-mounts; convert-context holds what they share (input, collected issues, units).
 *
 * Follows what `docker stack deploy` sends (labels, names, sorted lists, defaults) so both tools
 * manage the same objects; the differences are deliberate: `restart: "no"` → condition none,
 * secret/config names carry a content hash, the service-level `tmpfs:` list is mounted (docker
 * stack drops it), the legacy cpus/mem_limit/pids_limit keys are translated into resources, and
 * every service carries a spec-hash label (test/e2e/swarm-parity.test.ts checks the list).
 */
import { ConfigError } from "../../errors.js";
import type { NetworkCreateSpec } from "../../runtime/engine.js";
import type { SwarmObjectSpec } from "../../runtime/engine-swarm.js";
import { ConvertContext, type ConvertInput } from "./convert-context.js";
import { convertNetworks, convertObjects, type DesiredObject } from "./convert-objects.js";
import { convertService, type DesiredService } from "./convert-service.js";

export type { ConvertInput } from "./convert-context.js";
export type { DesiredObject } from "./convert-objects.js";
export type { DesiredService } from "./convert-service.js";

export interface SwarmStackSpec {
  stack: string;
  /** Networks to create (overlay unless the file names a driver). */
  networks: NetworkCreateSpec[];
  /** External networks the services join: they must exist with swarm scope. */
  externalNetworks: string[];
  secrets: DesiredObject[];
  configs: DesiredObject[];
  /** External secrets and configs: referenced by name, never created. */
  externalSecrets: string[];
  externalConfigs: string[];
  /** In the file's order (the plan orders them by depends_on). */
  services: DesiredService[];
}

/** Converts the model into the specs `stack deploy` sends. Throws one ConfigError listing every problem. */
export function convertStack(input: ConvertInput): SwarmStackSpec {
  const c = new ConvertContext(input);
  const { model } = input;
  const usedNetworks = new Set<string>();
  for (const svc of Object.values(model.services)) {
    if (svc.network_mode !== undefined) continue;
    for (const key of Object.keys(svc.networks ?? { default: null })) usedNetworks.add(key);
  }
  const nets = convertNetworks(c, usedNetworks);
  const secrets = convertObjects(c, "secrets");
  const configs = convertObjects(c, "configs");
  const services = Object.entries(model.services).map(([name, svc]) => convertService(c, name, svc));
  if (c.issues.length > 0) throw new ConfigError(c.issues);
  return {
    stack: input.stack,
    networks: nets.create,
    externalNetworks: nets.external,
    secrets: secrets.create,
    configs: configs.create,
    externalSecrets: secrets.external,
    externalConfigs: configs.external,
    services,
  };
}

/** What `stack config` prints: the exact specs, in the order they are sent (secrets, configs, networks, services). */
export function stackSpecsJson(spec: SwarmStackSpec, options: { showSecrets?: boolean } = {}): Record<string, unknown> {
  const redact = (o: DesiredObject): SwarmObjectSpec =>
    options.showSecrets ? o.spec : { ...o.spec, Data: `<redacted: ${Buffer.from(o.spec.Data, "base64").length} bytes; --show-secrets prints it>` };
  return {
    secrets: spec.secrets.map(redact),
    configs: spec.configs.map((o) => o.spec),
    networks: spec.networks,
    services: spec.services.map((s) => s.spec),
    ...(spec.externalNetworks.length + spec.externalSecrets.length + spec.externalConfigs.length > 0
      ? { external: { networks: spec.externalNetworks, secrets: spec.externalSecrets, configs: spec.externalConfigs } }
      : {}),
  };
}
