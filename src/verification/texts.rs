//! Which text a code SMS is written in. The user's languages come from the request (`ctx.locale`:
//! a language tag, or an `Accept-Language` value the host passes on); for each, most preferred
//! first, the app's own text for that language (`messageTemplates`), else a built-in one, unless
//! the app wrote its own `messageTemplate`, which is the text for every other language.

use serde_json::{Map, Value};

use crate::config::Config;

/// The built-in texts, each with the word for "code", the app name, the lifetime and a line
/// against sharing the code. English is the default `messageTemplate`.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("en", "Your {appName} verification code is {code}. It expires in {minutes} min. Do not share it with anyone."),
    ("de", "Ihr {appName} Code lautet {code}. Er ist {minutes} Min. gültig. Geben Sie ihn nicht weiter."),
    ("fr", "Votre code {appName} est {code}. Il expire dans {minutes} min. Ne le partagez avec personne."),
    ("es", "Tu código {appName} es {code}. Caduca en {minutes} min. No lo compartas con nadie."),
    ("pt", "Seu código {appName} é {code}. Expira em {minutes} min. Não o compartilhe com ninguém."),
    ("it", "Il tuo codice {appName} è {code}. Scade tra {minutes} min. Non condividerlo con nessuno."),
];

/// The default before texts had a lifetime: a configuration that still carries it (saved with
/// the popup's defaults) has not chosen a text of its own either.
pub const PREVIOUS_DEFAULT: &str = "Your {appName} verification code is {code}";

const MAX_TEMPLATES: usize = 20;
const MAX_TEMPLATE_CHARS: usize = 320;
/// The languages of a request looked at, most preferred first, out of how many entries.
const MAX_PREFERRED: usize = 8;
const MAX_LOCALE_PARTS: usize = 32;

/// Whether `template` is one of the defaults rather than the app's own text.
pub fn is_default(template: &str) -> bool {
    template == BUILT_IN[0].1 || template == PREVIOUS_DEFAULT
}

/// A language tag as BCP 47 writes it (`de`, `pt-BR`, `zh-Hant-TW`), compared in lower case.
fn is_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && tag.len() <= 35
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn language(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or(tag)
}

