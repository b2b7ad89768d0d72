//! The SQL text shared by both backends. Every statement uses `$1, $2, …` placeholders, which
//! SQLite binds by number (sqlx, and `store::sqlite::direct` the same way) and PostgreSQL
//! natively, and only syntax both accept (`ON CONFLICT`, `RETURNING`, `TRUE`/`FALSE`), so the
//! same constant runs on either backend.
//!
//! Where one backend can do better, the two versions sit side by side as `PG_…` / `SQLITE_…`
//! (writable CTEs exist only on PostgreSQL), each used by its own backend's store.

// Accounts.

pub(crate) const INSERT_ACCOUNT: &str = "INSERT INTO accounts (id, username, email, \
    email_verified, phone, phone_verified, pinfl, given_name, family_name, middle_name, \
    birthdate, password_hash, locale, disabled, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";

pub(crate) const SELECT_ACCOUNT_BY_ID: &str = "SELECT id, username, email, email_verified, \
    phone, phone_verified, pinfl, given_name, family_name, middle_name, birthdate, \
    password_hash, locale, disabled, created_at, updated_at FROM accounts WHERE id = $1";

/// `SELECT_ACCOUNT_BY_LOGIN`'s text, which `SELECT_SIGN_IN_READS` embeds.
macro_rules! select_account_by_login {
    () => {
        "SELECT id, username, email, email_verified, \
        phone, phone_verified, pinfl, given_name, family_name, middle_name, birthdate, \
        password_hash, locale, disabled, created_at, updated_at FROM accounts \
        WHERE username = $1 OR email = $1 OR phone = $1 OR pinfl = $1 \
        ORDER BY CASE WHEN username = $1 THEN 0 WHEN email = $1 THEN 1 \
        WHEN phone = $1 THEN 2 ELSE 3 END \
        LIMIT 1"
    };
}

/// Login by username, email, phone or PINFL. Should one string match several accounts (a
/// username equal to someone else's e-mail, say), the order of the identifiers decides, so the
/// answer is deterministic.
pub(crate) const SELECT_ACCOUNT_BY_LOGIN: &str = select_account_by_login!();

pub(crate) const UPDATE_PASSWORD_HASH: &str =
    "UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1";

pub(crate) const COUNT_ACCOUNTS: &str = "SELECT COUNT(*) FROM accounts";

// Sessions.

/// Returns whether the account requires a second factor, read in the same statement so the
/// sign-in that opens the session needs no other round trip for it.
pub(crate) const INSERT_SESSION: &str = "INSERT INTO sessions (id_hash, account_id, auth_time, \
    amr, acr, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
    RETURNING COALESCE((SELECT require_second_factor FROM accounts WHERE id = $2), FALSE)";

/// The account's second-factor setting comes along (its current value, not a copy).
pub(crate) const SELECT_LIVE_SESSION: &str = "SELECT id_hash, account_id, auth_time, amr, acr, \
    created_at, expires_at, COALESCE((SELECT require_second_factor FROM accounts \
    WHERE accounts.id = sessions.account_id), FALSE) AS second_factor_required \
    FROM sessions WHERE id_hash = $1 AND expires_at > $2";

pub(crate) const DELETE_SESSION: &str = "DELETE FROM sessions WHERE id_hash = $1";

// Pending authorization requests.

pub(crate) const INSERT_AUTH_REQUEST: &str = "INSERT INTO auth_requests (id_hash, params, \
    created_at, expires_at) VALUES ($1, $2, $3, $4)";

pub(crate) const SELECT_LIVE_AUTH_REQUEST: &str = "SELECT id_hash, params, created_at, \
    expires_at FROM auth_requests WHERE id_hash = $1 AND expires_at > $2";

pub(crate) const DELETE_AUTH_REQUEST: &str = "DELETE FROM auth_requests WHERE id_hash = $1";

// Consents.

pub(crate) const SELECT_CONSENT_SCOPE: &str =
    "SELECT scope FROM consents WHERE account_id = $1 AND client_id = $2";

pub(crate) const UPSERT_CONSENT: &str = "INSERT INTO consents (account_id, client_id, scope, \
    created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
    ON CONFLICT (account_id, client_id) \
    DO UPDATE SET scope = excluded.scope, updated_at = excluded.updated_at";

// Grants and authorization codes.

pub(crate) const SELECT_GRANT: &str = "SELECT id, client_id, account_id, scope, auth_time, amr, \
    acr, session_id_hash, created_at, expires_at, revoked FROM grants WHERE id = $1";

