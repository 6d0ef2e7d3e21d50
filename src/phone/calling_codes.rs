//! ITU-T E.164 country calling codes in service (the ITU's list of assignments), so that a
//! number's country is known for the country policy, and which of them dial a trunk `0`.
//!
//! Calling codes are a prefix code: no assigned code is a prefix of another, so the first
//! match on 1, 2 or 3 digits is the only one.

/// Assigned calling codes, ascending. Zones 1 and 7 are single digits; the rest 2 or 3.
const ASSIGNED: &[u16] = &[
    1, 7, // NANP; Russia and Kazakhstan
    20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56,
    57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98, //
    211, 212, 213, 216, 218, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233,
    234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252,
    253, 254, 255, 256, 257, 258, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 290, 291, 297,
    298, 299, 350, 351, 352, 353, 354, 355, 356, 357, 358, 359, 370, 371, 372, 373, 374, 375, 376,
    377, 378, 379, 380, 381, 382, 383, 385, 386, 387, 389, 420, 421, 423, 500, 501, 502, 503, 504,
    505, 506, 507, 508, 509, 590, 591, 592, 593, 594, 595, 596, 597, 598, 599, 670, 672, 673, 674,
    675, 676, 677, 678, 679, 680, 681, 682, 683, 685, 686, 687, 688, 689, 690, 691, 692, 800, 808,
    850, 852, 853, 855, 856, 870, 878, 880, 881, 882, 883, 886, 888, 960, 961, 962, 963, 964, 965,
    966, 967, 968, 970, 971, 972, 973, 974, 975, 976, 977, 979, 991, 992, 993, 994, 995, 996, 998,
];

/// Calling codes whose numbering plan dials a national trunk prefix `0` that is not part of the
/// number: people write `+44 (0)7700 900123`, and the `0` must go. Where a leading `0` belongs
/// to the number in international form (Italy, San Marino, Côte d'Ivoire, Gabon, Congo), or the
/// plan has no trunk `0` at all, the code is absent and the digit is kept.
const TRUNK_ZERO: &[u16] = &[
    20, 27, 31, 32, 33, 40, 41, 43, 44, 46, 49, 51, 53, 54, 55, 58, 60, 61, 62, 63, 64, 66, 81, 82,
    84, 86, 90, 91, 92, 93, 94, 95, 98, 212, 213, 218, 231, 233, 234, 243, 249, 250, 251, 252, 254,
    255, 256, 260, 261, 262, 263, 264, 265, 353, 355, 358, 359, 370, 373, 374, 380, 381, 382, 383,
    385, 386, 387, 389, 421, 590, 591, 593, 594, 595, 596, 598, 855, 856, 880, 886, 961, 962, 963,
    964, 966, 967, 970, 971, 972, 976, 977, 994, 995,
];

/// Whether a `0` right after this calling code is a trunk prefix to drop.
pub fn drops_trunk_zero(calling_code: u16) -> bool {
    TRUNK_ZERO.binary_search(&calling_code).is_ok()
}

/// Whether `code` is an assigned calling code.
pub fn is_assigned(code: u16) -> bool {
    ASSIGNED.binary_search(&code).is_ok()
}

/// The country calling code that begins `digits` (the E.164 number without its `+`), if any.
pub fn calling_code_of(digits: &str) -> Option<u16> {
    (1..=3).find_map(|len| {
        let prefix = digits.get(..len)?;
        let code: u16 = prefix.parse().ok()?;
        ASSIGNED.binary_search(&code).ok().map(|_| code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_so_binary_search_is_valid() {
        assert!(ASSIGNED.windows(2).all(|w| w[0] < w[1]));
        assert!(TRUNK_ZERO.windows(2).all(|w| w[0] < w[1]));
        assert!(TRUNK_ZERO.iter().all(|c| ASSIGNED.contains(c)));
    }

    #[test]
    fn no_code_is_a_prefix_of_another() {
        for a in ASSIGNED {
            for b in ASSIGNED {
                let (a, b) = (a.to_string(), b.to_string());
                assert!(a == b || !b.starts_with(&a), "{a} is a prefix of {b}");
            }
        }
    }

    #[test]
    fn finds_codes_of_every_length() {
        for (digits, code) in [
            ("14155552671", Some(1)),
            ("74951234567", Some(7)),
            ("442079460958", Some(44)),
            ("4915123456789", Some(49)),
            ("35312345678", Some(353)),
            ("8613800138000", Some(86)),
            ("2348031234567", Some(234)),
            ("2101234567", None), // 210 is spare
            ("8001234567", Some(800)),
            ("", None),
        ] {
            assert_eq!(calling_code_of(digits), code, "{digits}");
        }
    }
}
