//! Answers to code redemptions and refresh rotations, shared by both backends (`store::sqlite::grants`,
//! `store::postgres::grants`).

/// A redemption's answer from the redeemed code and its grant: only a live grant's code is
/// redeemed; otherwise the code stays used and the answer is `Invalid`.
pub(crate) fn redemption(
    code: crate::store::AuthorizationCode,
    grant: Option<crate::store::Grant>,
    now: crate::clock::UnixTime,
) -> crate::store::CodeRedemption {
    use crate::store::CodeRedemption;
    match grant {
        Some(grant) if !grant.revoked && grant.expires_at > now => {
            CodeRedemption::Redeemed { code, grant }
        }
        _ => CodeRedemption::Invalid,
    }
}

/// Why a code was not redeemed, from `SELECT_CODE_STATE`'s `(used, grant_id)`: a used code
/// is a replay (its grant to be revoked), anything else (unknown, expired) `Invalid`.
pub(crate) fn refused_redemption(state: Option<(bool, String)>) -> crate::store::CodeRedemption {
    use crate::store::CodeRedemption;
    match state {
        Some((true, grant_id)) => CodeRedemption::Replayed { grant_id },
        _ => CodeRedemption::Invalid,
    }
}

/// Whether the rotation inserted the successor (`PG_ROTATE_REFRESH_TOKEN`, or SQLite's
/// `SQLITE_MARK_REFRESH_TOKEN_USED` and insert). Nothing inserted means the token was not
/// rotatable (unknown, expired, used, grant ended) or already rotated: on PostgreSQL the unique
/// `parent_hash` refuses a second successor, perhaps a concurrent one.
pub(crate) fn rotated<T>(
    statement: crate::store::StoreResult<Option<T>>,
) -> crate::store::StoreResult<bool> {
    match statement {
        Ok(inserted) => Ok(inserted.is_some()),
        Err(crate::store::StoreError::Conflict(field)) if field == "parent_hash" => Ok(false),
        Err(error) => Err(error),
    }
}

/// Why a token was not rotated, from its row: a used token is a reuse (its grant to be
/// revoked), anything else `Invalid`.
pub(crate) fn refused_rotation(
    old: Option<crate::store::RefreshToken>,
) -> crate::store::RefreshRotation {
    use crate::store::RefreshRotation;
    match old {
        Some(old) if old.used => RefreshRotation::Reused {
            grant_id: old.grant_id,
        },
        _ => RefreshRotation::Invalid,
    }
}

/// The scopes a citizen has granted a client once they consent to `now`: those, then the ones
/// granted before that are not among them (`PG_INSERT_GRANT_WITH_CODE` merges the same way).
pub(crate) fn merged_consent(now: &str, earlier: Option<&str>) -> String {
    let mut scopes: Vec<&str> = Vec::new();
    for scope in now.split(' ').chain(earlier.unwrap_or_default().split(' ')) {
        if !scope.is_empty() && !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    scopes.join(" ")
}

#[cfg(test)]
mod tests {
    use super::merged_consent;

    #[test]
    fn consents_merge_in_order_without_repeats() {
        assert_eq!(merged_consent("openid email", None), "openid email");
        assert_eq!(
            merged_consent("openid profile", Some("openid email")),
            "openid profile email"
        );
        assert_eq!(merged_consent("openid", Some("")), "openid");
    }
}
