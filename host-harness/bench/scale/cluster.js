// The scenarios' clusters (test/support/host-cluster.js), started and always stopped: every
// cluster being started or running is remembered until it is stopped, so that a failure or
// Ctrl-C stops what runs, including a cluster still starting when it came.

const { startCluster } = require('../../test/support/host-cluster');

const starting = new Set();
const running = new Set();
const stops = new Map();
let stopping = false;
const TAIL_CHARS = 4000;

/** Stops `cluster` (every process in it, and its folders); a second call waits for the first. */
function stopBenchCluster(cluster) {
  if (!stops.has(cluster)) {
    running.delete(cluster);
    stops.set(cluster, cluster.stop());
  }
  return stops.get(cluster);
}

async function startBenchCluster(options) {
  if (stopping) throw new Error('the bench is stopping');
  const pending = startCluster(options);
  starting.add(pending);
  let cluster;
  try {
    cluster = await pending;
  } finally {
    starting.delete(pending);
  }
  running.add(cluster);
  if (stopping) {
    await stopBenchCluster(cluster);
    throw new Error('the bench is stopping');
  }
  return cluster;
}

/** Stops every cluster, those still starting too, and refuses to start more. */
async function stopAll() {
  stopping = true;
  await Promise.allSettled([...starting]);
  await Promise.allSettled([...running].map(stopBenchCluster));
  await Promise.allSettled([...stops.values()]);
}

/** Processes of `cluster` that exited by themselves, with the end of what they printed. */
function deadProcesses(cluster) {
  const hostName = (i) => (cluster.hosts.length > 1 ? `host ${i + 1}` : 'host');
  const named = [
    ['simulator', cluster.simulator],
    ...cluster.hosts.map((host, i) => [hostName(i), host]),
  ];
  return named
    .filter(([, proc]) => proc.child.exitCode !== null || proc.child.signalCode !== null)
    .map(([name, proc]) => {
      const how = proc.child.exitCode ?? proc.child.signalCode;
      const tail = proc.output.stderr.slice(-TAIL_CHARS).trim();
      return `${name} exited (${how})${tail ? `: ${tail}` : ''}`;
    });
}

/** Throws when a process of `cluster` died: the figures after that would measure nothing. */
function assertAlive(cluster) {
  const dead = deadProcesses(cluster);
  if (dead.length) throw new Error(`a process of the cluster died:\n  ${dead.join('\n  ')}`);
}

module.exports = { startBenchCluster, stopBenchCluster, stopAll, assertAlive };
