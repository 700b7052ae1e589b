//! Scalars: YAML 1.2 core schema resolution, and how values are quoted in messages.

use saphyr_parser::ScalarStyle;

use super::events::{Scalar, TagKind};

/// How a scalar resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Str,
    /// A plain scalar that YAML 1.1 would read as a boolean; a string in YAML 1.2.
    Yaml11Bool,
    Null,
    Bool(bool),
    Int,
    Float,
}

pub(super) const YAML11_BOOLEANS: [&str; 16] = [
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF",
];

fn is_null(v: &str) -> bool {
    matches!(v, "" | "~" | "null" | "Null" | "NULL")
}

pub(super) fn as_bool(v: &str) -> Option<bool> {
    match v {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn all_digits(s: &str, radix: u32) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_digit(radix))
}

pub(super) fn is_int(v: &str) -> bool {
    if let Some(octal) = v.strip_prefix("0o") {
        return all_digits(octal, 8);
    }
    if let Some(hex) = v.strip_prefix("0x") {
        return all_digits(hex, 16);
    }
    all_digits(v.strip_prefix(['-', '+']).unwrap_or(v), 10)
}

fn is_float(v: &str) -> bool {
    if matches!(v, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let unsigned = v.strip_prefix(['-', '+']).unwrap_or(v);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (
            unsigned.get(..i).unwrap_or(""),
            Some(unsigned.get(i + 1..).unwrap_or("")),
        ),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => all_digits(frac, 10),
        Some((whole, frac)) => all_digits(whole, 10) && frac.chars().all(|c| c.is_ascii_digit()),
        None => all_digits(mantissa, 10),
    };
    let exponent_ok =
        exponent.is_none_or(|e| all_digits(e.strip_prefix(['-', '+']).unwrap_or(e), 10));
    mantissa_ok && exponent_ok
}

/// Resolves a scalar; `Err` names the tag whose value is invalid (`!!int abc`).
pub(super) fn resolve(s: &Scalar<'_>) -> Result<Kind, &'static str> {
    let v = s.value.as_ref();
    match s.tag {
        TagKind::Str => return Ok(Kind::Str),
        TagKind::Null => return Ok(Kind::Null),
        TagKind::Bool => return as_bool(v).map(Kind::Bool).ok_or("!!bool"),
        TagKind::Int => {
            return if is_int(v) {
                Ok(Kind::Int)
            } else {
                Err("!!int")
            };
        }
        TagKind::Float => {
            return if is_float(v) || is_int(v) {
                Ok(Kind::Float)
            } else {
                Err("!!float")
            };
        }
        TagKind::None | TagKind::Ignored | TagKind::Unsupported(_) => {}
    }
    if s.style != ScalarStyle::Plain {
        return Ok(Kind::Str);
    }
    // Fast path: only these first characters can start a null, a boolean (YAML 1.2 or 1.1) or
    // a number; anything else (most names) is a string.
    if !v.is_empty()
        && !v.starts_with([
            '~', 'n', 'N', 't', 'T', 'f', 'F', 'y', 'Y', 'o', 'O', '-', '+', '.', '0', '1', '2',
            '3', '4', '5', '6', '7', '8', '9',
        ])
    {
        return Ok(Kind::Str);
    }
    Ok(if is_null(v) {
        Kind::Null
    } else if let Some(b) = as_bool(v) {
        Kind::Bool(b)
    } else if is_int(v) {
        Kind::Int
    } else if is_float(v) {
        Kind::Float
    } else if YAML11_BOOLEANS.contains(&v) {
        Kind::Yaml11Bool
    } else {
        Kind::Str
    })
}

/// A value as quoted in a message: at most 40 characters, line breaks shown as `\n`.
pub(super) fn shown(v: &str) -> String {
    let mut out: String = v.chars().take(40).collect();
    if v.chars().nth(40).is_some() {
        out.push('…');
    }
    out.replace('\n', "\\n")
}

/// `` integer `123` ``, `an empty value`, … for "found …".
pub(super) fn found(kind: Kind, s: &Scalar<'_>) -> String {
    let v = shown(&s.value);
    match kind {
        Kind::Null if s.value.is_empty() => "an empty value".to_owned(),
        Kind::Null => format!("null `{v}`"),
        Kind::Bool(_) => format!("boolean `{v}`"),
        Kind::Int => format!("integer `{v}`"),
        Kind::Float => format!("number `{v}`"),
        Kind::Str | Kind::Yaml11Bool => format!("string `{v}`"),
    }
}
