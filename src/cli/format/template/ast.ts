/**
 * The syntax tree of a parsed template, and the error every stage throws.
 */
import { UsageError } from "../../../errors.js";

/** Template data: plain JS values (objects, arrays, Maps, strings, numbers, booleans, null). */
export type Value = unknown;

/** A piece of the template: text, an action, or a block with its body. */
export type Node =
  | { t: "text"; text: string }
  | { t: "action"; pipe: Pipeline }
  | { t: "if" | "with"; pipe: Pipeline; then: Node[]; else?: Node[] }
  | { t: "range"; pipe: Pipeline; then: Node[]; else?: Node[] };

/** `$x := cmd | cmd …`: the declared variables and the commands. */
export interface Pipeline {
  decl: string[];
  cmds: Cmd[];
}

/** One operand of a command: a field chain, a literal, a function name, or a parenthesised pipeline. */
export type Arg =
  | { t: "field"; base: "dot" | "var"; name?: string; path: string[] }
  | { t: "lit"; v: Value }
  | { t: "ident"; name: string }
  | { t: "pipe"; pipe: Pipeline; path: string[] };
export type Cmd = Arg[];

export type TemplateFunc = (...args: Value[]) => Value;

export class TemplateError extends UsageError {
  constructor(message: string, hint?: string) {
    super(`template: ${message}`, hint ?? "see https://docs.docker.com/engine/cli/formatting/");
  }
}
