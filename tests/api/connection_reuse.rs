//! Reads that keep their connection between statements (`dealgate::db::reuse`): connections
//! go back on the stack only after a statement that completed, the stack never holds more
//! than three quarters of the pool (writes find the rest), reads beyond it wait in line rather than take
//! the rest, and a read cancelled mid-statement leaves no broken connection behind.

use crate::helpers::{error_code, fresh_database, gid, spawn_app_with};
use dealgate::config::Config;
use dealgate::db::reuse::{ConnectionReuse, ReadConnection};
use futures_util::future::join_all;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, TransactionTrait};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn sum_statement(backend: DatabaseBackend, a: i64, b: i64) -> Statement {
    Statement::from_sql_and_values(
        backend,
        match backend {
            DatabaseBackend::Postgres => "SELECT CAST($1 AS BIGINT) + CAST($2 AS BIGINT) AS total",
            _ => "SELECT CAST(? AS BIGINT) + CAST(? AS BIGINT) AS total",
        },
        [a.into(), b.into()],
    )
}

async fn sum(reads: &ReadConnection, a: i64, b: i64) -> i64 {
    let backend = reads.get_database_backend();
    let row = reads
        .query_one_raw(sum_statement(backend, a, b))
        .await
        .expect("statement")
        .expect("one row");
    row.try_get::<i64>("", "total").expect("total")
}

#[tokio::test]
async fn reads_keep_at_most_three_quarters_of_the_pool_and_let_failed_connections_go() {
    // The test pools have 8 connections: the stack keeps at most 6.
    let (db, _dir) = fresh_database().await;
    let reuse = ConnectionReuse::for_pool(&db).expect("a PostgreSQL or SQLite pool");
    let reads = ReadConnection::new(db.clone(), Some(reuse.clone()));
    assert_eq!(sum(&reads, 40, 2).await, 42);
    assert_eq!(
        reuse.idle(),
        1,
        "the connection is kept after its statement"
    );

    // Sixteen reads at once take as many connections as the pool gives (how many depends on
    // how fast each answers); afterwards at most three quarters of the pool stay on the stack.
    assert_eq!(reuse.capacity(), 6);
    let totals = join_all((0..16).map(|i| sum(&reads, i, 1000))).await;
    assert_eq!(totals, (0..16).map(|i| i + 1000).collect::<Vec<_>>());
    let kept = reuse.idle();
    assert!((1..=6).contains(&kept), "{kept} connections kept");

    // With the stack as full as it gets, writes still get a connection from the pool.
    for _ in 0..4 {
        let txn = db.begin().await.expect("a write transaction begins");
        txn.execute_unprepared("UPDATE organization SET name = name")
            .await
            .expect("write");
        txn.commit().await.expect("commit");
    }

    // A statement that fails gives its connection back to the pool, not to the stack.
    let backend = reads.get_database_backend();
    let failed = reads
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT * FROM no_such_table",
        ))
        .await;
    assert!(failed.is_err());
    assert_eq!(reuse.idle(), kept - 1);
    assert_eq!(sum(&reads, -5, 7).await, 2);
    assert_eq!(reuse.idle(), (kept - 1).max(1));
}

/// A statement that keeps its connection busy for a while (tens of milliseconds).
fn slow_statement(backend: DatabaseBackend) -> Statement {
    Statement::from_string(
        backend,
        match backend {
            DatabaseBackend::Postgres => {
                "SELECT CAST(count(*) AS BIGINT) AS total FROM pg_sleep(0.05)"
            }
            _ => {
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) \
                 SELECT count(*) AS total FROM c"
            }
        },
    )
}

