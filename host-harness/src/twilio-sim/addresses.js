'use strict';
// Channel addresses on the Messages API. Twilio writes a WhatsApp party as `whatsapp:+E164`
// and an SMS one as the bare number; magic numbers, verified numbers and delivery outcomes are
// all about the number, so the simulator compares bare numbers and shows the raw address.

const WHATSAPP_PREFIX = 'whatsapp:';
const E164 = /^\+[1-9]\d{1,14}$/;

/** `'whatsapp'` for a `whatsapp:` address, else `'sms'` (MMS is a matter of media, not address). */
function addressChannel(address) {
  return address?.startsWith(WHATSAPP_PREFIX) ? 'whatsapp' : 'sms';
}

/** The number inside an address: `whatsapp:+1415...` gives `+1415...`; others are unchanged. */
function bareNumber(address) {
  if (typeof address !== 'string') return address;
  return address.startsWith(WHATSAPP_PREFIX) ? address.slice(WHATSAPP_PREFIX.length) : address;
}

/** The address of `number` on `channel`. */
function addressOn(channel, number) {
  return channel === 'whatsapp' ? `${WHATSAPP_PREFIX}${number}` : number;
}

module.exports = { WHATSAPP_PREFIX, E164, addressChannel, bareNumber, addressOn };
