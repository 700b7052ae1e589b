//! Access tokens for `skuld import graph --live`, from the first source that is configured:
//!
//! 1. `SKULD_GRAPH_TOKEN`: a token obtained elsewhere, used as is;
//! 2. workload identity federation: `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`,
//!    `AZURE_TENANT_ID` (as AKS sets them), the file's token sent as a client assertion; or, in
//!    GitHub Actions (`ACTIONS_ID_TOKEN_REQUEST_URL`/`_TOKEN`), the job's OpenID Connect token;
//! 3. an app registration's secret (`AZURE_CLIENT_SECRET`) or certificate
//!    (`AZURE_CLIENT_CERTIFICATE_PATH`: a PEM file with the certificate and its RSA key);
//! 4. the Azure CLI: `az account get-access-token --resource <graph> --output json`.
//!
//! The login host is `AZURE_AUTHORITY_HOST`, else the one of the national cloud the Graph URL
//! belongs to. The scope is `<graph url>/.default`. A token never appears in an error or in
//! `Debug` output.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use miette::Diagnostic;
use serde::Deserialize;
use thiserror::Error;

/// The variables the token sources read, so that tests and callers can pass their own.
pub trait Env {
    /// The value of a variable, `None` when it is unset or empty.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

/// Where a token came from (for messages: how to get a new one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// `SKULD_GRAPH_TOKEN`
    Variable,
    /// `AZURE_FEDERATED_TOKEN_FILE`
    WorkloadIdentity,
    /// GitHub Actions' OpenID Connect token (`ACTIONS_ID_TOKEN_REQUEST_URL`)
    GitHubOidc,
    /// `AZURE_CLIENT_SECRET`
    ClientSecret,
    /// `AZURE_CLIENT_CERTIFICATE_PATH`
    ClientCertificate,
    /// `az account get-access-token`
    AzureCli,
}

impl TokenSource {
    /// A short description for messages.
    pub fn describe(self) -> &'static str {
        match self {
            TokenSource::Variable => "SKULD_GRAPH_TOKEN",
            TokenSource::WorkloadIdentity => {
                "workload identity federation (AZURE_FEDERATED_TOKEN_FILE)"
            }
            TokenSource::GitHubOidc => {
                "workload identity federation (GitHub Actions' OpenID Connect token)"
            }
            TokenSource::ClientSecret => "the client secret (AZURE_CLIENT_SECRET)",
            TokenSource::ClientCertificate => {
                "the client certificate (AZURE_CLIENT_CERTIFICATE_PATH)"
            }
            TokenSource::AzureCli => "the Azure CLI (az account get-access-token)",
        }
    }
}

/// A bearer token. `Debug` does not show it.
#[derive(Clone)]
pub struct Token {
    secret: String,
    /// Where it came from.
    pub source: TokenSource,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("secret", &"[redacted]")
            .field("source", &self.source)
            .finish()
    }
}

impl Token {
    /// The token itself, for the `Authorization` header only.
    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }
}

/// No token could be obtained (exit code 2).
#[derive(Debug, Error, Diagnostic)]
#[error("cannot get an access token for Microsoft Graph from {source_name}: {reason}")]
#[diagnostic(code("skuld::import::auth"))]
pub struct AuthError {
    source_name: String,
    reason: String,
    #[help]
    help: String,
}

const NO_SOURCE_HELP: &str = "set one of: SKULD_GRAPH_TOKEN (a token for Microsoft Graph); AZURE_FEDERATED_TOKEN_FILE with AZURE_CLIENT_ID and AZURE_TENANT_ID (workload identity federation; in GitHub Actions, `permissions: id-token: write` with AZURE_CLIENT_ID and AZURE_TENANT_ID); AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH with AZURE_CLIENT_ID and AZURE_TENANT_ID (an app registration); or sign in with the Azure CLI (`az login`). See docs/import.md for the read permissions the identity needs";

