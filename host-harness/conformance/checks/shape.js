// The host object itself: every import the plugin declares must be there, or
// TwilioPlugin.create refuses the host (and the other checks would fail for a dull reason).

const { fail } = require('./util');

const IMPORTS = [
  'http',
  'storageGet',
  'storagePut',
  'storageTake',
  'storageIncr',
  'findUser',
  'now',
  'log',
];

const importsPresent = {
  name: 'host.imports-present',
  why: 'TwilioPlugin.create refuses a host without every import',
  async run({ host }) {
    if (!host || typeof host !== 'object') fail(`createHost gave host = ${typeof host}`);
    const missing = IMPORTS.filter((name) => typeof host[name] !== 'function');
    if (missing.length > 0) fail(`not functions: ${missing.join(', ')}`);
    return `all ${IMPORTS.length} imports are functions`;
  },
};

module.exports = [importsPresent];
