//! The region (ISO 3166-1 alpha-2) a number belongs to, for the country policy, the conversion
//! breaker and the activity counters. Most calling codes name one country; the two shared ones
//! that matter for SMS fraud are told apart by their next digits: +1 (the NANP: the United
//! States, Canada and twenty-odd Caribbean and Pacific countries and territories, by area code)
//! and +7 (Russia, and Kazakhstan from +7 6 and +7 7). Calling codes that other territories
//! share without such a rule (+44 with Jersey, +47 with Svalbard) count as the main country.
//! The international networks (+800, +870, +881, +882, +883, ...) have no region.

/// Calling code -> its main region, ascending by code. +1 and +7 are refined below.
#[rustfmt::skip]
const MAIN_REGION: &[(u16, [u8; 2])] = &[
    (1, *b"US"), (7, *b"RU"), (20, *b"EG"), (27, *b"ZA"), (30, *b"GR"), (31, *b"NL"),
    (32, *b"BE"), (33, *b"FR"), (34, *b"ES"), (36, *b"HU"), (39, *b"IT"), (40, *b"RO"),
    (41, *b"CH"), (43, *b"AT"), (44, *b"GB"), (45, *b"DK"), (46, *b"SE"), (47, *b"NO"),
    (48, *b"PL"), (49, *b"DE"), (51, *b"PE"), (52, *b"MX"), (53, *b"CU"), (54, *b"AR"),
    (55, *b"BR"), (56, *b"CL"), (57, *b"CO"), (58, *b"VE"), (60, *b"MY"), (61, *b"AU"),
    (62, *b"ID"), (63, *b"PH"), (64, *b"NZ"), (65, *b"SG"), (66, *b"TH"), (81, *b"JP"),
    (82, *b"KR"), (84, *b"VN"), (86, *b"CN"), (90, *b"TR"), (91, *b"IN"), (92, *b"PK"),
    (93, *b"AF"), (94, *b"LK"), (95, *b"MM"), (98, *b"IR"), (211, *b"SS"), (212, *b"MA"),
    (213, *b"DZ"), (216, *b"TN"), (218, *b"LY"), (220, *b"GM"), (221, *b"SN"), (222, *b"MR"),
    (223, *b"ML"), (224, *b"GN"), (225, *b"CI"), (226, *b"BF"), (227, *b"NE"), (228, *b"TG"),
    (229, *b"BJ"), (230, *b"MU"), (231, *b"LR"), (232, *b"SL"), (233, *b"GH"), (234, *b"NG"),
    (235, *b"TD"), (236, *b"CF"), (237, *b"CM"), (238, *b"CV"), (239, *b"ST"), (240, *b"GQ"),
    (241, *b"GA"), (242, *b"CG"), (243, *b"CD"), (244, *b"AO"), (245, *b"GW"), (246, *b"IO"),
    (247, *b"AC"), (248, *b"SC"), (249, *b"SD"), (250, *b"RW"), (251, *b"ET"), (252, *b"SO"),
    (253, *b"DJ"), (254, *b"KE"), (255, *b"TZ"), (256, *b"UG"), (257, *b"BI"), (258, *b"MZ"),
    (260, *b"ZM"), (261, *b"MG"), (262, *b"RE"), (263, *b"ZW"), (264, *b"NA"), (265, *b"MW"),
    (266, *b"LS"), (267, *b"BW"), (268, *b"SZ"), (269, *b"KM"), (290, *b"SH"), (291, *b"ER"),
    (297, *b"AW"), (298, *b"FO"), (299, *b"GL"), (350, *b"GI"), (351, *b"PT"), (352, *b"LU"),
    (353, *b"IE"), (354, *b"IS"), (355, *b"AL"), (356, *b"MT"), (357, *b"CY"), (358, *b"FI"),
    (359, *b"BG"), (370, *b"LT"), (371, *b"LV"), (372, *b"EE"), (373, *b"MD"), (374, *b"AM"),
    (375, *b"BY"), (376, *b"AD"), (377, *b"MC"), (378, *b"SM"), (379, *b"VA"), (380, *b"UA"),
    (381, *b"RS"), (382, *b"ME"), (383, *b"XK"), (385, *b"HR"), (386, *b"SI"), (387, *b"BA"),
    (389, *b"MK"), (420, *b"CZ"), (421, *b"SK"), (423, *b"LI"), (500, *b"FK"), (501, *b"BZ"),
    (502, *b"GT"), (503, *b"SV"), (504, *b"HN"), (505, *b"NI"), (506, *b"CR"), (507, *b"PA"),
    (508, *b"PM"), (509, *b"HT"), (590, *b"GP"), (591, *b"BO"), (592, *b"GY"), (593, *b"EC"),
    (594, *b"GF"), (595, *b"PY"), (596, *b"MQ"), (597, *b"SR"), (598, *b"UY"), (599, *b"CW"),
    (670, *b"TL"), (672, *b"NF"), (673, *b"BN"), (674, *b"NR"), (675, *b"PG"), (676, *b"TO"),
    (677, *b"SB"), (678, *b"VU"), (679, *b"FJ"), (680, *b"PW"), (681, *b"WF"), (682, *b"CK"),
    (683, *b"NU"), (685, *b"WS"), (686, *b"KI"), (687, *b"NC"), (688, *b"TV"), (689, *b"PF"),
    (690, *b"TK"), (691, *b"FM"), (692, *b"MH"), (850, *b"KP"), (852, *b"HK"), (853, *b"MO"),
    (855, *b"KH"), (856, *b"LA"), (880, *b"BD"), (886, *b"TW"), (960, *b"MV"), (961, *b"LB"),
    (962, *b"JO"), (963, *b"SY"), (964, *b"IQ"), (965, *b"KW"), (966, *b"SA"), (967, *b"YE"),
    (968, *b"OM"), (970, *b"PS"), (971, *b"AE"), (972, *b"IL"), (973, *b"BH"), (974, *b"QA"),
    (975, *b"BT"), (976, *b"MN"), (977, *b"NP"), (992, *b"TJ"), (993, *b"TM"), (994, *b"AZ"),
    (995, *b"GE"), (996, *b"KG"), (998, *b"UZ"),
];