/// The login host for a Graph URL: `AZURE_AUTHORITY_HOST`, else the national cloud's.
pub fn authority_host(graph_url: &str, env: &dyn Env) -> String {
    if let Some(h) = env.var("AZURE_AUTHORITY_HOST") {
        return h.trim().trim_end_matches('/').to_owned();
    }
    let host = graph_url
        .split_once("://")
        .map_or(graph_url, |(_, rest)| rest)
        .trim_end_matches('/');
    match host {
        "graph.microsoft.us" | "dod-graph.microsoft.us" => "https://login.microsoftonline.us",
        "microsoftgraph.chinacloudapi.cn" => "https://login.chinacloudapi.cn",
        _ => "https://login.microsoftonline.com",
    }
    .to_owned()
}

/// Whether `authority` (`host[:port]`) is this machine: plain `http://` is allowed there only
/// (test servers), never where a secret or token would cross a network unencrypted.
pub(crate) fn is_loopback(authority: &str) -> bool {
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => authority,
    };
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// A token for `graph_url` (`https://graph.microsoft.com`, a national cloud's, a test server's).
pub fn acquire(
    graph_url: &str,
    agent: &ureq::Agent,
    env: &dyn Env,
) -> Result<Token, Box<AuthError>> {
    if let Some(t) = env.var("SKULD_GRAPH_TOKEN") {
        return Ok(Token {
            secret: t.trim().to_owned(),
            source: TokenSource::Variable,
        });
    }
    let app = env.var("AZURE_CLIENT_ID").zip(env.var("AZURE_TENANT_ID"));
    if let Some(file) = env.var("AZURE_FEDERATED_TOKEN_FILE") {
        let source = TokenSource::WorkloadIdentity;
        let (client, tenant) = app.clone().ok_or_else(|| {
            error(
                source,
                "AZURE_CLIENT_ID and AZURE_TENANT_ID must be set too".to_owned(),
                NO_SOURCE_HELP,
            )
        })?;
        let assertion = std::fs::read_to_string(&file).map_err(|e| {
            error(
                source,
                format!("cannot read `{file}`: {e}"),
                "the token file is written by the platform (AKS, or a CI step); check that it exists and is readable",
            )
        })?;
        return client_credentials(
            agent,
            graph_url,
            env,
            (&client, &tenant),
            Credential::Assertion(assertion.trim()),
            source,
        );
    }
    // GitHub Actions with `permissions: id-token: write` offers an OpenID Connect token instead
    // of a file; the app registration trusts it through a federated credential.
    if let (Some(request_url), Some(bearer), Some((client, tenant))) = (
        env.var("ACTIONS_ID_TOKEN_REQUEST_URL"),
        env.var("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
        app.clone(),
    ) {
        let source = TokenSource::GitHubOidc;
        let assertion = github_oidc_token(agent, &request_url, &bearer)
            .map_err(|reason| error(source, reason, "the job needs `permissions: id-token: write`, and the app registration a federated credential for this repository (audience `api://AzureADTokenExchange`)"))?;
        return client_credentials(
            agent,
            graph_url,
            env,
            (&client, &tenant),
            Credential::Assertion(&assertion),
            source,
        );
    }
    // A secret or certificate without the app it belongs to is a mistake, not a reason to fall
    // back to another identity.
    for (variable, source) in [
        ("AZURE_CLIENT_SECRET", TokenSource::ClientSecret),
        (
            "AZURE_CLIENT_CERTIFICATE_PATH",
            TokenSource::ClientCertificate,
        ),
    ] {
        if app.is_none() && env.var(variable).is_some() {
            return Err(error(
                source,
                format!(
                    "{variable} is set, but AZURE_CLIENT_ID and AZURE_TENANT_ID are not both set"
                ),
                "set AZURE_CLIENT_ID (the app registration's application id) and AZURE_TENANT_ID (the tenant's id or domain)",
            ));
        }
    }
    if let (Some(secret), Some((client, tenant))) = (env.var("AZURE_CLIENT_SECRET"), app.clone()) {
        return client_credentials(
            agent,
            graph_url,
            env,
            (&client, &tenant),
            Credential::Secret(&secret),
            TokenSource::ClientSecret,
        );
    }
    if let (Some(path), Some((client, tenant))) =
        (env.var("AZURE_CLIENT_CERTIFICATE_PATH"), app.clone())
    {
        let source = TokenSource::ClientCertificate;
        let audience = format!(
            "{}/{tenant}/oauth2/v2.0/token",
            authority_host(graph_url, env)
        );
        let assertion = certificate_assertion(&path, &client, &audience)
            .map_err(|reason| error(source, reason, "AZURE_CLIENT_CERTIFICATE_PATH must name a PEM file holding the certificate registered on the app and its RSA private key (PKCS#8 or PKCS#1, unencrypted)"))?;
        return client_credentials(
            agent,
            graph_url,
            env,
            (&client, &tenant),
            Credential::Assertion(&assertion),
            source,
        );
    }
    azure_cli(graph_url)
}

/// The OpenID Connect token GitHub Actions issues for Microsoft Entra ID's token exchange.
fn github_oidc_token(
    agent: &ureq::Agent,
    request_url: &str,
    request_token: &str,
) -> Result<String, String> {
    let secure = match request_url.split_once("://") {
        Some((scheme, _)) if scheme.eq_ignore_ascii_case("https") => true,
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => {
            is_loopback(rest.split(['/', '?']).next().unwrap_or(""))
        }
        _ => false,
    };
    if !secure {
        return Err("ACTIONS_ID_TOKEN_REQUEST_URL is not an `https://` URL".to_owned());
    }
    let separator = if request_url.contains('?') { '&' } else { '?' };
    let url = format!("{request_url}{separator}audience=api://AzureADTokenExchange");
    let mut response = agent
        .get(&url)
        .header("Authorization", &format!("bearer {request_token}"))
        .header("Accept", "application/json")
        .call()
        .map_err(|e| redact(&format!("cannot request the token: {e}"), request_token))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(1024 * 1024)
        .read_to_string()
        .unwrap_or_default();
    #[derive(Deserialize)]
    struct OidcToken {
        value: String,
    }
    match serde_json::from_str::<OidcToken>(&body) {
        Ok(t) if status == 200 && !t.value.trim().is_empty() => Ok(t.value.trim().to_owned()),
        _ => Err(format!(
            "GitHub's token endpoint answered {status} without a token"
        )),
    }
}

fn error(source: TokenSource, reason: String, help: &str) -> Box<AuthError> {
    Box::new(AuthError {
        source_name: source.describe().to_owned(),
        reason,
        help: help.to_owned(),
    })
}

/// The token endpoint's answer (success or OAuth error).
#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// How an app registration proves itself in the client credentials flow.
#[derive(Clone, Copy)]
enum Credential<'a> {
    /// `client_secret`
    Secret(&'a str),
    /// A signed JWT (`client_assertion`): a federated token or a certificate's assertion.
    Assertion(&'a str),
}

/// Client credentials flow against `<authority>/<tenant>/oauth2/v2.0/token` for the scope
/// `<graph url>/.default`; `app` is (client id, tenant). Every token source with an app
/// registration goes through here.
fn client_credentials(
    agent: &ureq::Agent,
    graph_url: &str,
    env: &dyn Env,
    (client, tenant): (&str, &str),
    credential: Credential<'_>,
    source: TokenSource,
) -> Result<Token, Box<AuthError>> {
    let scope = format!("{}/.default", graph_url.trim_end_matches('/'));
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", client),
        ("scope", scope.as_str()),
    ];
    let credential = match credential {
        Credential::Secret(secret) => {
            form.push(("client_secret", secret));
            secret
        }
        Credential::Assertion(jwt) => {
            form.push((
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ));
            form.push(("client_assertion", jwt));
            jwt
        }
    };
    let check_help = "check AZURE_TENANT_ID, AZURE_CLIENT_ID and the credential, and AZURE_AUTHORITY_HOST for a national cloud";
    let authority = authority_host(graph_url, env);
    let secure = match authority.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => !rest.is_empty(),
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => {
            is_loopback(rest.split('/').next().unwrap_or(""))
        }
        _ => false,
    };
    if !secure {
        return Err(error(
            source,
            format!("the login host `{authority}` is not an `https://` URL"),
            "set AZURE_AUTHORITY_HOST to the login host of your cloud, e.g. `https://login.microsoftonline.com` (plain `http://` only on 127.0.0.1, for test servers)",
        ));
    }
    let url = format!("{authority}/{}/oauth2/v2.0/token", tenant.trim());
    let mut response = agent
        .post(&url)
        .send_form(form.iter().copied())
        .map_err(|e| {
            error(
                source,
                redact(&format!("cannot reach `{url}`: {e}"), credential),
                check_help,
            )
        })?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(1024 * 1024)
        .read_to_string()
        .unwrap_or_default();
    let parsed: Option<TokenResponse> = serde_json::from_str(&body).ok();
    match parsed {
        Some(TokenResponse {
            access_token: Some(t),
            ..
        }) if status == 200 && !t.trim().is_empty() => Ok(Token {
            secret: t.trim().to_owned(),
            source,
        }),
        Some(TokenResponse {
            error: Some(code),
            error_description,
            ..
        }) => Err(error(
            source,
            redact(
                &format!(
                    "the login endpoint answered {status} `{code}`: {}",
                    error_description.unwrap_or_default().trim()
                ),
                credential,
            ),
            check_help,
        )),
        _ => Err(error(
            source,
            format!("the login endpoint `{url}` answered {status} without a token"),
            check_help,
        )),
    }
}

