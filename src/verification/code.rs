//! Verification codes and transaction ids: generated from the platform CSPRNG, and stored only as
//! a keyed hash so that a leaked store does not reveal them.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::encoding::{base64_url, hex, unhex};
use crate::error::{PluginError, Result};
use crate::secret::Secret;

type HmacSha256 = Hmac<Sha256>;

/// 18 random bytes: 144 bits, 24 URL-safe characters with no padding.
const TRANSACTION_ID_BYTES: usize = 18;
/// Separates the code-hashing key from any other use of the root secret.
const CODE_KEY_LABEL: &[u8] = b"twilio-baas-plugin/verification-code/v1";

fn random_bytes(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|_| PluginError::HostFailure("reading the random source".into()))
}

/// `len` decimal digits, each uniform: bytes of 250 and above are drawn again, because 256 is
/// not a multiple of 10 and `byte % 10` would favour 0-5.
pub fn generate_code(len: u32) -> Result<String> {
    let len = len as usize;
    let mut code = String::with_capacity(len);
    let mut pool = [0u8; 32];
    while code.len() < len {
        random_bytes(&mut pool)?;
        push_digits(&pool, &mut code, len);
    }
    Ok(code)
}

/// Appends a digit for each byte below 250 (each digit then has exactly 25 byte values) until
/// `code` has `len` digits.
fn push_digits(bytes: &[u8], code: &mut String, len: usize) {
    for b in bytes.iter().filter(|b| **b < 250) {
        if code.len() == len {
            break;
        }
        code.push(char::from(b'0' + b % 10));
    }
}

pub fn new_transaction_id() -> Result<String> {
    let mut bytes = [0u8; TRANSACTION_ID_BYTES];
    random_bytes(&mut bytes)?;
    Ok(base64_url(&bytes))
}

/// What a code is valid for. The hash covers all of it, so a code checked in another context
/// (another number, purpose, user or transaction) does not match.
pub struct Binding<'a> {
    pub transaction_id: &'a str,
    pub phone: &'a str,
    pub purpose: &'a str,
    pub user_id: &'a str,
}

/// Hashes codes with HMAC-SHA-256 under a key derived from the plugin's secret, which is never
/// stored beside the hashes.
#[derive(Clone)]
pub struct CodeHasher {
    key: [u8; 32],
}

impl CodeHasher {
    pub fn new(root_secret: &Secret) -> Self {
        let mut key = [0u8; 32];
        // HMAC takes keys of any length, so this never fails; if it did, the all-zero key
        // would fail closed (every check compares against hashes made under it).
        if let Ok(mut mac) = HmacSha256::new_from_slice(root_secret.expose().as_bytes()) {
            mac.update(CODE_KEY_LABEL);
            key = mac.finalize().into_bytes().into();
        }
        Self { key }
    }

    fn mac(&self, binding: &Binding, code: &str) -> HmacSha256 {
        // HMAC pads a short key with zeros to the 64-byte block: padding it here gives the
        // same MAC through the infallible constructor.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.key);
        let mut mac = <HmacSha256 as KeyInit>::new(&block.into());
        // Length-prefixed, so no two different bindings can produce the same input.
        for part in [
            binding.transaction_id,
            binding.phone,
            binding.purpose,
            binding.user_id,
            code,
        ] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac
    }

    pub fn hash(&self, binding: &Binding, code: &str) -> String {
        hex(&self.mac(binding, code).finalize().into_bytes())
    }

    /// Constant-time comparison with a stored hash.
    pub fn verify(&self, binding: &Binding, code: &str, stored_hash: &str) -> bool {
        match unhex(stored_hash) {
            Some(expected) => self.mac(binding, code).verify_slice(&expected).is_ok(),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding<'a>(phone: &'a str, purpose: &'a str) -> Binding<'a> {
        Binding {
            transaction_id: "tid",
            phone,
            purpose,
            user_id: "",
        }
    }

    #[test]
    fn codes_have_the_requested_number_of_digits() {
        for len in 4..=10 {
            let code = generate_code(len).unwrap();
            assert_eq!(code.len(), len as usize);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn every_digit_comes_from_exactly_25_byte_values() {
        let all_bytes: Vec<u8> = (0..=255).collect();
        let mut digits = String::new();
        push_digits(&all_bytes, &mut digits, usize::MAX);
        assert_eq!(digits.len(), 250, "bytes 250-255 are drawn again");
        for d in '0'..='9' {
            assert_eq!(digits.chars().filter(|c| *c == d).count(), 25, "digit {d}");
        }
    }

    #[test]
    fn digits_are_uniform() {
        // A smoke test of the whole path through the CSPRNG: 60,000 digits, each expected 6,000
        // times (sd about 73); the exact mapping is checked by the test above.
        let mut counts = [0u32; 10];
        for _ in 0..10_000 {
            for b in generate_code(6).unwrap().bytes() {
                counts[usize::from(b - b'0')] += 1;
            }
        }
        for (digit, n) in counts.iter().enumerate() {
            assert!((5_700..=6_300).contains(n), "digit {digit} drawn {n} times");
        }
    }

    #[test]
    fn transaction_ids_are_url_safe_and_carry_at_least_128_bits() {
        let a = new_transaction_id().unwrap();
        let b = new_transaction_id().unwrap();
        assert_ne!(a, b);
        assert!(a.len() * 6 >= 128);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    fn hash_does_not_contain_the_code_and_verifies_only_the_right_code() {
        let h = CodeHasher::new(&Secret::new("root-secret"));
        let b = binding("+14155552671", "register");
        let stored = h.hash(&b, "123456");
        assert!(!stored.contains("123456"));
        assert!(h.verify(&b, "123456", &stored));
        assert!(!h.verify(&b, "123457", &stored));
        assert!(!h.verify(&b, "123456", "not-hex"));
    }

    #[test]
    fn hash_is_bound_to_phone_purpose_and_key() {
        let h = CodeHasher::new(&Secret::new("root-secret"));
        let stored = h.hash(&binding("+14155552671", "register"), "123456");
        assert!(!h.verify(&binding("+14155552672", "register"), "123456", &stored));
        assert!(!h.verify(&binding("+14155552671", "login"), "123456", &stored));
        let other_key = CodeHasher::new(&Secret::new("another-secret"));
        assert!(!other_key.verify(&binding("+14155552671", "register"), "123456", &stored));
    }
}