/// `messageTemplates`: an object of language tags and texts, in JS or as its JSON text. Each
/// text must contain `{code}`. The tags come back in lower case.
pub fn parse_templates(value: &Value) -> Result<Vec<(String, String)>, String> {
    const SHAPE: &str =
        "must be an object of language tags and texts, such as {\"de\": \"Ihr Code lautet {code}\"}";
    let parsed;
    let map: &Map<String, Value> = match value {
        Value::Null => return Ok(Vec::new()),
        Value::String(text) if text.trim().is_empty() => return Ok(Vec::new()),
        Value::Object(map) => map,
        Value::String(text) => match crate::json_text::parse(text) {
            Some(Value::Object(map)) => {
                parsed = map;
                &parsed
            }
            _ => return Err(SHAPE.into()),
        },
        _ => return Err(SHAPE.into()),
    };
    if map.len() > MAX_TEMPLATES {
        return Err(format!("may hold at most {MAX_TEMPLATES} languages"));
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for (tag, template) in map {
        let tag = tag.trim().to_ascii_lowercase();
        let Value::String(template) = template else {
            return Err(format!("the text for {tag:.40} must be text"));
        };
        let template = template.trim();
        if !is_tag(&tag) {
            return Err(format!(
                "has {tag:.40}, which is not a language tag such as de or pt-BR"
            ));
        }
        if out.iter().any(|(t, _)| *t == tag) {
            return Err(format!("has {tag} twice"));
        }
        if !crate::text::contains(template, "{code}") {
            return Err(format!(
                "the text for {tag} must contain {{code}}, where the code goes"
            ));
        }
        if template.chars().count() > MAX_TEMPLATE_CHARS {
            return Err(format!(
                "the text for {tag} must be at most {MAX_TEMPLATE_CHARS} characters"
            ));
        }
        out.push((tag, template.to_string()));
    }
    Ok(out)
}

/// One entry of a locale: its tag and its weight in thousandths (`q`, in any case, among any
/// other parameters; 1000 without). `*` and empty tags weigh nothing.
fn entry(part: &str) -> (&str, u32) {
    let mut pieces = part.split(';');
    let tag = pieces.next().unwrap_or("").trim();
    let weight = pieces
        .filter_map(|p| p.trim().split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
        .map_or(1000, |(_, q)| quality(q));
    (
        tag,
        if tag.is_empty() || tag == "*" {
            0
        } else {
            weight
        },
    )
}

/// Calls `found` with the languages of `locale`, most preferred first, until it answers: a tag
/// (`pt-BR`, `pt_BR`) or an `Accept-Language` value (`de-CH, de;q=0.9, en;q=0.8`), without `*`
/// or q=0; equal weights in the client's order. Tags are compared with `same`. A few entries at
/// most, so each weight is a pass over them, with nothing to allocate or sort.
pub fn by_preference<'a, R>(
    locale: &'a str,
    mut found: impl FnMut(&'a str) -> Option<R>,
) -> Option<R> {
    let entries = || locale.split(',').take(MAX_LOCALE_PARTS).map(entry);
    let mut below = u32::MAX;
    for _ in 0..MAX_PREFERRED {
        let weight = entries()
            .map(|(_, w)| w)
            .filter(|w| *w < below)
            .max()
            .unwrap_or(0);
        if weight == 0 {
            break;
        }
        for (tag, _) in entries().filter(|(_, w)| *w == weight) {
            if let Some(answer) = found(tag) {
                return Some(answer);
            }
        }
        below = weight;
    }
    None
}

/// Two language tags are the same whatever their case, and `_` is `-`.
fn same(a: &str, b: &str) -> bool {
    let dash = |c: u8| {
        if c == b'_' {
            b'-'
        } else {
            c.to_ascii_lowercase()
        }
    };
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| dash(x) == dash(y))
}

/// A q-value (`1`, `0.8`, `0.125`) in thousandths; anything else counts as 0. By hand: a float
/// parser would be the module's only one.
fn quality(q: &str) -> u32 {
    let (whole, fraction) = q.trim().split_once('.').unwrap_or((q.trim(), ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || fraction.len() > 3 {
        return 0;
    }
    let thousandths = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0, |n, b| n * 10 + u32::from(b - b'0'));
    match whole {
        "0" | "" => thousandths,
        "1" => 1000,
        _ => 0,
    }
}

/// The template for a user whose languages are `locale`: for each language in turn, the app's
/// text for the tag, for its language, or for another tag of its language; then, when the app
/// kept the default text, the built-in one of that language. Else the app's `messageTemplate`.
/// With an Android app hash the built-in texts stay unused: the SMS Retriever reads one segment
/// only, which the configuration checks of the app's own texts, and some built-in ones take two.
pub fn choose<'a>(config: &'a Config, locale: Option<&str>) -> &'a str {
    choose_tagged(config, locale).1
}

/// `choose`, with the language tag of the text chosen (`None`: the app's `messageTemplate`
/// for every other language).
pub fn choose_tagged<'a>(config: &'a Config, locale: Option<&str>) -> (Option<&'a str>, &'a str) {
    let (templates, default) = (&config.message_templates, config.message_template.as_str());
    let builtins_apply = is_default(default) && config.android_app_hash.is_none();
    by_preference(locale.unwrap_or(""), |tag| {
        let lang = language(tag);
        let own = templates
            .iter()
            .find(|(t, _)| same(t, tag))
            .or_else(|| templates.iter().find(|(t, _)| same(t, lang)))
            .or_else(|| templates.iter().find(|(t, _)| same(language(t), lang)));
        if let Some((t, template)) = own {
            return Some((Some(t.as_str()), template.as_str()));
        }
        if !builtins_apply {
            return None;
        }
        if same(lang, "en") {
            return Some((Some("en"), default));
        }
        BUILT_IN
            .iter()
            .find(|(t, _)| same(t, lang))
            .map(|(t, template)| (Some(*t), *template))
    })
    .unwrap_or((None, default))
}

/// The `<Say>` language of a text's tag, for the voices of Twilio's calls.
pub fn say_language(tag: Option<&str>) -> Option<&'static str> {
    const SAY: &[(&str, &str)] = &[
        ("en", "en-US"),
        ("de", "de-DE"),
        ("fr", "fr-FR"),
        ("es", "es-ES"),
        ("pt", "pt-BR"),
        ("it", "it-IT"),
    ];
    let lang = language(tag?);
    SAY.iter().find(|(t, _)| same(t, lang)).map(|(_, say)| *say)
}

/// The languages Twilio Verify writes its messages in (its `Locale` values).
const VERIFY_LOCALES: &str = "af ar ca zh zh-CN zh-HK hr cs da nl en en-GB et fi fr de el he hi hu id it ja kn ko lt ms mr nb pl pt pt-BR ro ru sk es sv tl te th tr vi";

