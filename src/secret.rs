//! Secrets: values that must never reach output, and the redaction every output passes through.
//!
//! Two layers work together. Structural redaction masks values by *where* they stand (a JSON key,
//! a form field, a query parameter or a header whose name says it holds a secret). Value
//! redaction masks every value the run has learned is secret (client secrets, codes, tokens,
//! Basic credentials) wherever it appears, including its base64 and URL-encoded forms.

use std::fmt;
use std::sync::{LazyLock, RwLock};

use aho_corasick::AhoCorasick;
use base64::Engine as _;
use serde_json::Value;

/// What a redacted value is replaced with.
pub const MASK: &str = "[REDACTED]";

/// Values shorter than this are not registered: masking "1" everywhere would shred the output.
const MIN_SECRET_LEN: usize = 4;

/// A secret value. `Debug` and `Display` print [`MASK`]; the value itself is only reachable
/// through [`Secret::expose`], and creating one registers it for value redaction.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        register(&value);
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// Every registered secret form. [`redact`] reads a text a few times whatever the number and
/// shape of the forms (a run registers every code, token and cookie it sees, and a server
/// chooses those): the latest forms, up to [`CHUNK`], are searched for one by one; older ones
/// are held in Aho-Corasick automata of doubling sizes (a full chunk merges the smaller
/// automata into one, the way a binary counter carries), so a text is read once per automaton,
/// there are at most log2(forms / CHUNK) + 1 of them, and each form is built into one about
/// log2(forms / CHUNK) times in all.
#[derive(Default)]
struct Registry {
    known: std::collections::HashSet<String>,
    /// The latest forms, not in an automaton yet.
    pending: Vec<String>,
    /// Largest first, each at least twice the size of the next.
    levels: Vec<Level>,
}

/// Forms searched for one by one before they are built into an automaton: building one has a
/// cost of its own, and a run registers forms a few at a time.
const CHUNK: usize = 64;

struct Level {
    forms: Vec<String>,
    automaton: AhoCorasick,
}

impl Registry {
    fn insert(&mut self, form: String) {
        if form.len() < MIN_SECRET_LEN || !self.known.insert(form.clone()) {
            return;
        }
        self.pending.push(form);
        if self.pending.len() >= CHUNK {
            self.build_pending();
        }
    }

