//! Password hashing (Argon2id, the crate's default parameters) and generation of the one-time
//! passwords printed for bootstrap accounts.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes a password into a PHC string (`$argon2id$v=19$...`), salted from the OS RNG.
pub fn hash(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// True when `password` matches `phc_hash`; a malformed stored hash never matches.
pub fn verify(password: &str, phc_hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc_hash)
        .is_ok()
}

/// A random password of 20 characters from an alphabet without look-alikes (0/O, 1/l/I).
pub fn generate() -> Result<String, HashError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    random_string(ALPHABET, 20)
}

/// A random string over `alphabet`, without modulo bias (rejection sampling).
pub fn random_string(alphabet: &[u8], length: usize) -> Result<String, HashError> {
    let limit = 256 - (256 % alphabet.len());
    let mut out = String::with_capacity(length);
    let mut buffer = [0u8; 64];
    while out.len() < length {
        getrandom::fill(&mut buffer).map_err(|e| HashError(e.to_string()))?;
        for byte in buffer.iter().map(|b| usize::from(*b)).filter(|b| *b < limit) {
            if out.len() == length {
                break;
            }
            out.push(char::from(alphabet[byte % alphabet.len()]));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let first = hash("correct horse").unwrap();
        let second = hash("correct horse").unwrap();
        assert!(first.starts_with("$argon2id$"));
        assert_ne!(first, second);
        assert!(verify("correct horse", &first));
        assert!(!verify("wrong horse", &first));
        assert!(!verify("correct horse", "not a hash"));
    }

    #[test]
    fn generated_passwords_use_the_alphabet() {
        let password = generate().unwrap();
        assert_eq!(password.len(), 20);
        assert!(password
            .chars()
            .all(|c| c.is_ascii_alphanumeric() && !"0O1lI".contains(c)));
        assert_ne!(password, generate().unwrap());
    }
}
