//! `file:` URIs ↔ paths, parsed by `fluent-uri` (through `ls-types`' `Uri`, which also does the
//! percent-encoding and Windows drive letters). Only `file:` URIs on this machine name files
//! skuld reads: a URI with a host (`file://server/share/x`, a UNC path) is refused rather than
//! read as the local path `/share/x`; any other scheme (`untitled:`) is kept as is, so that it
//! still works as a key.

use std::str::FromStr as _;

use ls_types::Uri;

/// A `file:` URI that names a file on another machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// The URI as the client sent it.
    pub uri: String,
    /// Its host.
    pub host: String,
}

impl Remote {
    /// What the user is told.
    pub fn message(&self) -> String {
        format!(
            "skuld does not read `{}`: it is on the host `{}` (a network share); open the \
             file from a local folder or a mapped drive instead",
            self.uri, self.host
        )
    }
}

/// The path of a `file:` URI (percent-decoded); any other URI (or text that is no URI) as it
/// is; `Err` for a `file:` URI with a host other than `localhost`.
pub fn to_path(uri: &str) -> Result<String, Remote> {
    let Ok(parsed) = Uri::from_str(uri) else {
        return Ok(uri.to_owned());
    };
    if !parsed.scheme().as_str().eq_ignore_ascii_case("file") {
        return Ok(uri.to_owned());
    }
    let host = parsed
        .authority()
        .map(|a| a.host().to_owned())
        .unwrap_or_default();
    if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
        return Err(Remote {
            uri: uri.to_owned(),
            host,
        });
    }
    Ok(parsed
        .to_file_path()
        .map_or_else(|| uri.to_owned(), |p| p.to_string_lossy().into_owned()))
}

/// The `file:` URI of a path (absolute paths; others are made so against the current folder).
pub fn from_path(path: &str) -> String {
    let abs = if std::path::Path::new(path).is_absolute() {
        std::path::PathBuf::from(path)
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| std::path::PathBuf::from(path))
    };
    Uri::from_file_path(&abs).map_or_else(
        || format!("file://{}", abs.display()),
        |u| u.as_str().to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_spaces_and_non_ascii() {
        let p = "/home/ana/ténants/my tenant.yaml";
        let u = from_path(p);
        assert_eq!(u, "file:///home/ana/t%C3%A9nants/my%20tenant.yaml");
        assert_eq!(to_path(&u).as_deref(), Ok(p));
    }

    #[test]
    fn localhost_is_this_machine() {
        assert_eq!(
            to_path("file://localhost/home/x.yaml").as_deref(),
            Ok("/home/x.yaml")
        );
    }

    #[test]
    fn a_unc_host_is_refused_by_name() {
        let err = to_path("file://server/share/t.yaml");
        assert_eq!(
            err,
            Err(Remote {
                uri: "file://server/share/t.yaml".to_owned(),
                host: "server".to_owned()
            })
        );
        let message = err.err().map(|e| e.message()).unwrap_or_default();
        assert!(message.contains("the host `server`"), "{message}");
    }

    #[test]
    fn other_schemes_stay_keys() {
        assert_eq!(
            to_path("untitled:Untitled-1").as_deref(),
            Ok("untitled:Untitled-1")
        );
    }

    #[test]
    #[cfg(windows)]
    fn windows_drive_letters() {
        assert_eq!(
            to_path("file:///c%3A/x/t.yaml").as_deref(),
            Ok("c:/x/t.yaml")
        );
        assert_eq!(to_path("file:///C:/x/t.yaml").as_deref(), Ok("C:/x/t.yaml"));
    }
}
