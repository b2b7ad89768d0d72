//! Integration tests: the real server on a random port, driven over HTTP, on SQLite and (when
//! `YAGONA_TEST_POSTGRES_URL` is set) PostgreSQL.

mod helpers;

mod code_flow;
