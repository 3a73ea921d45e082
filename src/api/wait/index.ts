/** The built-in wait strategies, as one namespace: `wait.http({ port: 8080, path: "/health" })`. */
import { all } from "./all.js";
import { command } from "./command.js";
import { completed } from "./completed.js";
import { healthy } from "./healthy.js";
import { http } from "./http.js";
import { log } from "./log.js";
import { port } from "./port.js";

export const wait = { healthy, port, http, log, command, completed, all } as const;

export type { WaitStrategy, WaitContext, WaitTarget } from "./strategy.js";
export { WaitFailure } from "./strategy.js";
export type { HttpWaitOptions } from "./http.js";