/// Revoking a grant records it for the access tokens it issued (`$2` now, `$3` until when),
/// then flips the flag that stops its refresh tokens; both in one transaction.
pub(crate) const RECORD_GRANT_REVOCATION: &str = "INSERT INTO token_revocations \
    (kind, id, revoked_at, expires_at) SELECT 'grant', id, $2, $3 FROM grants \
    WHERE id = $1 AND revoked = FALSE ON CONFLICT (kind, id) DO NOTHING";

pub(crate) const REVOKE_GRANT: &str = "UPDATE grants SET revoked = TRUE WHERE id = $1";

/// A grant, its code and the end of the pending request that asked for them, in one command
/// to the database. Binds: the grant ($1–$11: id, client_id, account_id, scope, auth_time, amr,
/// acr, session_id_hash, created_at, expires_at, revoked), the code ($12–$20: code_hash,
/// grant_id, client_id, redirect_uri, nonce, code_challenge, created_at, expires_at, used),
/// the finished request's id hash or NULL ($21), the scopes the citizen consented to or NULL
/// ($22; added for the client with the grant to those granted before, as
/// `sql::merged_consent` does for SQLite), and whether the session has not proven a second
/// factor ($23).
///
/// Nothing is written unless the grant's session ($8, when not NULL) is still live and, when
/// it has not proven a second factor, its account does not require one: the session was
/// perhaps read from a node's cache, and another node may have ended it since. With a request
/// named, nothing is written either unless this command is the one that ends it: a pending
/// request yields one code at most, however many submissions race (and whatever a node's
/// cache of pending requests holds). Writes no row at all in those cases, and at least one
/// otherwise.
pub(crate) const PG_INSERT_GRANT_WITH_CODE: &str = "WITH continues AS (\
        SELECT 1 WHERE $8::bytea IS NULL OR EXISTS (SELECT 1 FROM sessions AS s \
        WHERE s.id_hash = $8 AND s.expires_at > $9 AND NOT ($23::boolean AND COALESCE(\
        (SELECT require_second_factor FROM accounts WHERE accounts.id = s.account_id), FALSE)))), \
    finished AS (DELETE FROM auth_requests \
        WHERE id_hash = $21 AND EXISTS (SELECT 1 FROM continues) RETURNING id_hash), \
    granted AS (INSERT INTO grants (id, client_id, account_id, scope, auth_time, amr, acr, \
        session_id_hash, created_at, expires_at, revoked) \
        SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 \
        WHERE EXISTS (SELECT 1 FROM continues) \
        AND ($21::bytea IS NULL OR EXISTS (SELECT 1 FROM finished)) RETURNING id), \
    consented AS (INSERT INTO consents (account_id, client_id, scope, created_at, updated_at) \
        SELECT $3, $2, $22, $9, $9 FROM granted WHERE $22::text IS NOT NULL \
        ON CONFLICT (account_id, client_id) DO UPDATE SET scope = (\
            SELECT string_agg(word, ' ' ORDER BY first) FROM (\
                SELECT word, min(position) AS first FROM unnest(string_to_array(\
                    excluded.scope || ' ' || consents.scope, ' ')) \
                    WITH ORDINALITY AS words(word, position) \
                WHERE word <> '' GROUP BY word) AS merged), \
        updated_at = excluded.updated_at) \
    INSERT INTO authorization_codes (code_hash, grant_id, client_id, redirect_uri, nonce, \
        code_challenge, created_at, expires_at, used) \
    SELECT $12, $13, $14, $15, $16, $17, $18, $19, $20 FROM granted";

/// `PG_INSERT_GRANT_WITH_CODE`'s session condition in SQLite's syntax.
macro_rules! sqlite_grant_session_is_live {
    () => {
        "($8 IS NULL OR EXISTS (SELECT 1 FROM sessions AS s \
        WHERE s.id_hash = $8 AND s.expires_at > $9 AND NOT ($23 AND COALESCE(\
        (SELECT require_second_factor FROM accounts WHERE accounts.id = s.account_id), FALSE))))"
    };
}

/// SQLite (no writable CTEs): three statements run in one write with the same 23 arguments
/// (each binds the `$N` it names), then, when a consent comes with the code,
/// `SELECT_CONSENT_SCOPE` and `UPSERT_CONSENT` of the merged scopes (`sql::merged_consent`).
/// `changes()` is the row count of the statement before: the grant needs the request's
/// deletion (when one is named), the code needs the grant. Both the deletion and the grant
/// need the session, as in `PG_INSERT_GRANT_WITH_CODE`.
pub(crate) const SQLITE_INSERT_GRANT_WITH_CODE: [&str; 3] = [
    concat!(
        "DELETE FROM auth_requests WHERE id_hash = $21 AND ",
        sqlite_grant_session_is_live!()
    ),
    concat!(
        "INSERT INTO grants (id, client_id, account_id, scope, auth_time, amr, acr, \
        session_id_hash, created_at, expires_at, revoked) \
        SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 \
        WHERE ($21 IS NULL OR changes() = 1) AND ",
        sqlite_grant_session_is_live!()
    ),
    "INSERT INTO authorization_codes (code_hash, grant_id, client_id, redirect_uri, nonce, \
        code_challenge, created_at, expires_at, used) \
        SELECT $12, $13, $14, $15, $16, $17, $18, $19, $20 WHERE changes() = 1",
];