/// `az account get-access-token`, the `az` found on `PATH`.
fn azure_cli(graph_url: &str) -> Result<Token, Box<AuthError>> {
    let source = TokenSource::AzureCli;
    // On Windows the CLI is a batch file, which `Command` does not find by its bare name.
    let program = if cfg!(windows) { "az.cmd" } else { "az" };
    let output = std::process::Command::new(program)
        .args([
            "account",
            "get-access-token",
            "--resource",
            graph_url.trim_end_matches('/'),
            "--output",
            "json",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            let reason = if e.kind() == std::io::ErrorKind::NotFound {
                "no credentials are configured and the Azure CLI (`az`) is not installed".to_owned()
            } else {
                format!("cannot run `{program}`: {e}")
            };
            error(source, reason, NO_SOURCE_HELP)
        })?;
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct CliToken {
        access_token: String,
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(error(
            source,
            format!(
                "`az account get-access-token` failed ({}): {}",
                output.status,
                redact(first.trim(), &stdout)
            ),
            "sign in with `az login` (or `az login --service-principal …`), or set one of the other sources: SKULD_GRAPH_TOKEN, AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH",
        ));
    }
    match serde_json::from_str::<CliToken>(&stdout) {
        Ok(t) if !t.access_token.trim().is_empty() => Ok(Token {
            secret: t.access_token.trim().to_owned(),
            source,
        }),
        _ => Err(error(
            source,
            "`az account get-access-token` printed no `accessToken`".to_owned(),
            "run `az account get-access-token --resource https://graph.microsoft.com` to see what it says",
        )),
    }
}

