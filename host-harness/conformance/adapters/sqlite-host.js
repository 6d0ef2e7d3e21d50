// The reference host over SQLite, as the conformance kit's module contract wants it: the same
// createPluginHost the local BaaS runs, on a fresh database in a temporary folder.
//
//   npm run conformance -- ./conformance/adapters/sqlite-host.js

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { openDatabase } = require('../../src/host/database');
const { createKvStore } = require('../../src/host/kv-store');
const { createLogger } = require('../../src/host/logger');
const { createPluginHost } = require('../../src/host/plugin-host');

/** The host's real logger (redaction and all, so the log check exercises it), printing nothing. */
const silentLog = () => createLogger({ sink: () => {}, minLevel: 'debug' });

async function createHost({ allowedOrigins, deadlineMs }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baas-conformance-'));
  const { db } = openDatabase({ dataDir });
  const kv = createKvStore(db);
  const host = createPluginHost({
    storage: kv.namespace('conformance'),
    users: { findBy: () => null },
    allowedOrigins,
    log: silentLog(),
    deadlineMs,
  });
  return {
    host,
    close() {
      kv.close();
      db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

module.exports = { createHost };
