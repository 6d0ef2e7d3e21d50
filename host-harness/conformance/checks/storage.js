// Storage: the four operations the plugin builds its guarantees on. A code is used once because
// take is atomic; a limit holds because increments are atomic and their window does not slide;
// an expired code is dead because expiry is checked on read. Every key is under a random prefix
// (ctx.key), and every key has a TTL, so a shared store is left as it was.

const { describeOutcome, fail, settle, sleep } = require('./util');

const GUARD_MS = 10_000;

/** Awaits a host storage call; fails the check unless it resolved. */
async function expect(what, call) {
  const outcome = await settle(call, GUARD_MS);
  if (outcome.status !== 'fulfilled') fail(`${what} ${describeOutcome(outcome, GUARD_MS)}`);
  return outcome.value;
}

/** Runs `count` calls at once; fails the check unless every one resolved. */
async function expectAll(what, count, call) {
  const outcomes = await Promise.all(
    Array.from({ length: count }, (_, i) => settle(() => call(i), GUARD_MS)),
  );
  const bad = outcomes.find((outcome) => outcome.status !== 'fulfilled');
  if (bad) fail(`one of ${count} concurrent ${what} ${describeOutcome(bad, GUARD_MS)}`);
  return outcomes.map((outcome) => outcome.value);
}

const show = (value) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** The instance for the i-th of many concurrent calls: the two in turn. */
const either = ({ host, other }, i) => (i % 2 === 0 ? host : other);

const takeIsAtomic = {
  name: 'storage.take-is-atomic',
  why: 'a verification code is redeemed once: of concurrent takes, on any instance, only one may get it',
  async run(ctx) {
    const { host, other, key } = ctx;
    const k = key('take');
    await expect('storagePut', () => host.storagePut(k, 'the-code', 60));
    const values = await expectAll('storageTake', 100, (i) => either(ctx, i).storageTake(k));
    const got = values.filter((value) => value !== null);
    if (got.length !== 1) {
      fail(`${got.length} of 100 concurrent takes over two instances got a value (expected 1)`);
    }
    if (got[0] !== 'the-code') fail(`the take that won got ${show(got[0])}, not "the-code"`);
    // Shared: what one instance puts, the other sees.
    const shared = key('shared');
    await expect('storagePut', () => other.storagePut(shared, 'from-the-other', 60));
    const seen = await expect('storageGet', () => host.storageGet(shared));
    if (seen !== 'from-the-other') {
      fail(`a put on one instance read ${show(seen)} on the other: the instances share no store`);
    }
    return '100 concurrent takes over two instances: 1 got the value, 99 got null';
  },
};

const incrIsAtomic = {
  name: 'storage.incr-is-atomic',
  why: 'rate limits and attempt counters count every request, even concurrent ones',
  async run(ctx) {
    const { host, key } = ctx;
    const k = key('incr');
    const counts = await expectAll('storageIncr', 1000, (i) => either(ctx, i).storageIncr(k, 60));
    const notNumbers = counts.filter((count) => typeof count !== 'number');
    if (notNumbers.length > 0) {
      fail(`${notNumbers.length} increments resolved to a ${typeof notNumbers[0]}, not a number`);
    }
    const seen = new Set(counts);
    const missing = [];
    for (let n = 1; n <= 1000 && missing.length < 3; n += 1) if (!seen.has(n)) missing.push(n);
    if (missing.length > 0 || seen.size !== 1000) {
      fail(`1000 concurrent increments gave ${seen.size} distinct counts; missing ${missing}`);
    }
    const after = await expect('storageGet', () => host.storageGet(k));
    if (after !== '1000') fail(`a get after 1000 increments read ${show(after)}, not "1000"`);
    return '1000 concurrent increments over two instances gave 1..1000 once each; get reads "1000"';
  },
};

