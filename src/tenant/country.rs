//! ISO 3166-1 alpha-2 country codes: the one list that `country:` and `usage_location:` are
//! checked against, and the hints shown for a value that is not on it.

use crate::diagnostics::suggest::suggest;

/// Every officially assigned ISO 3166-1 code as `(alpha-2, alpha-3, English short name)`, sorted
/// by the alpha-2 code (binary-searched by [`is_country_code`]).
const COUNTRIES: [(&str, &str, &str); 249] = [
    ("AD", "AND", "Andorra"),
    ("AE", "ARE", "United Arab Emirates"),
    ("AF", "AFG", "Afghanistan"),
    ("AG", "ATG", "Antigua and Barbuda"),
    ("AI", "AIA", "Anguilla"),
    ("AL", "ALB", "Albania"),
    ("AM", "ARM", "Armenia"),
    ("AO", "AGO", "Angola"),
    ("AQ", "ATA", "Antarctica"),
    ("AR", "ARG", "Argentina"),
    ("AS", "ASM", "American Samoa"),
    ("AT", "AUT", "Austria"),
    ("AU", "AUS", "Australia"),
    ("AW", "ABW", "Aruba"),
    ("AX", "ALA", "Åland Islands"),
    ("AZ", "AZE", "Azerbaijan"),
    ("BA", "BIH", "Bosnia and Herzegovina"),
    ("BB", "BRB", "Barbados"),
    ("BD", "BGD", "Bangladesh"),
    ("BE", "BEL", "Belgium"),
    ("BF", "BFA", "Burkina Faso"),
    ("BG", "BGR", "Bulgaria"),
    ("BH", "BHR", "Bahrain"),
    ("BI", "BDI", "Burundi"),
    ("BJ", "BEN", "Benin"),
    ("BL", "BLM", "Saint Barthélemy"),
    ("BM", "BMU", "Bermuda"),
    ("BN", "BRN", "Brunei Darussalam"),
    ("BO", "BOL", "Bolivia"),
    ("BQ", "BES", "Bonaire, Sint Eustatius and Saba"),
    ("BR", "BRA", "Brazil"),
    ("BS", "BHS", "Bahamas"),
    ("BT", "BTN", "Bhutan"),
    ("BV", "BVT", "Bouvet Island"),
    ("BW", "BWA", "Botswana"),
    ("BY", "BLR", "Belarus"),
    ("BZ", "BLZ", "Belize"),
    ("CA", "CAN", "Canada"),
    ("CC", "CCK", "Cocos (Keeling) Islands"),
    ("CD", "COD", "Congo, The Democratic Republic of the"),
    ("CF", "CAF", "Central African Republic"),
    ("CG", "COG", "Congo"),
    ("CH", "CHE", "Switzerland"),
    ("CI", "CIV", "Côte d'Ivoire"),
    ("CK", "COK", "Cook Islands"),
    ("CL", "CHL", "Chile"),
    ("CM", "CMR", "Cameroon"),
    ("CN", "CHN", "China"),
    ("CO", "COL", "Colombia"),
    ("CR", "CRI", "Costa Rica"),
    ("CU", "CUB", "Cuba"),
    ("CV", "CPV", "Cabo Verde"),
    ("CW", "CUW", "Curaçao"),
    ("CX", "CXR", "Christmas Island"),
    ("CY", "CYP", "Cyprus"),
    ("CZ", "CZE", "Czechia"),
    ("DE", "DEU", "Germany"),
    ("DJ", "DJI", "Djibouti"),
    ("DK", "DNK", "Denmark"),
    ("DM", "DMA", "Dominica"),
    ("DO", "DOM", "Dominican Republic"),
    ("DZ", "DZA", "Algeria"),
    ("EC", "ECU", "Ecuador"),
    ("EE", "EST", "Estonia"),
    ("EG", "EGY", "Egypt"),
    ("EH", "ESH", "Western Sahara"),
    ("ER", "ERI", "Eritrea"),
    ("ES", "ESP", "Spain"),
    ("ET", "ETH", "Ethiopia"),
    ("FI", "FIN", "Finland"),
    ("FJ", "FJI", "Fiji"),
    ("FK", "FLK", "Falkland Islands (Malvinas)"),
    ("FM", "FSM", "Micronesia, Federated States of"),
    ("FO", "FRO", "Faroe Islands"),
    ("FR", "FRA", "France"),
    ("GA", "GAB", "Gabon"),
    ("GB", "GBR", "United Kingdom"),
    ("GD", "GRD", "Grenada"),
    ("GE", "GEO", "Georgia"),
    ("GF", "GUF", "French Guiana"),
    ("GG", "GGY", "Guernsey"),
    ("GH", "GHA", "Ghana"),
    ("GI", "GIB", "Gibraltar"),
    ("GL", "GRL", "Greenland"),
    ("GM", "GMB", "Gambia"),
    ("GN", "GIN", "Guinea"),
    ("GP", "GLP", "Guadeloupe"),
    ("GQ", "GNQ", "Equatorial Guinea"),
    ("GR", "GRC", "Greece"),
    ("GS", "SGS", "South Georgia and the South Sandwich Islands"),
    ("GT", "GTM", "Guatemala"),
    ("GU", "GUM", "Guam"),
    ("GW", "GNB", "Guinea-Bissau"),
    ("GY", "GUY", "Guyana"),
    ("HK", "HKG", "Hong Kong"),
    ("HM", "HMD", "Heard Island and McDonald Islands"),
    ("HN", "HND", "Honduras"),
    ("HR", "HRV", "Croatia"),
    ("HT", "HTI", "Haiti"),
    ("HU", "HUN", "Hungary"),
    ("ID", "IDN", "Indonesia"),
    ("IE", "IRL", "Ireland"),
    ("IL", "ISR", "Israel"),
    ("IM", "IMN", "Isle of Man"),
    ("IN", "IND", "India"),
    ("IO", "IOT", "British Indian Ocean Territory"),
    ("IQ", "IRQ", "Iraq"),
    ("IR", "IRN", "Iran"),
    ("IS", "ISL", "Iceland"),
    ("IT", "ITA", "Italy"),
    ("JE", "JEY", "Jersey"),
    ("JM", "JAM", "Jamaica"),
    ("JO", "JOR", "Jordan"),
    ("JP", "JPN", "Japan"),
    ("KE", "KEN", "Kenya"),
    ("KG", "KGZ", "Kyrgyzstan"),
    ("KH", "KHM", "Cambodia"),
    ("KI", "KIR", "Kiribati"),
    ("KM", "COM", "Comoros"),
    ("KN", "KNA", "Saint Kitts and Nevis"),
    ("KP", "PRK", "North Korea"),
    ("KR", "KOR", "South Korea"),
    ("KW", "KWT", "Kuwait"),
    ("KY", "CYM", "Cayman Islands"),
    ("KZ", "KAZ", "Kazakhstan"),
    ("LA", "LAO", "Laos"),
    ("LB", "LBN", "Lebanon"),
    ("LC", "LCA", "Saint Lucia"),
    ("LI", "LIE", "Liechtenstein"),
    ("LK", "LKA", "Sri Lanka"),
    ("LR", "LBR", "Liberia"),
    ("LS", "LSO", "Lesotho"),
    ("LT", "LTU", "Lithuania"),
    ("LU", "LUX", "Luxembourg"),
    ("LV", "LVA", "Latvia"),
    ("LY", "LBY", "Libya"),
    ("MA", "MAR", "Morocco"),
    ("MC", "MCO", "Monaco"),
    ("MD", "MDA", "Moldova"),
    ("ME", "MNE", "Montenegro"),
    ("MF", "MAF", "Saint Martin (French part)"),
    ("MG", "MDG", "Madagascar"),
    ("MH", "MHL", "Marshall Islands"),
    ("MK", "MKD", "North Macedonia"),
    ("ML", "MLI", "Mali"),
    ("MM", "MMR", "Myanmar"),
    ("MN", "MNG", "Mongolia"),
    ("MO", "MAC", "Macao"),
    ("MP", "MNP", "Northern Mariana Islands"),
    ("MQ", "MTQ", "Martinique"),
    ("MR", "MRT", "Mauritania"),
    ("MS", "MSR", "Montserrat"),
    ("MT", "MLT", "Malta"),
    ("MU", "MUS", "Mauritius"),
    ("MV", "MDV", "Maldives"),
    ("MW", "MWI", "Malawi"),
    ("MX", "MEX", "Mexico"),
    ("MY", "MYS", "Malaysia"),
    ("MZ", "MOZ", "Mozambique"),
    ("NA", "NAM", "Namibia"),
    ("NC", "NCL", "New Caledonia"),
    ("NE", "NER", "Niger"),
    ("NF", "NFK", "Norfolk Island"),
    ("NG", "NGA", "Nigeria"),
    ("NI", "NIC", "Nicaragua"),
    ("NL", "NLD", "Netherlands"),
    ("NO", "NOR", "Norway"),
    ("NP", "NPL", "Nepal"),
    ("NR", "NRU", "Nauru"),
    ("NU", "NIU", "Niue"),
    ("NZ", "NZL", "New Zealand"),
    ("OM", "OMN", "Oman"),
    ("PA", "PAN", "Panama"),
    ("PE", "PER", "Peru"),
    ("PF", "PYF", "French Polynesia"),
    ("PG", "PNG", "Papua New Guinea"),
    ("PH", "PHL", "Philippines"),
    ("PK", "PAK", "Pakistan"),
    ("PL", "POL", "Poland"),
    ("PM", "SPM", "Saint Pierre and Miquelon"),
    ("PN", "PCN", "Pitcairn"),
    ("PR", "PRI", "Puerto Rico"),
    ("PS", "PSE", "Palestine, State of"),
    ("PT", "PRT", "Portugal"),
    ("PW", "PLW", "Palau"),
    ("PY", "PRY", "Paraguay"),
    ("QA", "QAT", "Qatar"),
    ("RE", "REU", "Réunion"),
    ("RO", "ROU", "Romania"),
    ("RS", "SRB", "Serbia"),
    ("RU", "RUS", "Russian Federation"),
    ("RW", "RWA", "Rwanda"),
    ("SA", "SAU", "Saudi Arabia"),
    ("SB", "SLB", "Solomon Islands"),
    ("SC", "SYC", "Seychelles"),
    ("SD", "SDN", "Sudan"),
    ("SE", "SWE", "Sweden"),
    ("SG", "SGP", "Singapore"),
    ("SH", "SHN", "Saint Helena, Ascension and Tristan da Cunha"),
    ("SI", "SVN", "Slovenia"),
    ("SJ", "SJM", "Svalbard and Jan Mayen"),
    ("SK", "SVK", "Slovakia"),
    ("SL", "SLE", "Sierra Leone"),
    ("SM", "SMR", "San Marino"),
    ("SN", "SEN", "Senegal"),
    ("SO", "SOM", "Somalia"),
    ("SR", "SUR", "Suriname"),
    ("SS", "SSD", "South Sudan"),
    ("ST", "STP", "Sao Tome and Principe"),
    ("SV", "SLV", "El Salvador"),
    ("SX", "SXM", "Sint Maarten (Dutch part)"),
    ("SY", "SYR", "Syria"),
    ("SZ", "SWZ", "Eswatini"),
    ("TC", "TCA", "Turks and Caicos Islands"),
    ("TD", "TCD", "Chad"),
    ("TF", "ATF", "French Southern Territories"),
    ("TG", "TGO", "Togo"),
    ("TH", "THA", "Thailand"),
    ("TJ", "TJK", "Tajikistan"),
    ("TK", "TKL", "Tokelau"),
    ("TL", "TLS", "Timor-Leste"),
    ("TM", "TKM", "Turkmenistan"),
    ("TN", "TUN", "Tunisia"),
    ("TO", "TON", "Tonga"),
    ("TR", "TUR", "Türkiye"),
    ("TT", "TTO", "Trinidad and Tobago"),
    ("TV", "TUV", "Tuvalu"),
    ("TW", "TWN", "Taiwan"),
    ("TZ", "TZA", "Tanzania"),
    ("UA", "UKR", "Ukraine"),
    ("UG", "UGA", "Uganda"),
    ("UM", "UMI", "United States Minor Outlying Islands"),
    ("US", "USA", "United States"),
    ("UY", "URY", "Uruguay"),
    ("UZ", "UZB", "Uzbekistan"),
    ("VA", "VAT", "Holy See (Vatican City State)"),
    ("VC", "VCT", "Saint Vincent and the Grenadines"),
    ("VE", "VEN", "Venezuela"),
    ("VG", "VGB", "Virgin Islands, British"),
    ("VI", "VIR", "Virgin Islands, U.S."),
    ("VN", "VNM", "Vietnam"),
    ("VU", "VUT", "Vanuatu"),
    ("WF", "WLF", "Wallis and Futuna"),
    ("WS", "WSM", "Samoa"),
    ("YE", "YEM", "Yemen"),
    ("YT", "MYT", "Mayotte"),
    ("ZA", "ZAF", "South Africa"),
    ("ZM", "ZMB", "Zambia"),
    ("ZW", "ZWE", "Zimbabwe"),
];