/// The request's most preferred language that Verify writes in, as Verify names it: the tag
/// itself (`pt-BR`), else its language (`de` for `de-AT`).
pub fn verify_locale(locale: Option<&str>) -> Option<&'static str> {
    let known = |tag: &str| VERIFY_LOCALES.split(' ').find(|v| same(v, tag));
    by_preference(locale?, |tag| known(tag).or_else(|| known(language(tag))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn calls_and_verify_get_the_users_language() {
        assert_eq!(verify_locale(Some("pt-br, en;q=0.5")), Some("pt-BR"));
        assert_eq!(verify_locale(Some("de-AT")), Some("de"));
        assert_eq!(verify_locale(Some("xx, ja;q=0.9")), Some("ja"));
        assert_eq!(verify_locale(Some("xx")), None);
        assert_eq!(verify_locale(None), None);
        assert_eq!(say_language(Some("de")), Some("de-DE"));
        assert_eq!(say_language(Some("pt-pt")), Some("pt-BR"));
        assert_eq!(say_language(Some("ja")), None);
        assert_eq!(say_language(None), None);
    }

    /// Every language of `locale`, in order.
    fn preferred(locale: &str) -> Vec<&str> {
        let mut all = Vec::new();
        by_preference(locale, |tag| {
            all.push(tag);
            None::<()>
        });
        all
    }

    #[test]
    fn languages_come_most_preferred_first() {
        assert_eq!(preferred("pt_BR"), ["pt_BR"]);
        assert_eq!(
            preferred("de-CH, fr;q=0.5, de;q=0.9, *;q=0.1, en;q=0"),
            ["de-CH", "de", "fr"]
        );
        assert!(preferred("").is_empty());
        assert!(preferred(" , *").is_empty());
        assert_eq!(preferred("de;Q=0.1, fr;level=1;q=0.9"), ["fr", "de"]);
        assert_eq!(preferred(", , , , , , , , , de"), ["de"]);
        assert_eq!(
            preferred("en;q=0.125, de;q=1.0, fr;q=0.13"),
            ["de", "fr", "en"]
        );
    }

    use crate::config::test_config as config;

    #[test]
    fn the_apps_text_wins_then_the_built_in_one_then_the_default() {
        let own = json!({"pt-BR": "Seu código: {code}", "de": "Code: {code}"});
        let c = config(json!({ "messageTemplates": own }));
        let default = BUILT_IN[0].1;
        assert_eq!(choose(&c, Some("pt-BR")), "Seu código: {code}");
        assert_eq!(choose(&c, Some("pt_pt")), "Seu código: {code}");
        assert_eq!(choose(&c, Some("de-AT")), "Code: {code}");
        assert_eq!(choose(&c, Some("fr-CA, de;q=0.5")), BUILT_IN[2].1);
        assert_eq!(choose(&c, Some("ja")), default);
        assert_eq!(choose(&c, None), default);
        // The app's own default text: no built-in text replaces it.
        let custom = config(json!({ "messageTemplate": "Code {code}" }));
        assert_eq!(choose(&custom, Some("fr")), "Code {code}");
        // An app hash: the built-in texts stay unused, the app's own still apply.
        let hashed = config(
            json!({ "androidAppHash": "FA+9qCX9VSu", "messageTemplates": {"de": "Code {code}"} }),
        );
        assert_eq!(choose(&hashed, Some("es")), default);
        assert_eq!(choose(&hashed, Some("de")), "Code {code}");
    }

    #[test]
    fn templates_may_be_an_object_or_its_json_and_are_checked() {
        let object =
            parse_templates(&json!({"pt-BR": " Seu código: {code} ", "de": "Ihr Code: {code}"}))
                .unwrap();
        assert_eq!(
            object,
            [
                ("de".into(), "Ihr Code: {code}".into()),
                ("pt-br".into(), "Seu código: {code}".into())
            ]
        );
        let text = parse_templates(&json!("{\"it\": \"Codice {code}\"}")).unwrap();
        assert_eq!(text, [("it".to_string(), "Codice {code}".to_string())]);
        assert!(parse_templates(&json!("")).unwrap().is_empty());
        for bad in [
            json!({"de": "no code"}),
            json!({"123": "{code}"}),
            json!({"de": 5}),
            json!({"de": "{code}", "DE": "{code}"}),
            json!("de: Ihr Code {code}"),
            json!("{not json"),
            json!([1]),
        ] {
            assert!(parse_templates(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_built_in_text_has_the_code_app_name_and_lifetime() {
        for (tag, template) in BUILT_IN {
            for placeholder in ["{code}", "{appName}", "{minutes}"] {
                assert!(template.contains(placeholder), "{tag}: {placeholder}");
            }
            assert!(is_tag(tag));
        }
    }
}
