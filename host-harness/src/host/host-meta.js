// Facts about this host's data that every host sharing the database agrees on. For now one: the
// app's id, made up by the first host that opens the database. It tells the app's own keys on
// a shared Redis from another app's (redis-client.js), and stays the same across restarts and
// master-key rotations.

const crypto = require('node:crypto');

const SCHEMA = `
CREATE TABLE IF NOT EXISTS host_meta (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/** The app's id; created once, atomically, whichever host opens the database first. */
function appIdOf(db) {
  db.exec(SCHEMA);
  db.prepare("INSERT OR IGNORE INTO host_meta (name, value) VALUES ('app-id', ?)").run(
    crypto.randomUUID(),
  );
  return db.prepare("SELECT value FROM host_meta WHERE name = 'app-id'").get().value;
}

module.exports = { appIdOf };
