// The BaaS's own registration, what runs when no plugin objects: validate the properties the
// way Backendless does, hash the password, insert the user. The plugin's before-hook may have
// changed the properties (normalized phone number, confirmed flag) before they get here.

const { errors } = require('./errors');
const { hashPassword, MAX_PASSWORD_CHARS } = require('./password-hash');
const {
  ColumnsChangedError,
  DuplicateUserError,
  MAX_PROPERTY_DEPTH,
  tooDeep,
} = require('./users-store');

// Deliberately loose, like Backendless's check: one @, something on each side, a dot in the
// domain. Whether the address exists is a matter for email confirmation, not for a regex.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_CHARS = 254;

const isBlank = (value) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

function checkEmail(value) {
  if (typeof value !== 'string') throw errors.invalidProperty('email', 'text');
  const email = value.trim();
  if (email.length > MAX_EMAIL_CHARS || !EMAIL.test(email)) throw errors.emailMalformed();
}

/**
 * @param {ReturnType<import('./users-store').createUsersStore>} users
 * @returns {(args: Record<string, unknown>) => Promise<object>} registers and returns the public
 *   user, or throws a BaasError with Backendless's code
 */
function createDefaultRegistration(users) {
  /**
   * `columns`: the users-table settings the registration began under (the route takes them
   * before the plugin's hook); a change since makes the insert refuse, and the client retry.
   */
  return async function register(args, columns = { ...users.fields }) {
    const { identityField, phoneNumberField, phoneConfirmedField } = columns;
    const identity = args[identityField];
    if (isBlank(identity)) throw errors.identityMissing(identityField);
    if (typeof identity !== 'string') throw errors.invalidProperty(identityField, 'text');
    if (identityField === 'email') checkEmail(identity);
    // Backendless validates the email column whatever the identity is.
    if (identityField !== 'email' && !isBlank(args.email)) checkEmail(args.email);

    const { password } = args;
    if (password === undefined || password === null || password === '') {
      throw errors.passwordMissing();
    }
    if (typeof password !== 'string' || password.length > MAX_PASSWORD_CHARS) {
      throw errors.invalidProperty('password', `text of at most ${MAX_PASSWORD_CHARS} characters`);
    }

    const phone = args[phoneNumberField];
    if (!isBlank(phone) && typeof phone !== 'string') {
      throw errors.invalidProperty(phoneNumberField, 'text');
    }

    const properties = { ...args };
    for (const name of [identityField, phoneNumberField, phoneConfirmedField, 'password']) {
      delete properties[name];
    }
    const deep = tooDeep(properties);
    if (deep) throw errors.propertyTooDeep(deep, MAX_PROPERTY_DEPTH);
    const passwordHash = await hashPassword(password);
    try {
      return users.insert({
        identity,
        phoneNumber: isBlank(phone) ? null : phone.trim(),
        passwordHash,
        // Only the plugin's before-hook sets this (it strips it from what clients send).
        phoneNumberConfirmed: args[phoneConfirmedField] === true,
        properties,
        columns,
      });
    } catch (err) {
      if (err instanceof ColumnsChangedError) throw errors.columnsChanged();
      if (err instanceof DuplicateUserError) {
        throw err.column === 'identity'
          ? errors.userExists(identityField)
          : errors.duplicateValue(phoneNumberField);
      }
      throw err;
    }
  };
}

module.exports = { createDefaultRegistration };
