'use strict';
// Cancellable sleeps. Everything the simulator schedules (callbacks, injected latency) goes
// through one of these so stop() can end it all at once and tests never leak timers.

function createTimers() {
  const pending = new Set();
  let stopped = false;

  /** Resolves true after `ms`, or false at once if the simulator has been or gets stopped. */
  function sleep(ms) {
    if (stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const entry = { resolve, timer: null };
      entry.timer = setTimeout(() => {
        pending.delete(entry);
        resolve(true);
      }, ms);
      pending.add(entry);
    });
  }

  function cancelAll() {
    stopped = true;
    for (const entry of pending) {
      clearTimeout(entry.timer);
      entry.resolve(false);
    }
    pending.clear();
  }

  /** Allows scheduling again after a stop, for a simulator that is started a second time. */
  function resume() {
    stopped = false;
  }

  return { sleep, cancelAll, resume, isStopped: () => stopped };
}

module.exports = { createTimers };
