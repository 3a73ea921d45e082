/**
 * The fake engine's tiny shell emulator: processes are emulated, not run. A command (or an exec)
 * is read as an `sh -c` script made of `echo`, `cat FILE`, `test -f/-e FILE`, `touch FILE`,
 * `exit N`, `true`, `false`, `sleep`, redirections `>&2` / `1>&2`, and the operators `;`, `&&`,
 * `||`. A script that reaches `sleep` (or any long-running server such as `httpd`, `nc -l`,
 * `tail -f`) keeps running. Files come from `putArchive` and `touch`.
 */
import { parse as parseShell } from "shell-quote";

const LONG_RUNNING = new Set(["sleep", "httpd", "tail", "nc", "top", "watch", "yes"]);

export interface EmulatedRun {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** The script reached a command that does not end on its own. */
  keepsRunning: boolean;
}

interface ShellCommand {
  /** The operator before it: `;`, `&&`, `||` or a newline. */
  op: string;
  words: string[];
  toStderr: boolean;
}

/** Split shell tokens into commands with the operator before each and whether output goes to stderr. */
function splitCommands(tokens: readonly (string | { op: string })[]): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let current: ShellCommand = { op: ";", words: [], toStderr: false };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === undefined) break;
    if (typeof t === "string") {
      current.words.push(t);
    } else if (t.op === ">&") {
      const target = tokens[i + 1];
      if (target === "2") current.toStderr = true;
      i++;
      // "1>&2" arrives as word "1" then ">&": drop the stray fd number
      if (current.words[current.words.length - 1] === "1") current.words.pop();
    } else if (t.op === ";" || t.op === "&&" || t.op === "||" || t.op === "\n") {
      commands.push(current);
      current = { op: t.op, words: [], toStderr: false };
    } else if (t.op === ">" || t.op === ">>") {
      const target = tokens[i + 1];
      i++;
      if (target === "/dev/stderr") current.toStderr = true;
    }
  }
  commands.push(current);
  return commands;
}

/** Run a command through the tiny shell emulator (see the file comment). */
export function emulateCommand(argv: readonly string[], files: Map<string, Buffer>): EmulatedRun {
  const result: EmulatedRun = { stdout: "", stderr: "", exitCode: 0, keepsRunning: false };
  let tokens: (string | { op: string })[];
  const first = argv[0]?.replace(/^.*\//, "");
  if ((first === "sh" || first === "bash" || first === "ash") && argv[1] === "-c") {
    tokens = parseShell(argv[2] ?? "") as (string | { op: string })[];
  } else if ((first === "sh" || first === "bash") && argv.length === 1) {
    return result; // an interactive shell without stdin ends at once
  } else {
    tokens = [...argv];
  }
  const commands = splitCommands(tokens);

  let status = 0;
  for (const cmd of commands) {
    if (cmd.words.length === 0) continue;
    if (cmd.op === "&&" && status !== 0) continue;
    if (cmd.op === "||" && status === 0) continue;
    const [name, ...args] = cmd.words as [string, ...string[]];
    const out = (text: string): void => {
      if (cmd.toStderr) result.stderr += text;
      else result.stdout += text;
    };
    const base = name.replace(/^.*\//, "");
    if (LONG_RUNNING.has(base) && !(base === "sleep" && args[0] !== undefined && Number(args[0]) === 0)) {
      result.keepsRunning = true;
      result.exitCode = status;
      return result;
    }
    switch (base) {
      case "echo": {
        const noNewline = args[0] === "-n";
        out(`${(noNewline ? args.slice(1) : args).join(" ")}${noNewline ? "" : "\n"}`);
        status = 0;
        break;
      }
      case "cat": {
        status = 0;
        for (const f of args) {
          const data = files.get(f);
          if (data === undefined) {
            result.stderr += `cat: can't open '${f}': No such file or directory\n`;
            status = 1;
          } else out(data.toString("utf8"));
        }
        break;
      }
      case "test":
      case "[": {
        const path = args[1];
        status = (args[0] === "-f" || args[0] === "-e") && path !== undefined && files.has(path) ? 0 : 1;
        break;
      }
      case "touch":
        for (const f of args) if (!files.has(f)) files.set(f, Buffer.alloc(0));
        status = 0;
        break;
      case "true":
      case ":":
        status = 0;
        break;
      case "false":
        status = 1;
        break;
      case "sleep":
        status = 0;
        break;
      case "exit":
        result.exitCode = Number(args[0] ?? status) || 0;
        return result;
      default:
        result.stderr += `sh: ${name}: not found\n`;
        status = 127;
    }
  }
  result.exitCode = status;
  return result;
}
