// The users table's column settings (identity, phone number, confirmed flag): they change at
// once while the table is empty, follow another host's change, and never move under users; a
// registration holds the file's write lock from its check to its insert.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');

const Database = require('better-sqlite3');

const { openDatabase } = require('../src/host/database');
const { ColumnsChangedError, createUsersStore } = require('../src/host/users-store');

const FIELDS = {
  identityField: 'email',
  phoneNumberField: 'phoneNumber',
  phoneConfirmedField: 'phoneNumberConfirmed',
};

test('the users table changes columns only while empty, or to those its users have', () => {
  const db = new Database(':memory:');
  const first = createUsersStore(db, FIELDS);
  const second = createUsersStore(db, FIELDS);
  const phone = { ...FIELDS, identityField: 'phoneNumber' };
  assert.equal(first.useColumns(phone), true, 'empty: changed at once');
  assert.equal(first.fields.identityField, 'phoneNumber');
  first.insert({ identity: '+14155550160', passwordHash: 'x', phoneNumberConfirmed: true });
  // Another store on the same table (another host) follows: its users have those columns.
  assert.equal(second.useColumns(phone), true);
  assert.equal(second.findBy('phoneNumber', '+14155550160').phoneNumber, '+14155550160');
  // Back to email under a user registered by phone: refused, nothing changed.
  assert.equal(second.useColumns(FIELDS), false);
  assert.equal(second.fields.identityField, 'phoneNumber');
  assert.equal(createUsersStore(db, FIELDS).fields.identityField, 'phoneNumber', 'as recorded');
  db.close();
});

test('a registration begun under other columns is refused at its insert, not stored wrongly', () => {
  const db = new Database(':memory:');
  const users = createUsersStore(db, FIELDS);
  const before = { ...users.fields };
  assert.equal(users.useColumns({ ...FIELDS, identityField: 'phoneNumber' }), true);
  assert.throws(
    () =>
      users.insert({
        identity: 'ann@example.com',
        phoneNumber: '+14155550186',
        passwordHash: 'x',
        columns: before,
      }),
    ColumnsChangedError,
  );
  assert.equal(users.count(), 0);
  // Another store on the table, still under the old columns, is refused the same way.
  const other = createUsersStore(db, FIELDS, Date.now, { record: false });
  assert.throws(
    () => other.insert({ identity: 'bob@example.com', passwordHash: 'x' }),
    ColumnsChangedError,
  );
  db.close();
});

test('two hosts on one file: a registration holds the write lock from its check to its insert', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'users-lock-'));
  const other = openDatabase({ dataDir });
  // The other host gives up at once instead of waiting out its 5 s for the lock.
  other.db.pragma('busy_timeout = 0');
  const otherUsers = createUsersStore(other.db, FIELDS);
  const { db } = openDatabase({ dataDir });
  let interleaved = null;
  // The clock is read between the insert's check of the columns and the insert itself: there,
  // the other host tries to register someone.
  const users = createUsersStore(db, FIELDS, () => {
    if (interleaved === null) {
      try {
        otherUsers.insert({ identity: 'b@example.com', passwordHash: 'x' });
        interleaved = 'written';
      } catch (err) {
        interleaved = err.code;
      }
    }
    return Date.UTC(2026, 0, 1);
  });
  // Had the other host's commit slipped in after this one's first read, SQLite would refuse
  // this insert outright ("database is locked"), whatever busy_timeout says.
  const user = users.insert({ identity: 'a@example.com', passwordHash: 'x' });
  assert.equal(user.email, 'a@example.com');
  assert.equal(interleaved, 'SQLITE_BUSY', 'the other host waits for the lock');
  // Once the lock is free, the other host's registration goes through.
  assert.equal(
    otherUsers.insert({ identity: 'b@example.com', passwordHash: 'x' }).email,
    'b@example.com',
  );
  db.close();
  other.db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
