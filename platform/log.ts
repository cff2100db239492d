/** Structured logs: one JSON object per line on stdout/stderr, ready for any log collector. */
export type LogFields = Record<string, unknown>;
export type Logger = {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
};

export function createLogger(sink: (line: string, level: string) => void = defaultSink): Logger {
  const write = (level: string) => (msg: string, fields: LogFields = {}) =>
    sink(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }), level);
  return { info: write("info"), warn: write("warn"), error: write("error") };
}

function defaultSink(line: string, level: string) {
  if (level === "error") console.error(line);
  else console.log(line);
}

/** For tests: keeps lines in memory. */
export function memoryLogger(): Logger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  const logger = createLogger((line) => lines.push(JSON.parse(line)));
  return Object.assign(logger, { lines });
}
