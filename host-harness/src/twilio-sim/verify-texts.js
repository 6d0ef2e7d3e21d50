'use strict';
// What a Verify code looks like on the phone: the SMS text, the words of the call, the
// WhatsApp authentication template; in the verification's language. Verify picks the language
// from `Locale`, else from the number's country code, and falls back to English where it has
// no text (the simulator has English, German, French, Spanish, Portuguese, Italian and Dutch).

/** Verify's supported `Locale` values (twilio.com/docs/verify/supported-languages). */
const VERIFY_LOCALES = Object.freeze(
  (
    'af ar ca zh zh-CN zh-HK hr cs da nl en en-GB et fi fr de el he hi hu id it ja kn ko lt ms ' +
    'mr nb pl pt pt-BR ro ru sk es sv tl te th tr vi'
  ).split(' '),
);

/** `{name}` and `{code}` are filled in; WhatsApp texts are Meta's authentication template. */
const TEXTS = {
  en: {
    sms: 'Your {name} verification code is: {code}',
    whatsapp: '*{code}* is your verification code. For your security, do not share this code.',
  },
  de: {
    sms: 'Ihr {name} Verifizierungscode lautet: {code}',
    whatsapp:
      '*{code}* ist dein Verifizierungscode. Teile diesen Code aus Sicherheitsgründen nicht.',
  },
  fr: {
    sms: 'Votre code de vérification {name} est : {code}',
    whatsapp:
      '*{code}* est votre code de vérification. Pour votre sécurité, ne communiquez ce code à personne.',
  },
  es: {
    sms: 'Tu código de verificación de {name} es: {code}',
    whatsapp: '*{code}* es tu código de verificación. Por tu seguridad, no lo compartas.',
  },
  pt: {
    sms: 'O seu código de verificação {name} é: {code}',
    whatsapp: '*{code}* é o seu código de verificação. Para sua segurança, não o partilhe.',
  },
  'pt-BR': {
    sms: 'Seu código de verificação {name} é: {code}',
    whatsapp: '*{code}* é seu código de verificação. Para sua segurança, não o compartilhe.',
  },
  it: {
    sms: 'Il tuo codice di verifica {name} è: {code}',
    whatsapp: '*{code}* è il tuo codice di verifica. Per la tua sicurezza, non condividerlo.',
  },
  nl: {
    sms: 'Je {name} verificatiecode is: {code}',
    whatsapp: '*{code}* is je verificatiecode. Deel deze code niet, voor je eigen veiligheid.',
  },
};

/** Country calling codes whose language the simulator has a text for; longest prefix first. */
const COUNTRY_LOCALES = [
  ['+351', 'pt'],
  ['+49', 'de'],
  ['+43', 'de'],
  ['+33', 'fr'],
  ['+34', 'es'],
  ['+52', 'es'],
  ['+55', 'pt-BR'],
  ['+39', 'it'],
  ['+31', 'nl'],
];

/** The supported locale `tag` names, in Verify's spelling, or null (tags ignore case). */
function supportedLocale(tag) {
  const lower = String(tag).toLowerCase();
  return VERIFY_LOCALES.find((locale) => locale.toLowerCase() === lower) ?? null;
}

/** The locale a verification is sent in: the requested one, else the number's country's. */
function resolveLocale(requested, to) {
  if (requested) return requested;
  return COUNTRY_LOCALES.find(([prefix]) => to.startsWith(prefix))?.[1] ?? 'en';
}

/** The texts for a locale: the tag, else its language, else English. */
function textsFor(locale) {
  return TEXTS[locale] ?? TEXTS[locale.split('-')[0]] ?? TEXTS.en;
}

/** `1, 2, 3`: how a voice reads a code digit by digit. */
function spokenDigits(code) {
  return [...code].join(', ');
}

/**
 * What the phone shows, or what the call says. With an app hash (SMS only) the text follows
 * Android's SMS Retriever format as Twilio sends it: `<#> ` first, the hash on its own line.
 */
function verificationText({ channel, locale, name, code, appHash }) {
  const texts = textsFor(locale);
  const fill = (template, codeText) =>
    template.replaceAll('{name}', name).replaceAll('{code}', codeText);
  if (channel === 'whatsapp') return fill(texts.whatsapp, code);
  if (channel === 'call') return `${fill(texts.sms, spokenDigits(code))}.`;
  const text = fill(texts.sms, code);
  return appHash ? `<#> ${text}\n${appHash}` : text;
}

module.exports = { VERIFY_LOCALES, supportedLocale, resolveLocale, verificationText };
