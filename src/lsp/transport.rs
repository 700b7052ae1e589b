//! Reading messages: `Content-Length` framing with caps, so that a client (or whatever is
//! connected to standard input) cannot make the server allocate what it names, and a message
//! that is not JSON-RPC becomes an error answer instead of the end of the server.

use std::io::{self, BufRead, Read as _};

use lsp_server::Message;

/// Largest message body accepted: a `didChange` carrying the largest tenant file `check` reads
/// (256 MiB), with room for JSON escaping of a few characters.
pub const MAX_MESSAGE: usize = 320 * 1024 * 1024;

/// Longest header line (`Content-Length: …`, `Content-Type: …`).
const MAX_HEADER_LINE: usize = 1024;

/// What one frame held.
#[derive(Debug)]
pub enum Incoming {
    /// A request, notification or response.
    Message(Message),
    /// Not a JSON-RPC message: answered with this error (code, text); the server stays up.
    Bad(i32, String),
}

/// JSON-RPC's "Parse error": the body is not JSON (or not UTF-8).
pub const PARSE_ERROR: i32 = -32700;
/// JSON-RPC's "Invalid Request": JSON, but not a message; or a message over [`MAX_MESSAGE`].
pub const INVALID_REQUEST: i32 = -32600;

/// Frames read from an input.
#[derive(Debug)]
pub struct Reader<R> {
    input: R,
    max: usize,
    /// The body of a refused message, still to be read past.
    skip: u64,
}

impl<R: BufRead> Reader<R> {
    /// Reads `input`, refusing bodies over `max` bytes.
    pub fn new(input: R, max: usize) -> Self {
        Reader {
            input,
            max,
            skip: 0,
        }
    }

    /// The next frame; `Ok(None)` at the end of the input. A body over the cap is answered
    /// first (the client learns at once) and read past on the next call, so that the frame
    /// after it is found where it starts.
    pub fn next(&mut self) -> io::Result<Option<Incoming>> {
        if self.skip > 0 {
            let want = std::mem::take(&mut self.skip);
            let skipped = io::copy(&mut (&mut self.input).take(want), &mut io::sink())?;
            if skipped != want {
                return Ok(None);
            }
        }
        read(&mut self.input, self.max, &mut self.skip)
    }
}

fn read(input: &mut impl BufRead, max: usize, skip: &mut u64) -> io::Result<Option<Incoming>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        let limit = u64::try_from(MAX_HEADER_LINE).unwrap_or(u64::MAX);
        if input.take(limit).read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        if !line.ends_with(b"\n") {
            if line.len() < MAX_HEADER_LINE {
                // The input ended inside a header.
                return Ok(None);
            }
            // Skip the rest of an overlong line; the frame is bad, but the stream goes on.
            let mut rest = Vec::new();
            input.take(u64::MAX).read_until(b'\n', &mut rest)?;
            length = Some(Err(format!(
                "a header line is longer than {MAX_HEADER_LINE} bytes"
            )));
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end();
        if text.is_empty() {
            if length.is_none() {
                // Blank lines between frames are tolerated, as other servers do.
                continue;
            }
            break;
        }
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            let value = value.trim();
            length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| format!("`Content-Length: {value}` is not a length in bytes")),
            );
        }
    }
    let length = match length {
        Some(Ok(n)) => n,
        Some(Err(why)) => return Ok(Some(Incoming::Bad(INVALID_REQUEST, why))),
        None => return Ok(None),
    };
    if length > max {
        // Refused before anything is allocated for it.
        *skip = u64::try_from(length).unwrap_or(u64::MAX);
        return Ok(Some(Incoming::Bad(
            INVALID_REQUEST,
            format!("a message of {length} bytes is over the limit of {max} bytes"),
        )));
    }
    // Grows with the bytes that arrive, not with what the header announced.
    let mut body = Vec::with_capacity(length.min(1 << 20));
    input
        .take(u64::try_from(length).unwrap_or(u64::MAX))
        .read_to_end(&mut body)?;
    if body.len() != length {
        return Ok(None);
    }
    // JSON first, then the message: `Message` is an untagged enum, which serde buffers; from
    // a parsed value the buffer takes the strings over instead of copying them (a didChange
    // carries the whole text).
    Ok(Some(
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(value) => match serde_json::from_value::<Message>(value) {
                Ok(m) => Incoming::Message(m),
                Err(_) => Incoming::Bad(
                    INVALID_REQUEST,
                    "the message is JSON but not a JSON-RPC request, notification or response"
                        .to_owned(),
                ),
            },
            Err(e) => Incoming::Bad(PARSE_ERROR, format!("the message is not JSON: {e}")),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &[u8]) -> Vec<u8> {
        let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        out.extend_from_slice(body);
        out
    }

    fn all(bytes: &[u8], max: usize) -> Vec<String> {
        let mut input = Reader::new(io::BufReader::new(bytes), max);
        let mut out = Vec::new();
        while let Ok(Some(m)) = input.next() {
            out.push(match m {
                Incoming::Message(Message::Notification(n)) => n.method,
                Incoming::Message(_) => "other".to_owned(),
                Incoming::Bad(code, _) => code.to_string(),
            });
        }
        out
    }

    #[test]
    fn bad_frames_are_answered_and_the_stream_goes_on() {
        let ok = br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let mut bytes = frame(b"{not json");
        bytes.extend(frame(b"{\"jsonrpc\":\"2.0\",\"method\":\"x\xff\"}"));
        bytes.extend(frame(b"[1, 2]"));
        bytes.extend(frame(&[b'x'; 100]));
        bytes.extend(frame(ok));
        assert_eq!(
            all(&bytes, 64),
            ["-32700", "-32700", "-32600", "-32600", "initialized"]
        );
    }

    #[test]
    fn a_huge_length_is_refused_without_its_body() {
        // Answered at once; the announced body never comes and the input ends.
        let bytes = b"Content-Length: 3000000000\r\n\r\n{}";
        assert_eq!(all(bytes, MAX_MESSAGE), ["-32600"]);
        let bytes = b"Content-Length: -1\r\n\r\n";
        assert_eq!(all(bytes, MAX_MESSAGE), ["-32600"]);
    }
}
