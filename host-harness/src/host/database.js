// The host's one SQLite file: plugin storage, users and sessions live side by side so a single
// file is the whole state of a local BaaS (copy it to keep it, delete it to start over).

const fs = require('node:fs');
const path = require('node:path');

const Database = require('better-sqlite3');

const DB_FILE_NAME = 'baas.sqlite';

/**
 * Opens (creating when needed) `<dataDir>/baas.sqlite`.
 * WAL lets readers and the single writer work at the same time and makes each commit one append.
 * synchronous=NORMAL syncs the WAL at checkpoints, not at every commit: a committed row is in
 * the operating system's hands at once, so it survives the process being killed (what lets a
 * verification started before a crash be finished after a restart), and the file stays
 * consistent through a power loss, which may only lose the last commits before it. FULL, which
 * keeps those too, costs about ten times as much per commit (184 us against 18 us measured),
 * on every registration and login.
 */
function openDatabase({ dataDir, fileName = DB_FILE_NAME }) {
  // The folder and the file are the host's alone: they hold users' password hashes, their
  // phone numbers, and sealed secrets. SQLite gives its -wal and -shm files the file's mode.
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.resolve(dataDir, fileName);
  const db = new Database(file);
  if (process.platform !== 'win32') fs.chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Deleted and overwritten content is zeroed, not left in free pages: a secret sealed after it
  // was stored in plain text (an upgrade) leaves no readable copy behind in the file.
  db.pragma('secure_delete = ON');
  // Another process (a second host on the same file, or sqlite3 in a terminal) may hold the
  // write lock briefly; wait for it instead of failing the request.
  db.pragma('busy_timeout = 5000');
  return { db, file };
}

/**
 * `fn` as a transaction that takes the write lock when it begins (BEGIN IMMEDIATE), for every
 * transaction that reads and then writes. A deferred one takes a snapshot at its first read;
 * should another process (a second host on the file) commit before it writes, SQLite refuses the
 * write at once with "database is locked", without waiting out busy_timeout. Taken at BEGIN,
 * the lock is waited for like any other.
 */
function writeTransaction(db, fn) {
  return db.transaction(fn).immediate;
}

module.exports = { openDatabase, writeTransaction, DB_FILE_NAME };
