// Scale bench (`make bench-scale`): how many registrations, and how many step-1 requests, one
// host on Redis serves, two hosts on one Redis, and (for reference) one host on SQLite, with
// the Twilio simulator in a process of its own; and where the CPU goes (each process's CPU
// time over the measured window, and Redis's own count of the commands it ran). A benchmark,
// not a test: it prints figures and asserts nothing about time.
//
//   BENCH_CONCURRENCY  requests in flight (default 16)
//   BENCH_SECONDS      measured seconds per phase (default 8)
//   BENCH_WARMUP_SECONDS  unmeasured seconds before each phase (default 1.5)

const { createClient } = require('./scale/http-client');
const { startBenchCluster, stopBenchCluster, stopAll, assertAlive } = require('./scale/cluster');
const { processesOf, sample, spent, CORES } = require('./scale/cpu');
const { createFlows } = require('./scale/flows');
const { oneHashCpuMs } = require('./scale/hash-cost');
const { runLoad, percentile, sumOf } = require('./scale/load');
const { createNumberSource } = require('./scale/numbers');
const { openRedisStats } = require('./scale/redis-stats');
const { printScenario, printTable, summary } = require('./scale/report');

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 16);
const SECONDS = Number(process.env.BENCH_SECONDS || 8);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1.5);

// The send policy's limits at their maximums (plugin-manifest.json), so that none of them
// refuses the bench's traffic: every request comes from 127.0.0.1 (the hosts trust no proxy),
// and each number is new and in a thousand-block of its own (scale/numbers.js). The breaker
// would pause the country once the step-1-only phase has sent codes nobody enters: a 0 %
// threshold never trips.
const PLUGIN_CONFIG = {
  resendCooldownSeconds: 0,
  maxSmsPerNumberPerHour: 100,
  maxSmsPerNumberPerDay: 1000,
  maxCodesPerAddressPerHour: 100000,
  maxCodesPerRangePerHour: 100000,
  maxCodesPerHour: 1000000,
  maxCodesPerDay: 10000000,
  breakerMinCodes: 100000,
  breakerMinVerifiedPercent: 0,
};

/** Aborted by a signal: the load stops at once. */
const interrupted = new AbortController();
/** The HTTP clients in use, closed on a signal. */
const clients = new Set();

const SCENARIOS = [
  { short: '(a) 1 host, Redis', label: '(a) one host on Redis', hosts: 1, redis: true },
  {
    short: '(b) 2 hosts, Redis',
    label: '(b) two hosts on one Redis, round-robin, each step 2 on the other host',
    hosts: 2,
    redis: true,
  },
  {
    short: '(c) 1 host, SQLite',
    label: '(c) one host on SQLite, no Redis (reference)',
    hosts: 1,
    redis: false,
  },
];

const describe = (bucket) =>
  Object.entries(bucket)
    .map(([label, n]) => `${label} x${n}`)
    .join('; ');

/** A warm-up (discarded, but its failures reported), then the measured window. */
async function measure(iteration, processes, stats) {
  const load = { concurrency: CONCURRENCY, iteration, signal: interrupted.signal };
  const warmup = await runLoad({ ...load, seconds: WARMUP_SECONDS });
  interrupted.signal.throwIfAborted();
  const warmupProblems = [describe(warmup.tally.refused), describe(warmup.tally.failed)]
    .filter(Boolean)
    .join('; ');
  await stats?.reset();
  const before = sample(processes);
  const { tally, elapsedMs } = await runLoad({ ...load, seconds: SECONDS });
  interrupted.signal.throwIfAborted();
  const { cpu, main: mainThread, wait, othersMs } = spent(before, sample(processes));
  const commands = stats ? await stats.read() : null;
  return {
    tally,
    elapsedMs,
    cpu,
    mainThread,
    wait,
    othersMs,
    commands,
    rate: (tally.ok * 1000) / elapsedMs,
    p50: percentile(tally.latenciesMs, 50),
    p99: percentile(tally.latenciesMs, 99),
    warmupProblems: warmupProblems || null,
  };
}

async function runScenario(scenario, nextNumber) {
  const cluster = await startBenchCluster({
    hosts: scenario.hosts,
    redis: scenario.redis,
    pluginConfig: PLUGIN_CONFIG,
  });
  const client = createClient({ maxSockets: CONCURRENCY });
  clients.add(client);
  let stats = null;
  try {
    stats = cluster.redis ? await openRedisStats(cluster.redis.url) : null;
    const flows = createFlows({
      client,
      hostUrls: cluster.hosts.map((host) => host.url),
      simulatorUrl: cluster.simulatorUrl,
      nextNumber,
    });
    const processes = processesOf(cluster);
    const registration = await measure(flows.registration, processes, stats);
    assertAlive(cluster);
    const stepOne = await measure(flows.stepOneOnly, processes, stats);
    assertAlive(cluster);
    return { ...scenario, registration, stepOne };
  } finally {
    clients.delete(client);
    client.close();
    await stats?.close();
    await stopBenchCluster(cluster);
  }
}

async function main() {
  console.log(
    `Scale bench: ${CONCURRENCY} in flight, ${SECONDS} s measured after ${WARMUP_SECONDS} s of warm-up per phase, ${CORES} cores, Node ${process.version}`,
  );
  const hashMs = oneHashCpuMs();
  const nextNumber = createNumberSource();
  const results = [];
  for (const scenario of SCENARIOS) {
    const result = await runScenario(scenario, nextNumber);
    printScenario(result);
    results.push(result);
  }
  const [a, b] = results;
  const ratios = {
    registration: b.registration.rate / a.registration.rate,
    stepOne: b.stepOne.rate / a.stepOne.rate,
  };
  printTable(results, ratios);
  console.log(`\n${summary(results, ratios, { concurrency: CONCURRENCY, hashMs })}`);
  // The figures stand, but a request the bench meant to succeed did not: say so to make too.
  const wrong = results.some((r) =>
    [r.registration, r.stepOne].some((p) => sumOf(p.tally.failed) + sumOf(p.tally.refused)),
  );
  if (wrong) process.exitCode = 1;
}

// Ctrl-C or a kill stops the load and the clusters before exiting: their processes would
// otherwise outlive the bench. The clients go first, so that no host waits for our keep-alive
// connections to end before it exits.
async function shutdown(code) {
  interrupted.abort();
  for (const client of clients) client.close();
  await stopAll();
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the clusters`);
    shutdown(130);
  });
}

main().catch((err) => {
  // After a signal, main fails because the clusters are going away: that is no news.
  if (interrupted.signal.aborted) return;
  console.error(`scale bench failed: ${err.stack ?? err}`);
  shutdown(1);
});
