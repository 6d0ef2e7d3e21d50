// The bench's printing: a block per scenario as it finishes, then the table and a summary
// paragraph written from the figures.

const { CORES } = require('./cpu');
const { sumOf } = require('./load');

// Above this much CPU (in cores) spent outside the bench's processes, the summary warns that the
// machine was not the bench's alone (the kernel's own share of loopback traffic stays below it).
const CROWDED_CORES = 0.15;

const fixed = (value, digits = 1) =>
  value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
const pad = (text, width) => String(text).padStart(width);
const isHost = (name) => name.startsWith('host');

/** Sum of the known values of `{name: ms}`, optionally of the names `which` accepts. */
function total(byName, which = () => true) {
  return Object.entries(byName)
    .filter(([name, ms]) => ms !== null && which(name))
    .reduce((sum, [, ms]) => sum + ms, 0);
}

/** `amount` per completed iteration of `phase`; null when unknown or nothing completed. */
const perOk = (phase, amount) =>
  amount === null || amount === undefined || phase.tally.ok === 0 ? null : amount / phase.tally.ok;

/** Per completed iteration: `{hosts, simulator, redis, bench, all}` ms of `phase[what]`. */
function perIteration(phase, what) {
  const byName = phase[what];
  const per = (ms) => perOk(phase, ms);
  return {
    hosts: per(total(byName, isHost)),
    simulator: per(byName.simulator),
    redis: per(byName.redis),
    bench: per(byName.bench),
    all: per(total(byName)),
  };
}

const busyCores = (phase) => total(phase.cpu) / phase.elapsedMs;
const othersCores = (phase) => (phase.othersMs === null ? null : phase.othersMs / phase.elapsedMs);

/** `host 42.2 (90%), simulator 1.3 (3%), ...`: ms per iteration and share of the window's CPU. */
function byProcessLine(phase, what, withShare) {
  const sum = total(phase[what]);
  return Object.entries(phase[what])
    .map(([name, ms]) => {
      if (ms === null) return `${name} n/a`;
      const share = withShare ? ` (${fixed((100 * ms) / sum, 0)}%)` : '';
      return `${name} ${fixed(perOk(phase, ms))}${share}`;
    })
    .join(', ');
}

/** Share of one core each main thread was busy (JavaScript's thread, Redis's command loop). */
const mainThreadCores = (phase, name) =>
  phase.mainThread[name] === null ? null : phase.mainThread[name] / phase.elapsedMs;

function mainThreadLine(phase) {
  return Object.keys(phase.mainThread)
    .map((name) => `${name} ${fixed(100 * mainThreadCores(phase, name), 0)}%`)
    .join(', ');
}

function commandsLine(phase) {
  const entries = Object.entries(phase.commands).sort((a, b) => b[1].calls - a[1].calls);
  const calls = entries.reduce((sum, [, s]) => sum + s.calls, 0);
  const usec = entries.reduce((sum, [, s]) => sum + s.usec, 0);
  const each = entries.map(([name, s]) => `${name} ${fixed(perOk(phase, s.calls))}`).join(', ');
  return `${fixed(perOk(phase, calls))} commands, ${fixed(perOk(phase, usec), 0)} us executing them: ${each}`;
}

function problemsLine(phase) {
  const list = (bucket) => Object.entries(bucket).map(([label, n]) => `${label} x${n}`);
  const parts = [];
  if (sumOf(phase.tally.refused)) parts.push(`REFUSED ${list(phase.tally.refused).join('; ')}`);
  if (sumOf(phase.tally.failed)) parts.push(`FAILED ${list(phase.tally.failed).join('; ')}`);
  return parts.length ? parts.join(' | ') : null;
}

