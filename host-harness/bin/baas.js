#!/usr/bin/env node
// `make run`: the local BaaS with the Twilio plugin installed, and (without real Twilio
// credentials) the Twilio simulator beside it, in one process. The banner says which mode it is
// in, where the data is, and what to open; Ctrl-C or SIGTERM stops both servers and exits 0.

const { createApp, ConfigError, StartError } = require('../src/host/app');
const { describeConfigError } = require('../src/host/config');
const { PluginLoadError } = require('../src/host/plugin-loader');

function banner(app) {
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
  lines.push(`  Data:      ${app.dbPath}`);
  const { source, created } = app.masterKey;
  lines.push(
    source === 'BAAS_MASTER_KEY'
      ? '  Secrets:   sealed under BAAS_MASTER_KEY'
      : `  Secrets:   sealed under the master key in ${source}${created ? ' (new: back it up apart from the data)' : ''}`,
  );
  if (app.hostConfig.configFile) lines.push(`  Settings:  ${app.hostConfig.configFile}`);
  lines.push(
    `  BaaS API:  ${app.url}`,
    `             POST ${app.url}/api/users/register   POST ${app.url}/api/users/login`,
    `             GET  ${app.url}/api/health`,
    `  Console:   ${app.url}/console`,
    `             sign in once with ${app.console.signInLink}`,
    '             (a one-time link, valid for an hour; a restart prints a new one)',
  );
  if (app.console.createdPassword) {
    lines.push(
      `             console password: ${app.console.createdPassword}`,
      '             (made up now and shown this once; set CONSOLE_PASSWORD to choose your own)',
    );
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

async function main() {
  const app = createApp();
  await app.start();
  process.stdout.write(`${banner(app)}\n`);

  let stopping = false;
  const shutdown = (signal) => {
    if (stopping) {
      // A second Ctrl-C means "now": requests in flight are abandoned.
      process.exit(130);
    }
    stopping = true;
    process.stdout.write(
      `\n${signal}: stopping the BaaS${app.simulator ? ' and the simulator' : ''}...\n`,
    );
    app.stop().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`could not stop cleanly: ${err.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${describeConfigError(err, err.configFile)}\n`);
  } else if (err instanceof StartError || err instanceof PluginLoadError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`baas: ${err.stack ?? err}\n`);
  }
  process.exit(1);
});
