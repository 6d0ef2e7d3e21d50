// The plugin's hot hooks written the way a Node developer would write them without the
// plugin: node:crypto for codes and hashes, twilio-node for the Messages call. It exists only
// to be measured against the plugin (bench/plugin-vs-js.js): it makes the same storage calls,
// in the same order, with keys of the same shape and the same TTLs and checks (the send policy's sliding windows, the
// resend claim, attempts counted before comparing, single use, the registration claim), and
// answers the same outcomes. It is not a second implementation to use: it knows one country
// code, one language and one channel.

const crypto = require('node:crypto');

const HOUR = 3600;
const DAY = 86400;
const CODE_LENGTH = 6;
const CODE_TTL = 300;
const RECORD_TTL = 900;
const RESEND_AFTER = 30;
const MAX_ATTEMPTS = 5;
const CLAIM_TTL = 299;
const MESSAGE_TTL = 7 * DAY;
const STATS_TTL = 8 * DAY;
const MAX_BODY_CHARS = 1600;
const GSM7 =
  /^[A-Za-z0-9 @£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./:;<=>?¡ÄÖÑÜ§¿äöñüà^{}\\[~\]|€]*$/;
const E164 = /^\+[1-9]\d{7,14}$/;

class HookError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    Object.assign(this, { status, code, details });
  }
}

const normalizePhone = (value) =>
  typeof value === 'string' ? value.replace(/[\s().-]/g, '') : null;
/** The country of a number: this baseline knows +1 only (the plugin has the ITU table). */
const countryOf = (phone) => (phone.startsWith('+1') ? 'US' : 'ZZ');

/**
 * @param {object} config accountSid, authToken, senderPhoneNumber, appName and the limits
 * @param {object} host the plugin's host imports (storage*, findUser, now)
 * @param {object} twilioClient a twilio-node client (`twilio(sid, token, {httpClient})`)
 */
