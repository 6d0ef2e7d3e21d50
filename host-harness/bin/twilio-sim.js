#!/usr/bin/env node
'use strict';
// Runs the Twilio simulator on its own: point a Twilio client's base URL at it and every SMS it
// accepts is printed here, so verification codes can be read without a phone.

const { createSimulator, FULL_ACCOUNT } = require('../src/twilio-sim');

const DEFAULT_PORT = 8788;

function parsePort(value) {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`TWILIO_SIM_PORT must be a port number, got "${value}"`);
  }
  return port;
}

async function main() {
  const port = parsePort(process.env.TWILIO_SIM_PORT);
  const sim = createSimulator({
    onMessage: (message) => {
      const media = message.mediaUrls.length ? ` [media: ${message.mediaUrls.join(' ')}]` : '';
      process.stdout.write(`SMS to ${message.to}: ${message.body}${media}\n`);
    },
  });
  const { url } = await sim.start(port, '127.0.0.1');
  // The account SID is not a secret; the token is left for the fixtures file to document.
  process.stderr.write(`Twilio simulator listening on ${url} (account ${FULL_ACCOUNT.sid})\n`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await sim.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err) => {
  process.stderr.write(`twilio-sim: ${err.message}\n`);
  process.exit(1);
});