/** The counter's window starts with its first increment and never slides. */
async function counterWindowHolds(host, k) {
  const first = await expect('the first storageIncr', () => host.storageIncr(k, 2));
  const created = Date.now();
  if (first !== 1) fail(`the first increment of a new key gave ${show(first)}, not 1`);
  await sleep(1200);
  const second = await expect('storageIncr at 1.2 s', () => host.storageIncr(k, 2));
  if (second !== 2) fail(`an increment 1.2 s into a 2 s TTL gave ${show(second)}, not 2`);
  // Past the first 2 s (with room for a store whose clock rounds): had the second increment
  // extended the TTL, the counter would still be alive and give 3.
  await sleep(Math.max(0, created + 2600 - Date.now()));
  const third = await expect('storageIncr at 2.6 s', () => host.storageIncr(k, 2));
  if (third !== 1) {
    fail(`an increment 2.6 s after a 2 s counter was created gave ${show(third)}, not 1`);
  }
}

async function putExpires(host, k) {
  await expect('storagePut', () => host.storagePut(k, 'short-lived', 1));
  await sleep(1500);
  const value = await expect('storageGet', () => host.storageGet(k));
  if (value !== null) fail(`a value put with a 1 s TTL still read ${show(value)} after 1.5 s`);
}

const ttlSetOnCreation = {
  name: 'storage.ttl-set-on-creation',
  why: 'a limit of N per hour means per fixed hour: later increments must not extend the TTL',
  async run({ host, key }) {
    // Both waits at once: they are independent and this keeps the kit quick.
    await Promise.all([counterWindowHolds(host, key('window')), putExpires(host, key('put'))]);
    return 'incr ttl 2 s gave 1, 2 at 1.2 s, then 1 again at 2.6 s; a put with ttl 1 s expired';
  },
};

const expiredIsGone = {
  name: 'storage.expired-is-gone',
  why: 'an expired code must not verify, even before the store sweeps it',
  async run({ host, key }) {
    const forGet = key('expired-get');
    const forTake = key('expired-take');
    await expect('storagePut', () => host.storagePut(forGet, 'stale', 1));
    await expect('storagePut', () => host.storagePut(forTake, 'stale', 1));
    await sleep(1500);
    const got = await expect('storageGet of an expired key', () => host.storageGet(forGet));
    if (got !== null) fail(`storageGet of a key expired 0.5 s ago gave ${show(got)}`);
    const taken = await expect('storageTake of an expired key', () => host.storageTake(forTake));
    if (taken !== null) fail(`storageTake of a key expired 0.5 s ago gave ${show(taken)}`);
    return 'get and take of an expired key both gave null';
  },
};

const basicSemantics = {
  name: 'storage.basic-semantics',
  why: 'the plugin reads what it wrote, and reads a missing key as null, never as an error',
  async run({ host, key }) {
    const k = key('basic');
    const missing = await expect('storageGet of a missing key', () => host.storageGet(k));
    if (missing !== null) fail(`get of a missing key gave ${show(missing)}, not null`);
    await expect('storagePut', () => host.storagePut(k, 'first', 60));
    const first = await expect('storageGet', () => host.storageGet(k));
    if (first !== 'first') fail(`get after put "first" gave ${show(first)}`);
    await expect('storagePut (overwrite)', () => host.storagePut(k, 'second', 60));
    const second = await expect('storageGet', () => host.storageGet(k));
    if (second !== 'second') fail(`get after overwriting with "second" gave ${show(second)}`);
    const taken = await expect('storageTake', () => host.storageTake(k));
    if (taken !== 'second') fail(`take gave ${show(taken)}, not "second"`);
    const again = await expect('the second storageTake', () => host.storageTake(k));
    if (again !== null) fail(`a second take gave ${show(again)}, not null: take did not delete`);
    const gone = await expect('storageGet after take', () => host.storageGet(k));
    if (gone !== null) fail(`get after take gave ${show(gone)}, not null`);
    const count = await expect('storageIncr', () => host.storageIncr(key('count'), 60));
    if (!Number.isInteger(count)) {
      fail(`incr of a new key resolved to ${typeof count} ${show(count)}, not the integer 1`);
    }
    if (count !== 1) fail(`incr of a new key gave ${count}, not 1`);
    return 'missing is null, put/get/overwrite, take deletes, incr gives an integer';
  },
};

module.exports = [takeIsAtomic, incrIsAtomic, ttlSetOnCreation, expiredIsGone, basicSemantics];
