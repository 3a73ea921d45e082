/**
 * Flotilla's public API. Keep this an explicit list: everything not named here is internal.
 */

// Loading a project
export { loadProject } from "./spec/load.js";
export type { LoadOptions } from "./spec/options.js";

// Errors
export {
  FlotillaError,
  ConfigError,
  IssueCollector,
  EngineError,
  ServiceError,
  WaitError,
  UsageError,
  isFlotillaError,
  formatIssue,
  formatLocation,
} from "./errors.js";
export type { ErrorCode, SourceLocation, ConfigIssue, FlotillaErrorOptions } from "./errors.js";

// The normalized model
export type {
  LoadedProject,
  ComposeModel,
  ServiceConfig,
  BuildConfig,
  PortConfig,
  VolumeMount,
  ServiceNetworkConfig,
  DependsOnCondition,
  DependsOnEntry,
  HealthcheckConfig,
  ServiceSecretRef,
  UlimitConfig,
  WatchRule,
  DeployConfig,
  NetworkConfig,
  VolumeConfig,
  SecretConfig,
  ConfigConfig,
  Mapping,
} from "./spec/model.js";

// The library API: a loaded project driving one engine (runtime: observe → plan → apply)
export { Project, connectFromEnv } from "./api/project.js";
export type {
  ProjectLoadOptions,
  ServiceOpOptions,
  PullOptions,
  PullResult,
  PushOptions,
  PushResult,
  BuildOptions,
  StartOptions,
  RemoveOptions,
  KillOptions,
  RunOptions,
  AttachOptions,
  ContainerImage,
  ProjectEvent,
  EventsOptions,
  StatsOptions,
  WaitOptions,
  ServiceCopyOptions,
  ServiceExecOptions,
  ServiceCommitOptions,
  PublishedBinding,
} from "./api/project.js";
export { planUp, renderPlan, planIsNoop } from "./runtime/plan.js";
export type { Plan, PlanOptions, ServiceAction, ResourceAction, ContainerActionKind } from "./runtime/plan.js";
export { observeProject } from "./runtime/observe.js";
export type { ObservedState, ObservedContainer } from "./runtime/observe.js";
export { applyUp, prepareImages } from "./runtime/apply.js";
export type { UpResult, UpContainer } from "./runtime/apply.js";
export { downProject } from "./runtime/ops/down.js";
export { stopProject } from "./runtime/ops/stop.js";
export { startProject } from "./runtime/ops/start.js";
export { restartProject } from "./runtime/ops/restart.js";
export { killProject } from "./runtime/ops/kill.js";
export { removeStopped } from "./runtime/ops/rm.js";
export { setPaused } from "./runtime/ops/pause.js";
export type { DownResult } from "./runtime/ops/down.js";
export type { LifecycleOptions } from "./runtime/ops/lifecycle.js";
export { listContainers } from "./runtime/ps.js";
export { streamLogs } from "./runtime/logs.js";
export type { UpOptions, DownOptions, PsOptions, LogsOptions, LogLine, ContainerStatus, PublisherInfo, PullMode } from "./runtime/options.js";
export type { FlotillaEvent, EventListener } from "./events.js";
export { watchProject, planWatch } from "./runtime/watch/index.js";
export type { WatchOptions, WatchStats, WatchPlan, WatchableProject } from "./runtime/watch/index.js";

// Beyond one host: Kubernetes manifests, kustomizations and Helm charts (issue 12)
export { convertToKubernetesObjects, analyzeConversion, renderConversion } from "./api/convert.js";
export type { ConvertTarget, KubernetesResult, RenderOptions, RenderResult, KubeObject, KubernetesOptions, KubernetesIssue, KubernetesConversion, ExposeMode, ServiceOutput, ManifestFormat, RenderedFiles } from "./api/convert.js";

// The test API: compose(...).waitFor(...).up() → a started stack keyed by service (issue 5)
export { compose, ComposeBuilder, StartedStack, ServiceHandle, generateProjectName } from "./api/compose.js";
export type { ComposeOptions, StackDownOptions, ContainerHandle, ExecCommand } from "./api/compose.js";
export { wait, WaitFailure } from "./api/wait/index.js";
export type { WaitStrategy, WaitContext, WaitTarget, HttpWaitOptions } from "./api/wait/index.js";
export { removeStack, sweepAbandoned, findAbandoned, OwnerLabel } from "./api/reaper.js";

// Swarm: a compose project deployed as a stack (issue 11)
export { Stack } from "./api/swarm-stack.js";
export type { StackLoadOptions, StackDeployOptions, StackDeployResult, StackSummary, StackServiceRow, StackTaskRow, StackConnection } from "./api/swarm-stack.js";
