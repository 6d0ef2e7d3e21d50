use super::*;

const EXAMPLE_URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
const EXAMPLE_SIGNATURE: &str = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

fn example_params() -> Params {
    [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+14158675309"),
        ("Digits", "1234"),
        ("From", "+14158675309"),
        ("To", "+18005551212"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

#[test]
fn twilios_worked_example_validates() {
    assert_eq!(
        compute("12345", EXAMPLE_URL, &example_params()),
        EXAMPLE_SIGNATURE
    );
    assert!(validate(
        "12345",
        EXAMPLE_SIGNATURE,
        EXAMPLE_URL,
        &example_params()
    ));
}

#[test]
fn parameter_order_in_the_body_does_not_matter() {
    let mut params = example_params();
    params.reverse();
    assert!(validate("12345", EXAMPLE_SIGNATURE, EXAMPLE_URL, &params));
}

#[test]
fn a_changed_parameter_url_or_token_is_rejected() {
    let mut changed = example_params();
    changed[2].1 = "1235".into();
    assert!(!validate("12345", EXAMPLE_SIGNATURE, EXAMPLE_URL, &changed));
    let mut added = example_params();
    added.push(("Extra".into(), "1".into()));
    assert!(!validate("12345", EXAMPLE_SIGNATURE, EXAMPLE_URL, &added));
    assert!(!validate(
        "12345",
        EXAMPLE_SIGNATURE,
        "https://mycompany.com/myapp.php?foo=1&bar=3",
        &example_params()
    ));
    assert!(!validate(
        "54321",
        EXAMPLE_SIGNATURE,
        EXAMPLE_URL,
        &example_params()
    ));
    assert!(!validate("12345", "", EXAMPLE_URL, &example_params()));
}

#[test]
fn default_port_may_be_present_or_absent() {
    let with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    assert!(validate(
        "12345",
        EXAMPLE_SIGNATURE,
        with_port,
        &example_params()
    ));
    let signed_with_port = compute("12345", with_port, &example_params());
    assert!(validate(
        "12345",
        &signed_with_port,
        EXAMPLE_URL,
        &example_params()
    ));
    let http = compute("12345", "http://example.com/cb", &Vec::new());
    assert!(validate(
        "12345",
        &http,
        "http://example.com:80/cb",
        &Vec::new()
    ));
    let other_port = compute("12345", "https://example.com:8443/cb", &Vec::new());
    assert!(!validate(
        "12345",
        &other_port,
        "https://example.com/cb",
        &Vec::new()
    ));
}

#[test]
fn repeated_names_contribute_each_value_sorted_and_deduplicated() {
    let params: Params = vec![
        ("MediaUrl".into(), "https://b.example/2.png".into()),
        ("MediaUrl".into(), "https://a.example/1.png".into()),
        ("MediaUrl".into(), "https://a.example/1.png".into()),
        ("Body".into(), "hi".into()),
    ];
    assert_eq!(
        signed_text("https://x.example/cb", &params),
        "https://x.example/cbBodyhiMediaUrlhttps://a.example/1.pngMediaUrlhttps://b.example/2.png"
    );
}

#[test]
fn json_bodies_are_checked_by_their_sha256() {
    let body = r#"{"property": "value", "boolean": true}"#;
    let hash = hex(&Sha256::digest(body.as_bytes()));
    let url = format!("https://mycompany.com/myapp.php?bodySHA256={hash}");
    let signature = compute("12345", &url, &Vec::new());
    assert!(validate_json("12345", &signature, &url, body));
    assert!(!validate_json(
        "12345",
        &signature,
        &url,
        r#"{"property": "other"}"#
    ));
    assert!(!validate_json("12345", &signature, EXAMPLE_URL, body));
}

#[test]
fn form_bodies_decode_like_browsers_write_them() {
    assert_eq!(
        parse_form("To=%2B14155552671&Body=Hello+world%21&Bad=%zz&Empty="),
        vec![
            ("To".to_string(), "+14155552671".to_string()),
            ("Body".to_string(), "Hello world!".to_string()),
            ("Bad".to_string(), "%zz".to_string()),
            ("Empty".to_string(), String::new()),
        ]
    );
    assert_eq!(
        parse_form("a=%2"),
        vec![("a".to_string(), "%2".to_string())]
    );
    assert_eq!(
        parse_form("a=%+1"),
        vec![("a".to_string(), "% 1".to_string())]
    );
}

#[test]
fn requests_with_hundreds_of_parameters_are_not_twilios() {
    let params: Params = (0..201).map(|i| (format!("P{i}"), String::new())).collect();
    let signature = compute("12345", EXAMPLE_URL, &params);
    assert!(!validate("12345", &signature, EXAMPLE_URL, &params));
    assert!(validate(
        "12345",
        &compute("12345", EXAMPLE_URL, &params[..200].to_vec()),
        EXAMPLE_URL,
        &params[..200].to_vec()
    ));
}
