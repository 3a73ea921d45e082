/**
 * stdout and stderr without their Node streams, for as long as nothing needs one.
 *
 * `process.stdout` is made on first use, and for a pipe or a socket that means loading `net` and
 * the whole stream machinery: a few milliseconds a short command (`flotilla config | …`) spends on
 * nothing. On Linux Node writes to pipes, files and terminals synchronously anyway, so writing the
 * bytes with `fs.writeSync` is the same output in the same order. The process's stream is made,
 * and every later write goes through it, when:
 *  - a caller needs the stream itself (the interactive progress view, `resize` events): `nodeStream()`;
 *  - the descriptor is non-blocking and full (EAGAIN, e.g. a pipe shared with a Node parent): the
 *    rest of that write and every later one are queued by the stream, as they always were.
 * A reader that went away (EPIPE, `flotilla logs | head`) ends the process quietly on stdout, as
 * `exitOnClosedPipe` does for the stream; on stderr the stream reports it as it always did.
 */
import { fstatSync, writeSync } from "node:fs";

export class FdOut {
  #stream: NodeJS.WriteStream | undefined;
  #tty: boolean | undefined;

  /** `open` returns the process's stream for `fd` (process.stdout or process.stderr). */
  constructor(
    readonly fd: number,
    private readonly open: () => NodeJS.WriteStream,
  ) {}

  /** The process's stream for this descriptor; from now on every write goes through it. */
  nodeStream(): NodeJS.WriteStream {
    this.#stream ??= this.open();
    return this.#stream;
  }

  /** Known without the stream when the descriptor is no character device (a pipe, a file, a socket). */
  get isTTY(): boolean {
    if (this.#stream) return this.#stream.isTTY === true;
    if (this.#tty === undefined) {
      let charDevice = true;
      try {
        charDevice = fstatSync(this.fd).isCharacterDevice();
      } catch {
        // a closed descriptor: let the stream say
      }
      // A terminal, or /dev/null: only the stream tells them apart.
      this.#tty = charDevice ? this.nodeStream().isTTY === true : false;
    }
    return this.#tty;
  }

  get columns(): number | undefined {
    return this.isTTY ? this.nodeStream().columns : undefined;
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.#stream) return this.#stream.write(chunk);
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    let done = 0;
    while (done < bytes.length) {
      try {
        done += writeSync(this.fd, bytes, done, bytes.length - done);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EPIPE" && this.fd === 1) process.exit(0);
        // EAGAIN (non-blocking and full) and anything else: the stream takes over, as before.
        return this.nodeStream().write(done === 0 ? chunk : bytes.subarray(done));
      }
    }
    return true;
  }
}
