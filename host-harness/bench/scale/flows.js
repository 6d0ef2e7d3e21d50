// The two iterations the bench times: a complete registration (step 1, the code from the
// simulator's outbox, step 2) and step 1 alone. Iterations go to the hosts in turn, and a
// registration's step 2 to the host after its step 1's: with two hosts, step 1s and step 2s
// (whose password hash is most of the work) are each split evenly, and every step 2 must find
// its verification through the shared store, as behind a load balancer without sticky sessions.

const { classify } = require('./load');

const PASSWORD = 'bench password, long enough';
const CODE_WAIT_MS = 5000;
const CODE_POLL_MS = 5;

/** Answers `[url, nextUrl]`: each host's URL in turn, and the URL of the host after it. */
function roundRobin(urls) {
  let next = 0;
  return () => {
    const i = next++ % urls.length;
    return [urls[i], urls[(i + 1) % urls.length]];
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The code in the SMS to `to` (each bench number gets one), polling the simulator's outbox. */
async function readCode(client, simulatorUrl, to) {
  const deadline = Date.now() + CODE_WAIT_MS;
  for (;;) {
    const { body } = await client.get(`${simulatorUrl}/_sim/messages?to=${encodeURIComponent(to)}`);
    const last = body?.messages?.at(-1);
    if (last) return /(?<!\d)(\d{4,10})(?!\d)/.exec(last.body)?.[1] ?? null;
    if (Date.now() > deadline) return null;
    await sleep(CODE_POLL_MS);
  }
}

/** Step 1 to `host`: `{answer}` on 200 with a transaction, else `{outcome}` (refused/failed). */
async function stepOne(client, host, phoneNumber) {
  const answer = await client.post(`${host}/api/users/register`, { phoneNumber });
  if (answer.status === 200 && answer.body?.transactionId) return { answer };
  return { outcome: classify('step 1', answer) };
}

function createFlows({ client, hostUrls, simulatorUrl, nextNumber }) {
  const nextHosts = roundRobin(hostUrls);

  async function registration() {
    const [firstHost, secondHost] = nextHosts();
    const phoneNumber = nextNumber();
    const first = await stepOne(client, firstHost, phoneNumber);
    if (first.outcome) return first.outcome;
    const code = await readCode(client, simulatorUrl, phoneNumber);
    if (!code) return { kind: 'failed', label: 'no code in the outbox' };
    const email = `${phoneNumber.slice(1)}@bench.example.com`;
    const answer = await client.post(`${secondHost}/api/users/register`, {
      email,
      password: PASSWORD,
      phoneNumber,
      transactionId: first.answer.body.transactionId,
      transactionCode: code,
    });
    if (answer.status === 200 && answer.body?.phoneNumberConfirmed === true) return { ok: true };
    return classify('step 2', answer);
  }

  async function stepOneOnly() {
    const first = await stepOne(client, nextHosts()[0], nextNumber());
    return first.outcome ?? { ok: true };
  }

  return { registration, stepOneOnly };
}

module.exports = { createFlows };
