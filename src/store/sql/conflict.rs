//! Unique-constraint violations, reported the same way by both backends.

use sqlx::error::DatabaseError;

use crate::store::StoreError;

/// SQLite's extended result code `SQLITE_CONSTRAINT_PRIMARYKEY`.
const SQLITE_PRIMARY_KEY_VIOLATION: &str = "1555";

/// The `field` reported by [`StoreError::Conflict`] when a primary key collides.
const PRIMARY_KEY_FIELD: &str = "primary key";

/// Converts an error from an INSERT: unique violations become `Conflict(field)`, everything
/// else stays a database error.
pub(crate) fn write_error(error: sqlx::Error) -> StoreError {
    match error.as_database_error() {
        Some(db) if db.is_unique_violation() => StoreError::Conflict(conflict_field(db)),
        _ => StoreError::Database(error),
    }
}

/// [`write_error`] for a statement run directly on SQLite (`store::sqlite::direct`).
pub(crate) fn sqlite_write_error(error: rusqlite::Error) -> StoreError {
    match &error {
        rusqlite::Error::SqliteFailure(failure, message) if is_unique_violation(failure) => {
            StoreError::Conflict(if failure.extended_code == SQLITE_PRIMARY_KEY_CODE {
                PRIMARY_KEY_FIELD.to_owned()
            } else {
                field_of_sqlite_message(message.as_deref().unwrap_or_default())
            })
        }
        _ => StoreError::Sqlite(error),
    }
}

fn is_unique_violation(failure: &rusqlite::ffi::Error) -> bool {
    matches!(
        failure.extended_code,
        rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | SQLITE_PRIMARY_KEY_CODE
    )
}

const SQLITE_PRIMARY_KEY_CODE: std::ffi::c_int = rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY;

/// The field a unique violation is about, the same on both backends.
///
/// PostgreSQL names the constraint (`accounts_username_key`, `accounts_pkey`); SQLite names the
/// columns in its message (`UNIQUE constraint failed: accounts.username`) and tells primary keys
/// apart by its extended result code. Both reduce to `username` (or `primary key`).
fn conflict_field(db: &dyn DatabaseError) -> String {
    if let Some(constraint) = db.constraint() {
        return field_of_constraint(constraint, db.table());
    }
    if db.code().as_deref() == Some(SQLITE_PRIMARY_KEY_VIOLATION) {
        return PRIMARY_KEY_FIELD.to_owned();
    }
    field_of_sqlite_message(db.message())
}

/// `accounts_username_key` → `username`; `accounts_pkey` → `primary key`.
fn field_of_constraint(constraint: &str, table: Option<&str>) -> String {
    let without_table = table
        .and_then(|table| constraint.strip_prefix(table))
        .and_then(|rest| rest.strip_prefix('_'))
        .unwrap_or(constraint);
    if without_table == "pkey" {
        return PRIMARY_KEY_FIELD.to_owned();
    }
    without_table
        .strip_suffix("_key")
        .unwrap_or(without_table)
        .to_owned()
}

/// `UNIQUE constraint failed: accounts.username` → `username`; several columns are joined
/// with commas (`a.x, a.y` → `x,y`).
fn field_of_sqlite_message(message: &str) -> String {
    let columns = message
        .split_once(": ")
        .map_or(message, |(_, columns)| columns);
    columns
        .split(", ")
        .map(|qualified| {
            qualified
                .rsplit_once('.')
                .map_or(qualified, |(_, column)| column)
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_constraint_names_reduce_to_the_field() {
        assert_eq!(
            field_of_constraint("accounts_username_key", Some("accounts")),
            "username"
        );
        assert_eq!(
            field_of_constraint("accounts_pinfl_key", Some("accounts")),
            "pinfl"
        );
        assert_eq!(
            field_of_constraint("sessions_pkey", Some("sessions")),
            PRIMARY_KEY_FIELD
        );
        assert_eq!(field_of_constraint("odd_name", None), "odd_name");
    }

    #[test]
    fn sqlite_messages_reduce_to_the_field() {
        assert_eq!(
            field_of_sqlite_message("UNIQUE constraint failed: accounts.email"),
            "email"
        );
        assert_eq!(
            field_of_sqlite_message(
                "UNIQUE constraint failed: consents.account_id, consents.client_id"
            ),
            "account_id,client_id"
        );
    }
}
