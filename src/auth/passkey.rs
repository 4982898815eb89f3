//! Passkeys (WebAuthn), through `webauthn-rs`: the relying party is the site at
//! `[site] base_url` (its host is the RP id, its origin the only one accepted), and
//! each ceremony's state is kept server-side between its start and its finish.
//! Passkeys are made discoverable (resident), so one can log in with no email typed.

use webauthn_rs::prelude::{
    CredentialID, DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn,
    WebauthnBuilder,
};

use crate::config::BaseUrl;

/// The site as a WebAuthn relying party.
pub struct RelyingParty {
    webauthn: Webauthn,
}

/// Why a ceremony failed, in words for the log; the visitor is told less.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PasskeyError(pub String);

fn failed(what: &str, err: impl std::fmt::Display) -> PasskeyError {
    PasskeyError(format!("{what}: {err}"))
}

/// A registration in progress: the library's state and the account's user handle.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Registering {
    pub handle: Uuid,
    state: PasskeyRegistration,
}

/// A login in progress: with any passkey (no account named yet) or with one of a
/// named account's (the second factor).
#[derive(serde::Serialize, serde::Deserialize)]
pub enum Authenticating {
    Discoverable(DiscoverableAuthentication),
    SecondFactor(PasskeyAuthentication),
}

impl RelyingParty {
    /// The relying party of `base_url`; an error when its host is an IP address,
    /// which browsers refuse as an RP id (passkeys need a domain name, or `localhost`).
    pub fn new(base_url: &BaseUrl, site_title: &str) -> Result<Self, PasskeyError> {
        let origin = Url::parse(base_url.as_str()).map_err(|e| failed("base_url", e))?;
        let rp_id = origin
            .domain()
            .ok_or_else(|| {
                PasskeyError(format!(
                    "passkeys need a domain name in [site] base_url, not {}",
                    base_url
                ))
            })?
            .to_string();
        let name = if site_title.trim().is_empty() {
            "blog"
        } else {
            site_title
        };
        let webauthn = WebauthnBuilder::new(&rp_id, &origin)
            .map_err(|e| failed("relying party", e))?
            .rp_name(name)
            .build()
            .map_err(|e| failed("relying party", e))?;
        Ok(Self { webauthn })
    }

    /// Options for `navigator.credentials.create()` (JSON) and the state to keep.
    /// `exclude` are the account's passkeys already, which the authenticator refuses
    /// to make again.
    pub fn start_registration(
        &self,
        handle: Uuid,
        email: &str,
        display_name: &str,
        exclude: Vec<CredentialID>,
    ) -> Result<(serde_json::Value, Registering), PasskeyError> {
        let (options, state) = self
            .webauthn
            .start_passkey_registration(handle, email, display_name, Some(exclude))
            .map_err(|e| failed("start registration", e))?;
        let mut json = serde_json::to_value(&options).map_err(|e| failed("options", e))?;
        // A discoverable (resident) credential, so it can name its account at login.
        // (The library does not check this at the finish; the browser honours it.)
        let selection = &mut json["publicKey"]["authenticatorSelection"];
        selection["residentKey"] = "required".into();
        selection["requireResidentKey"] = true.into();
        Ok((json, Registering { handle, state }))
    }

    /// The new passkey, from the browser's answer (JSON).
    pub fn finish_registration(
        &self,
        answer: &str,
        registering: &Registering,
    ) -> Result<Passkey, PasskeyError> {
        let answer: RegisterPublicKeyCredential =
            serde_json::from_str(answer).map_err(|e| failed("the browser's answer", e))?;
        self.webauthn
            .finish_passkey_registration(&answer, &registering.state)
            .map_err(|e| failed("finish registration", e))
    }

    /// Options for `navigator.credentials.get()`: any passkey of this site when
    /// `of_account` is `None`, else one of these.
    pub fn start_login(
        &self,
        of_account: Option<&[Passkey]>,
    ) -> Result<(serde_json::Value, Authenticating), PasskeyError> {
        let (options, state) = match of_account {
            None => {
                let (options, state) = self
                    .webauthn
                    .start_discoverable_authentication()
                    .map_err(|e| failed("start login", e))?;
                (options, Authenticating::Discoverable(state))
            }
            Some(passkeys) => {
                let (options, state) = self
                    .webauthn
                    .start_passkey_authentication(passkeys)
                    .map_err(|e| failed("start login", e))?;
                (options, Authenticating::SecondFactor(state))
            }
        };
        let json = serde_json::to_value(&options).map_err(|e| failed("options", e))?;
        Ok((json, state))
    }

    /// A login answer (JSON) with the credential id and user handle it names, to
    /// find the passkey.
    pub fn identify(answer: &str) -> Result<LoginAnswer, PasskeyError> {
        let answer: PublicKeyCredential =
            serde_json::from_str(answer).map_err(|e| failed("the browser's answer", e))?;
        Ok(LoginAnswer {
            credential_id: answer.get_credential_id().to_vec(),
            user_handle: answer.get_user_unique_id().map(<[u8]>::to_vec),
            answer,
        })
    }

    /// Checks a login answer against the stored passkey it names; returns the passkey
    /// as it is now (its signature counter moved on).
    pub fn finish_login(
        &self,
        answer: &PublicKeyCredential,
        state: Authenticating,
        mut passkey: Passkey,
    ) -> Result<Passkey, PasskeyError> {
        let result = match state {
            Authenticating::Discoverable(state) => {
                let key: DiscoverableKey = (&passkey).into();
                self.webauthn
                    .finish_discoverable_authentication(answer, state, &[key])
            }
            Authenticating::SecondFactor(state) => {
                self.webauthn.finish_passkey_authentication(answer, &state)
            }
        }
        .map_err(|e| failed("finish login", e))?;
        if result.cred_id() != passkey.cred_id() {
            return Err(PasskeyError("the answer is for another passkey".into()));
        }
        passkey.update_credential(&result);
        Ok(passkey)
    }
}

/// A browser's answer to a login challenge, and what it names.
pub struct LoginAnswer {
    pub credential_id: Vec<u8>,
    pub user_handle: Option<Vec<u8>>,
    pub answer: PublicKeyCredential,
}

/// A new random user handle for an account's first passkey.
pub fn new_handle() -> anyhow::Result<Uuid> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|err| anyhow::anyhow!("no randomness from the OS: {err}"))?;
    Ok(Uuid::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rp_id_is_the_base_urls_host_and_ips_have_none() {
        let base: BaseUrl = "https://blog.example.com".parse().unwrap();
        let rp = RelyingParty::new(&base, "My blog").unwrap();
        let (options, _) = rp
            .start_registration(new_handle().unwrap(), "me@blog.example", "Me", Vec::new())
            .unwrap();
        assert_eq!(options["publicKey"]["rp"]["id"], "blog.example.com");
        assert_eq!(
            options["publicKey"]["authenticatorSelection"]["residentKey"],
            "required"
        );
        let ip: BaseUrl = "http://127.0.0.1:8000".parse().unwrap();
        assert!(RelyingParty::new(&ip, "x").is_err());
        let local: BaseUrl = "http://localhost:8000".parse().unwrap();
        assert!(RelyingParty::new(&local, "x").is_ok());
    }
}
