// A real redis-server for tests (and the conformance kit and the scale bench): Debian's binary,
// on a free loopback port, in a temporary folder, with the append-only file the reference
// deployment uses (appendfsync always: see the README's "Running several hosts"). `make test`
// installs redis-server when missing; started here, stopped when the caller is done.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { freePort } = require('./free-port');

const REDIS_SERVER = process.env.REDIS_SERVER_BIN || 'redis-server';
const START_TIMEOUT_MS = 10_000;

/** Resolves once something accepts connections on the port and answers PING with PONG (or,
 * with --requirepass, asks for authentication: it is up either way). */
function waitForPong(port, deadline) {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setTimeout(500);
      let answer = '';
      const retry = () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not answer on ${port}`));
        else setTimeout(attempt, 50);
      };
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (chunk) => {
        answer += chunk;
        if (answer.includes('\r\n')) {
          socket.destroy();
          if (answer.startsWith('+PONG') || answer.startsWith('-NOAUTH')) resolve();
          else retry();
        }
      });
      socket.on('timeout', retry);
      socket.on('error', retry);
    };
    attempt();
  });
}

/**
 * Starts redis-server. `kill()` stops it with SIGKILL (no shutdown save: what survives is what
 * the append-only file holds); `restart()` starts it again on the same port and folder.
 * @param {object} [options]
 * @param {string} [options.appendfsync] always | everysec | no
 * @param {string[]} [options.args] more redis-server arguments (e.g. --requirepass)
 */
async function startRedis({ appendfsync = 'always', args = [] } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baas-redis-'));
  const port = await freePort();
  let child = null;
  let exited = null;
  const stderr = [];

  async function launch() {
    child = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        appendfsync,
        // The AOF alone is the durability; no RDB snapshots in the background.
        '--save',
        '',
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
        ...args,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr.on('data', (chunk) => stderr.push(String(chunk)));
    exited = new Promise((resolve) => child.once('exit', resolve));
    const spawnFailed = new Promise((_, reject) =>
      child.once('error', (err) =>
        reject(
          err.code === 'ENOENT'
            ? new Error(
                'redis-server is not installed: run `make test` (it installs it) or apt-get install redis-server',
              )
            : err,
        ),
      ),
    );
    try {
      await Promise.race([waitForPong(port, Date.now() + START_TIMEOUT_MS), spawnFailed]);
    } catch (err) {
      // A server that never answered must not outlive the test that started it.
      child.kill('SIGKILL');
      throw err;
    }
  }

  await launch();
  const redis = {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    /** SIGKILL: Redis gets no chance to write anything more. */
    async kill() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    /** Pauses the server (SIGSTOP): connections stay open, nothing is answered. */
    pause() {
      child.kill('SIGSTOP');
    },
    resume() {
      child.kill('SIGCONT');
    },
    async restart() {
      await redis.kill();
      await launch();
    },
    async stop() {
      await redis.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    get log() {
      return stderr.join('');
    },
    get pid() {
      return child?.pid ?? null;
    },
  };
  return redis;
}

module.exports = { startRedis };
