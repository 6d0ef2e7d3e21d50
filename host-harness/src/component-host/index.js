// The second host of the plugin: its WebAssembly component (built from wit/, transpiled by jco),
// each instance in a worker thread (worker.mjs), its imports served by the same host object the
// wasm-bindgen build is given. It offers the same API as that build, through the JS binding of
// the WIT (binding.js): `await TwilioPlugin.create(config, host)`, then Promise-returning
// operations. One call runs at a time per instance; the others wait their turn.
//
// Why jco in Node rather than wasmtime: the reference host's imports (SQLite storage, fetch
// behind the origin allowlist, the user table, its logger) are JS, and here the component uses
// exactly those, so one contract suite can drive both builds through one host object.

const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { MessageChannel, Worker } = require('node:worker_threads');

const binding = require('./binding');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const DEFAULT_DIR = path.join(REPO_ROOT, 'pkg', 'component', 'js');
const WORKER = path.join(__dirname, 'worker.mjs');
const KINDS = new Set(['connect', 'reset', 'timeout', 'refused', 'storage', 'bad-reply']);

/** A host error as WIT carries it; an Error without a known kind gets the binding's default. */
function hostError(name, err) {
  const kind = KINDS.has(err?.kind) ? err.kind : name === 'http' ? 'reset' : 'storage';
  const text = typeof err?.message === 'string' ? err.message : String(err);
  return { kind, message: `${name} failed: ${text}`.slice(0, 200) };
}

const badReply = (message) => ({ error: { kind: 'bad-reply', message } });

/**
 * For the synchronous imports (`now`, `log`): what the host answers, or undefined when it
 * throws; a host that made them async must not get an unhandled rejection out of it, which
 * would crash the process.
 */
function callIgnoringPromise(host, name, args) {
  try {
    const result = host[name](...args);
    if (typeof result?.then === 'function') {
      Promise.resolve(result).catch(() => {});
      return undefined;
    }
    return result;
  } catch {
    return undefined;
  }
}

/** Answers one import call with the host object's answer, in its WIT shape. */
async function serveImport(host, name, args) {
  if (name === 'now') {
    // A host clock that fails or lies falls back to the JS clock, as in the other build.
    const now = callIgnoringPromise(host, 'now', []);
    const ms = typeof now === 'number' && Number.isFinite(now) && now > 0 ? now : Date.now();
    return { value: BigInt(Math.trunc(ms)) };
  }
  let value;
  try {
    if (name === 'http') {
      const [request] = args;
      value = await host.http({
        method: request.method,
        url: request.url,
        headers: Object.fromEntries(request.headers),
        body: request.body ?? null,
        timeoutMs: request.timeoutMs,
      });
    } else {
      value = await host[name](...args);
    }
  } catch (err) {
    return { error: hostError(name, err) };
  }
  switch (name) {
    case 'http': {
      const status = value?.status;
      if (!Number.isInteger(status) || status < 100 || status > 599) {
        return badReply('http must resolve to {status, headers, body}');
      }
      const headers = Object.entries(value.headers ?? {}).filter(([, v]) => typeof v === 'string');
      const body = typeof value.body === 'string' ? value.body : '';
      return { value: { status, headers, body } };
    }
    case 'storageGet':
    case 'storageTake':
      if (value === null || value === undefined) return { value: undefined };
      return typeof value === 'string'
        ? { value }
        : badReply(`${name} must resolve to a string or null`);
    case 'storageIncr':
      return Number.isInteger(value)
        ? { value: BigInt(value) }
        : badReply('storageIncr must resolve to a whole number');
    case 'findUser':
      if (value === null || value === undefined) return { value: undefined };
      try {
        return { value: binding.jsonObject(value, 'user', 'a user object') };
      } catch {
        return badReply('findUser must resolve to a user object or null');
      }
    default:
      return { value: undefined };
  }
}

/** The compiled core modules of the transpiled component, once per folder. */
const compiled = new Map();
function coreModules(dir) {
  if (!compiled.has(dir)) {
    const modules = {};
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.wasm'))) {
      modules[file] = new WebAssembly.Module(fs.readFileSync(path.join(dir, file)));
    }
    compiled.set(dir, modules);
  }
  return compiled.get(dir);
}