/// The one-shot redemption: only one caller can flip `used` (RFC 6749 section 4.1.2).
pub(crate) const REDEEM_CODE: &str = "UPDATE authorization_codes SET used = TRUE \
    WHERE code_hash = $1 AND used = FALSE AND expires_at > $2 \
    RETURNING code_hash, grant_id, client_id, redirect_uri, nonce, code_challenge, \
    created_at, expires_at, used";

/// PostgreSQL: the redemption and the code's grant in one statement, its columns prefixed `g_`
/// (NULL when the grant is gone), so a token request makes one round trip for both.
pub(crate) const PG_REDEEM_CODE_WITH_GRANT: &str = "WITH redeemed AS (\
        UPDATE authorization_codes SET used = TRUE \
        WHERE code_hash = $1 AND used = FALSE AND expires_at > $2 \
        RETURNING code_hash, grant_id, client_id, redirect_uri, nonce, code_challenge, \
        created_at, expires_at, used) \
    SELECT redeemed.*, g.id AS g_id, g.client_id AS g_client_id, g.account_id AS g_account_id, \
        g.scope AS g_scope, g.auth_time AS g_auth_time, g.amr AS g_amr, g.acr AS g_acr, \
        g.session_id_hash AS g_session_id_hash, g.created_at AS g_created_at, \
        g.expires_at AS g_expires_at, g.revoked AS g_revoked \
    FROM redeemed LEFT JOIN grants AS g ON g.id = redeemed.grant_id";

/// Why a redemption failed: `(used, grant_id)` of the code, if it exists at all.
pub(crate) const SELECT_CODE_STATE: &str =
    "SELECT used, grant_id FROM authorization_codes WHERE code_hash = $1";

// Refresh tokens.

pub(crate) const INSERT_REFRESH_TOKEN: &str = "INSERT INTO refresh_tokens (token_hash, grant_id, \
    created_at, expires_at, used) VALUES ($1, $2, $3, $4, $5)";

/// PostgreSQL's rotation in one statement (RFC 9700 §4.14.2): the successor ($3, with $4 and
/// $5 as its times) is inserted under the presented token's grant only while that token is
/// unused, unexpired and its grant live. The unique `parent_hash` admits one successor per
/// token, so a second rotation of the same token fails with a unique violation: reuse.
pub(crate) const PG_ROTATE_REFRESH_TOKEN: &str = "INSERT INTO refresh_tokens (token_hash, grant_id, \
    created_at, expires_at, used, parent_hash) \
    SELECT $3, parent.grant_id, $4, $5, FALSE, parent.token_hash \
    FROM refresh_tokens AS parent JOIN grants ON grants.id = parent.grant_id \
    WHERE parent.token_hash = $1 AND parent.used = FALSE AND parent.expires_at > $2 \
    AND grants.revoked = FALSE AND grants.expires_at > $2 \
    RETURNING grant_id";

/// SQLite's rotation (RFC 9700 §4.14.2), one write on its one writer: the presented token is
/// marked used while it is unused (nor rotated by `PG_ROTATE_REFRESH_TOKEN`, which SQLite ran
/// until issue 6's group commit), unexpired and its grant live; then its successor is inserted
/// (`INSERT_REFRESH_TOKEN`, no `parent_hash`). A second rotation finds the token used: reuse.
/// Writing the token's own row, which is recent and so on a page the batch writes anyway,
/// instead of a `parent_hash` index entry at a random place: 0.124 → 0.113 ms per refresh.
pub(crate) const SQLITE_MARK_REFRESH_TOKEN_USED: &str = "UPDATE refresh_tokens SET used = TRUE \
    WHERE token_hash = $1 AND used = FALSE AND expires_at > $2 \
    AND NOT EXISTS (SELECT 1 FROM refresh_tokens AS successor \
        WHERE successor.parent_hash = refresh_tokens.token_hash) \
    AND EXISTS (SELECT 1 FROM grants WHERE grants.id = refresh_tokens.grant_id \
        AND grants.revoked = FALSE AND grants.expires_at > $2) \
    RETURNING grant_id";

