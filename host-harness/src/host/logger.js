// Structured logging for the host and for the plugin's `log` import: one JSON object per line,
// with anything that looks secret replaced before it leaves the process. The plugin promises
// never to log secrets; the host does not rely on that promise, because a log line is copied to
// places (terminals, log shippers, bug reports) that a secret must never reach.

const LEVEL_RANK = { debug: 10, info: 20, warn: 30, error: 40 };
const REDACTED = '[redacted]';
const MAX_DEPTH = 8;
const MAX_MESSAGE_CHARS = 1000;

/** Field names that hold credentials anywhere in the name: authToken, apiKeySecret, ... */
const SECRET_NAME =
  /token|secret|password|passwd|authorization|cookie|credential|api[-_]?key|hashing[-_]?key|master[-_]?key/i;
/**
 * Field names that hold a verification code. Only whole names: `code`, `transactionCode`,
 * `verificationCode`, `otp`; so `twilioCode` (Twilio's error number) and `errorCode` stay
 * readable, which is what an operator needs to diagnose a failed send.
 */
const CODE_NAME = /^(code|transaction[-_]?code|verification[-_]?code|sms[-_]?code|otp|pin)$/i;

function isSecretName(name) {
  return SECRET_NAME.test(name) || CODE_NAME.test(name);
}

/** A copy of `value` with secret-looking members replaced; bounded so a cycle cannot hang us. */
function redact(value, depth = 0) {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' || typeof value === 'function' ? String(value) : value;
  }
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out = {};
  for (const [name, item] of Object.entries(value)) {
    out[name] = isSecretName(name) ? REDACTED : redact(item, depth + 1);
  }
  return out;
}

function stderrSink(entry) {
  try {
    process.stderr.write(`${JSON.stringify(entry)}\n`);
  } catch {
    // A log line that cannot be written must never take a request down with it.
  }
}

/**
 * @param {object} [options]
 * @param {(entry: object) => void} [options.sink] receives each redacted entry (default: a JSON
 *   line on stderr)
 * @param {() => number} [options.clock] ms since the epoch, for the `time` member
 * @param {string} [options.source] who is logging: `host` or `plugin`
 * @param {string} [options.minLevel] lines below this level are dropped (default `info`)
 * @returns {(level: string, message: string, fields?: object) => void} never throws
 */
function createLogger({
  sink = stderrSink,
  clock = Date.now,
  source = 'host',
  minLevel = 'info',
} = {}) {
  const threshold = LEVEL_RANK[minLevel] ?? LEVEL_RANK.info;
  const log = (level, message, fields) => {
    try {
      const known = Object.hasOwn(LEVEL_RANK, level) ? level : 'info';
      if (LEVEL_RANK[known] < threshold) return;
      const extra = fields && typeof fields === 'object' ? redact(fields) : {};
      const entry = {
        time: new Date(clock()).toISOString(),
        level: known,
        source,
        message: String(message ?? '').slice(0, MAX_MESSAGE_CHARS),
      };
      // Fields come after the fixed members and cannot replace them.
      for (const [name, value] of Object.entries(extra)) {
        if (!Object.hasOwn(entry, name)) entry[name] = value;
      }
      sink(entry);
    } catch {
      // Same as above: logging is best effort by design.
    }
  };
  /** The same sink under another source name, e.g. the plugin's lines beside the host's. */
  log.child = (childSource) => createLogger({ sink, clock, source: childSource, minLevel });
  return log;
}

module.exports = { createLogger, redact, isSecretName, REDACTED };
