// A counting semaphore with a bounded FIFO queue and a bounded wait, for work that is slow on
// purpose (password hashing). Without it every login starts its scrypt at once: they all share
// libuv's threadpool (4 threads by default) and the CPUs, so 200 concurrent logins make each one,
// the legitimate ones too, wait behind all the others. With it, a few hashes run at once, a few
// more wait their turn in order, and the rest are told at once that the server is busy, which
// costs nothing and leaves the threadpool's remaining threads to everything else.
//
// Work marked `priority` (a login to an account that has signed in from the same address
// before) waits in a queue of its own, served first: a flood of logins from fresh addresses for
// made-up accounts, which no per-account or per-address limit can stop, then fills only the
// ordinary queue, and the people who use the app every day still get in. Priority work never
// holds the last slot while ordinary work waits, so registrations and first logins still move
// even when someone floods the priority queue.

/**
 * @param {object} limits
 * @param {number} limits.concurrency how many run at once (at least 1)
 * @param {number} limits.maxQueue how many may wait for a turn (0: none wait)
 * @param {number} limits.maxWaitMs how long one may wait for its turn
 * @param {() => Error} busy the error for a refused or timed-out wait
 */
function createLimiter({ concurrency, maxQueue, maxWaitMs, busy }) {
  const limits = {};
  const queue = [];
  const urgent = [];
  let runningFirst = 0;
  const counts = { started: 0, refused: 0 };
  let running = 0;

  function configure(next) {
    const merged = { ...limits, ...next };
    if (!Number.isInteger(merged.concurrency) || merged.concurrency < 1) {
      throw new TypeError('concurrency must be a whole number of at least 1');
    }
    if (!Number.isInteger(merged.maxQueue) || merged.maxQueue < 0) {
      throw new TypeError('maxQueue must be a whole number');
    }
    if (!Number.isFinite(merged.maxWaitMs) || merged.maxWaitMs < 0) {
      throw new TypeError('maxWaitMs must be a number of milliseconds');
    }
    Object.assign(limits, merged);
    drain();
  }

  /** Hands free slots to the oldest waiters: priority ones first, within their share. */
  function drain() {
    const firstShare = Math.max(1, limits.concurrency - 1);
    while (running < limits.concurrency && urgent.length + queue.length > 0) {
      const first = urgent.length > 0 && (queue.length === 0 || runningFirst < firstShare);
      const waiter = first ? urgent.shift() : queue.shift();
      clearTimeout(waiter.timer);
      running += 1;
      if (first) runningFirst += 1;
      waiter.resolve();
    }
  }

  function acquire(priority) {
    if (running < limits.concurrency && urgent.length + queue.length === 0) {
      running += 1;
      if (priority) runningFirst += 1;
      return Promise.resolve();
    }
    const line = priority ? urgent : queue;
    if (line.length >= limits.maxQueue) {
      counts.refused += 1;
      return Promise.reject(busy());
    }
    return new Promise((resolve, reject) => {
      const waiter = { resolve, timer: null };
      // Not unref'd: the request waiting on it keeps the process alive anyway, and a script
      // awaiting only this must still be told.
      waiter.timer = setTimeout(() => {
        line.splice(line.indexOf(waiter), 1);
        counts.refused += 1;
        reject(busy());
      }, limits.maxWaitMs);
      line.push(waiter);
    });
  }

  /**
   * Runs `fn` in a slot, once one is free; rejects with `busy()` when it cannot get one.
   * @param {() => Promise<unknown>} fn
   * @param {{priority?: boolean}} [options] served before ordinary work, in a queue of its own
   */
  async function run(fn, { priority = false } = {}) {
    await acquire(priority);
    counts.started += 1;
    try {
      return await fn();
    } finally {
      running -= 1;
      if (priority) runningFirst -= 1;
      drain();
    }
  }

  configure({ concurrency, maxQueue, maxWaitMs });
  return {
    run,
    configure,
    /** What is running and waiting now, and how many ran or were refused so far. */
    stats: () => ({
      running,
      waiting: queue.length + urgent.length,
      waitingFirst: urgent.length,
      ...counts,
      ...limits,
    }),
  };
}

module.exports = { createLimiter };
