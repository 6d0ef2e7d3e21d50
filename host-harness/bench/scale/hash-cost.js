// The CPU one password hash costs on this machine, with the host's own scrypt parameters: the
// yardstick for the hosts' CPU per registration (step 2 hashes the password once).

const crypto = require('node:crypto');

const { DEFAULT_PARAMS } = require('../../src/host/password-hash');

/** Mean CPU ms of one scrypt hash, timed here, before any cluster runs. */
function oneHashCpuMs(samples = 8) {
  const { N, r, p } = DEFAULT_PARAMS;
  const started = process.cpuUsage();
  for (let i = 0; i < samples; i += 1) {
    crypto.scryptSync('bench password', 'sixteen byte salt', 32, { N, r, p, maxmem: 256 * N * r });
  }
  const { user, system } = process.cpuUsage(started);
  return (user + system) / 1000 / samples;
}

module.exports = { oneHashCpuMs };
