//! Which column of the export holds which field, and how its values are written. The default
//! is the old OneID export (`../shared/legacy/README.md`); another legacy source supplies a
//! TOML file (`--mapping`, format in docs/import.md).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// The fields the importer understands, in a fixed order (the index into a record's values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    LegacyId,
    Login,
    Pinfl,
    FamilyName,
    GivenName,
    MiddleName,
    BirthDate,
    Sex,
    Passport,
    Phone,
    Email,
    PasswordHash,
    HashAlgo,
    Salt,
    Created,
    Status,
}

impl Field {
    pub const ALL: [Field; 16] = [
        Field::LegacyId,
        Field::Login,
        Field::Pinfl,
        Field::FamilyName,
        Field::GivenName,
        Field::MiddleName,
        Field::BirthDate,
        Field::Sex,
        Field::Passport,
        Field::Phone,
        Field::Email,
        Field::PasswordHash,
        Field::HashAlgo,
        Field::Salt,
        Field::Created,
        Field::Status,
    ];

    /// The key of this field in a mapping file's `[columns]` table.
    pub fn key(self) -> &'static str {
        match self {
            Field::LegacyId => "legacy_id",
            Field::Login => "login",
            Field::Pinfl => "pinfl",
            Field::FamilyName => "family_name",
            Field::GivenName => "given_name",
            Field::MiddleName => "middle_name",
            Field::BirthDate => "birth_date",
            Field::Sex => "sex",
            Field::Passport => "passport",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::PasswordHash => "password_hash",
            Field::HashAlgo => "hash_algo",
            Field::Salt => "salt",
            Field::Created => "created",
            Field::Status => "status",
        }
    }

    /// The OneID export's column for this field.
    fn oneid_column(self) -> &'static str {
        match self {
            Field::LegacyId => "user_id",
            Field::Login => "login",
            Field::Pinfl => "pin",
            Field::FamilyName => "sur_name",
            Field::GivenName => "first_name",
            Field::MiddleName => "mid_name",
            Field::BirthDate => "birth_date",
            Field::Sex => "gd",
            Field::Passport => "pport_no",
            Field::Phone => "mob_phone_no",
            Field::Email => "email",
            Field::PasswordHash => "password_hash",
            Field::HashAlgo => "hash_algo",
            Field::Salt => "salt",
            Field::Created => "created",
            Field::Status => "status",
        }
    }
}

/// How dates are written in the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum DateFormat {
    /// `31.12.1990`
    #[serde(rename = "DD.MM.YYYY")]
    DayMonthYear,
    /// `1990-12-31`
    #[serde(rename = "YYYY-MM-DD")]
    Iso,
}

/// A complete column mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// Column name per field; a field without a column is read as empty.
    pub columns: BTreeMap<Field, String>,
    pub birth_date_format: DateFormat,
    /// Offset of the export's wall-clock `created` times from UTC, in seconds.
    pub created_utc_offset: i64,
    /// Status values, compared case-insensitively.
    pub status_active: Vec<String>,
    pub status_blocked: Vec<String>,
    pub status_deleted: Vec<String>,
    /// Sex values: what means male and what female.
    pub sex_male: String,
    pub sex_female: String,
}