/// `text` with every occurrence of `secret` (and of its longer words) replaced.
pub(crate) fn redact(text: &str, secret: &str) -> String {
    let secret = secret.trim();
    if secret.len() < 4 {
        return text.to_owned();
    }
    // A server can echo the secret as it was sent (form-encoded in the token request's body),
    // inside JSON, or re-encoded: every spelling is replaced, longest first.
    let mut spellings = vec![
        secret.to_owned(),
        percent_encoded(secret, false, false),
        percent_encoded(secret, true, false),
        percent_encoded(secret, false, true),
        percent_encoded(secret, true, true),
        serde_json::to_string(secret)
            .map(|j| j.trim_matches('"').to_owned())
            .unwrap_or_default(),
        serde_json::to_string(secret)
            .map(|j| j.trim_matches('"').replace('/', "\\/"))
            .unwrap_or_default(),
    ];
    {
        use base64::Engine as _;
        for engine in [
            &base64::engine::general_purpose::STANDARD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            spellings.push(engine.encode(secret));
        }
    }
    spellings.sort_by_key(|s| std::cmp::Reverse(s.len()));
    spellings.dedup();
    let mut out = text.to_owned();
    for s in spellings.iter().filter(|s| s.len() >= 4) {
        out = out.replace(s.as_str(), "[redacted]");
    }
    out
}