/// Reads beyond what the stack holds wait in line for one of its connections: in a burst of
/// slow reads no more statements run at once than the stack keeps connections (without the
/// line, the reads that found the stack empty took the rest of the pool, and waited there
/// behind reads that came later).
#[tokio::test]
async fn reads_beyond_the_stack_wait_in_line_instead_of_taking_the_pool() {
    let (db, _dir) = fresh_database().await;
    let reuse = ConnectionReuse::for_pool(&db).expect("a PostgreSQL or SQLite pool");
    // When each statement ran: it ended when it is counted, and took what it is counted with.
    let ran: Arc<Mutex<Vec<(Instant, Duration)>>> = Arc::default();
    let record = ran.clone();
    let reads =
        ReadConnection::new(db.clone(), Some(reuse.clone())).counted(Arc::new(move |_, took| {
            if let Ok(mut ran) = record.lock() {
                ran.push((Instant::now(), took));
            }
        }));
    let slow = slow_statement(reads.get_database_backend());
    let answers = join_all((0..16).map(|_| reads.query_one_raw(slow.clone()))).await;
    for answer in answers {
        let row = answer.expect("statement").expect("one row");
        assert!(row.try_get::<i64>("", "total").expect("total") > 0);
    }
    let ran = ran.lock().map(|ran| ran.clone()).unwrap_or_default();
    assert_eq!(ran.len(), 16);
    // The most statements running at one instant: starts and ends in time order, an end
    // before a start at the same instant.
    let mut events: Vec<(Instant, i32)> = ran
        .iter()
        .flat_map(|(ended, took)| [(*ended - *took, 1), (*ended, -1)])
        .collect();
    events.sort();
    let (mut running, mut most) = (0, 0);
    for (_, change) in events {
        running += change;
        most = most.max(running);
    }
    assert!(
        most <= reuse.capacity() as i32,
        "{most} statements ran at once; the stack keeps {}",
        reuse.capacity()
    );
    assert!(most > 1, "the burst ran statements side by side");
    assert_eq!(
        reuse.idle(),
        reuse.capacity(),
        "every reader gave its connection back"
    );
}

/// Many concurrent reads, then writes and reads in turn: every answer is right, and no write
/// waits on a connection the reads kept.
#[tokio::test]
async fn a_burst_of_reads_leaves_connections_to_writes() {
    let app = spawn_app_with(|config| config).await;
    let org = app.create_org("Acme").await;
    let world = crate::fixtures::build(&app, &org, 3).await;
    let page = "query { deals(first: 10) { totalCount nodes { id title } } }";
    let bodies = join_all((0..24).map(|_| app.gql(&org.key, page, json!({})))).await;
    let listed: Vec<_> = world.listed().collect();
    for body in &bodies {
        assert_eq!(body["data"]["deals"]["totalCount"], listed.len(), "{body}");
    }
    let rename =
        "mutation($input: UpdateDealInput!) { updateDeal(input: $input) { deal { title } } }";
    for (i, deal) in listed.iter().enumerate() {
        let title = format!("Renamed {i}");
        let id = gid("deal", deal.id);
        let body = app
            .gql(
                &org.key,
                rename,
                json!({ "input": { "id": id, "title": title } }),
            )
            .await;
        assert_eq!(body["data"]["updateDeal"]["deal"]["title"], title, "{body}");
        let body = app
            .gql(
                &org.key,
                "query($id: ID!) { deal(id: $id) { title } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(body["data"]["deal"]["title"], title, "{body}");
    }
}

/// A read cancelled at its deadline while its statement waits (PostgreSQL: behind a lock the
/// test holds; SQLite readers never wait) does not leave its connection on the stack with
/// the statement's answer still unread: the reads after it answer their own statements.
#[tokio::test]
async fn a_read_cancelled_mid_statement_leaves_no_broken_connection() {
    let app = spawn_app_with(|config| Config {
        request_timeout_ms: 300,
        ..config
    })
    .await;
    let org = app.create_org("Acme").await;
    let world = crate::fixtures::build(&app, &org, 2).await;
    let listed: Vec<_> = world.listed().collect();
    let title_of = |id: String| {
        let app = &app;
        let key = org.key.clone();
        async move {
            app.gql(
                &key,
                "query($id: ID!) { deal(id: $id) { title } }",
                json!({ "id": id }),
            )
            .await
        }
    };
    if app.db.get_database_backend() == DatabaseBackend::Postgres {
        let blocker = app.db.begin().await.expect("begin");
        blocker
            .execute_unprepared("LOCK TABLE deal IN ACCESS EXCLUSIVE MODE")
            .await
            .expect("lock the deals");
        let body = title_of(gid("deal", listed[0].id)).await;
        assert_eq!(error_code(&body), Some("LIMIT_EXCEEDED"), "{body}");
        blocker.rollback().await.expect("release the lock");
    }
    // Each read gets its own deal's title, many times over (every connection of the pool).
    for _ in 0..4 {
        let reads = join_all(listed.iter().map(|deal| title_of(gid("deal", deal.id)))).await;
        for (deal, body) in listed.iter().zip(&reads) {
            assert_eq!(body["data"]["deal"]["title"], deal.title.as_str(), "{body}");
        }
    }
}