impl Default for Mapping {
    /// The old OneID export: `DD.MM.YYYY` birth dates, Asia/Tashkent (UTC+5) creation times.
    fn default() -> Self {
        Self {
            columns: Field::ALL
                .iter()
                .map(|f| (*f, f.oneid_column().to_owned()))
                .collect(),
            birth_date_format: DateFormat::DayMonthYear,
            created_utc_offset: 5 * 3600,
            status_active: vec!["ACTIVE".into()],
            status_blocked: vec!["BLOCKED".into()],
            status_deleted: vec!["DELETED".into()],
            sex_male: "1".into(),
            sex_female: "2".into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    columns: BTreeMap<String, String>,
    birth_date_format: Option<DateFormat>,
    created_utc_offset_hours: Option<i64>,
    status_active: Option<Vec<String>>,
    status_blocked: Option<Vec<String>>,
    status_deleted: Option<Vec<String>>,
    sex_male: Option<String>,
    sex_female: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("cannot read the mapping file: {0}")]
    Io(#[from] std::io::Error),
    #[error("mapping file: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("mapping file: unknown field {0:?} in [columns]")]
    UnknownField(String),
    #[error("mapping file: [columns] must name the legacy_id column")]
    NoLegacyId,
}

impl Mapping {
    /// Reads a mapping file. Fields it does not list in `[columns]` are not read; settings it
    /// leaves out keep the OneID defaults.
    pub fn load(path: &Path) -> Result<Self, MappingError> {
        Self::parse(&std::fs::read_to_string(path)?)
    }

    pub fn parse(text: &str) -> Result<Self, MappingError> {
        let file: MappingFile = toml::from_str(text)?;
        let defaults = Mapping::default();
        let mut columns = BTreeMap::new();
        for (key, column) in file.columns {
            let field = Field::ALL
                .iter()
                .find(|f| f.key() == key)
                .ok_or_else(|| MappingError::UnknownField(key.clone()))?;
            columns.insert(*field, column);
        }
        if !columns.contains_key(&Field::LegacyId) {
            return Err(MappingError::NoLegacyId);
        }
        Ok(Self {
            columns,
            birth_date_format: file.birth_date_format.unwrap_or(defaults.birth_date_format),
            created_utc_offset: file
                .created_utc_offset_hours
                .map_or(defaults.created_utc_offset, |h| h * 3600),
            status_active: file.status_active.unwrap_or(defaults.status_active),
            status_blocked: file.status_blocked.unwrap_or(defaults.status_blocked),
            status_deleted: file.status_deleted.unwrap_or(defaults.status_deleted),
            sex_male: file.sex_male.unwrap_or(defaults.sex_male),
            sex_female: file.sex_female.unwrap_or(defaults.sex_female),
        })
    }

    /// For each field (in [`Field::ALL`] order), the index of its column among `header`.
    pub fn column_indexes(&self, header: &[String]) -> Vec<Option<usize>> {
        Field::ALL
            .iter()
            .map(|field| {
                self.columns
                    .get(field)
                    .and_then(|name| header.iter().position(|h| h.trim() == name))
            })
            .collect()
    }

    /// The column name of a field, for messages.
    pub fn column(&self, field: Field) -> &str {
        self.columns.get(&field).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_oneid_export() {
        let mapping = Mapping::default();
        assert_eq!(mapping.column(Field::Pinfl), "pin");
        let header: Vec<String> = ["pin", "user_id"].map(String::from).to_vec();
        let indexes = mapping.column_indexes(&header);
        assert_eq!(indexes[Field::LegacyId as usize], Some(1));
        assert_eq!(indexes[Field::Pinfl as usize], Some(0));
        assert_eq!(indexes[Field::Login as usize], None);
    }

    #[test]
    fn a_mapping_file_renames_columns() {
        let mapping = Mapping::parse(
            "birth_date_format = \"YYYY-MM-DD\"\ncreated_utc_offset_hours = 0\n\
             status_active = [\"1\"]\n[columns]\nlegacy_id = \"id\"\nlogin = \"username\"\n",
        )
        .unwrap();
        assert_eq!(mapping.column(Field::LegacyId), "id");
        assert_eq!(mapping.column(Field::Pinfl), "");
        assert_eq!(mapping.birth_date_format, DateFormat::Iso);
        assert_eq!(mapping.created_utc_offset, 0);
        assert_eq!(mapping.status_active, vec!["1".to_owned()]);
        assert!(matches!(
            Mapping::parse("[columns]\nlogin = \"x\"\n"),
            Err(MappingError::NoLegacyId)
        ));
        assert!(matches!(
            Mapping::parse("[columns]\nlegacy_id = \"x\"\nshoe_size = \"y\"\n"),
            Err(MappingError::UnknownField(_))
        ));
    }
}
