/**
 * The capabilities table: for every key of the Compose model and every target beyond one host,
 * whether Flotilla maps it, maps it with a warning, or refuses it. One table, one column per target:
 * each target's column is its own module (`swarm.ts`, `kubernetes.ts`) keyed by the same key paths;
 * `index.ts` joins them and a unit test fails when a model key has no row in a column.
 *
 * Key paths name a key of one kind of top-level object, dotted for sub-keys, without the object's
 * own name: `services.privileged`, `services.deploy.resources.limits.cpus`, `networks.driver_opts`,
 * `volumes.external`, `secrets.environment`, `configs.content`. Pure data: no I/O, no engine.
 */

/** The targets beyond one host. */
export type Target = "swarm" | "kubernetes";

/** How a target handles one key. */
export type Capability =
  /** Carried over; `to` says what it becomes (e.g. "ContainerSpec.Hostname", "Deployment spec.replicas"). */
  | { readonly status: "mapped"; readonly to: string }
  /** Carried over approximately or dropped on purpose; the warning is printed at the key's file:line:col. */
  | { readonly status: "warned"; readonly to?: string; readonly why: string; readonly hint?: string }
  /** Refused at the key's file:line:col before anything is sent (`--ignore KEY` turns it into a warning). */
  | { readonly status: "refused"; readonly why: string; readonly hint?: string };

/** One target's column: every key path → what the target does with it. */
export type CapabilityColumn = Readonly<Record<string, Capability>>;
