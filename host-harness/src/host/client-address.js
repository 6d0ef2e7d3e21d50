// The client's address for `ctx.clientIp`, which the plugin's per-address limit counts. It is
// the connection's peer, unless the peer is a proxy the operator trusts (TRUSTED_PROXIES):
// then X-Forwarded-For is read from the right, each trusted proxy adding the address it saw,
// and the first address that is not a trusted proxy is the client. A proxy that is not trusted
// could write anything there, so its header is never believed.

const net = require('node:net');

/** More proxies than any deployment chains. */
const MAX_HOPS = 20;

/**
 * `::ffff:203.0.113.7` (an IPv4 client of a dual-stack socket) as `203.0.113.7`; the forms
 * proxies write in X-Forwarded-For with a port, `203.0.113.7:5555`, `[2001:db8::1]` and
 * `[2001:db8::1]:443`, as the address alone.
 */
function plainAddress(address) {
  let text = String(address ?? '').trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  const v4 = text.startsWith('::ffff:') ? text.slice(7) : text;
  return net.isIPv4(v4) ? v4 : text;
}

/**
 * TRUSTED_PROXIES: addresses and CIDR ranges, separated by commas or spaces, or `loopback`.
 * @returns {{list: net.BlockList | null, problem: string | null}}
 */
function parseTrustedProxies(text) {
  const entries = String(text ?? '')
    .split(/[\s,]+/)
    .filter(Boolean);
  if (entries.length === 0) return { list: null, problem: null };
  const list = new net.BlockList();
  for (const entry of entries) {
    if (entry === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
      continue;
    }
    const [address, bits, extra] = entry.split('/');
    const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : null;
    const prefix = bits === undefined ? null : Number(bits);
    const maxBits = family === 'ipv4' ? 32 : 128;
    if (
      !family ||
      extra !== undefined ||
      (prefix !== null && !(prefix >= 0 && prefix <= maxBits))
    ) {
      return {
        list: null,
        problem: `must list proxy addresses or ranges such as 10.0.0.0/8, ::1 or loopback; "${entry.slice(0, 40)}" is neither`,
      };
    }
    if (prefix === null) list.addAddress(address, family);
    else list.addSubnet(address, prefix, family);
  }
  return { list, problem: null };
}

function isTrusted(list, address) {
  if (!list) return false;
  const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : null;
  return family !== null && list.check(address, family);
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {net.BlockList | null} trusted
 * @param {(peer: string) => void} [untrustedHeader] told when a peer that is not a trusted proxy
 *   sends X-Forwarded-For: behind a proxy that TRUSTED_PROXIES does not name, every client
 *   looks like the proxy, and one guesser's failures lock out everyone
 */
function clientAddress(req, trusted, untrustedHeader = () => {}) {
  let client = plainAddress(req.socket.remoteAddress);
  if (!isTrusted(trusted, client)) {
    if (req.headers['x-forwarded-for'] !== undefined) untrustedHeader(client);
    return client;
  }
  // Read from the right, and no further than any chain of proxies reaches: a client can send a
  // header of thousands of made-up entries to its left.
  const hops = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .slice(-MAX_HOPS)
    .map(plainAddress)
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    if (!net.isIP(hops[i])) break;
    client = hops[i];
    if (!isTrusted(trusted, client)) break;
  }
  return client;
}

/**
 * The address as the throttle counts it: an IPv6 client as its /64, the block one subscriber
 * usually gets (counting single addresses would give each attacker 2^64 fresh ones).
 */
function addressKey(address) {
  const text = String(address ?? '').replace(/%.*$/, '');
  if (!net.isIPv6(text)) return text;
  const groups = (part) => {
    if (!part) return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [group];
      const [a, b, c, d] = group.split('.').map(Number);
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  };
  const [head, tail] = text.split('::');
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${all
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

module.exports = { clientAddress, parseTrustedProxies, plainAddress, addressKey };
