/**
 * Where rnx writes. Commands never touch `Deno.stdout` directly: they get a `Sink`, so tests capture output and
 * the raw log path can honour backpressure (each `write` resolves only once the bytes are taken).
 */

export interface Sink {
  /** Writes all of `data`; resolves when the operating system has taken it. */
  write(data: Uint8Array): Promise<void>;
  /** Writes text at once (short human output, help, errors). */
  print(text: string): void;
  readonly isTerminal: boolean;
}

export interface Io {
  stdout: Sink;
  stderr: Sink;
  /** Environment lookup (NO_COLOR, RNX_CONFIG, HOME). */
  env(name: string): string | undefined;
  cwd(): string;
  now(): number;
}

const encoder = new TextEncoder();

/** A sink over one of the process's standard streams. */
export function fileSink(file: typeof Deno.stdout | typeof Deno.stderr): Sink {
  return {
    async write(data) {
      let off = 0;
      while (off < data.length) off += await file.write(data.subarray(off));
    },
    print(text) {
      const data = encoder.encode(text);
      let off = 0;
      while (off < data.length) off += file.writeSync(data.subarray(off));
    },
    isTerminal: file.isTerminal(),
  };
}

export function processIo(): Io {
  return {
    stdout: fileSink(Deno.stdout),
    stderr: fileSink(Deno.stderr),
    env: (name) => Deno.env.get(name),
    cwd: () => Deno.cwd(),
    now: () => Date.now(),
  };
}

/** A sink that keeps everything written to it; for tests. */
export class MemorySink implements Sink {
  readonly chunks: Uint8Array[] = [];
  constructor(readonly isTerminal = false) {}

  write(data: Uint8Array): Promise<void> {
    this.chunks.push(data.slice());
    return Promise.resolve();
  }

  print(text: string): void {
    this.chunks.push(encoder.encode(text));
  }

  text(): string {
    return new TextDecoder().decode(this.bytes());
  }

  bytes(): Uint8Array {
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

/** Colours only on a terminal, and never when NO_COLOR is set and not empty (https://no-color.org). */
export function colorEnabled(sink: Sink, env: (name: string) => string | undefined): boolean {
  return sink.isTerminal && (env("NO_COLOR") ?? "") === "";
}
