// The bench's HTTP client: node:http with a keep-alive agent, because the load generator shares
// the machine's cores with everything it measures, and node:http costs the bench process less
// per request than fetch. One agent for every origin (hosts and simulator); `maxSockets` is per
// origin, so every worker can hold a connection to each host without waiting for one.

const http = require('node:http');

/** JSON if the body is JSON, else null (a non-JSON answer is a failure the caller labels). */
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function createClient({ maxSockets }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });

  function request(method, url, body) {
    const payload = body === undefined ? null : JSON.stringify(body);
    const headers = payload
      ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
      : {};
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method, agent, headers }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode, body: parseJson(text), text });
        });
      });
      req.on('error', reject);
      req.end(payload ?? undefined);
    });
  }

  return {
    post: (url, body) => request('POST', url, body),
    get: (url) => request('GET', url),
    close: () => agent.destroy(),
  };
}

module.exports = { createClient };
