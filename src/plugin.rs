//! The plugin: a validated configuration, the code hasher, and the host it runs in. Each flow
//! adds its operations in its own module (`registration`, ...).

use crate::code::CodeHasher;
use crate::code_delivery::send_code;
use crate::config::Config;
use crate::error::Result;
use crate::hook::HookContext;
use crate::host::Host;
use crate::phone::PhoneNumber;
use crate::verification::{Purpose, Started, Verifications};

pub struct Plugin<H: Host> {
    pub(crate) config: Config,
    pub(crate) hasher: CodeHasher,
    pub(crate) host: H,
}

impl<H: Host> Plugin<H> {
    /// The code-hashing key is derived from the Auth Token: a secret the host keeps in its
    /// configuration store, never in the plugin's storage beside the hashes. Rotating the token
    /// invalidates codes in flight, which is what a rotation after a leak should do.
    pub fn new(config: Config, host: H) -> Self {
        let hasher = CodeHasher::new(&config.auth_token);
        Self {
            config,
            hasher,
            host,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn host(&self) -> &H {
        &self.host
    }

    pub(crate) fn verifications(&self) -> Verifications<'_, H> {
        Verifications {
            host: &self.host,
            hasher: &self.hasher,
            code_length: self.config.code_length,
            ttl_seconds: self.config.code_ttl_seconds,
            max_attempts: self.config.max_attempts,
        }
    }

    pub(crate) async fn send_code(
        &self,
        ctx: &HookContext,
        phone: &PhoneNumber,
        purpose: &Purpose,
        user_id: &str,
    ) -> Result<Started> {
        let verifications = self.verifications();
        send_code(
            &self.host,
            &self.config,
            &verifications,
            phone,
            purpose,
            user_id,
            ctx,
        )
        .await
    }
}