/// Other names people write for a country, each with its alpha-2 code.
const NAME_ALIASES: [(&str, &str); 24] = [
    ("America", "US"),
    ("Britain", "GB"),
    ("Burma", "MM"),
    ("Cape Verde", "CV"),
    ("Czech Republic", "CZ"),
    ("East Timor", "TL"),
    ("England", "GB"),
    ("Great Britain", "GB"),
    ("Holland", "NL"),
    ("Ivory Coast", "CI"),
    ("Korea", "KR"),
    ("Macedonia", "MK"),
    ("Northern Ireland", "GB"),
    ("Russia", "RU"),
    ("Scotland", "GB"),
    ("Swaziland", "SZ"),
    ("The Netherlands", "NL"),
    ("Turkey", "TR"),
    ("UAE", "AE"),
    ("United States of America", "US"),
    ("Vatican", "VA"),
    ("Wales", "GB"),
    ("Republic of Korea", "KR"),
    ("Russian Federation", "RU"),
];

/// True when `s` is an officially assigned ISO 3166-1 alpha-2 code (upper case, as ISO writes
/// them and as Entra ID expects them).
pub fn is_country_code(s: &str) -> bool {
    s.len() == 2
        && COUNTRIES
            .binary_search_by(|&(code, _, _)| code.cmp(s))
            .is_ok()
}

