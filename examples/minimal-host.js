// The smallest host of the plugin, from the package alone (docs/embedding.md explains each rule),
// in memory (a real host uses a database, hashes passwords). PLUGIN_CONFIG: its settings, JSON.
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { TwilioPlugin } = require('twilio-phone-verification');
const manifest = require('twilio-phone-verification/plugin-manifest.json');

const config = JSON.parse(process.env.PLUGIN_CONFIG ?? '{}');
// The plugin may call only Twilio (the manifest's origins, a simulator's), never via a redirect.
const base = new URL(config.twilioApiBaseUrl ?? 'https://api.twilio.com').origin;
const allowed = new Set([...manifest.permissions.httpOrigins, base]);
const users = [];
const store = new Map(); // the plugin's storage: key -> {value, expiresAt}
const live = (key) => (store.get(key)?.expiresAt > Date.now() ? store.get(key).value : null);
const put = (key, value, ttl) => store.set(key, { value, expiresAt: Date.now() + ttl * 1000 });
const fail = (kind, message) => Object.assign(new Error(message), { kind });
// Only a connection that never opened is sure to have sent nothing; a timeout or a cut may not.
const never = (e) => ['ECONNREFUSED', 'ENOTFOUND'].includes(e.cause?.code);
const kindOf = (e) => (e.name === 'TimeoutError' ? 'timeout' : never(e) ? 'connect' : 'reset');
const host = {
  async http({ method, url, headers, body, timeoutMs }) {
    if (!allowed.has(new URL(url).origin)) throw fail('refused', `${url} is not allowed`);
    const signal = AbortSignal.timeout(timeoutMs);
    const init = { method, headers, body: body ?? undefined, signal, redirect: 'manual' };
    const res = await fetch(url, init).catch((e) => Promise.reject(fail(kindOf(e), `${e}`)));
    return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  },
  storageGet: async (key) => live(key),
  storagePut: async (key, value, ttl) => void put(key, value, ttl),
  // One JS thread: a read and a delete with no await between them are atomic.
  storageTake: async (key) => [live(key), store.delete(key)][0],
  storageIncr: async (key, ttl) => {
    const n = Number(live(key) ?? 0) + 1; // the TTL is set when the key is created
    put(key, String(n), n === 1 ? ttl : (store.get(key).expiresAt - Date.now()) / 1000);
    return n;
  },
  findUser: async (field, value) => users.find((user) => user[field] === value) ?? null,
  now: () => Date.now(),
  log: (level, message, fields) => console.error(JSON.stringify({ level, message, ...fields })),
};
const plugin = TwilioPlugin.create(config, host);
// The BaaS's own register and login, answering `{user}` or `{error}` for the after-hook.
const oops = (code, message) => ({ error: { code, message } });
function register({ email, password, ...rest }) {
  if (!email || !password) return oops('MISSING_FIELDS', 'email and password are required');
  if (users.some((user) => user.email === email)) return oops('EMAIL_TAKEN', 'email is taken');
  const user = { ...rest, objectId: randomUUID(), email, password }; // the BaaS's own id
  return users.push(user) && { user };
}
function login({ login, password }, authenticated) {
  const user = authenticated ?? users.find((u) => u.email === login && u.password === password);
  return user ? { user } : oops('BAD_LOGIN', 'wrong email or password');
}
async function handle(path, ctx, body) {
  const [hook, own] = routes[path] ?? [];
  if (!hook) return [404, { message: 'no such route' }];
  const args = JSON.parse(body || '{}');
  const first = await plugin[`before${hook}`](ctx, args);
  if (first.action === 'respond') return [first.status, first.body]; // a code was sent
  const proved = users.find((u) => u.objectId === first.userId); // phone login: `authenticate`
  const result = own(first.args ?? args, proved);
  // Called on failure too: it releases a verification the failed registration consumed.
  const next = await plugin[`after${hook}`](ctx, args, result);
  if (next.action === 'respond') return [next.status, next.body]; // two-factor: no session yet
  return result.user ? [200, { ...result.user, password: undefined }] : [400, result.error];
}
// A plugin error carries its HTTP status, code, words and details; bad JSON is the client's.
const answerOf = ({ code, message, details }) => ({ code, message, details });
const failed = (e) => [e.status ?? (e instanceof SyntaxError ? 400 : 500), answerOf(e)];
const routes = { '/register': ['Register', register], '/login': ['Login', login] };
const server = http.createServer(async (req, res) => {
  const body = Buffer.concat(await req.toArray()).toString();
  const ctx = { requestId: randomUUID(), clientIp: req.socket.remoteAddress };
  ctx.locale = req.headers['accept-language']; // chooses the code message's language
  const [status, answer] = await handle(req.url, ctx, body).catch(failed);
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
});
const port = Number(process.env.PORT ?? 8080);
server.listen(port, '127.0.0.1', () => console.log(`listening on port ${server.address().port}`));
