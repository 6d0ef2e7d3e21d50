// Authenticated encryption of secrets at rest: AES-256-GCM under a key derived from the master
// key (master-key.js), with a fresh 96-bit nonce per seal. The sealed text names the key it was
// sealed under, so a host started with another key says so instead of failing obscurely, and a
// rotation knows which secrets to seal again. The associated data binds a sealed value to where
// it is stored: moved to another row, it does not open.

const crypto = require('node:crypto');

const VERSION = 'v1';
const NONCE_BYTES = 12;

/** A key for one purpose, from the master key: HMAC-SHA-256(master, label). */
function deriveKey(master, label) {
  return crypto.createHmac('sha256', master).update(label, 'utf8').digest();
}

/** A short public name of a master key (not a way to find it: it is a MAC of a constant). */
function keyId(master) {
  return deriveKey(master, 'baas/master-key-id').toString('hex').slice(0, 16);
}

class SecretBoxError extends Error {
  constructor(message, keyId) {
    super(message);
    this.name = 'SecretBoxError';
    this.keyId = keyId ?? null;
  }
}

/**
 * @param {Buffer} master the current master key
 * @param {Buffer | null} [previous] the key being rotated away from
 */
function createSecretBox(master, previous = null) {
  const current = { id: keyId(master), key: deriveKey(master, 'baas/secrets-at-rest/v1') };
  const older = previous
    ? { id: keyId(previous), key: deriveKey(previous, 'baas/secrets-at-rest/v1') }
    : null;

  return {
    keyId: current.id,

    /** `v1.<key id>.<nonce>.<ciphertext>.<tag>`, base64url parts. */
    seal(plaintext, aad) {
      const nonce = crypto.randomBytes(NONCE_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', current.key, nonce);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, current.id, nonce, body, cipher.getAuthTag()]
        .map((part) => (Buffer.isBuffer(part) ? part.toString('base64url') : part))
        .join('.');
    },

    /**
     * The plaintext, and whether it was sealed under the previous key (seal it again).
     * Throws SecretBoxError when it was sealed under a key this host does not have, or was
     * altered.
     */
    open(sealed, aad) {
      const parts = String(sealed).split('.');
      if (parts.length !== 5 || parts[0] !== VERSION) {
        throw new SecretBoxError('not a sealed secret');
      }
      const [, id, nonce, body, tag] = parts;
      const entry = [current, older].find((candidate) => candidate?.id === id);
      if (!entry) throw new SecretBoxError(`sealed under another master key (${id})`, id);
      try {
        const decipher = crypto.createDecipheriv(
          'aes-256-gcm',
          entry.key,
          Buffer.from(nonce, 'base64url'),
        );
        decipher.setAAD(Buffer.from(aad, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        const plaintext = Buffer.concat([
          decipher.update(Buffer.from(body, 'base64url')),
          decipher.final(),
        ]).toString('utf8');
        return { plaintext, stale: entry !== current };
      } catch {
        throw new SecretBoxError('altered, or sealed for another place', id);
      }
    },

    /** A secret for `label` derived from the master key: base64url, 43 characters. */
    derive(label) {
      return deriveKey(master, label).toString('base64url');
    },
  };
}

module.exports = { createSecretBox };
