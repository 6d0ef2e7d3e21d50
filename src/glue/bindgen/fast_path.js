// Whether a hook has anything to do, told in one crossing: read member by member from the
// module, each member costs two or three crossings, more than the whole answer.

/**
 * Whether `object` is a record (an object, not a list) on which each of `unset` is null or
 * missing and `text`, when given, is text or missing. A member that cannot be read (a getter
 * that throws, a revoked Proxy) answers false: the full way then refuses it.
 */
function recordWithout(object, unset, text) {
  if (object === null || typeof object !== 'object') return false;
  try {
    if (Array.isArray(object)) return false;
    // An index loop: it does not go through Array.prototype's iterator, which other code in
    // the process could have replaced.
    for (let i = 0; i < unset.length; i++) if (object[unset[i]] != null) return false;
    if (text === undefined) return true;
    const value = object[text];
    return value == null || typeof value === 'string';
  } catch {
    return false;
  }
}

/**
 * Whether the user of an after-login `result` has its two-factor `flag` off (unset, null or
 * false), or there is no user. A member that cannot be read answers false (the full way then
 * fails closed).
 */
function twoFactorOff(result, user, flag) {
  try {
    const found = result !== null && typeof result === 'object' ? result[user] : undefined;
    if (found === null || typeof found !== 'object') return true;
    const on = found[flag];
    return on == null || on === false;
  } catch {
    return false;
  }
}

/** A hook's `continue` answer: a fresh object each time, since a host may change it. */
function continueObject() {
  return { action: 'continue' };
}

/** The `continue` answer, settled. */
function continueAnswer() {
  return Promise.resolve(continueObject());
}

module.exports = { recordWithout, twoFactorOff, continueObject, continueAnswer };