function createJsBaseline(config, host, twilioClient) {
  const hashKey = crypto
    .createHmac('sha256', config.authToken)
    .update('twilio-baas-plugin/code-hash/v1')
    .digest();
  const limits = {
    appHour: config.maxCodesPerHour,
    appDay: config.maxCodesPerDay,
    addressHour: config.maxCodesPerAddressPerHour ?? 20,
    rangeHour: config.maxCodesPerRangePerHour,
    messagesHour: config.maxMessagesPerUserPerHour,
    messagesDay: config.maxMessagesPerUserPerDay,
    segmentsHour: config.maxSegmentsPerUserPerHour,
    segmentsDay: config.maxSegmentsPerUserPerDay,
  };

  /** A sliding-window counter: refunds and the previous window read, this one counted. */
  async function spend(key, window, limit, amount = 1) {
    const now = host.now() / 1000;
    const current = Math.floor(now / window);
    const [refunded, previousRefunded, previous] = [
      Number((await host.storageGet(`${key}/${window}/${current}/r`)) ?? 0),
      Number((await host.storageGet(`${key}/${window}/${current - 1}/r`)) ?? 0),
      Number((await host.storageGet(`${key}/${window}/${current - 1}`)) ?? 0),
    ];
    let count = 0;
    for (let i = 0; i < amount; i++) {
      count = await host.storageIncr(`${key}/${window}/${current}`, 2 * window);
    }
    const weight = 1 - (now / window - current);
    const estimate = (previous - previousRefunded) * weight + count - refunded;
    if (estimate > limit) {
      throw new HookError(429, 'RATE_LIMITED', 'Too many codes: try again later.', {
        retryAfterSeconds: Math.ceil((current + 1) * window - now),
      });
    }
  }

  const codeHash = (transactionId, phone, purpose, code) =>
    crypto
      .createHmac('sha256', hashKey)
      .update(`${transactionId}\n${phone}\n${purpose}\n${code}`)
      .digest('hex');

  async function sendMessage(to, body) {
    const message = await twilioClient.messages.create({
      to,
      from: config.senderPhoneNumber,
      body,
    });
    return {
      sid: message.sid,
      status: message.status,
      to: message.to,
      from: message.from,
      numSegments: Number(message.numSegments),
      numMedia: Number(message.numMedia),
    };
  }

  async function startRegistration(ctx, phone) {
    const country = countryOf(phone);
    if ((await host.storageGet(`paused/${country}`)) !== null) {
      throw new HookError(503, 'COUNTRY_PAUSED', 'Codes to this country are paused.');
    }
    await spend('limit/app', HOUR, limits.appHour);
    await spend('limit/app', DAY, limits.appDay);
    await spend(`limit/address/${ctx.clientIp}`, HOUR, limits.addressHour);
    await spend(`limit/range/${phone.slice(0, -3)}`, HOUR, limits.rangeHour);
    const sends = JSON.parse((await host.storageGet(`sends/number/${phone}`)) ?? '{"n":0,"t":0}');
    const claimed = await host.storageIncr(`sends/number/${phone}/claim/${sends.n}`, RESEND_AFTER);
    if (claimed > 1 || host.now() - sends.t < RESEND_AFTER * 1000) {
      throw new HookError(429, 'RESEND_TOO_SOON', 'Wait before asking for another code.');
    }
    const transactionId = crypto.randomBytes(18).toString('base64url');
    const code = String(crypto.randomInt(0, 10 ** CODE_LENGTH)).padStart(CODE_LENGTH, '0');
    const now = host.now();
    const record = {
      hash: codeHash(transactionId, phone, 'register', code),
      phone,
      purpose: 'register',
      expiresAt: now + CODE_TTL * 1000,
      maxAttempts: MAX_ATTEMPTS,
      channel: 'sms',
      country,
    };
    await host.storagePut(`verification/${transactionId}`, JSON.stringify(record), RECORD_TTL);
    const text = `Your ${ctx.appName} verification code is ${code}. It expires in ${CODE_TTL / 60} min. Do not share it with anyone.`;
    await sendMessage(phone, text);
    await host.storagePut(
      `sends/number/${phone}`,
      JSON.stringify({ n: sends.n + 1, t: now }),
      DAY + 60,
    );
    // The conversion breaker's counters: this hour's sent, the last hour's, and the verified.
    const hour = Math.floor(now / 1000 / HOUR);
    await host.storageIncr(`stats/${hour}/${country}/sent`, STATS_TTL);
    await host.storageGet(`stats/${hour - 1}/${country}/sent`);
    await host.storageGet(`stats/${hour}/${country}/verified`);
    await host.storageGet(`stats/${hour - 1}/${country}/verified`);
    return {
      action: 'respond',
      status: 200,
      body: {
        channel: 'sms',
        codeLength: CODE_LENGTH,
        expiresInSeconds: CODE_TTL,
        phoneNumber: phone,
        resendAfterSeconds: RESEND_AFTER,
        transactionId,
      },
    };
  }

  async function confirmRegistration(user, phone) {
    const { transactionId, transactionCode } = user;
    if (typeof transactionId !== 'string' || typeof transactionCode !== 'string') {
      throw new HookError(400, 'INVALID_INPUT', 'transactionId and transactionCode are text.');
    }
    const stored = await host.storageGet(`verification/${transactionId}`);
    if (stored === null) throw new HookError(400, 'VERIFICATION_EXPIRED', 'Ask for a new code.');
    const record = JSON.parse(stored);
    const now = host.now();
    const remaining = Math.max(1, Math.ceil((record.expiresAt - now) / 1000));
    // Counted before comparing: parallel guesses cannot go past the bound.
    const attempts = await host.storageIncr(`attempts/${transactionId}/0`, remaining);
    if (record.phone !== phone || record.purpose !== 'register' || now > record.expiresAt) {
      throw new HookError(400, 'VERIFICATION_EXPIRED', 'Ask for a new code.');
    }
    if (attempts > record.maxAttempts) {
      throw new HookError(400, 'TOO_MANY_ATTEMPTS', 'Ask for a new code.');
    }
    const given = Buffer.from(codeHash(transactionId, phone, 'register', transactionCode));
    if (!crypto.timingSafeEqual(given, Buffer.from(record.hash))) {
      throw new HookError(400, 'INVALID_CODE', 'The code is wrong.');
    }
    if ((await host.storageTake(`verification/${transactionId}`)) === null) {
      throw new HookError(400, 'VERIFICATION_EXPIRED', 'Ask for a new code.');
    }
    const hour = Math.floor(now / 1000 / HOUR);
    await host.storageIncr(`stats/${hour}/${record.country}/verified`, STATS_TTL);
    await host.storagePut(
      `register-claim/${transactionId}`,
      JSON.stringify({ ...record, claimedAt: now }),
      CLAIM_TTL,
    );
    if ((await host.findUser('phoneNumber', phone)) !== null) {
      throw new HookError(400, 'PHONE_NUMBER_IN_USE', 'This number has an account.');
    }
    const { transactionId: _t, transactionCode: _c, ...args } = user;
    return {
      action: 'continue',
      args: { ...args, phoneNumber: phone, phoneNumberConfirmed: true },
    };
  }

  return {
    async beforeRegister(ctx, user) {
      const phone = normalizePhone(user.phoneNumber);
      if (!phone || !E164.test(phone)) {
        throw new HookError(400, 'INVALID_PHONE_NUMBER', 'Give the number as +<country><number>.');
      }
      if (user.transactionId === undefined) {
        if (Object.keys(user).length === 1 || (user.channel && Object.keys(user).length === 2)) {
          return startRegistration(ctx, phone);
        }
        throw new HookError(400, 'VERIFICATION_REQUIRED', 'Confirm the number first.');
      }
      return confirmRegistration(user, phone);
    },

    async afterRegister(_ctx, user, result) {
      const key = `register-claim/${user.transactionId}`;
      const claim = await host.storageTake(key);
      // A failed registration gives the code back (fresh attempts, its own expiry).
      if (result.error && claim !== null) {
        const record = JSON.parse(claim);
        const ttl = Math.ceil((record.expiresAt - host.now()) / 1000);
        if (ttl > 0) await host.storagePut(`verification/${user.transactionId}`, claim, ttl);
      }
      return { action: 'continue' };
    },

    /** A password login with two-factor off: nothing to do. */
    async beforeLogin(_ctx, body) {
      if (body.phoneNumber !== undefined || body.transactionId !== undefined) {
        throw new HookError(400, 'PHONE_LOGIN_DISABLED', 'Not in this baseline.');
      }
      return { action: 'continue' };
    },

    async afterLogin() {
      return { action: 'continue' };
    },

    async sendSms(ctx, input) {
      const to = normalizePhone(input.to);
      if (!to || !E164.test(to)) {
        throw new HookError(400, 'INVALID_PHONE_NUMBER', 'Give the number as +<country><number>.');
      }
      const { body } = input;
      if (typeof body !== 'string' || body.length === 0 || body.length > MAX_BODY_CHARS) {
        throw new HookError(400, 'INVALID_INPUT', `body is 1 to ${MAX_BODY_CHARS} characters.`);
      }
      const perSegment = GSM7.test(body) ? 153 : 67;
      const segments =
        body.length <= (perSegment === 153 ? 160 : 70) ? 1 : Math.ceil(body.length / perSegment);
      const user = `limit/user/${ctx.userId}`;
      await spend(`${user}/messages`, HOUR, limits.messagesHour);
      await spend(`${user}/messages`, DAY, limits.messagesDay);
      await spend(`${user}/segments`, HOUR, limits.segmentsHour, segments);
      await spend(`${user}/segments`, DAY, limits.segmentsDay, segments);
      const sent = await sendMessage(to, body);
      await host.storagePut(
        `message/${sent.sid}`,
        JSON.stringify({ userId: ctx.userId, to: sent.to, status: sent.status }),
        MESSAGE_TTL,
      );
      return sent;
    },
  };
}

module.exports = { createJsBaseline, HookError };
