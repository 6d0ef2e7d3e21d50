// The banner `make run` prints: the mode, where the data and the master key are, the URLs to
// open, and how to sign in to the console. The one-time sign-in link and a password made up on
// first start are secrets: they are printed only to a terminal, never into what is likely a log;
// otherwise the link goes to a file only the host's user can read.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const LINK_FILE_NAME = 'console-sign-in-link.txt';

/** Writes the one-time sign-in link to DATA_DIR/console-sign-in-link.txt (mode 0600). */
function saveSignInLink(app) {
  const file = path.join(path.dirname(app.dbPath), LINK_FILE_NAME);
  // Written under a fresh name and renamed over the old file: the mode is ours whatever the old
  // file had, and nobody can slip a file of their own in between.
  const fresh = `${file}.${crypto.randomBytes(6).toString('hex')}`;
  fs.writeFileSync(fresh, `${app.console.signInLink}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(fresh, file);
  return file;
}

/**
 * @param {ReturnType<import('./app').createApp>} app a started app
 * @param {{terminal: boolean, linkFile?: string | null}} output whether the banner goes to a
 *   terminal (a person), rather than a pipe or a file (a log); and where saveSignInLink put the
 *   link, when it did
 */
function banner(app, { terminal, linkFile = null }) {
  const settings = app.hostConfig.settings;
  const lines = [
    '',
    `Local BaaS with the "${app.manifest.name}" plugin (${app.manifest.id} ${app.version})`,
  ];
  if (app.mode === 'simulator') {
    lines.push(
      '  Mode:      SIMULATOR: no Twilio credentials are configured, so SMS go to the local',
      '             Twilio simulator and are printed below. Nothing reaches a real phone.',
    );
  } else {
    const sender =
      settings.senderPhoneNumber ?? `messaging service ${settings.messagingServiceSid}`;
    lines.push(
      `  Mode:      TWILIO: real SMS through ${settings.twilioApiBaseUrl ?? 'https://api.twilio.com'}`,
      `             account ${settings.accountSid}, sender ${sender}`,
    );
  }
  const status = app.installation.status();
  if (!status.installed) {
    lines.push('  Plugin:    not installed: install it in the console (registration is plain)');
  } else if (status.active) {
    lines.push(`  Plugin:    installed and active (${status.source} configuration)`);
  } else {
    // Registration and login answer 503 PLUGIN_INACTIVE until this is fixed.
    lines.push(
      '  Plugin:    INACTIVE: its configuration cannot be used, so registration and login answer',
      '             503 PLUGIN_INACTIVE until it is fixed in the console:',
      ...status.problems.map((p) => `             - ${p.field} ${p.reason}`),
    );
  }
  lines.push(`  Data:      ${app.dbPath}`);
  if (app.storage.kind === 'redis') {
    lines.push(
      `  Storage:   plugin state and sessions on Redis at ${app.storage.endpoint}, keys ${app.storage.keyPrefix}* (REDIS_URL)`,
    );
  }
  const { source, created } = app.masterKey;
  lines.push(
    source === 'BAAS_MASTER_KEY'
      ? '  Secrets:   sealed under BAAS_MASTER_KEY'
      : `  Secrets:   sealed under the master key in ${source}${created ? ' (new: back it up apart from the data)' : ''}`,
  );
  if (app.hostConfig.configFile) lines.push(`  Settings:  ${app.hostConfig.configFile}`);
  if (app.hostConfig.publicUrl && !app.hostConfig.trustedProxies) {
    lines.push(
      `  WARNING:   PUBLIC_URL is ${app.hostConfig.publicUrl} but TRUSTED_PROXIES is not set: behind`,
      '             a proxy every client counts as the proxy, and one guesser locks out everyone.',
      '             Set TRUSTED_PROXIES to the proxy (e.g. loopback).',
    );
  }
  lines.push(
    `  BaaS API:  ${app.url}`,
    `             POST ${app.url}/api/users/register   POST ${app.url}/api/users/login`,
    `             GET  ${app.url}/api/health`,
    `  Console:   ${app.url}/console`,
  );
  const { createdPassword, signInLink } = app.console;
  // The password made up on first start is shown once and then forgotten here too.
  app.console.createdPassword = null;
  if (terminal) {
    lines.push(
      `             sign in once with ${signInLink}`,
      '             (a one-time link, valid for an hour; a restart prints a new one)',
    );
    if (createdPassword) {
      lines.push(
        `             console password: ${createdPassword}`,
        '             (made up now and shown this once; set CONSOLE_PASSWORD to choose your own)',
      );
    }
  } else {
    // Not a terminal: this output is likely a log, which a sign-in secret must not reach.
    lines.push(
      linkFile
        ? `             sign in once with the link in ${linkFile} (this user's only)`
        : '             sign in with CONSOLE_PASSWORD',
      '             (the one-time sign-in link and a made-up password are printed only to a',
      '             terminal)',
    );
    if (createdPassword) {
      lines.push(
        '             (a console password was made up and not shown: set CONSOLE_PASSWORD and',
        '             restart to choose yours)',
      );
    }
  }
  if (app.simulatorUrl && app.mode === 'simulator') {
    lines.push(
      `  Simulator: ${app.simulatorUrl}`,
      `             outbox: ${app.simulatorUrl}/_sim/messages (one number: ?to=%2B14155550100)`,
    );
  }
  lines.push(`BaaS listening on ${app.url}. Press Ctrl-C to stop.`, '');
  return lines.join('\n');
}

module.exports = { banner, saveSignInLink };