    /// Builds the pending forms into an automaton, merging the smaller ones into it.
    fn build_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut forms = std::mem::take(&mut self.pending);
        while self
            .levels
            .last()
            .is_some_and(|last| last.forms.len() <= forms.len())
        {
            let last = self.levels.pop().expect("checked");
            forms.extend(last.forms);
        }
        self.push_level(forms);
    }

    fn push_level(&mut self, forms: Vec<String>) {
        // A contiguous NFA: the forms change all through a run, and building a DFA each time
        // costs more than it saves.
        let built = AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .build(&forms);
        match built {
            Ok(automaton) => self.levels.push(Level { forms, automaton }),
            Err(e) => {
                tracing::error!("secret forms cannot be matched by an automaton: {e}");
                self.pending.extend(forms);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.pending.is_empty() && self.levels.is_empty()
    }

    /// Every occurrence of a registered form in `text`, as byte ranges (overlaps included).
    fn occurrences(&self, text: &str) -> Vec<(usize, usize)> {
        let mut found: Vec<(usize, usize)> = self
            .levels
            .iter()
            .flat_map(|l| l.automaton.find_overlapping_iter(text))
            .map(|m| (m.start(), m.end()))
            .collect();
        for form in &self.pending {
            let step = form.chars().next().map_or(1, char::len_utf8);
            let mut from = 0;
            while let Some(i) = text[from..].find(form.as_str()) {
                let at = from + i;
                found.push((at, at + form.len()));
                from = at + step;
            }
        }
        found
    }
}

/// An all-digit form (an SMS code, a PIN) counts only as a number of its own: inside a longer
/// run of digits (a duration, a telephone number) it is another number, and masking it would
/// corrupt the report (`"duration": 12[REDACTED]7` is not JSON).
fn inside_a_number(text: &[u8], start: usize, end: usize) -> bool {
    text[start..end].iter().all(u8::is_ascii_digit)
        && ((start > 0 && text[start - 1].is_ascii_digit())
            || text.get(end).is_some_and(u8::is_ascii_digit))
}

static REGISTERED: LazyLock<RwLock<Registry>> = LazyLock::new(RwLock::default);

/// Registers `value` (and its encoded forms) so that [`redact`] masks it from now on.
pub fn register(value: &str) {
    if value.len() < MIN_SECRET_LEN {
        return;
    }
    let forms = encoded_forms(value);
    let mut registered = REGISTERED.write().unwrap_or_else(|e| e.into_inner());
    for form in forms {
        registered.insert(form);
    }
}

/// `value` as an output may show it: plain; JSON-escaped; percent-encoded as a form does it
/// (`+` for a space), as a URL does it (`%20`, `~` kept), in lower-case hex, and encoded twice;
/// base64 and base64url, padded or not, and inside a longer base64 text at each of the three
/// alignments (the characters that depend on `value` alone; at least 8 of them, so that a short
/// value does not mask random base64).
fn encoded_forms(value: &str) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut forms = vec![value.to_owned()];
    let json = serde_json::to_string(value).unwrap_or_default();
    forms.push(json[1..json.len().saturating_sub(1).max(1)].to_owned());
    let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let uri = form.replace('+', "%20").replace("%7E", "~");
    for encoded in [form.clone(), uri] {
        forms.push(lower_hex(&encoded));
        forms.push(encoded);
    }
    forms.push(url::form_urlencoded::byte_serialize(form.as_bytes()).collect());
    for padded in [STANDARD, URL_SAFE] {
        forms.push(padded.encode(value));
    }
    for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
        forms.push(engine.encode(value));
        for offset in 0..3_usize {
            let mut bytes = vec![0_u8; offset];
            bytes.extend_from_slice(value.as_bytes());
            let text = engine.encode(&bytes);
            // The first characters mix in the bytes before; the last, when the value ends
            // inside a group of three bytes, the bytes after.
            let front = [0, 2, 3][offset];
            let back = usize::from(bytes.len() % 3 != 0);
            if text.len() >= front + back + 8 {
                forms.push(text[front..text.len() - back].to_owned());
            }
        }
    }
    forms.sort();
    forms.dedup();
    forms
}

