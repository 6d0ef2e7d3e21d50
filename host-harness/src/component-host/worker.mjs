// The plugin's WebAssembly component, transpiled by jco, in a worker thread: one component
// instance for each plugin created, each with its own host object. The component model here is synchronous: an import must answer before the call goes
// on. The host object is asynchronous (SQLite behind Promises, fetch), and lives on the main
// thread, so each import posts its call there and waits on a shared flag until the answer is
// back (the main thread stays free to serve it). Values cross already in their WIT shape;
// binding.js converts them on the main thread. Everything the worker says goes through one port,
// in order: an answer is seen before any host call of the work left for after it.
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { WASIShim } from '@bytecodealliance/preview2-shim/instantiation';

const { entry, modules, signal, hostPort, replyPort, callPort } = workerData;
const flag = new Int32Array(signal);

/** A synchronous call of instance `instance`'s host object; throws a WIT `host-error`. */
function callHost(instance, name, args) {
  Atomics.store(flag, 0, 0);
  hostPort.postMessage({ instance, host: name, args });
  Atomics.wait(flag, 0, 0);
  const reply = receiveMessageOnPort(replyPort)?.message;
  if (!reply) throw { payload: { kind: 'bad-reply', message: `${name}: the host did not answer` } };
  if (reply.error) throw { payload: reply.error };
  return reply.value;
}

const wasi = new WASIShim({
  sandbox: { preopens: {}, env: {}, args: ['twilio-plugin'], enableNetwork: false },
}).getImportObject();

/** The imports of one instance: its host object's, by the instance's number. */
function imports(instance) {
  const call = (name) => (...args) => callHost(instance, name, args);
  return {
    ...wasi,
    'twilio-baas:plugin/host': {
      http: call('http'),
      storageGet: call('storageGet'),
      storagePut: call('storagePut'),
      storageTake: call('storageTake'),
      storageIncr: call('storageIncr'),
      findUser: call('findUser'),
      now() {
        try {
          return callHost(instance, 'now', []);
        } catch {
          return BigInt(Date.now());
        }
      },
      // Not waited for: a log line needs no answer, and the port keeps it in order.
      log: (level, message, fields) =>
        hostPort.postMessage({ instance, host: 'log', args: [level, message, fields] }),
    },
  };
}

const { instantiate } = await import(entry);
const getCoreModule = (name) => modules[name];
/** Instance number to its `twilio-plugin` resource (0: the one for static calls). */
const plugins = new Map();
const statics = instantiate(getCoreModule, imports(0)).plugin;

/** Runs one export; a `result` error comes back as its payload (a WIT `plugin-error`). */
function invoke(instance, op, args) {
  switch (op) {
    case 'create': {
      const { TwilioPlugin } = instantiate(getCoreModule, imports(instance)).plugin;
      plugins.set(instance, TwilioPlugin.create(...args));
      return null;
    }
    case 'free':
      plugins.delete(instance);
      return null;
    case 'validateConfig':
      return statics.TwilioPlugin.validateConfig(...args);
    case 'version':
      return statics.version();
    default:
      return plugins.get(instance)[op](...args);
  }
}

callPort.on('message', ({ id, instance, op, args }) => {
  let answer;
  try {
    answer = { id, value: invoke(instance, op, args) };
  } catch (err) {
    answer =
      err && typeof err === 'object' && 'code' in err && 'details' in err
        ? { id, error: err }
        : { id, trap: String(err?.stack ?? err) };
  }
  hostPort.postMessage(answer);
  // After the answer, never before it: phone login's SMS must not delay it (see run-deferred).
  const plugin = plugins.get(instance);
  if (plugin && op !== 'create' && answer.trap === undefined) {
    try {
      plugin.runDeferred();
    } catch {
      // A trap here already poisoned the instance; its next call reports it.
    }
  }
  hostPort.postMessage({ idle: true });
});
