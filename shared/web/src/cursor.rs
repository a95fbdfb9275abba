//! Opaque pagination cursors: the position after the last item of a page, serialized and
//! base64url-encoded so clients pass it back without depending on what is inside.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Problem;

/// Longest cursor accepted; real ones are a few dozen bytes.
const MAX_CURSOR_LEN: usize = 512;

pub fn encode<T: Serialize>(position: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).expect("cursor positions serialize"))
}

/// The position in `cursor`, or a 400 problem when it was not made by [`encode`].
pub fn decode<T: DeserializeOwned>(cursor: &str) -> Result<T, Problem> {
    let invalid = || Problem::bad_request("invalid-cursor", "The cursor is not one this API returned.");
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let cursor = encode(&("CPU-1".to_owned(), 7));
        assert_eq!(decode::<(String, i32)>(&cursor).unwrap(), ("CPU-1".to_owned(), 7));
        assert_eq!(decode::<(String, i32)>("%%%").unwrap_err().status, 400);
        assert_eq!(decode::<(String, i32)>(&encode(&"x")).unwrap_err().status, 400);
        assert_eq!(decode::<String>(&"A".repeat(600)).unwrap_err().status, 400);
    }
}