/**
 * The worker that runs the component's instances. `call(instance, op, args)` answers a Promise;
 * `hosts` maps each instance number to the host object that serves its imports.
 */
function startWorker(dir) {
  const signal = new SharedArrayBuffer(4);
  const flag = new Int32Array(signal);
  const hostChannel = new MessageChannel();
  const replyChannel = new MessageChannel();
  const callChannel = new MessageChannel();
  const worker = new Worker(WORKER, {
    workerData: {
      entry: pathToFileURL(path.join(dir, 'twilio-plugin.js')).href,
      modules: coreModules(dir),
      signal,
      hostPort: hostChannel.port2,
      replyPort: replyChannel.port2,
      callPort: callChannel.port2,
    },
    transferList: [hostChannel.port2, replyChannel.port2, callChannel.port2],
  });
  const hosts = new Map([[0, NO_HOST]]);
  const pending = new Map();
  const trapped = new Map();
  let nextId = 0;
  let busy = 0;
  // An idle worker must not keep the process alive; a busy one (an answer or the work left for
  // after it outstanding) must.
  const settleBusy = (delta) => {
    busy += delta;
    if (busy > 0) worker.ref();
    else worker.unref();
  };
  worker.unref();

  const answer = (message) => {
    if (message.idle) {
      settleBusy(-1);
      return;
    }
    const { instance, resolve, reject } = pending.get(message.id);
    pending.delete(message.id);
    if (message.trap !== undefined) {
      trapped.set(instance, message.trap);
      reject(new Error(`the plugin component trapped: ${message.trap}`));
    } else if (message.error) reject(binding.fromWitError(message.error));
    else resolve(message.value);
  };
  hostChannel.port1.on('message', async (message) => {
    const { instance, host: name, args } = message;
    if (name === undefined) {
      answer(message);
      return;
    }
    const host = hosts.get(instance) ?? NO_HOST;
    if (name === 'log') {
      // `log` never throws back into the plugin, nor rejects into the process.
      let fields = {};
      try {
        fields = JSON.parse(args[2]);
      } catch {}
      callIgnoringPromise(host, 'log', [args[0], args[1], fields]);
      return;
    }
    const reply = await serveImport(host, name, args);
    replyChannel.port1.postMessage(reply);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
  // After the listener, which refs its port: the ports alone never keep the process alive.
  for (const port of [hostChannel.port1, replyChannel.port1, callChannel.port1]) port.unref();
  worker.on('error', (err) => {
    for (const { reject } of pending.values()) reject(err);
    pending.clear();
  });
  return {
    hosts,
    call(instance, op, args) {
      if (trapped.has(instance)) {
        return Promise.reject(new Error(`the plugin component trapped: ${trapped.get(instance)}`));
      }
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { instance, resolve, reject });
        settleBusy(1);
        callChannel.port1.postMessage({ id, instance, op, args });
      });
    },
  };
}

/** What the host object given to `create` must offer, as the other build checks it. */
const IMPORTS = [
  'http',
  'storageGet',
  'storagePut',
  'storageTake',
  'storageIncr',
  'findUser',
  'now',
  'log',
];

function checkHost(host) {
  const missing = IMPORTS.filter((name) => typeof host?.[name] !== 'function');
  if (missing.length) {
    throw binding.pluginError({
      code: 'INVALID_INPUT',
      status: 400,
      message: `\`host\` must be an object with the functions ${missing.join(', ')}.`,
      details: { field: 'host' },
    });
  }
}

/** A host for static calls, which touch no host: every import fails. */
const NO_HOST = Object.fromEntries(
  IMPORTS.map((name) => [
    name,
    name === 'now'
      ? () => Date.now()
      : name === 'log'
        ? () => {}
        : () => Promise.reject(new Error('no host')),
  ]),
);

/**
 * @param {object} [options]
 * @param {string} [options.dir] the transpiled component (default pkg/component/js)
 * @param {Array<{name: string, type: string}>} options.configItems the manifest's config items
 *   and host secrets, which say each setting's type
 */