/// Percent-encoded text with its hex digits in lower case (`%3d`).
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut hex_left = 0;
    for c in encoded.chars() {
        if c == '%' {
            hex_left = 2;
            out.push(c);
        } else if hex_left > 0 {
            hex_left -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Registers the Basic credentials `id:secret` in every form a report could show them.
pub fn register_basic(client_id: &str, secret: &str) {
    register(&format!("{client_id}:{secret}"));
}

/// A session cookie as the browser sends it, `name=value`: the whole pair and the value alone
/// are registered.
pub fn cookie(pair: &str) -> Secret {
    let pair = pair.trim();
    if let Some((_, value)) = pair.split_once('=') {
        register(value);
    }
    Secret::new(pair)
}

/// Builds the forms registered since the last automaton into one: called before the reports
/// are written, so that they are masked by automata alone.
pub fn seal() {
    REGISTERED
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .build_pending();
}

/// Masks every registered secret value in `text`: every byte that belongs to an occurrence of
/// one is covered, overlapping occurrences become one mask. Linear in `text` and in what it
/// holds, whatever was registered.
pub fn redact(text: &str) -> String {
    let registered = REGISTERED.read().unwrap_or_else(|e| e.into_inner());
    if registered.is_empty() || text.len() < MIN_SECRET_LEN {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut found = registered.occurrences(text);
    found.retain(|&(start, end)| !inside_a_number(bytes, start, end));
    found.sort_unstable();
    // Runs of masked bytes, [start, end). A registered form is valid UTF-8, so an occurrence
    // starts and ends on character boundaries.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (start, end) in found {
        match runs.last_mut() {
            Some((_, e)) if start < *e => *e = (*e).max(end),
            _ => runs.push((start, end)),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in runs {
        out.push_str(&text[copied..start]);
        out.push_str(MASK);
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Whether a response field of this name hands out a secret (a narrower list than
/// [`is_secret_key`]: a response's `code` or `c` may be an error code, which must stay readable).
fn is_issued_secret_key(name: &str) -> bool {
    is_secret_key(name) && !matches!(key_form(name).as_str(), "code" | "c")
}

/// A field name as the secret lists spell it: lower case, without `-` and `_`.
fn key_form(name: &str) -> String {
    name.to_ascii_lowercase().replace(['-', '_'], "")
}

/// Registers the secrets a response hands out, so that value redaction masks them wherever they
/// reappear (a later request, a log line, a non-JSON body): string values under secret keys of
/// a JSON body (at any depth), the values of cookies it sets, and the secret parameters of the
/// URL it redirects to (query and fragment).
pub fn learn_from_response<'a>(
    set_cookies: impl IntoIterator<Item = &'a str>,
    location: Option<&str>,
    body: Option<&Value>,
    form: Option<&[u8]>,
) {
    if let Some(form) = form {
        for (k, v) in url::form_urlencoded::parse(form) {
            if is_issued_secret_key(&k) {
                register(&v);
            }
        }
    }
    for cookie in set_cookies {
        let pair = cookie.split(';').next().unwrap_or_default();
        if let Some((_, value)) = pair.split_once('=') {
            register(value.trim().trim_matches('"'));
        }
    }
    if let Some(url) = location.and_then(|l| url::Url::parse(l).ok()) {
        let query = url::form_urlencoded::parse(url.query().unwrap_or_default().as_bytes());
        let fragment = url::form_urlencoded::parse(url.fragment().unwrap_or_default().as_bytes());
        for (k, v) in query.chain(fragment) {
            if is_secret_key(&k) {
                register(&v);
            }
        }
    }
    if let Some(value) = body {
        learn_from_json(value);
    }
}

/// Registers the value of field `name` of a JSON or form-encoded answer: a dialect's token field
/// whose name no secret list knows (a target file may rename it).
pub fn learn_field(name: &str, json: Option<&Value>, form: Option<&[u8]>) {
    if let Some(Value::String(v)) = json.and_then(|j| j.get(name)) {
        register(v);
    }
    if let Some(form) = form {
        for (k, v) in url::form_urlencoded::parse(form) {
            if k == name {
                register(&v);
            }
        }
    }
}

fn learn_from_json(value: &Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::String(s) if is_issued_secret_key(k) => register(s),
                    other => learn_from_json(other),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(learn_from_json),
        _ => {}
    }
}

/// Whether a field, parameter or header of this name carries a secret.
pub fn is_secret_key(name: &str) -> bool {
    matches!(
        key_form(name).as_str(),
        "clientsecret"
            | "secret"
            | "accesstoken"
            | "refreshtoken"
            | "idtoken"
            | "token"
            | "code"
            | "authcode"
            | "password"
            | "authorization"
            | "cookie"
            | "setcookie"
            | "c"
    )
}

/// A copy of `value` with every value under a secret key masked (at any depth).
pub fn redact_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_secret_key(k) && !v.is_null() {
                        Value::String(MASK.to_owned())
                    } else {
                        redact_json(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        other => other.clone(),
    }
}

/// The first `max` bytes (or a little more, at most a character) of `value` serialized as
/// [`redact_json`] would serialize it, without copying or serializing the rest: a large answer
/// costs its excerpt, not its size.
pub fn redact_json_prefix(value: &Value, max: usize) -> String {
    /// Keys masked as it is serialized.
    struct Masked<'a>(&'a Value);
    impl serde::Serialize for Masked<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap as _;
            match self.0 {
                Value::Object(map) => {
                    let mut out = s.serialize_map(Some(map.len()))?;
                    for (k, v) in map {
                        if is_secret_key(k) && !v.is_null() {
                            out.serialize_entry(k, MASK)?;
                        } else {
                            out.serialize_entry(k, &Masked(v))?;
                        }
                    }
                    out.end()
                }
                Value::Array(items) => s.collect_seq(items.iter().map(Masked)),
                other => serde::Serialize::serialize(other, s),
            }
        }
    }
    /// Takes bytes until it holds `max`, then refuses the rest (which ends the serialization).
    struct Prefix(Vec<u8>, usize);
    impl std::io::Write for Prefix {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let room = self.1.saturating_sub(self.0.len());
            if room == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            let n = room.min(buf.len());
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut prefix = Prefix(Vec::new(), max);
    // An error here is the prefix full: what it holds is the answer.
    let _ = serde_json::to_writer(&mut prefix, &Masked(value));
    match String::from_utf8(prefix.0) {
        Ok(s) => s,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            bytes.truncate(valid);
            String::from_utf8(bytes).expect("cut at a character boundary")
        }
    }
}

/// A URL with the values of secret query parameters masked.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.query().is_some() => {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| {
                    let v = if is_secret_key(&k) {
                        MASK.to_owned()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
            redact(url.as_str())
        }
        _ => redact(raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_and_display_are_masked() {
        let s = Secret::new("s3cr3t-value-for-debug");
        assert_eq!(format!("{s:?} {s}"), format!("{MASK} {MASK}"));
        assert_eq!(s.expose(), "s3cr3t-value-for-debug");
    }

    #[test]
    fn registered_values_and_their_encodings_are_masked() {
        register("topsecret-42/+");
        let b64 = base64::engine::general_purpose::STANDARD.encode("topsecret-42/+");
        let text = format!("a topsecret-42/+ b {b64} c topsecret-42%2F%2B");
        assert_eq!(redact(&text), format!("a {MASK} b {MASK} c {MASK}"));
    }

    #[test]
    fn a_numeric_secret_is_masked_only_as_a_number_of_its_own() {
        register("739146");
        assert_eq!(
            redact(r#"code 739146, "duration":127391468, tel +49739146"#),
            format!(r#"code {MASK}, "duration":127391468, tel +49739146"#)
        );
    }

    #[test]
    fn overlapping_and_nested_secrets_are_masked_whole_and_text_around_them_kept() {
        register("ovl-first-secret-ABCD");
        register("ABCD-second-secret");
        register("ovl-first");
        let text = "é ovl-first-secret-ABCD-second-secret ü ovl-first-x";
        assert_eq!(redact(text), format!("é {MASK} ü {MASK}-x"));
        assert_eq!(redact("ovl-"), "ovl-");
        assert_eq!(redact(""), "");
    }

    #[test]
    fn a_json_prefix_is_the_start_of_the_masked_serialization() {
        let v = serde_json::json!({"access_token": "a-token", "items": [{"password": "p"}, "x".repeat(5000)]});
        let whole = redact_json(&v).to_string();
        assert_eq!(redact_json_prefix(&v, usize::MAX), whole);
        for max in [0, 1, 17, 60, 4000] {
            assert_eq!(redact_json_prefix(&v, max), whole[..max.min(whole.len())]);
        }
        let accents = serde_json::json!({"name": "é".repeat(10)});
        assert_eq!(redact_json_prefix(&accents, 12), "{\"name\":\"é");
    }

    #[test]
    fn json_is_masked_by_key_at_any_depth() {
        let v = serde_json::json!({"Verification": {"Password": "x", "Email": "e"}, "token": "t"});
        let r = redact_json(&v);
        assert_eq!(r["Verification"]["Password"], MASK);
        assert_eq!(r["Verification"]["Email"], "e");
        assert_eq!(r["token"], MASK);
    }

    #[test]
    fn redaction_masks_what_a_search_of_every_position_for_every_form_masks() {
        let forms = [
            "pf-tok-3xq9",
            "pf-tok-3xq9-long",
            "pf-cd-77aa",
            "zq-pw-secret",
        ];
        for f in forms {
            register(f);
        }
        // The reference: every position, every registered form of these, longest first.
        let reference = |text: &str| {
            let mut sorted = forms.to_vec();
            sorted.sort_by_key(|f| std::cmp::Reverse(f.len()));
            let (mut out, mut at) = (String::new(), 0);
            while at < text.len() {
                match sorted.iter().find(|f| text[at..].starts_with(**f)) {
                    Some(f) => {
                        out.push_str(MASK);
                        at += f.len();
                    }
                    None => {
                        out.push_str(&text[at..=at]);
                        at += 1;
                    }
                }
            }
            out
        };
        let pieces = [
            "pf-tok-3xq9",
            "pf-tok-3xq9-long",
            "pf-cd-77aa",
            "zq-pw-secret",
            "pf-",
            "pf-tok",
            "zq",
            " ",
            "\"pf\": ",
            "p",
            "f-cd-77a",
            "a",
            "\n",
            "x",
        ];
        // Every sequence of three pieces, so forms meet, overlap and almost match at each edge.
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    assert_eq!(redact(&text), reference(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn secrets_a_response_hands_out_are_learned() {
        learn_from_response(
            ["sid=cookie-value-42; HttpOnly; Path=/"],
            Some("https://app.example/cb?code=learned-code-7&state=s#access_token=frag-token-9"),
            Some(&serde_json::json!({"access_token": "learned-at-1",
                "nested": [{"Password": "learned-pw-2"}],
                "code": "error_code_stays", "expires_in": 3600})),
            Some(b"refresh_token=form-rt-3&token_type=bearer&code=form_code_stays".as_slice()),
        );
        learn_field(
            "jwt",
            Some(&serde_json::json!({"jwt": "renamed-at-4"})),
            Some(b"jwt=renamed-form-5".as_slice()),
        );
        let also = "form-rt-3 renamed-at-4 renamed-form-5 form_code_stays";
        assert_eq!(
            redact(also),
            format!("{MASK} {MASK} {MASK} form_code_stays"),
            "a form-encoded answer's secrets and a renamed token field are learned"
        );
        let text = "cookie-value-42 learned-code-7 frag-token-9 learned-at-1 learned-pw-2 \
                    error_code_stays";
        assert_eq!(
            redact(text),
            format!("{MASK} {MASK} {MASK} {MASK} {MASK} error_code_stays")
        );
    }

    #[test]
    fn a_cookie_is_masked_whole_and_by_value() {
        let c = cookie(" sid=cookie-value-4242 ");
        assert_eq!(c.expose(), "sid=cookie-value-4242");
        assert_eq!(
            redact("Cookie: sid=cookie-value-4242"),
            format!("Cookie: {MASK}")
        );
        assert_eq!(redact("v cookie-value-4242"), format!("v {MASK}"));
    }

    #[test]
    fn url_query_secrets_are_masked() {
        let r = redact_url("https://app.example/cb?code=abc123&state=xyz");
        assert!(r.contains("state=xyz"), "{r}");
        assert!(!r.contains("abc123"), "{r}");
    }

    /// A server chooses what the harness learns: 10,000 values sharing a long prefix (cookies,
    /// say) must not make masking slow (the matcher it replaced tried every value sharing a
    /// text's first four bytes at each position: 193 s for a run).
    #[test]
    fn masking_stays_fast_whatever_the_registered_values_share() {
        let started = std::time::Instant::now();
        for i in 0..10_000 {
            register(&format!("zq7-shared-cost-prefix-{i:05}"));
        }
        let text = "zq7-shared-cost-prefix-".repeat(20_000) + "zq7-shared-cost-prefix-04242 end";
        let masked = redact(&text);
        assert!(
            masked.ends_with(&format!("{MASK} end")),
            "{}",
            &masked[masked.len() - 40..]
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn every_encoding_of_a_secret_is_masked() {
        let secret = "p\"w d=x~y\\z+Q9";
        register(secret);
        let b64 = |engine: base64::engine::GeneralPurpose, bytes: &[u8]| engine.encode(bytes);
        use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
        let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let shown = [
            serde_json::to_string(secret).unwrap(),
            form.clone(),
            form.replace('+', "%20").replace("%7E", "~"),
            lower_hex(&form),
            url::form_urlencoded::byte_serialize(form.as_bytes()).collect(),
            b64(STANDARD, secret.as_bytes()),
            b64(URL_SAFE, secret.as_bytes()),
            b64(URL_SAFE_NO_PAD, secret.as_bytes()),
            b64(STANDARD, format!("user:{secret}").as_bytes()),
            b64(STANDARD, format!("ab{secret}cdef").as_bytes()),
            b64(URL_SAFE, format!("x{secret}yz").as_bytes()),
        ];
        for text in shown {
            let masked = redact(&format!("<{text}>"));
            assert!(masked.contains(MASK), "{text} -> {masked}");
            assert!(!masked.contains(&text), "{text} -> {masked}");
        }
    }
}
