use super::*;

fn record<'a>(pairs: &[(Field, &'a str)]) -> RawRecord<'a> {
    let mut values: [std::borrow::Cow<'a, str>; Field::ALL.len()] = Default::default();
    let defaults = [
        (Field::LegacyId, "514003"),
        (Field::Login, "Alisher.Ismoilov"),
        (Field::Pinfl, "32203961242248"),
        (Field::BirthDate, "22.03.1996"),
        (Field::Sex, "1"),
        (Field::Passport, "aa 1234567"),
        (Field::Phone, "+998 (90) 123 45 67"),
        (Field::Email, "Aziz1990@Gmail.com"),
        (Field::HashAlgo, "sha1"),
        (
            Field::PasswordHash,
            "31ae993a6f948031dc5efc62b6f60dd3674c8fdb",
        ),
        (Field::Created, "2019-05-01 10:00:00"),
        (Field::Status, "ACTIVE"),
    ];
    for (field, value) in defaults.iter().chain(pairs) {
        values[*field as usize] = std::borrow::Cow::Borrowed(*value);
    }
    RawRecord {
        line: 2,
        record: 1,
        values,
        problem: None,
    }
}

fn check(pairs: &[(Field, &str)]) -> Validated {
    validate(
        &record(pairs),
        &Mapping::default(),
        0,
        Strictness::default(),
    )
}

#[test]
fn a_clean_record_is_normalised() {
    let verdict = check(&[]);
    assert!(verdict.warnings.is_empty(), "{:?}", verdict.warnings);
    let c = verdict.outcome.unwrap();
    assert_eq!(c.username, "alisher.ismoilov");
    assert_eq!(c.phone.as_deref(), Some("+998901234567"));
    assert_eq!(c.email.as_deref(), Some("aziz1990@gmail.com"));
    assert_eq!(c.birthdate.as_deref(), Some("1996-03-22"));
    assert_eq!(
        c.password_hash.as_deref(),
        Some("$sha1-hex$31ae993a6f948031dc5efc62b6f60dd3674c8fdb")
    );
    assert_eq!(c.created_at, 1_556_686_800);
    assert_eq!(c.digest.len(), 32);
}

#[test]
fn rejections_name_their_reason() {
    let reason = |pairs: &[(Field, &str)]| check(pairs).outcome.unwrap_err().reason;
    assert_eq!(reason(&[(Field::Login, "")]), "login_empty");
    assert_eq!(
        reason(&[(Field::Pinfl, "3220396124224")]),
        "pinfl_malformed"
    );
    assert_eq!(
        reason(&[(Field::Pinfl, "322039612422O8")]),
        "pinfl_malformed"
    );
    assert_eq!(
        reason(&[(Field::BirthDate, "31.02.1990")]),
        "birth_date_impossible"
    );
    assert_eq!(
        reason(&[
            (Field::HashAlgo, "crc32"),
            (Field::PasswordHash, "0badf00d")
        ]),
        "hash_algo_unknown"
    );
    assert_eq!(
        reason(&[
            (Field::HashAlgo, "bcrypt"),
            (Field::PasswordHash, "$2y$10$abc")
        ]),
        "hash_malformed"
    );
    assert_eq!(reason(&[(Field::Status, "GONE")]), "status_unknown");
}

#[test]
fn warnings_keep_the_row() {
    let warned = |pairs: &[(Field, &str)]| {
        let v = check(pairs);
        assert!(v.outcome.is_ok());
        v.warnings.iter().map(|w| w.reason).collect::<Vec<_>>()
    };
    assert_eq!(
        warned(&[(Field::Pinfl, "32203961242249")]),
        ["pinfl_check_digit"]
    );
    assert_eq!(
        warned(&[(Field::BirthDate, "23.03.1996")]),
        ["birth_date_mismatch"]
    );
    assert_eq!(warned(&[(Field::Phone, "tel yo'q")]), ["phone_unparseable"]);
    assert_eq!(warned(&[(Field::Email, "nope")]), ["email_invalid"]);
    assert_eq!(
        warned(&[(Field::Passport, "I-AB 123")]),
        ["passport_format"]
    );
    let masked = check(&[(Field::Pinfl, "32203961242249")]).warnings[0]
        .detail
        .clone();
    assert!(masked.starts_with("3***********49"), "{masked}");
}

#[test]
fn none_scheme_and_statuses() {
    let c = check(&[
        (Field::HashAlgo, "none"),
        (Field::PasswordHash, ""),
        (Field::Status, "deleted"),
    ])
    .outcome
    .unwrap();
    assert_eq!(c.password_hash, None);
    assert_eq!(c.scheme, "none");
    assert_eq!(c.status, LegacyStatus::Deleted);
}