function printPhase(label, unit, phase) {
  const lines = [
    `  ${label}: ${fixed(phase.rate)}/s (${phase.tally.ok} in ${fixed(phase.elapsedMs / 1000, 2)} s, p50 ${fixed(phase.p50, 0)} ms, p99 ${fixed(phase.p99, 0)} ms)`,
    `    CPU ms per ${unit}: ${byProcessLine(phase, 'cpu', true)}; all ${fixed(perIteration(phase, 'cpu').all)}`,
    `    main thread busy, share of one core: ${mainThreadLine(phase)}`,
    `    waited for a core, ms per ${unit}: ${byProcessLine(phase, 'wait', false)}`,
    `    cores busy: ${fixed(busyCores(phase), 2)} of ${CORES} with these processes, ${fixed(othersCores(phase), 2)} with anything else (other processes, kernel)`,
  ];
  if (phase.commands) lines.push(`    Redis per ${unit}: ${commandsLine(phase)}`);
  const problems = problemsLine(phase);
  if (problems) lines.push(`    ${problems}`);
  if (phase.warmupProblems) lines.push(`    during warm-up: ${phase.warmupProblems}`);
  console.log(lines.join('\n'));
}

function printScenario(result) {
  console.log(`\n${result.label}`);
  printPhase('registrations', 'registration', result.registration);
  printPhase('step 1 alone', 'step 1', result.stepOne);
}

/** hosts, sim, redis, bench CPU ms, total core-wait ms (per iteration), and cores busy. */
function tableCells(phase) {
  const cpu = perIteration(phase, 'cpu');
  const wait = perIteration(phase, 'wait');
  return (
    [cpu.hosts, cpu.simulator, cpu.redis, cpu.bench, wait.all]
      .map((v) => pad(fixed(v), 6))
      .join('') + pad(fixed(busyCores(phase), 2), 7)
  );
}

function printTable(results, ratios) {
  const head = ' hosts   sim redis bench  wait  cores';
  console.log(`\n${' '.repeat(35)}|${' ms per registration'.padEnd(38)}| ms per step 1`);
  console.log(`${'scenario'.padEnd(18)}   reg/s step1/s |${head} |${head}`);
  for (const r of results) {
    console.log(
      `${r.short.padEnd(18)}${pad(fixed(r.registration.rate), 8)}${pad(fixed(r.stepOne.rate), 8)} |` +
        `${tableCells(r.registration)} |${tableCells(r.stepOne)}`,
    );
  }
  console.log(
    `${'ratio (b)/(a)'.padEnd(18)}${pad(fixed(ratios.registration, 2), 8)}${pad(fixed(ratios.stepOne, 2), 8)} |`,
  );
  console.log(
    '(ms CPU per completed request by process, hosts summed; wait: ms all processes waited for a core; cores: CPU busy with them)',
  );
}

function shareText(phase) {
  const sum = total(phase.cpu);
  const pct = (ms) => `${fixed((100 * ms) / sum, 0)}%`;
  const rest = Object.entries(phase.cpu)
    .filter(([name, ms]) => !isHost(name) && ms !== null)
    .map(([name, ms]) => `${name} ${pct(ms)}`);
  return [`hosts ${pct(total(phase.cpu, isHost))}`, ...rest].join(', ');
}

/** Why two hosts did (not) beat one, for one phase, from the figures of (a) and (b). */
function scalingClause(name, a, b, ratio) {
  if (ratio >= 1.5) return `${name}: two hosts gave ${fixed(ratio, 2)} times one host's rate.`;
  const hostA = perIteration(a, 'cpu').hosts;
  const hostB = perIteration(b, 'cpu').hosts;
  const waitA = perIteration(a, 'wait').all;
  const waitB = perIteration(b, 'wait').all;
  const others = othersCores(a) ?? 0;
  const busyA = busyCores(a) + others;
  const outside = others > CROWDED_CORES ? ` (${fixed(others, 2)} of it outside the bench)` : '';
  const hostThread = mainThreadCores(a, 'host');
  const oneThread =
    hostThread >= 0.8
      ? `; one host's main thread was ${fixed(100 * hostThread, 0)}% busy, and a host runs its JavaScript on that one thread, so one host is near its own limit at one core`
      : '';
  const start =
    busyA >= 0.9 * CORES
      ? `${name}: with one host the machine was already ${fixed(busyA, 2)} of ${CORES} cores busy${outside}, so a second host had little idle CPU to use`
      : `${name}: one host left ${fixed(CORES - busyA, 2)} of ${CORES} cores idle, but two hosts spent ${fixed(hostB)} ms of host CPU per request against ${fixed(hostA)} for one`;
  return `${start} (ratio ${fixed(ratio, 2)})${oneThread}; the processes waited ${fixed(waitB)} ms for a core per request with two hosts against ${fixed(waitA)} with one.`;
}