pub(crate) const SELECT_GRANT_OF_REFRESH_TOKEN: &str = "SELECT id, client_id, account_id, \
    scope, auth_time, amr, acr, session_id_hash, created_at, expires_at, revoked FROM grants \
    WHERE id = (SELECT grant_id FROM refresh_tokens WHERE token_hash = $1)";

/// A token is used once rotated: marked (SQLite's rotation, and PostgreSQL's before migration
/// 0007) or with a successor naming it (PostgreSQL's rotation, and SQLite's until issue 6).
pub(crate) const SELECT_REFRESH_TOKEN: &str = "SELECT token_hash, grant_id, created_at, \
    expires_at, (used OR EXISTS (SELECT 1 FROM refresh_tokens AS successor \
    WHERE successor.parent_hash = refresh_tokens.token_hash)) AS used \
    FROM refresh_tokens WHERE token_hash = $1";

// Access token revocations (the tokens themselves are not stored).

pub(crate) const INSERT_ACCESS_TOKEN_REVOCATION: &str = "INSERT INTO token_revocations \
    (kind, id, revoked_at, expires_at) VALUES ('access_token', $1, $2, $3) \
    ON CONFLICT (kind, id) DO NOTHING";

/// Revocations made since `$1` that still matter at `$2`.
pub(crate) const SELECT_REVOCATIONS: &str = "SELECT kind, id, revoked_at, expires_at \
    FROM token_revocations WHERE revoked_at >= $1 AND expires_at > $2";

// Client assertion replay (RFC 7523 section 3, item 7).

pub(crate) const INSERT_JTI: &str = "INSERT INTO client_assertion_jtis (client_id, jti, \
    expires_at) VALUES ($1, $2, $3) ON CONFLICT (client_id, jti) DO NOTHING";

// Sign-in throttling.

/// A password sign-in's reads in one statement: the account `$1` names (as
/// `SELECT_ACCOUNT_BY_LOGIN`; its columns NULL when there is none) beside each throttle record
/// of the keys `$2` and `$3` (as `SELECT_THROTTLES`): a row per record, one row when there is
/// none.
pub(crate) const SELECT_SIGN_IN_READS: &str = concat!(
    "SELECT a.*, t.key, t.failures, t.last_failure, t.locked_until \
    FROM (SELECT 1 AS one) AS one LEFT JOIN (",
    select_account_by_login!(),
    ") AS a ON TRUE \
    LEFT JOIN login_throttle AS t ON t.key = $2 OR t.key = $3"
);

pub(crate) const SELECT_THROTTLES: &str = "SELECT key, failures, last_failure, locked_until \
    FROM login_throttle WHERE key = $1 OR key = $2";

/// Counts one failure atomically; the lock is set by `SET_THROTTLE_LOCK` in the same
/// transaction, because its length is computed in Rust from the new count.
pub(crate) const COUNT_THROTTLE_FAILURE: &str = "INSERT INTO login_throttle (key, failures, \
    last_failure, locked_until) VALUES ($1, 1, $2, $2) \
    ON CONFLICT (key) DO UPDATE SET failures = login_throttle.failures + 1, \
    last_failure = excluded.last_failure \
    RETURNING failures";

pub(crate) const SET_THROTTLE_LOCK: &str = "UPDATE login_throttle SET locked_until = $2 \
    WHERE key = $1 \
    RETURNING key, failures, last_failure, locked_until";

pub(crate) const DELETE_THROTTLE: &str = "DELETE FROM login_throttle WHERE key = $1";

// Housekeeping. Children before parents, so the counts include rows that would otherwise go
// by cascade.

pub(crate) const PURGE_EXPIRED: [&str; 11] = [
    "DELETE FROM token_revocations WHERE expires_at <= $1",
    "DELETE FROM authorization_codes WHERE expires_at <= $1",
    "DELETE FROM refresh_tokens WHERE expires_at <= $1",
    "DELETE FROM grants WHERE expires_at <= $1",
    "DELETE FROM sessions WHERE expires_at <= $1",
    "DELETE FROM auth_requests WHERE expires_at <= $1",
    "DELETE FROM client_assertion_jtis WHERE expires_at <= $1",
    "DELETE FROM webauthn_ceremonies WHERE expires_at <= $1",
    "DELETE FROM esign_challenges WHERE expires_at <= $1",
    "DELETE FROM session_organizations WHERE expires_at <= $1",
    // Failure counters are keyed by whatever login was typed, so without this an attacker could
    // grow the table without bound; a day without failures forgets a key (the longest lock is
    // 15 minutes by default).
    "DELETE FROM login_throttle WHERE last_failure <= $1 - 86400",
];
