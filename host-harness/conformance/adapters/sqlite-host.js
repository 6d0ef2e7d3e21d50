// The reference host over SQLite, as the conformance kit's module contract wants it: the same
// createPluginHost the local BaaS runs, on a fresh database in a temporary folder. Every
// instance the kit makes opens the same file with a connection of its own, as host processes
// sharing a DATA_DIR do; the folder goes when the last one closes.
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

const shared = { dataDir: null, open: 0 };

async function createHost({ allowedOrigins, deadlineMs }) {
  shared.dataDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'baas-conformance-'));
  shared.open += 1;
  const { dataDir } = shared;
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
      shared.open -= 1;
      if (shared.open === 0) {
        fs.rmSync(dataDir, { recursive: true, force: true });
        shared.dataDir = null;
      }
    },
  };
}

module.exports = { createHost };