function failures(results) {
  const phases = results.flatMap((r) => [r.registration, r.stepOne]);
  return {
    refused: phases.reduce((n, p) => n + sumOf(p.tally.refused), 0),
    failed: phases.reduce((n, p) => n + sumOf(p.tally.failed), 0),
  };
}

/** One paragraph, from the figures: what scaled, where the CPU went, and what went wrong. */
function summary(results, ratios, { concurrency, hashMs }) {
  const [a, b, c] = results;
  const hostReg = perIteration(a.registration, 'cpu').hosts;
  const parts = [
    `With ${concurrency} requests in flight, one host on Redis completed ${fixed(a.registration.rate)} registrations/s and ${fixed(a.stepOne.rate)} step-1 requests/s,`,
    `two hosts on one Redis ${fixed(b.registration.rate)} and ${fixed(b.stepOne.rate)} (ratios ${fixed(ratios.registration, 2)} and ${fixed(ratios.stepOne, 2)}),`,
    `one host on SQLite ${fixed(c.registration.rate)} and ${fixed(c.stepOne.rate)}.`,
    `Where the CPU went in (a): registrations ${shareText(a.registration)}; step 1 ${shareText(a.stepOne)}.`,
    `A registration cost the host ${fixed(hostReg)} ms of CPU, of which one scrypt password hash (step 2) is about ${fixed(hashMs)} ms here and step 1 about ${fixed(perIteration(a.stepOne, 'cpu').hosts)} ms;`,
    `on SQLite a step 1 cost the host ${fixed(perIteration(c.stepOne, 'cpu').hosts)} ms, on Redis ${fixed(perIteration(a.stepOne, 'cpu').hosts)} ms plus ${fixed(perIteration(a.stepOne, 'cpu').redis)} ms in redis-server.`,
    scalingClause('Registrations', a.registration, b.registration, ratios.registration),
    scalingClause('Step 1', a.stepOne, b.stepOne, ratios.stepOne),
  ];
  if (ratios.registration < 1.5 || ratios.stepOne < 1.5) {
    parts.push(
      `On this ${CORES}-core machine the load generator, the simulator, Redis and every host share the same cores, so the ratio measures this machine, not the design; the CPU per request is what carries over to hosts on machines of their own.`,
    );
  }
  const crowded = results
    .flatMap((r) => [r.registration, r.stepOne])
    .filter((p) => othersCores(p) > CROWDED_CORES);
  if (crowded.length) {
    const most = Math.max(...crowded.map(othersCores));
    parts.push(
      `Something outside the bench kept up to ${fixed(most, 2)} cores busy during ${crowded.length} of the ${2 * results.length} measured windows: those rates are lower than this machine gives when idle.`,
    );
  }
  const { refused, failed } = failures(results);
  parts.push(
    refused + failed === 0
      ? 'Every measured request succeeded: no limit refused any, none failed.'
      : `NOT every request succeeded: ${refused} refused by the send policy, ${failed} failed otherwise (see above); the rates count successes only.`,
  );
  return parts.join(' ');
}

module.exports = { printScenario, printTable, summary };
