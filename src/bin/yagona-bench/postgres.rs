//! The PostgreSQL database of a run: `yagona_bench`, created fresh for each provider start and
//! dropped at the end, through an administrative connection to the server.

use std::time::Duration;

use anyhow::Context;
use sqlx::Connection as _;

/// The database the benchmark creates and drops (never the one in the administrative URL).
pub const BENCH_DATABASE: &str = "yagona_bench";

/// A reachable PostgreSQL server.
#[derive(Debug, Clone)]
pub struct PgServer {
    admin_url: String,
}

impl PgServer {
    /// Connects once to `admin_url` to check that the server is there.
    pub async fn reach(admin_url: &str) -> anyhow::Result<Self> {
        let server = Self {
            admin_url: admin_url.to_owned(),
        };
        server.execute("SELECT 1").await?;
        Ok(server)
    }

    /// Drops any earlier `yagona_bench` and creates it empty; returns its URL.
    pub async fn recreate(&self) -> anyhow::Result<String> {
        self.drop_database().await?;
        self.execute(&format!("CREATE DATABASE {BENCH_DATABASE}"))
            .await?;
        bench_url(&self.admin_url)
    }

    /// Drops `yagona_bench`, disconnecting whoever still uses it.
    pub async fn drop_database(&self) -> anyhow::Result<()> {
        self.execute(&format!(
            "DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"
        ))
        .await
    }

    async fn execute(&self, sql: &str) -> anyhow::Result<()> {
        let connect = sqlx::PgConnection::connect(&self.admin_url);
        let mut connection = tokio::time::timeout(Duration::from_secs(5), connect)
            .await
            .context("timed out connecting")?
            .context("connecting")?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut connection)
            .await
            .with_context(|| format!("running {sql}"))?;
        connection.close().await.ok();
        Ok(())
    }
}

/// `admin_url` with its database replaced by [`BENCH_DATABASE`] (user, host and options kept).
fn bench_url(admin_url: &str) -> anyhow::Result<String> {
    let mut url = url::Url::parse(admin_url).context("the PostgreSQL URL")?;
    url.set_path(&format!("/{BENCH_DATABASE}"));
    Ok(url.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;

    #[test]
    fn the_bench_database_replaces_the_administrative_one() {
        assert_eq!(
            bench_url("postgres://postgres@127.0.0.1:5432/test").unwrap(),
            "postgres://postgres@127.0.0.1:5432/yagona_bench"
        );
        assert_eq!(
            bench_url("postgres://u:p@db/test?sslmode=disable").unwrap(),
            "postgres://u:p@db/yagona_bench?sslmode=disable"
        );
        assert!(bench_url("not a url").is_err());
    }

    #[tokio::test]
    async fn an_unreachable_server_is_reported() {
        let err = PgServer::reach("postgres://postgres@127.0.0.1:1/test")
            .await
            .unwrap_err();
        assert!(format!("{err:#}").contains("connecting"), "{err:#}");
    }
}
