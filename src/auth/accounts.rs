//! Creating citizen accounts (command line, demo seed, tests): validation and normalisation
//! of what identifies a citizen, then a hashed password.

use super::login::normalize_phone;
use super::password::PasswordHasher;
use crate::clock::UnixTime;
use crate::crypto::random_id;
use crate::store::{Account, AccountStore, StoreError};

/// What an administrator gives for a new account.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub username: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub pinfl: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub middle_name: Option<String>,
    pub birthdate: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{0} is already used by another account")]
    Taken(String),
    #[error(transparent)]
    Store(StoreError),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(field) => Self::Taken(field),
            other => Self::Store(other),
        }
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> AccountError {
    AccountError::Invalid {
        field,
        message: message.into(),
    }
}

/// The shortest password accepted (NIST SP 800-63B §3.1.1.2).
pub const MIN_PASSWORD_CHARS: usize = 8;

pub async fn create_account(
    store: &(dyn AccountStore + Sync),
    hasher: &PasswordHasher,
    new: NewAccount,
    password: String,
    now: UnixTime,
) -> Result<Account, AccountError> {
    let account = validated(new, now)?;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(invalid(
            "password",
            format!("must have at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    let hash = hasher
        .hash(password)
        .await
        .map_err(|e| AccountError::Hash(e.to_string()))?;
    let account = Account {
        password_hash: Some(hash),
        ..account
    };
    store.create_account(&account).await?;
    Ok(account)
}

fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn validated(new: NewAccount, now: UnixTime) -> Result<Account, AccountError> {
    let username = clean(new.username).map(|u| u.to_lowercase());
    if let Some(u) = &username {
        let ok = (3..=64).contains(&u.len())
            && u.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            && !u.chars().all(|c| c.is_ascii_digit());
        if !ok {
            return Err(invalid(
                "username",
                "3-64 characters: latin letters, digits, '.', '_' or '-', not only digits",
            ));
        }
    }
    let email = clean(new.email).map(|e| e.to_lowercase());
    if let Some(e) = &email {
        let valid = e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !e.contains(' ')
        });
        if !valid || e.len() > 254 {
            return Err(invalid("email", "not a valid email address"));
        }
    }
    let phone = match clean(new.phone) {
        Some(p) => Some(
            normalize_phone(&p)
                .ok_or_else(|| invalid("phone", "must be an Uzbek number: +998 and nine digits"))?,
        ),
        None => None,
    };
    let pinfl = clean(new.pinfl);
    if let Some(p) = &pinfl
        && (p.len() != 14 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(invalid("pinfl", "must be exactly 14 digits"));
    }
    let birthdate = clean(new.birthdate);
    if let Some(b) = &birthdate
        && !is_iso_date(b)
    {
        return Err(invalid("birthdate", "must be YYYY-MM-DD"));
    }
    if username.is_none() && email.is_none() && phone.is_none() && pinfl.is_none() {
        return Err(invalid(
            "username",
            "an account needs at least one of username, email, phone or PINFL to sign in with",
        ));
    }
    Ok(Account {
        id: random_id(),
        username,
        email,
        email_verified: false,
        phone,
        phone_verified: false,
        pinfl,
        given_name: clean(new.given_name),
        family_name: clean(new.family_name),
        middle_name: clean(new.middle_name),
        birthdate,
        password_hash: None,
        locale: None,
        disabled: false,
        created_at: now,
        updated_at: now,
    })
}

fn is_iso_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let num = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u32>().ok())
    };
    matches!(
        (num(y, 4), num(m, 2), num(d, 2)),
        (Some(Some(_)), Some(Some(1..=12)), Some(Some(1..=31)))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_validates() {
        let account = validated(
            NewAccount {
                username: Some(" Ali.Valiyev ".into()),
                email: Some("Ali@Example.UZ".into()),
                phone: Some("90 123 45 67".into()),
                pinfl: Some("31234567890123".into()),
                birthdate: Some("1990-05-17".into()),
                ..NewAccount::default()
            },
            10,
        )
        .unwrap();
        assert_eq!(account.username.as_deref(), Some("ali.valiyev"));
        assert_eq!(account.email.as_deref(), Some("ali@example.uz"));
        assert_eq!(account.phone.as_deref(), Some("+998901234567"));
        assert_eq!(account.id.len(), 22);
    }

    #[test]
    fn refuses_bad_fields() {
        let bad = |new: NewAccount| validated(new, 0).unwrap_err().to_string();
        assert!(
            bad(NewAccount {
                pinfl: Some("123".into()),
                ..Default::default()
            })
            .starts_with("pinfl")
        );
        assert!(
            bad(NewAccount {
                email: Some("nope".into()),
                ..Default::default()
            })
            .starts_with("email")
        );
        assert!(
            bad(NewAccount {
                phone: Some("+7 999".into()),
                ..Default::default()
            })
            .starts_with("phone")
        );
        assert!(
            bad(NewAccount {
                username: Some("12345".into()),
                ..Default::default()
            })
            .starts_with("username")
        );
        assert!(
            bad(NewAccount {
                birthdate: Some("17.05.1990".into()),
                username: Some("ali".into()),
                ..Default::default()
            })
            .starts_with("birthdate")
        );
        assert!(bad(NewAccount::default()).contains("at least one"));
    }
}
