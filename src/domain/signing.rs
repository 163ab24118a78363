//! Keys derived from the server secret, one per purpose, so that a signature made for one use
//! (a list cursor) is never valid for another (an image URL), and none is the secret itself.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

#[derive(Clone)]
pub struct DerivedKey(Vec<u8>);

impl std::fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DerivedKey(..)")
    }
}

impl DerivedKey {
    /// `purpose` names the use and its version (`"khabar cursor key v1"`).
    pub fn new(secret: &[u8], purpose: &str) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
        mac.update(purpose.as_bytes());
        DerivedKey(mac.finalize().into_bytes().to_vec())
    }

    /// A MAC keyed with this key, for the caller to feed its message to.
    pub fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC accepts any key length")
    }
}
