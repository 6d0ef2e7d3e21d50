#!/usr/bin/env node
// `make run`: the local BaaS with the Twilio plugin installed, and (without real Twilio
// credentials) the Twilio simulator beside it, in one process. The banner says which mode it is
// in, where the data is, and what to open; Ctrl-C or SIGTERM stops both servers and exits 0.

const { createApp, ConfigError, StartError } = require('../src/host/app');
const { banner, saveSignInLink } = require('../src/host/banner');
const { describeConfigError } = require('../src/host/config');
const { PluginLoadError } = require('../src/host/plugin-loader');

async function main() {
  const app = createApp();
  await app.start();
  const terminal = Boolean(process.stdout.isTTY);
  const linkFile = terminal ? null : saveSignInLink(app);
  process.stdout.write(`${banner(app, { terminal, linkFile })}\n`);

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
