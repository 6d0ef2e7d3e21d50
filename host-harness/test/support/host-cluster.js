// Several hosts serving one app, as a deployment runs them: a real redis-server, one Twilio
// simulator process (bin/twilio-sim.js), and N processes of bin/baas.js with REDIS_URL and
// TWILIO_SIM=external, sharing one DATA_DIR (the users database in WAL mode, and the master key
// file, from which every host derives the same code-hashing key). Used by the several-hosts
// tests and the scale bench.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { freePort } = require('./free-port');
const { startRedis } = require('./redis-server');

const BIN = path.resolve(__dirname, '../../bin');
const READY = /BaaS listening on (http:\/\/127\.0\.0\.1:\d+)/;
const SIM_READY = /Twilio simulator listening on (http:\/\/127\.0\.0\.1:\d+)/;
const START_TIMEOUT_MS = 15_000;
/** What is kept of each stream: enough for an error message, bounded when a process prints a
 * line per request (the simulator prints every SMS). */
const MAX_OUTPUT_CHARS = 16_000;
const CONSOLE_PASSWORD = 'test console password';

/**
 * Spawns a Node script; `ready` resolves with the first match of `pattern` in its output.
 * Only PATH and `env` reach it: a developer's own TWILIO_* or REDIS_URL must not leak in.
 */
function spawnScript(script, env, pattern) {
  const child = spawn(process.execPath, [path.join(BIN, script)], {
    env: { PATH: process.env.PATH, ...env },
    stdio: 'pipe',
  });
  const output = { stdout: '', stderr: '' };
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script}: not ready in time:\n${output.stderr}`)),
      START_TIMEOUT_MS,
    );
    let found = false;
    const take = (stream) => (chunk) => {
      output[stream] = (output[stream] + chunk).slice(-MAX_OUTPUT_CHARS);
      if (found) return;
      const match = pattern.exec(output.stdout + output.stderr);
      if (match) {
        found = true;
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.setEncoding('utf8').on('data', take('stdout'));
    child.stderr.setEncoding('utf8').on('data', take('stderr'));
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(`${script} exited (${code ?? signal}) before it was ready:\n${output.stderr}`),
      );
    });
  });
  ready.catch(() => {});
  const process_ = {
    child,
    output,
    ready,
    exited,
    /** The process's CPU time so far, user + system, in ms (from /proc; null elsewhere). */
    cpuMs() {
      try {
        const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        const ticks = Number(fields[11]) + Number(fields[12]);
        return (ticks * 1000) / 100;
      } catch {
        return null;
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  return process_;
}

/**
 * Starts Redis, the simulator and `hosts` BaaS processes, one after the other (the first creates
 * the database and the master key; the others open them).
 * @param {object} [options]
 * @param {number} [options.hosts]
 * @param {object} [options.pluginConfig] plugin settings for every host (PLUGIN_CONFIG_FILE)
 * @param {object} [options.env] more environment for every host
 * @param {boolean} [options.redis] false: no Redis (each host keeps plugin state and sessions in
 *   the shared SQLite file), for comparison
 */
async function startCluster({ hosts = 2, pluginConfig, env = {}, redis: withRedis = true } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baas-cluster-'));
  const started = [];
  const cluster = { dataDir, hosts: [], redis: null, simulator: null, simulatorUrl: null };
  cluster.stop = async () => {
    await Promise.all(cluster.hosts.map((host) => host.stop()));
    await cluster.simulator?.stop();
    await cluster.redis?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    if (withRedis) cluster.redis = await startRedis();
    const simPort = await freePort();
    cluster.simulator = spawnScript(
      'twilio-sim.js',
      { TWILIO_SIM_PORT: String(simPort) },
      SIM_READY,
    );
    started.push(cluster.simulator);
    cluster.simulatorUrl = await cluster.simulator.ready;
    let configFile = null;
    if (pluginConfig) {
      configFile = path.join(dataDir, 'plugin-config.json');
      fs.writeFileSync(configFile, JSON.stringify(pluginConfig));
    }
    const hostEnv = {
      DATA_DIR: dataDir,
      TWILIO_SIM: 'external',
      TWILIO_SIM_PORT: String(simPort),
      CONSOLE_PASSWORD,
      LOG_LEVEL: 'warn',
      ...(cluster.redis ? { REDIS_URL: cluster.redis.url } : {}),
      ...(configFile ? { PLUGIN_CONFIG_FILE: configFile } : {}),
      ...env,
    };
    for (let i = 0; i < hosts; i += 1) {
      const host = spawnScript('baas.js', { ...hostEnv, PORT: String(await freePort()) }, READY);
      cluster.hosts.push(host);
      host.url = await host.ready;
    }
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

module.exports = { startCluster, spawnScript, freePort, CONSOLE_PASSWORD };
