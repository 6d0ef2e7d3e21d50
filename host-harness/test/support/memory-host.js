// An in-memory PluginHost for driving the built plugin module directly: storage with TTLs on a
// settable clock, a scripted Twilio, and recorded requests and log lines. Every storage call
// waits for the next turn of the event loop, so concurrent flows really interleave.
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const { TwilioPlugin, version } = require(path.join(REPO_ROOT, 'pkg', 'twilio_baas_plugin.js'));

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = 'test_auth_token_0000000000000000';

const baseConfig = (overrides = {}) => ({
  accountSid: ACCOUNT_SID,
  authToken: AUTH_TOKEN,
  senderPhoneNumber: '+15005550006',
  appName: 'Acme',
  ...overrides,
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

// Twilio's 201 reply for an accepted message.
function acceptedReply(request, n) {
  const form = new URLSearchParams(request.body);
  return {
    status: 201,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      sid: `SM${n.toString(16).padStart(32, '0')}`,
      status: 'queued',
      to: form.get('To'),
      from: form.get('From'),
      body: form.get('Body'),
      num_segments: '1',
      num_media: '0',
    }),
  };
}

function createMemoryHost() {
  const store = new Map();
  const state = { nowMs: Date.UTC(2026, 0, 1), requests: [], logs: [], users: [], replies: [] };
  const live = (key) => {
    const entry = store.get(key);
    if (entry && entry.expiresAt <= state.nowMs) store.delete(key);
    return store.get(key);
  };
  const host = {
    async http(request) {
      await nextTurn();
      state.requests.push(request);
      const scripted = state.replies.shift();
      if (scripted instanceof Error) throw scripted;
      return scripted ?? acceptedReply(request, state.requests.length);
    },
    async storageGet(key) {
      await nextTurn();
      return live(key)?.value ?? null;
    },
    async storagePut(key, value, ttlSeconds) {
      await nextTurn();
      store.set(key, { value, expiresAt: state.nowMs + ttlSeconds * 1000 });
    },
    async storageTake(key) {
      await nextTurn();
      const entry = live(key);
      store.delete(key);
      return entry?.value ?? null;
    },
    async storageIncr(key, ttlSeconds) {
      await nextTurn();
      const entry = live(key);
      const count = (entry ? Number(entry.value) : 0) + 1;
      const expiresAt = entry ? entry.expiresAt : state.nowMs + ttlSeconds * 1000;
      store.set(key, { value: String(count), expiresAt });
      return count;
    },
    async findUser(field, value) {
      await nextTurn();
      return state.users.find((u) => u[field] === value) ?? null;
    },
    now: () => state.nowMs,
    log(level, message, fields) {
      state.logs.push(JSON.stringify({ level, message, fields }));
    },
  };
  return {
    host,
    state,
    store,
    advanceSeconds(s) {
      state.nowMs += s * 1000;
    },
    lastSmsBody() {
      const last = state.requests.at(-1);
      return last ? new URLSearchParams(last.body).get('Body') : null;
    },
    lastCode() {
      return /(?<!\d)(\d{4,10})(?!\d)/.exec(this.lastSmsBody() ?? '')?.[1];
    },
  };
}

module.exports = {
  TwilioPlugin,
  version,
  REPO_ROOT,
  ACCOUNT_SID,
  AUTH_TOKEN,
  baseConfig,
  createMemoryHost,
};
