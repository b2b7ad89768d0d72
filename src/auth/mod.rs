//! Citizen authentication: password hashing, sign-in throttling, passkeys (WebAuthn), login
//! identifiers and the authentication context (`amr`, `acr`) a session carries.

pub mod accounts;
pub mod login;
pub mod passkeys;
pub mod password;
pub mod throttle;

pub use login::{AuthContext, normalize_login};
pub use passkeys::Passkeys;
pub use password::{PasswordHasher, PasswordVerification};
pub use throttle::LoginThrottle;