/// `s` percent-encoded as a URL or a form body carries it: every byte but the unreserved ones
/// (RFC 3986) as `%XX`, hex digits in lower or upper case, a space as `+` (forms) or `%20`.
fn percent_encoded(s: &str, lower: bool, plus: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            b' ' if plus => out.push('+'),
            _ if lower => {
                let _ = write!(out, "%{b:02x}");
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// A signed JWT client assertion (RFC 7523) for an app registration's certificate: RS256 with the
/// certificate's SHA-1 thumbprint as `x5t`, as Microsoft Entra ID expects.
fn certificate_assertion(path: &str, client: &str, audience: &str) -> Result<String, String> {
    use rustls_pki_types::pem::PemObject as _;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let pem = std::fs::read(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    let cert = CertificateDer::pem_slice_iter(&pem)
        .next()
        .ok_or_else(|| format!("`{path}` holds no certificate (`BEGIN CERTIFICATE`)"))?
        .map_err(|e| format!("`{path}`: {e}"))?;
    let key = PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|e| format!("`{path}` holds no usable private key: {e}"))?;
    let pair = match &key {
        PrivateKeyDer::Pkcs8(k) => ring::signature::RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
        PrivateKeyDer::Pkcs1(k) => ring::signature::RsaKeyPair::from_der(k.secret_pkcs1_der()),
        _ => {
            return Err(format!(
                "the private key in `{path}` is not an RSA key; Microsoft Entra ID app certificates are RSA"
            ));
        }
    }
    .map_err(|e| format!("the private key in `{path}` is not a usable RSA key: {e}"))?;
    let thumbprint = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, cert.as_ref());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    let header = serde_json::json!({
        "alg": "RS256",
        "typ": "JWT",
        "x5t": URL_SAFE_NO_PAD.encode(thumbprint.as_ref()),
    });
    let claims = serde_json::json!({
        "aud": audience,
        "iss": client,
        "sub": client,
        "jti": format!("{:x}-{:x}", now.as_nanos(), std::process::id()),
        "nbf": now.as_secs(),
        "iat": now.as_secs(),
        "exp": now.as_secs().saturating_add(600),
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut signature = vec![0u8; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .map_err(|_| format!("cannot sign with the private key in `{path}`"))?;
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(&signature)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_clouds_log_in_at_their_own_host() {
        struct NoEnv;
        impl Env for NoEnv {
            fn var(&self, _: &str) -> Option<String> {
                None
            }
        }
        assert_eq!(
            authority_host("https://graph.microsoft.us", &NoEnv),
            "https://login.microsoftonline.us"
        );
        assert_eq!(
            authority_host("https://microsoftgraph.chinacloudapi.cn/", &NoEnv),
            "https://login.chinacloudapi.cn"
        );
        assert_eq!(
            authority_host("https://graph.microsoft.com", &NoEnv),
            "https://login.microsoftonline.com"
        );
    }

    #[test]
    fn redaction_hides_the_secret() {
        assert_eq!(
            redact("bad secret abcdef!", "abcdef"),
            "bad secret [redacted]!"
        );
    }

    #[test]
    fn redaction_hides_the_secret_in_every_encoding() {
        // Issue 23: a login endpoint that echoed the client secret URL-encoded got it printed.
        let secret = "Ab~c/d+e f=g\"h";
        for echoed in [
            "Ab~c/d+e f=g\"h",
            "Ab~c%2Fd%2Be+f%3Dg%22h",
            "Ab~c%2fd%2be%20f%3dg%22h",
            "Ab~c/d+e f=g\\\"h",
            "Ab~c\\/d+e f=g\\\"h",
            "QWJ+Yy9kK2UgZj1nImg=",
            "QWJ-Yy9kK2UgZj1nImg",
        ] {
            let out = redact(&format!("client_secret={echoed}&x"), secret);
            assert_eq!(out, "client_secret=[redacted]&x", "{echoed}");
        }
    }
}