/// Help for a `country` / `usage_location` value that is not an alpha-2 code, or `None` when
/// there is nothing useful to say (or the value is valid).
pub fn country_hint(s: &str) -> Option<String> {
    if is_country_code(s) {
        return None;
    }
    let trimmed = s.trim();
    if trimmed != s && !trimmed.is_empty() {
        if is_country_code(trimmed) {
            return Some(format!("remove the spaces: `{trimmed}`"));
        }
        return country_hint(trimmed);
    }
    let upper = s.to_ascii_uppercase();
    match upper.as_str() {
        "UK" => {
            return Some("the ISO code for the United Kingdom is `GB`".to_owned());
        }
        "EL" => return Some("the ISO code for Greece is `GR` (`EL` is the EU's code)".to_owned()),
        _ => {}
    }
    if is_country_code(&upper) {
        return Some(format!("country codes are upper case: `{upper}`"));
    }
    if upper.len() == 3
        && let Some(&(alpha2, _, name)) = COUNTRIES.iter().find(|&&(_, a3, _)| a3 == upper)
    {
        return Some(format!(
            "`{s}` is an ISO 3166-1 alpha-3 code ({name}); use the alpha-2 code `{alpha2}`"
        ));
    }
    if let Some((name, code)) = by_name(s) {
        return Some(format!(
            "use the ISO 3166-1 alpha-2 code for {name}: `{code}`"
        ));
    }
    if s.chars().count() > 3 {
        let names = COUNTRIES
            .iter()
            .map(|&(_, _, name)| name)
            .chain(NAME_ALIASES.iter().map(|&(name, _)| name));
        if let Some(name) = suggest(s, names)
            && let Some((name, code)) = by_name(name)
        {
            return Some(format!(
                "did you mean {name}? its ISO 3166-1 alpha-2 code is `{code}`"
            ));
        }
    }
    None
}

