// The user routes, Backendless-shaped: register (the plugin's hooks around the BaaS's own
// registration) and reading a user with a session token. Login is in routes-login.js.

const { createDefaultRegistration } = require('./default-registration');
const { BaasError, baasErrorResponse, errors, hostResultError } = require('./errors');
const { createOutcomeHandling, isPlainObject, respondAnswer } = require('./hook-outcomes');
const { verifyPassword } = require('./password-hash');
const { MAX_PROPERTY_DEPTH, SYSTEM_PROPERTIES, tooDeep } = require('./users-store');

/** A user's properties, all told, at most this many bytes of JSON. */
const MAX_USER_BYTES = 16 * 1024;
/** A name a property can have: no `__proto__`, `constructor` or other prototype member. */
const isPropertyName = (name) =>
  /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) && !(name in Object.prototype);
/** "On" as the plugin reads a two-factor column: true, 1, or "true" or "1" in any case. */
const isOn = (value) => value === true || value === 1 || /^(true|1)$/i.test(String(value ?? ''));

/**
 * @param {object} deps
 * @param {{beforeRegister: Function, afterRegister: Function}} deps.plugin
 * @param {ReturnType<import('./users-store').createUsersStore>} deps.users
 * @param {ReturnType<import('./sessions-store').createSessionsStore>} deps.sessions
 * @param {Function} deps.log
 */
function createUserRoutes({ plugin, users, sessions, log, settings = () => ({}) }) {
  const registerUser = createDefaultRegistration(users);
  // users.fields is read at each call: a saved configuration may change it on an empty table.
  const { fields } = users;
  const { unexpected, callHook } = createOutcomeHandling(log);

  /** The BaaS's registration as an answer plus the `result` the after-hook is told about. */
  async function runDefaultRegistration(args, requestId, columns) {
    try {
      const user = await registerUser(args, columns);
      return { result: { user }, answer: { status: 200, body: user, headers: {} } };
    } catch (err) {
      const known = err instanceof BaasError ? err : errors.internal();
      if (known !== err) log('error', 'registration failed', { requestId, error: err.message });
      return { result: { error: hostResultError(known) }, answer: baasErrorResponse(known) };
    }
  }

  async function register({ body, ctx }) {
    // The columns this registration runs under, from before the hook: a change saved while it
    // runs makes its insert refuse (503, retry) instead of storing it under the wrong ones.
    const columns = { ...fields };
    const before = await callHook(plugin, 'beforeRegister', ctx, body);
    if (before.failure) return before.failure;
    const { outcome } = before;
    if (outcome?.action === 'respond') {
      return respondAnswer(outcome) ?? unexpected('beforeRegister', ctx, outcome);
    }
    if (outcome?.action !== 'continue') return unexpected('beforeRegister', ctx, outcome);

    // Without `args` the client's own properties are used, minus the confirmed flag: only the
    // plugin may say a phone number was confirmed.
    const args = isPlainObject(outcome.args) ? outcome.args : { ...body };
    if (!isPlainObject(outcome.args)) delete args[columns.phoneConfirmedField];
    const { result, answer } = await runDefaultRegistration(args, ctx.requestId, columns);

    // The after-hook always runs, on failure too: that is when the plugin releases the
    // verification so the same code can be used again with a corrected email.
    const after = await callHook(plugin, 'afterRegister', ctx, body, result);
    const replaced = after.outcome?.action === 'respond' ? respondAnswer(after.outcome) : null;
    if (replaced) return replaced;
    if (after.failure || after.outcome?.action !== 'continue') {
      // The registration is already decided (and, on success, committed). Reporting a failure
      // for a user that now exists would only make the client retry into a conflict.
      log('error', 'afterRegister failed; answering with the registration result', {
        requestId: ctx.requestId,
        error: after.failure?.body.code ?? `outcome ${String(after.outcome?.action)}`,
      });
    }
    return answer;
  }

  /** The user the request's `user-token` signs in as, who must be `objectId`. */
  async function owner(req, objectId) {
    const signedIn = await sessions.resolve(req.headers['user-token']);
    if (!signedIn) throw errors.notExistingToken();
    if (signedIn !== objectId) throw errors.tokenOfAnotherUser();
    const user = users.getById(objectId);
    if (!user) throw errors.notExistingToken();
    return user;
  }

  async function getUser({ req, params }) {
    return { status: 200, body: await owner(req, params.objectId), headers: {} };
  }

  /**
   * Backendless's update of a user by the user: their own properties, two-factor's switch
   * among them. What only the BaaS or the plugin may set stays out: the identity and the
   * phone number (a new number is confirmed first: startVerification and
   * checkVerification), the confirmed flag, the password, the system properties.
   */
  async function updateUser({ req, params, body }) {
    const user = await owner(req, params.objectId);
    const { currentPassword, ...properties } = body;
    const { identityField, phoneNumberField, phoneConfirmedField } = fields;
    const fixed = new Set([identityField, phoneNumberField, phoneConfirmedField, 'password']);
    // Backendless's SDKs send the whole user back: what is unchanged is no change.
    const changes = Object.fromEntries(
      Object.entries(properties).filter(([name, value]) => user[name] !== value),
    );
    const refused = Object.keys(changes).filter(
      (name) => fixed.has(name) || SYSTEM_PROPERTIES.has(name) || !isPropertyName(name),
    );
    if (refused.length) throw errors.propertiesNotUpdatable(refused);
    const deep = tooDeep(changes);
    if (deep) throw errors.propertyTooDeep(deep, MAX_PROPERTY_DEPTH);
    const twoFactorField = settings().twoFactorField ?? 'twoFactorEnabled';
    if (isOn(changes[twoFactorField]) && !user[phoneConfirmedField]) {
      throw errors.twoFactorNeedsPhone(twoFactorField);
    }
    // A session alone cannot take the second factor away: a stolen token would then be enough
    // for the next login too. The password proves it is the user.
    if (twoFactorField in changes && isOn(user[twoFactorField]) && !isOn(changes[twoFactorField])) {
      const { passwordHash } = users.findCredentials(user[identityField]) ?? {};
      const proved =
        typeof currentPassword === 'string' &&
        passwordHash !== undefined &&
        (await verifyPassword(currentPassword, passwordHash));
      if (!proved) throw errors.passwordToTurnOffTwoFactor(twoFactorField);
    }
    if (Buffer.byteLength(JSON.stringify({ ...user, ...changes })) > MAX_USER_BYTES) {
      throw errors.userTooLarge(MAX_USER_BYTES);
    }
    return { status: 200, body: users.updateProperties(user.objectId, changes), headers: {} };
  }

  return { register, getUser, updateUser };
}

module.exports = { createUserRoutes };
