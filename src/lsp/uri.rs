//! `file:` URIs ↔ paths. Only `file:` URIs name files skuld can read; anything else is kept as
//! is, so it still works as a key.

/// The path of a `file:` URI (percent-decoded), else the URI itself.
pub fn to_path(uri: &str) -> String {
    let Some(rest) = uri.strip_prefix("file://") else {
        return uri.to_owned();
    };
    // `file:///C:/x` on Windows: drop the slash before the drive letter.
    let rest = match rest.as_bytes() {
        [b'/', d, b':', ..] if d.is_ascii_alphabetic() => rest.get(1..).unwrap_or(rest),
        [b'/', d, b'%', b'3', b'A' | b'a', ..] if d.is_ascii_alphabetic() => {
            rest.get(1..).unwrap_or(rest)
        }
        _ => rest,
    };
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| {
            bytes
                .get(j)
                .and_then(|c| char::from(*c).to_digit(16))
                .and_then(|d| u8::try_from(d).ok())
        };
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push(h * 16 + l);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The `file:` URI of a path (absolute paths; others are made so against the current folder).
pub fn from_path(path: &str) -> String {
    let abs = if std::path::Path::new(path).is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path).display().to_string())
            .unwrap_or_else(|_| path.to_owned())
    };
    let abs = abs.replace('\\', "/");
    let mut out = String::from("file://");
    if !abs.starts_with('/') {
        out.push('/');
    }
    for b in abs.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else if b == b':' && out.len() == "file:///".len() + 1 {
            out.push(':');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_spaces_and_non_ascii() {
        let p = "/home/ana/ténants/my tenant.yaml";
        let u = from_path(p);
        assert_eq!(u, "file:///home/ana/t%C3%A9nants/my%20tenant.yaml");
        assert_eq!(to_path(&u), p);
    }

    #[test]
    fn windows_drive_letters() {
        assert_eq!(to_path("file:///c%3A/x/t.yaml"), "c:/x/t.yaml");
        assert_eq!(to_path("file:///C:/x/t.yaml"), "C:/x/t.yaml");
    }
}