function loadComponentPlugin({ dir = DEFAULT_DIR, configItems }) {
  if (!fs.existsSync(path.join(dir, 'twilio-plugin.js'))) {
    throw new Error(`the plugin component is not built: ${dir} is missing. Run "make build".`);
  }
  const items = configItems.map((item) => ({ name: item.name, type: item.type ?? 'string' }));
  let worker = null;
  const running = () => {
    worker ??= startWorker(dir);
    return worker;
  };
  let instances = 0;

  class ComponentPlugin {
    constructor(instance) {
      this.instance = instance;
    }

    /** The configuration's problems first, then the host's, as the other build reports them. */
    static async create(config, host) {
      const report = await ComponentPlugin.validateConfig(config);
      if (!report.ok) throw binding.configInvalid(report.problems);
      checkHost(host);
      const instance = ++instances;
      running().hosts.set(instance, host);
      try {
        await running().call(instance, 'create', [binding.config(config, items).record]);
      } catch (err) {
        running().hosts.delete(instance);
        throw err;
      }
      return new ComponentPlugin(instance);
    }

    static async validateConfig(config) {
      const { record, problems } = binding.config(config, items);
      const report = await running().call(0, 'validateConfig', [record]);
      const all = binding.mergeProblems(problems, report.problems);
      return { ok: all.length === 0, problems: all };
    }

    call(op, args) {
      return running().call(this.instance, op, args);
    }

    async hook(op, ctx, args, result) {
      const [name, what] = op.endsWith('Register')
        ? ['user', "an object of the user's properties"]
        : ['login', 'an object with the login fields'];
      const witArgs = [binding.context(ctx), binding.jsonObject(args, name, what)];
      if (op.startsWith('after')) witArgs.push(binding.hostResult(result));
      return binding.outcome(await this.call(op, witArgs));
    }

    async service(op, ctx, request) {
      const context = binding.context(ctx);
      let witRequest;
      try {
        witRequest = binding.request(request, binding.REQUESTS[op]);
      } catch (unreadable) {
        // The plugin checks its caller before it reads a request, and a signed-out caller must
        // learn that whatever it sent, as from the other build. So a request that cannot even
        // become a WIT record is shown to the plugin empty first: an empty request fails the
        // plugin's own checks before it does anything, after the caller's.
        if (op !== 'handleStatusCallback') {
          const empty = binding.request({}, binding.REQUESTS[op]);
          await this.call(op, [context, empty]).catch((refusal) => {
            if (refusal?.code === 'NOT_AUTHENTICATED') throw refusal;
          });
        }
        throw unreadable;
      }
      return binding.REPLIES[op](await this.call(op, [context, witRequest]));
    }

    beforeRegister(ctx, user) {
      return this.hook('beforeRegister', ctx, user);
    }

    afterRegister(ctx, user, result) {
      return this.hook('afterRegister', ctx, user, result);
    }

    beforeLogin(ctx, login) {
      return this.hook('beforeLogin', ctx, login);
    }

    afterLogin(ctx, login, result) {
      return this.hook('afterLogin', ctx, login, result);
    }

    sendSms(ctx, request) {
      return this.service('sendSms', ctx, request);
    }

    sendMms(ctx, request) {
      return this.service('sendMms', ctx, request);
    }

    startVerification(ctx, request) {
      return this.service('startVerification', ctx, request);
    }

    checkVerification(ctx, request) {
      return this.service('checkVerification', ctx, request);
    }

    getMessageStatus(ctx, request) {
      return this.service('getMessageStatus', ctx, request);
    }

    handleStatusCallback(ctx, request) {
      return this.service('handleStatusCallback', ctx, request);
    }

    testConfiguration() {
      return this.call('testConfiguration', []);
    }

    /** Drops the instance; its host object is no longer called. */
    async free() {
      await this.call('free', []);
      running().hosts.delete(this.instance);
    }
  }

  return { TwilioPlugin: ComponentPlugin, version: () => running().call(0, 'version', []) };
}

module.exports = { loadComponentPlugin, DEFAULT_DIR };