/// NANP area codes outside the United States, ascending. Every other +1 number is the US's.
#[rustfmt::skip]
const NANP_AREA: &[(u16, [u8; 2])] = &[
    (204, *b"CA"), (226, *b"CA"), (236, *b"CA"), (242, *b"BS"), (246, *b"BB"), (249, *b"CA"),
    (250, *b"CA"), (257, *b"CA"), (263, *b"CA"), (264, *b"AI"), (268, *b"AG"), (284, *b"VG"),
    (289, *b"CA"), (306, *b"CA"), (340, *b"VI"), (343, *b"CA"), (345, *b"KY"), (354, *b"CA"),
    (365, *b"CA"), (367, *b"CA"), (368, *b"CA"), (382, *b"CA"), (403, *b"CA"), (416, *b"CA"),
    (418, *b"CA"), (428, *b"CA"), (431, *b"CA"), (437, *b"CA"), (438, *b"CA"), (441, *b"BM"),
    (450, *b"CA"), (460, *b"CA"), (468, *b"CA"), (473, *b"GD"), (474, *b"CA"), (506, *b"CA"),
    (514, *b"CA"), (519, *b"CA"), (537, *b"CA"), (548, *b"CA"), (579, *b"CA"), (581, *b"CA"),
    (584, *b"CA"), (587, *b"CA"), (600, *b"CA"), (604, *b"CA"), (613, *b"CA"), (639, *b"CA"),
    (647, *b"CA"), (649, *b"TC"), (658, *b"JM"), (664, *b"MS"), (670, *b"MP"), (671, *b"GU"),
    (672, *b"CA"), (683, *b"CA"), (684, *b"AS"), (705, *b"CA"), (709, *b"CA"), (721, *b"SX"),
    (742, *b"CA"), (753, *b"CA"), (758, *b"LC"), (767, *b"DM"), (778, *b"CA"), (780, *b"CA"),
    (782, *b"CA"), (784, *b"VC"), (787, *b"PR"), (807, *b"CA"), (809, *b"DO"), (819, *b"CA"),
    (825, *b"CA"), (829, *b"DO"), (849, *b"DO"), (867, *b"CA"), (868, *b"TT"), (869, *b"KN"),
    (873, *b"CA"), (876, *b"JM"), (879, *b"CA"), (902, *b"CA"), (905, *b"CA"), (939, *b"PR"),
    (942, *b"CA"),
];

fn lookup(table: &[(u16, [u8; 2])], key: u16) -> Option<[u8; 2]> {
    table
        .binary_search_by_key(&key, |(k, _)| *k)
        .ok()
        .map(|i| table[i].1)
}

/// The region of a number given as its calling code and national digits; `None` for the
/// international networks.
pub fn region_of(calling_code: u16, national: &str) -> Option<[u8; 2]> {
    match calling_code {
        1 => {
            let area = national.get(..3).and_then(|a| a.parse().ok()).unwrap_or(0);
            Some(lookup(NANP_AREA, area).unwrap_or(*b"US"))
        }
        7 if national.starts_with(['6', '7']) => Some(*b"KZ"),
        code => lookup(MAIN_REGION, code),
    }
}

/// Whether `region` (upper case) is one this table can tell, and so a valid policy entry.
pub fn is_known_region(region: [u8; 2]) -> bool {
    region == *b"KZ"
        || MAIN_REGION.iter().any(|(_, r)| *r == region)
        || NANP_AREA.iter().any(|(_, r)| *r == region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_so_binary_search_is_valid() {
        assert!(MAIN_REGION.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(NANP_AREA.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn shared_calling_codes_are_told_apart() {
        for (code, national, region) in [
            (1, "4155552671", Some(*b"US")),
            (1, "4165550123", Some(*b"CA")),
            (1, "8765550123", Some(*b"JM")),
            (1, "8095550123", Some(*b"DO")),
            (1, "7875550123", Some(*b"PR")),
            (7, "4951234567", Some(*b"RU")),
            (7, "7012345678", Some(*b"KZ")),
            (44, "7700900123", Some(*b"GB")),
            (353, "851234567", Some(*b"IE")),
            (881, "612345678", None),
            (882, "1234567", None),
        ] {
            assert_eq!(region_of(code, national), region, "+{code} {national}");
        }
    }

    #[test]
    fn known_regions_are_valid_policy_entries() {
        for region in [*b"GB", *b"CA", *b"JM", *b"KZ", *b"US"] {
            assert!(is_known_region(region));
        }
        assert!(!is_known_region(*b"ZZ"));
    }
}