/// The country whose name (or a common alias) is `s`, case-insensitively.
fn by_name(s: &str) -> Option<(&'static str, &'static str)> {
    let lower = s.to_lowercase();
    COUNTRIES
        .iter()
        .find(|&&(_, _, name)| name.to_lowercase() == lower)
        .map(|&(code, _, name)| (name, code))
        .or_else(|| {
            NAME_ALIASES
                .iter()
                .find(|&&(name, _)| name.to_lowercase() == lower)
                .map(|&(name, code)| (name, code))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_complete() {
        assert_eq!(COUNTRIES.len(), 249);
        assert!(COUNTRIES.windows(2).all(|w| match w {
            [a, b] => a.0 < b.0,
            _ => false,
        }));
        for (a2, a3, name) in COUNTRIES {
            assert!(
                a2.len() == 2 && a2.bytes().all(|b| b.is_ascii_uppercase()),
                "{a2}"
            );
            assert!(
                a3.len() == 3 && a3.bytes().all(|b| b.is_ascii_uppercase()),
                "{a3}"
            );
            assert!(!name.is_empty());
        }
        for (_, code) in NAME_ALIASES {
            assert!(is_country_code(code), "{code}");
        }
    }

    #[test]
    fn accepts_assigned_codes_only() {
        for code in ["US", "NO", "GB", "DE", "FR", "AD", "ZW", "AX", "SS", "BQ"] {
            assert!(is_country_code(code), "{code}");
        }
        // XK (Kosovo) is user-assigned, not officially assigned; UK and EL are reserved.
        for bad in [
            "XK", "UK", "EL", "us", "USA", "", "U", "AAA", "ZZ", "É", "U S",
        ] {
            assert!(!is_country_code(bad), "{bad}");
        }
        assert_eq!(country_hint("US"), None);
    }

    #[test]
    fn hints_case_alpha3_and_reserved_codes() {
        assert_eq!(
            country_hint("us").as_deref(),
            Some("country codes are upper case: `US`")
        );
        assert_eq!(
            country_hint("No").as_deref(),
            Some("country codes are upper case: `NO`")
        );
        assert_eq!(
            country_hint("DEU").as_deref(),
            Some("`DEU` is an ISO 3166-1 alpha-3 code (Germany); use the alpha-2 code `DE`")
        );
        for (a3, a2) in [
            ("USA", "US"),
            ("NOR", "NO"),
            ("GBR", "GB"),
            ("FRA", "FR"),
            ("usa", "US"),
            ("CHE", "CH"),
            ("AUT", "AT"),
            ("JPN", "JP"),
            ("BRA", "BR"),
            ("ZAF", "ZA"),
        ] {
            let hint = country_hint(a3).unwrap_or_default();
            assert!(
                hint.contains(&format!("use the alpha-2 code `{a2}`")),
                "{a3}: {hint}"
            );
        }
        assert_eq!(
            country_hint("UK").as_deref(),
            Some("the ISO code for the United Kingdom is `GB`")
        );
        assert!(country_hint("uk").unwrap_or_default().contains("`GB`"));
        assert!(country_hint("EL").unwrap_or_default().contains("`GR`"));
        assert_eq!(
            country_hint(" US").as_deref(),
            Some("remove the spaces: `US`")
        );
    }

    #[test]
    fn hints_names_and_typos() {
        assert_eq!(
            country_hint("Norway").as_deref(),
            Some("use the ISO 3166-1 alpha-2 code for Norway: `NO`")
        );
        assert_eq!(
            country_hint("germany").as_deref(),
            Some("use the ISO 3166-1 alpha-2 code for Germany: `DE`")
        );
        assert!(country_hint("Russia").unwrap_or_default().contains("`RU`"));
        assert_eq!(
            country_hint("Germny").as_deref(),
            Some("did you mean Germany? its ISO 3166-1 alpha-2 code is `DE`")
        );
        assert_eq!(country_hint("ZZ"), None);
        assert_eq!(country_hint("QQQ"), None);
        assert_eq!(country_hint("xyzzy-plugh"), None);
    }
}
