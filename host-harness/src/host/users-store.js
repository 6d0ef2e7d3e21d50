// The BaaS's users table. Three columns are the app's own choice (the plugin configuration's
// identityField, phoneNumberField and phoneConfirmedField); the table keeps them in fixed
// columns and renames them at the edge, so uniqueness is enforced by SQLite itself and not by a
// check-then-insert that two concurrent registrations could both pass.

const crypto = require('node:crypto');

const { writeTransaction } = require('./database');

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  object_id              TEXT    PRIMARY KEY,
  identity               TEXT    NOT NULL,          -- as the user wrote it
  identity_key           TEXT    NOT NULL UNIQUE,   -- what uniqueness and login compare
  phone_number           TEXT    UNIQUE,            -- E.164; NULLs do not collide
  password_hash          TEXT    NOT NULL,          -- scrypt$N$r$p$salt$hash
  phone_number_confirmed INTEGER NOT NULL DEFAULT 0,
  properties             TEXT    NOT NULL DEFAULT '{}',
  created                INTEGER NOT NULL,          -- ms since the epoch
  updated                INTEGER NOT NULL,
  last_login             INTEGER
);
-- The column settings the users were registered under (identityField, ...).
CREATE TABLE IF NOT EXISTS users_columns (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

const COLUMN_SETTINGS = ['identityField', 'phoneNumberField', 'phoneConfirmedField'];

/** Properties the BaaS owns: a client cannot set them at registration. */
const SYSTEM_PROPERTIES = new Set([
  'objectId',
  'ownerId',
  'created',
  'updated',
  'lastLogin',
  'userStatus',
  '___class',
  'user-token',
  'password',
]);

/** A column name that can go into a JSON path unquoted. */
const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

class DuplicateUserError extends Error {
  /** @param {'identity' | 'phoneNumber'} column */
  constructor(column) {
    super(`a user with the same ${column} exists`);
    this.name = 'DuplicateUserError';
    this.column = column;
  }
}

/**
 * How deep a user's property may nest (an object in a list in an object ...): deeper than any
 * profile needs, and far from the recursion limits of JSON.stringify and of the plugin, which
 * reads users at login.
 */
const MAX_PROPERTY_DEPTH = 8;

/** The first of `properties` nested deeper than MAX_PROPERTY_DEPTH, or null. Iterative: a
 * value thousands of levels deep is measured without a stack to overflow. */
function tooDeep(properties) {
  for (const [name, value] of Object.entries(properties)) {
    const pending = [[value, 1]];
    while (pending.length) {
      const [item, depth] = pending.pop();
      if (item === null || typeof item !== 'object') continue;
      if (depth > MAX_PROPERTY_DEPTH) return name;
      for (const child of Object.values(item)) pending.push([child, depth + 1]);
    }
  }
  return null;
}

/** The users table's columns changed while a registration ran under the previous ones. */
class ColumnsChangedError extends Error {
  constructor() {
    super('the users-table settings changed during the registration');
  }
}

/** Backendless's object ids are uppercase UUIDs. */
function newObjectId() {
  return crypto.randomUUID().toUpperCase();
}

/**
 * The column settings the table keeps: those its users were registered under, once it has
 * users (the users' stored identities mean those columns; other settings would leave them
 * unable to log in), else the requested ones, recorded now.
 */
function columnsFor(db, requested, record) {
  // Read and recorded under one write lock: a user another host registers in between could
  // otherwise end up under columns recorded over its own.
  return writeTransaction(db, () => {
    const recorded = Object.fromEntries(
      db
        .prepare('SELECT name, value FROM users_columns')
        .all()
        .map((row) => [row.name, row.value]),
    );
    const hasUsers = db.prepare('SELECT 1 FROM users LIMIT 1').get() !== undefined;
    if (hasUsers && COLUMN_SETTINGS.every((name) => recorded[name])) return recorded;
    // Without an installed plugin the settings are only defaults: nothing to record yet (a
    // table from before the record began may hold users of other columns).
    if (!record) return requested;
    const put = db.prepare('INSERT OR REPLACE INTO users_columns (name, value) VALUES (?, ?)');
    for (const name of COLUMN_SETTINGS) put.run(name, requested[name]);
    return requested;
  })();
}

/**
 * @param {import('better-sqlite3').Database} db
 * @param {object} fields the plugin configuration's column names
 * @param {string} fields.identityField
 * @param {string} fields.phoneNumberField
 * @param {string} fields.phoneConfirmedField
 * @param {() => number} [clock]
 */
function createUsersStore(db, requested, clock = Date.now, { record = true } = {}) {
  db.exec(SCHEMA);
  // One object, changed in place by useColumns: whoever holds `fields` reads the current ones.
  const fields = {};
  const setFields = (columns) =>
    Object.assign(fields, {
      identityField: columns.identityField,
      phoneNumberField: columns.phoneNumberField,
      phoneConfirmedField: columns.phoneConfirmedField,
      phoneIsIdentity: columns.identityField === columns.phoneNumberField,
    });
  setFields(columnsFor(db, requested, record));
  // Email addresses are compared without case, as Backendless does; other identities exactly.
  const keyUnder = (identityField, value) =>
    identityField === 'email' ? value.trim().toLowerCase() : value.trim();
  const identityKey = (value) => keyUnder(fields.identityField, value);
  /** Whether users may still be stored under `columns`: this store's and the table's record. */
  const current = (columns) => {
    const recorded = Object.fromEntries(
      db
        .prepare('SELECT name, value FROM users_columns')
        .all()
        .map((row) => [row.name, row.value]),
    );
    return COLUMN_SETTINGS.every(
      (name) =>
        columns[name] === fields[name] &&
        (recorded[name] === undefined || recorded[name] === columns[name]),
    );
  };

  const statements = {
    insert: db.prepare(`
      INSERT INTO users (object_id, identity, identity_key, phone_number, password_hash,
                         phone_number_confirmed, properties, created, updated)
      VALUES (@objectId, @identity, @identityKey, @phoneNumber, @passwordHash,
              @confirmed, @properties, @now, @now)`),
    byIdentity: db.prepare('SELECT * FROM users WHERE identity_key = ?'),
    byPhone: db.prepare('SELECT * FROM users WHERE phone_number = ?'),
    byId: db.prepare('SELECT * FROM users WHERE object_id = ?'),
    byProperty: db.prepare(
      "SELECT * FROM users WHERE json_extract(properties, '$.' || @name) = @value LIMIT 1",
    ),
    login: db.prepare('UPDATE users SET last_login = @now WHERE object_id = @objectId'),
    properties: db.prepare(
      'UPDATE users SET properties = @properties, updated = @now WHERE object_id = @objectId',
    ),
  };

  /** The user as the API shows it: Backendless's system properties, never the password hash. */
  function toPublic(row) {
    if (!row) return null;
    const { identityField, phoneNumberField, phoneConfirmedField } = fields;
    return {
      ...JSON.parse(row.properties),
      [phoneNumberField]: row.phone_number,
      [phoneConfirmedField]: row.phone_number_confirmed === 1,
      [identityField]: row.identity,
      objectId: row.object_id,
      ownerId: row.object_id,
      ___class: 'Users',
      userStatus: 'ENABLED',
      created: row.created,
      updated: row.updated,
      lastLogin: row.last_login,
    };
  }

  /**
   * Inserts a user whose fields the caller has validated.
   * @returns the public user; throws DuplicateUserError when the identity or phone is taken
   */
  function insert({
    identity,
    phoneNumber,
    passwordHash,
    phoneNumberConfirmed,
    properties,
    columns = fields,
  }) {
    const objectId = newObjectId();
    const extra = {};
    for (const [name, value] of Object.entries(properties ?? {})) {
      if (!SYSTEM_PROPERTIES.has(name)) extra[name] = value;
    }
    const phoneIsIdentity = columns.identityField === columns.phoneNumberField;
    try {
      // The check and the insert in one transaction: a column change (here, or by another host
      // on the table) cannot slip between them, and a registration that began under other
      // columns is refused rather than stored under the wrong ones.
      writeTransaction(db, () => {
        if (!current(columns)) throw new ColumnsChangedError();
        statements.insert.run({
          objectId,
          identity: identity.trim(),
          identityKey: keyUnder(columns.identityField, identity),
          phoneNumber: phoneIsIdentity ? identity.trim() : (phoneNumber ?? null),
          passwordHash,
          confirmed: phoneNumberConfirmed ? 1 : 0,
          properties: JSON.stringify(extra),
          now: clock(),
        });
      })();
    } catch (err) {
      if (err.code === 'SQLITE_CONSTRAINT_UNIQUE' && /users\.identity_key/.test(err.message)) {
        throw new DuplicateUserError('identity');
      }
      if (err.code === 'SQLITE_CONSTRAINT_UNIQUE' && /users\.phone_number/.test(err.message)) {
        throw new DuplicateUserError(phoneIsIdentity ? 'identity' : 'phoneNumber');
      }
      throw err;
    }
    return toPublic(statements.byId.get(objectId));
  }

  /** The plugin's `findUser`: the first user whose `field` equals `value`, or null. */
  function findBy(field, value) {
    if (typeof field !== 'string' || (typeof value !== 'string' && typeof value !== 'number')) {
      return null;
    }
    if (field === fields.identityField)
      return toPublic(statements.byIdentity.get(identityKey(String(value))));
    if (field === fields.phoneNumberField) return toPublic(statements.byPhone.get(String(value)));
    if (field === 'objectId') return toPublic(statements.byId.get(String(value)));
    if (!PROPERTY_NAME.test(field) || SYSTEM_PROPERTIES.has(field)) return null;
    return toPublic(statements.byProperty.get({ name: field, value }));
  }

  /** For login only: the user and the stored hash, looked up by identity. */
  function findCredentials(login) {
    const row = typeof login === 'string' ? statements.byIdentity.get(identityKey(login)) : null;
    return row ? { user: toPublic(row), passwordHash: row.password_hash } : null;
  }

  return {
    insert,
    findBy,
    findCredentials,
    getById: (objectId) => toPublic(statements.byId.get(objectId)),
    /** The identity as uniqueness and login compare it (emails in lowercase). */
    identityKey,
    /** Merges `changes` into the user's own properties (the caller checked their names). */
    updateProperties: writeTransaction(db, (objectId, changes) => {
      // Read and written under one lock: another host's change to other properties stays.
      const row = statements.byId.get(objectId);
      if (!row) return null;
      const properties = JSON.stringify({ ...JSON.parse(row.properties), ...changes });
      statements.properties.run({ objectId, properties, now: clock() });
      return toPublic(statements.byId.get(objectId));
    }),
    recordLogin(objectId) {
      statements.login.run({ objectId, now: clock() });
      return toPublic(statements.byId.get(objectId));
    },
    fields,
    count: () => db.prepare('SELECT count(*) AS n FROM users').get().n,
    /**
     * Switches to other columns at once: those the table's users were registered under (as
     * recorded; another host may have switched first), or any while it has no user (then
     * recorded). Otherwise changes nothing and answers false.
     */
    useColumns(columns) {
      return writeTransaction(db, () => {
        const chosen = columnsFor(db, columns, true);
        if (COLUMN_SETTINGS.some((name) => chosen[name] !== columns[name])) return false;
        setFields(chosen);
        return true;
      })();
    },
  };
}

module.exports = {
  ColumnsChangedError,
  createUsersStore,
  DuplicateUserError,
  MAX_PROPERTY_DEPTH,
  SYSTEM_PROPERTIES,
  tooDeep,
};
