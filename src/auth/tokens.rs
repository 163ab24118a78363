//! Access tokens (RFC 7519 JWTs, RFC 8725 practices): signed with exactly one configured
//! algorithm, always carrying and checking `exp`, `nbf`, `iss` and `aud`.
//!
//! HS256 with the instance secret is the default. EdDSA with a key pair from files is the
//! option for deployments where other services verify tokens: the public half is published
//! as a JWK set, and the verifiers never hold a key that can sign.

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// `aud` of access tokens.
pub const ACCESS_AUDIENCE: &str = "khabar-api";
/// `aud` of preview links: a preview token is never an access token, and the reverse.
pub const PREVIEW_AUDIENCE: &str = "khabar-preview";
/// Clock skew tolerated on `exp` and `nbf`, in seconds.
const LEEWAY_SECONDS: u64 = 30;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user's id.
    pub sub: String,
    pub role: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    pub jti: String,
    /// The sign-in session: revoking it (logout, refresh-token reuse) kills the token at once.
    pub sid: String,
}

/// The claims of a preview link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewClaims {
    /// The article's public id.
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// The preview link's id, which can be revoked.
    pub jti: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("{0}")]
    Invalid(String),
}

/// Why a presented token was refused. Clients are told only that it is invalid or expired.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is invalid")]
    Invalid,
}

/// The signing configuration.
#[derive(Clone)]
pub struct TokenKeys {
    algorithm: Algorithm,
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    jwks: JwkSet,
}

impl TokenKeys {
    /// HS256 with a shared secret; nothing is published.
    pub fn hs256(secret: &[u8], issuer: &str) -> Result<Self, KeyError> {
        let invalid = |e: jsonwebtoken::errors::Error| KeyError::Invalid(e.to_string());
        Ok(TokenKeys {
            algorithm: Algorithm::HS256,
            encoding: EncodingKey::from_secret(secret).map_err(invalid)?,
            decoding: DecodingKey::from_secret(secret).map_err(invalid)?,
            issuer: issuer.to_owned(),
            jwks: JwkSet { keys: Vec::new() },
        })
    }

    /// EdDSA (Ed25519) from PKCS#8 private and SPKI public PEM files' contents; the public key
    /// is published at `/.well-known/jwks.json` under `kid`.
    pub fn eddsa(private_pem: &[u8], public_pem: &[u8], issuer: &str) -> Result<Self, KeyError> {
        let encoding = EncodingKey::from_ed_pem(private_pem)
            .map_err(|e| KeyError::Invalid(format!("private key: {e}")))?;
        let decoding = DecodingKey::from_ed_pem(public_pem)
            .map_err(|e| KeyError::Invalid(format!("public key: {e}")))?;
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::EdDSA)
            .map_err(|e| KeyError::Invalid(format!("private key: {e}")))?;
        let kid = key_id(&serde_json::to_vec(&jwk.algorithm).unwrap_or_default());
        jwk.common.key_id = Some(kid);
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        let keys = TokenKeys {
            algorithm: Algorithm::EdDSA,
            encoding,
            decoding,
            issuer: issuer.to_owned(),
            jwks: JwkSet { keys: vec![jwk] },
        };
        // A private key that does not match the public one would sign tokens nobody accepts.
        let probe = keys
            .sign(&PreviewClaims {
                sub: "probe".into(),
                iat: 0,
                nbf: 0,
                exp: i64::MAX / 2,
                iss: issuer.into(),
                aud: PREVIEW_AUDIENCE.into(),
                jti: "probe".into(),
            })
            .map_err(|e| KeyError::Invalid(e.to_string()))?;
        keys.verify::<PreviewClaims>(&probe, PREVIEW_AUDIENCE)
            .map_err(|_| KeyError::Invalid("the private and public keys are not a pair".into()))?;
        Ok(keys)
    }

    pub fn algorithm_name(&self) -> &'static str {
        match self.algorithm {
            Algorithm::EdDSA => "EdDSA",
            _ => "HS256",
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The public keys others may verify tokens with (empty for HS256).
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }

    pub fn sign<C: Serialize>(&self, claims: &C) -> Result<String, KeyError> {
        let mut header = Header::new(self.algorithm);
        header.typ = Some("JWT".into());
        header.kid = self.jwks.keys.first().and_then(|k| k.common.key_id.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(|e| KeyError::Invalid(e.to_string()))
    }

    /// Verifies signature, algorithm, `exp`, `nbf`, `iss` and `aud`; the header's `alg` must be
    /// the configured one (so `none` and HS256-signed-with-the-public-key are refused).
    pub fn verify<C: for<'de> Deserialize<'de>>(&self, token: &str, audience: &str) -> Result<C, TokenError> {
        let mut validation = Validation::new(self.algorithm);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        match jsonwebtoken::decode::<C>(token, &self.decoding, &validation) {
            Ok(data) => Ok(data.claims),
            Err(e) if *e.kind() == jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                Err(TokenError::Expired)
            }
            Err(_) => Err(TokenError::Invalid),
        }
    }
}

fn key_id(material: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(material);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn claims(now: i64) -> AccessClaims {
        AccessClaims {
            sub: "1".into(),
            role: "editor".into(),
            iat: now,
            nbf: now,
            exp: now + 600,
            iss: "https://api.example.com/".into(),
            aud: ACCESS_AUDIENCE.into(),
            jti: "j".into(),
            sid: "s".into(),
        }
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    fn keys() -> TokenKeys {
        TokenKeys::hs256(SECRET, "https://api.example.com/").unwrap()
    }

    #[test]
    fn a_signed_token_verifies() {
        let token = keys().sign(&claims(now())).unwrap();
        let back: AccessClaims = keys().verify(&token, ACCESS_AUDIENCE).unwrap();
        assert_eq!(back, claims(back.iat));
    }

    #[test]
    fn wrong_audience_issuer_expiry_and_nbf_are_refused() {
        let k = keys();
        let preview = k.sign(&claims(now())).unwrap();
        assert_eq!(
            k.verify::<AccessClaims>(&preview, PREVIEW_AUDIENCE),
            Err(TokenError::Invalid)
        );
        let mut foreign = claims(now());
        foreign.iss = "https://evil.example.com/".into();
        let token = k.sign(&foreign).unwrap();
        assert_eq!(
            k.verify::<AccessClaims>(&token, ACCESS_AUDIENCE),
            Err(TokenError::Invalid)
        );
        let mut expired = claims(now() - 3600);
        expired.exp = now() - 120;
        let token = k.sign(&expired).unwrap();
        assert_eq!(
            k.verify::<AccessClaims>(&token, ACCESS_AUDIENCE),
            Err(TokenError::Expired)
        );
        let mut early = claims(now());
        early.nbf = now() + 600;
        let token = k.sign(&early).unwrap();
        assert!(k.verify::<AccessClaims>(&token, ACCESS_AUDIENCE).is_err());
    }

    #[test]
    fn alg_none_and_tampering_are_refused() {
        use base64::Engine;
        let b64 = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let payload = serde_json::to_string(&claims(now())).unwrap();
        let none = format!("{}.{}.", b64(r#"{"alg":"none","typ":"JWT"}"#), b64(&payload));
        assert!(keys().verify::<AccessClaims>(&none, ACCESS_AUDIENCE).is_err());
        let token = keys().sign(&claims(now())).unwrap();
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut forged = claims(now());
        forged.role = "admin".into();
        parts[1] = b64(&serde_json::to_string(&forged).unwrap());
        assert!(keys()
            .verify::<AccessClaims>(&parts.join("."), ACCESS_AUDIENCE)
            .is_err());
    }
}
