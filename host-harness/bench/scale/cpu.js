// Where the time goes, per process: CPU time (user + system, all threads included: a host's
// scrypt runs on libuv's threadpool, and /proc/<pid>/stat counts those threads with the
// process), and the time its threads were ready to run but waited for a core (schedstat's run
// queue time): on a machine whose cores every process shares, that wait is what a second host
// costs the others.

const fs = require('node:fs');
const os = require('node:os');

// USER_HZ: the unit of /proc's utime and stime; 100 on every Linux the bench runs on.
const TICKS_PER_SECOND = 100;

/** CPU ms so far of the process or thread whose stat file is `file`, or null. */
function statCpuMs(file) {
  try {
    // The command name, in parentheses, may hold spaces: count fields after its closing one.
    const fields = fs.readFileSync(file, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU ms of `pid` so far, or null where /proc cannot tell (not Linux, process gone). */
const procCpuMs = (pid) => (pid ? statCpuMs(`/proc/${pid}/stat`) : null);

/**
 * CPU ms of the main thread of `pid` so far (the thread whose id is the pid), or null. A Node
 * process runs its JavaScript there, so the main thread near one core is a host at its limit
 * however many cores stay idle; Redis runs its commands there too.
 */
const mainThreadCpuMs = (pid) => (pid ? statCpuMs(`/proc/${pid}/task/${pid}/stat`) : null);

/**
 * Ms the threads of `pid` spent runnable without a core so far (the second field of each
 * /proc/<pid>/task/<tid>/schedstat, in ns), or null. A thread that ended takes its share along,
 * which the long-lived threads of Node and Redis do not.
 */
function procWaitMs(pid) {
  if (!pid) return null;
  try {
    let ns = 0;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
    }
    return ns / 1e6;
  } catch {
    return null;
  }
}

/**
 * CPU ms the whole machine spent busy so far (every process, all cores: /proc/stat's first
 * line less idle and iowait), or null. Whatever of it the scenario's processes did not spend
 * was someone else's: the bench says so, since it would slow the figures down.
 */
function machineBusyMs() {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, , , irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
    return ((user + nice + system + irq + softirq + steal) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * The processes a scenario's figures are split over, each `{name, pid}`: the hosts, the
 * simulator, redis-server when there is one, and this bench process (the load generator).
 */
function processesOf(cluster) {
  const processes = cluster.hosts.map((host, i) => ({
    name: cluster.hosts.length > 1 ? `host ${i + 1}` : 'host',
    pid: host.child.pid,
  }));
  processes.push({ name: 'simulator', pid: cluster.simulator.child.pid });
  if (cluster.redis) processes.push({ name: 'redis', pid: cluster.redis.pid });
  processes.push({ name: 'bench', pid: process.pid });
  return processes;
}

/** `{cpu, main, wait: {name: ms}, machine: ms}` so far. */
function sample(processes) {
  return {
    cpu: Object.fromEntries(processes.map((p) => [p.name, procCpuMs(p.pid)])),
    main: Object.fromEntries(processes.map((p) => [p.name, mainThreadCpuMs(p.pid)])),
    wait: Object.fromEntries(processes.map((p) => [p.name, procWaitMs(p.pid)])),
    machine: machineBusyMs(),
  };
}

const minus = (after, before) => (before === null || after === null ? null : after - before);

function eachMinus(after, before) {
  return Object.fromEntries(
    Object.keys(after).map((name) => [name, minus(after[name], before[name])]),
  );
}

/**
 * What was spent between two samples: `cpu`, `main` (the main thread's CPU) and `wait`, each
 * `{name: ms}` per process (null where unknown), and `othersMs`, the machine's busy time none
 * of them accounts for (or null).
 */
function spent(before, after) {
  const cpu = eachMinus(after.cpu, before.cpu);
  const machine = minus(after.machine, before.machine);
  const ours = Object.values(cpu).reduce((sum, ms) => sum + (ms ?? 0), 0);
  return {
    cpu,
    main: eachMinus(after.main, before.main),
    wait: eachMinus(after.wait, before.wait),
    othersMs: machine === null ? null : Math.max(0, machine - ours),
  };
}

const CORES = os.availableParallelism();

module.exports = { processesOf, sample, spent, CORES };
