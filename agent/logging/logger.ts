/**
 * The agent's log: one line per event on stderr (journald picks it up under systemd), as text
 *
 *   2025-01-02T03:04:05.678Z INFO job status id=0a1b… status=RUNNING by=admin
 *
 * or as JSON lines (`log: { format: json }` in joblet.yml)
 *
 *   {"time":"2025-01-02T03:04:05.678Z","level":"info","msg":"job status","id":"0a1b…","status":"RUNNING","by":"admin"}
 *
 * Fields whose name looks like a secret (secret, password, token, key, credential, authorization) are written as
 * "[redacted]", whatever their value: callers should not pass secrets, and this is the net below them.
 */

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = typeof LOG_LEVELS[number];
export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = typeof LOG_FORMATS[number];

export type FieldValue = string | number | boolean | null | undefined;
export type Fields = Record<string, FieldValue>;

export interface LogSettings {
  format: LogFormat;
  level: LogLevel;
}

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** True when a message at this level would be written. */
  enabled(level: LogLevel): boolean;
}

/** A logger whose format and level can change while the agent runs (SIGHUP). */
export interface AgentLogger extends Logger {
  configure(settings: LogSettings): void;
  readonly settings: LogSettings;
}

const SECRET_FIELD = /secret|passw|token|(^|_|[a-z])key$|^key|credential|authorization|cookie/i;
const REDACTED = "[redacted]";
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(
  settings: LogSettings,
  opts: { write?: (line: string) => void; now?: () => Date } = {},
): AgentLogger {
  const write = opts.write ?? ((line: string) => console.error(line));
  const now = opts.now ?? (() => new Date());
  let current = { ...settings };
  const emit = (level: LogLevel) => (msg: string, fields: Fields = {}) => {
    if (RANK[level] < RANK[current.level]) return;
    write(formatLine(current.format, now(), level, msg, fields));
  };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    enabled: (level) => RANK[level] >= RANK[current.level],
    configure: (s) => current = { ...s },
    get settings() {
      return { ...current };
    },
  };
}

/** One log line, without the newline. Pure, for tests. */
export function formatLine(
  format: LogFormat,
  time: Date,
  level: LogLevel,
  msg: string,
  fields: Fields,
): string {
  const clean: [string, FieldValue][] = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, SECRET_FIELD.test(k) ? REDACTED : v]);
  if (format === "json") {
    const out: Record<string, FieldValue> = { time: time.toISOString(), level, msg };
    for (const [k, v] of clean) out[k in out ? `field.${k}` : k] = v;
    return JSON.stringify(out);
  }
  const parts = [time.toISOString(), level.toUpperCase(), textMessage(msg)];
  for (const [k, v] of clean) parts.push(`${k}=${textValue(v)}`);
  return parts.join(" ");
}

/** One line per event: newlines in a message are escaped so a log reader cannot be fooled by them. */
function textMessage(msg: string): string {
  return msg.replace(/\r?\n/g, "\\n");
}

/** True when `s` holds a C0 control character (quoted in text logs so a line cannot be forged). */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return true;
  return false;
}

function textValue(v: FieldValue): string {
  if (v === null) return "null";
  const s = String(v);
  return typeof v === "string" && (s === "" || /[\s"=\\]/.test(s) || hasControl(s)) ? JSON.stringify(s) : s;
}

/** The older `(msg) => void` log dependency of core and transports, writing at `level`. */
export function logFn(logger: Logger, level: LogLevel = "info"): (msg: string) => void {
  return (msg) => logger[level](msg);
}

/** A logger that writes nothing (tests). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  enabled: () => false,
};
