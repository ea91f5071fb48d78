//! `dealsTimeline`: periods of days, weeks, months and quarters in a time zone, each with its
//! deals and totals, checked against periods computed here by hand.

use crate::fixtures;
use crate::helpers::{gid, spawn_app};
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use entity::deal;
use entity::enums::DealStatus;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

/// Every field of every period.
pub const TIMELINE: &str = "query($start: Date!, $interval: TimelineInterval!, $amount: Int!, \
    $field: TimelineField!, $zone: String, $filter: DealFilter) {
  dealsTimeline(startDate: $start, interval: $interval, amount: $amount, field: $field,
                timeZone: $zone, filter: $filter) {
    startDate endDate startsAt endsAt
    summary { count totalValue { amount currency } }
    open { count } won { count } lost { count }
    deals(first: 500) { totalCount nodes { id } }
  }
}";

/// Σ value per currency, in ten-thousandths, from a summary's `totalValue`.
fn totals(money: &Value) -> BTreeMap<String, i64> {
    money
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let amount = Decimal::from_str(m["amount"].as_str().unwrap_or("x")).unwrap_or_default()
                * Decimal::new(10_000, 0);
            (
                m["currency"].as_str().unwrap_or_default().to_owned(),
                amount.normalize().to_string().parse().unwrap_or(-1),
            )
        })
        .collect()
}

fn statements(body: &Value) -> u64 {
    body["extensions"]["sql"]["statements"]
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test]
async fn weekly_periods_in_a_time_zone_hold_the_deals_created_in_them() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 200).await;
    // India is UTC+05:30 all year: a local day starts at 18:30 UTC the day before.
    let india = FixedOffset::east_opt(5 * 3600 + 1800).expect("offset");
    let first_created = w.deals.iter().map(|d| d.created_at).min().expect("deals");
    // Start mid-week, a week before the first deal: periods start on the Monday before.
    let start = (first_created.with_timezone(&india) - Duration::days(5)).date_naive();
    let monday = start - Duration::days(i64::from(start.weekday().num_days_from_monday()));
    let weeks = 12;
    let starts_at = |k: i64| -> DateTime<Utc> {
        let day = monday + Duration::days(7 * k);
        india
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
            .single()
            .expect("one instant")
            .with_timezone(&Utc)
    };
    let body = app
        .gql(
            &org.key,
            TIMELINE,
            json!({ "start": start.to_string(), "interval": "WEEK", "amount": weeks,
                    "field": "CREATED", "zone": "Asia/Kolkata" }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let periods = body["data"]["dealsTimeline"].as_array().expect("periods");
    assert_eq!(periods.len(), weeks as usize);
    let mut on_timeline = 0;
    for (k, period) in periods.iter().enumerate() {
        let k = k as i64;
        let (from, to) = (starts_at(k), starts_at(k + 1));
        assert_eq!(
            period["startDate"],
            (monday + Duration::days(7 * k)).to_string()
        );
        assert_eq!(
            period["endDate"],
            (monday + Duration::days(7 * k + 6)).to_string()
        );
        assert_eq!(
            DateTime::parse_from_rfc3339(period["startsAt"].as_str().unwrap_or("")).ok(),
            Some(from.fixed_offset())
        );
        assert_eq!(
            DateTime::parse_from_rfc3339(period["endsAt"].as_str().unwrap_or("")).ok(),
            Some(to.fixed_offset())
        );
        let inside: Vec<&deal::Model> = w
            .listed()
            .filter(|d| d.created_at >= from && d.created_at < to)
            .collect();
        on_timeline += inside.len();
        let count = |status: DealStatus| inside.iter().filter(|d| d.status == status).count();
        assert_eq!(period["summary"]["count"], inside.len(), "week {k}");
        assert_eq!(period["open"]["count"], count(DealStatus::Open), "week {k}");
        assert_eq!(period["won"]["count"], count(DealStatus::Won), "week {k}");
        assert_eq!(period["lost"]["count"], count(DealStatus::Lost), "week {k}");
        let mut sums: BTreeMap<String, i64> = BTreeMap::new();
        for d in &inside {
            *sums.entry(d.currency.clone()).or_default() += d.value.0;
        }
        assert_eq!(totals(&period["summary"]["totalValue"]), sums, "week {k}");
        assert_eq!(period["deals"]["totalCount"], inside.len());
        let ids: BTreeSet<String> = period["deals"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| n["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        let expected: BTreeSet<String> = inside.iter().map(|d| gid("deal", d.id)).collect();
        assert_eq!(ids, expected, "week {k}");
    }
    assert!(
        on_timeline > 100,
        "most deals fall on the timeline: {on_timeline}"
    );

    // The statements do not grow with the periods: totals, then every period's page.
    let three = app
        .gql(
            &org.key,
            TIMELINE,
            json!({ "start": start.to_string(), "interval": "WEEK", "amount": 3,
                    "field": "CREATED", "zone": "Asia/Kolkata" }),
        )
        .await;
    assert!(three["errors"].is_null(), "{three}");
    assert_eq!(statements(&three), statements(&body));
    assert!(statements(&body) <= 3, "{}", statements(&body));
}

#[tokio::test]
async fn days_follow_clock_changes() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 8).await;
    // Berlin moves from UTC+1 to UTC+2 at 01:00 UTC on 29 March 2026: that day has 23 hours.
    let at = |text: &str| {
        DateTime::parse_from_rfc3339(text)
            .expect("instant")
            .with_timezone(&Utc)
    };
    let placed = [
        "2026-03-28T22:59:59Z", // 23:59:59 on the 28th in Berlin
        "2026-03-28T23:00:00Z", // midnight of the 29th
        "2026-03-29T21:59:59Z", // 23:59:59 on the 29th (summer time)
        "2026-03-29T22:00:00Z", // midnight of the 30th
    ];
    for (deal, instant) in w.listed().zip(placed) {
        let mut active = deal.clone().into_active_model();
        active.created_at = Set(at(instant));
        active.update(&app.db).await.expect("move the deal");
    }
    let ask = |zone: Option<&str>| {
        json!({ "start": "2026-03-28", "interval": "DAY", "amount": 3, "field": "CREATED",
                "zone": zone })
    };
    let body = app
        .gql(&org.key, TIMELINE, ask(Some("Europe/Berlin")))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let periods = body["data"]["dealsTimeline"].as_array().expect("periods");
    let field = |name: &str| -> Vec<Value> { periods.iter().map(|p| p[name].clone()).collect() };
    assert_eq!(
        field("startsAt"),
        [
            "2026-03-27T23:00:00Z",
            "2026-03-28T23:00:00Z",
            "2026-03-29T22:00:00Z"
        ]
    );
    assert_eq!(
        field("endsAt"),
        [
            "2026-03-28T23:00:00Z",
            "2026-03-29T22:00:00Z",
            "2026-03-30T22:00:00Z"
        ]
    );
    let counts = |periods: &[Value]| -> Vec<Value> {
        periods
            .iter()
            .map(|p| p["summary"]["count"].clone())
            .collect()
    };
    assert_eq!(counts(periods), [json!(1), json!(2), json!(1)]);
    let utc = app.gql(&org.key, TIMELINE, ask(None)).await;
    let utc = utc["data"]["dealsTimeline"].as_array().expect("periods");
    assert_eq!(utc[0]["startsAt"], "2026-03-28T00:00:00Z");
    assert_eq!(counts(utc), [json!(2), json!(2), json!(0)]);
}

#[tokio::test]
async fn months_quarters_and_dates_other_than_creation() {
    let app = spawn_app().await;
    let org = app.create_org("Acme").await;
    let w = fixtures::build(&app, &org, 150).await;
    // Won deals by quarter of winning, UTC, from a day inside the first quarter.
    let first_won = w
        .listed()
        .filter_map(|d| d.won_at)
        .min()
        .expect("won deals");
    let start = first_won.date_naive() + Duration::days(1);
    let quarter_start =
        NaiveDate::from_ymd_opt(start.year(), (start.month0() / 3) * 3 + 1, 1).expect("day");
    let body = app
        .gql(
            &org.key,
            TIMELINE,
            json!({ "start": start.to_string(), "interval": "QUARTER", "amount": 2,
                    "field": "WON" }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let periods = body["data"]["dealsTimeline"].as_array().expect("periods");
    assert_eq!(periods[0]["startDate"], quarter_start.to_string());
    let next = quarter_start
        .checked_add_months(chrono::Months::new(3))
        .expect("day");
    assert_eq!(
        periods[0]["endDate"],
        next.pred_opt().expect("day").to_string()
    );
    let won_in = |from: NaiveDate, to: NaiveDate| {
        w.listed()
            .filter(|d| {
                d.won_at
                    .is_some_and(|t| t.date_naive() >= from && t.date_naive() < to)
            })
            .count()
    };
    assert_eq!(periods[0]["summary"]["count"], won_in(quarter_start, next));
    assert_eq!(periods[0]["won"]["count"], periods[0]["summary"]["count"]);
    assert_eq!(periods[0]["open"]["count"], 0);
    assert_eq!(periods[0]["lost"]["count"], 0);
    assert!(won_in(quarter_start, next) > 0);

    // Expected close dates by month: a date, whatever the time zone.
    let body = app
        .gql(
            &org.key,
            TIMELINE,
            json!({ "start": "2027-01-15", "interval": "MONTH", "amount": 4,
                    "field": "EXPECTED_CLOSE", "zone": "Pacific/Kiritimati",
                    "filter": { "status": ["OPEN"] } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let periods = body["data"]["dealsTimeline"].as_array().expect("periods");
    for (m, period) in periods.iter().enumerate() {
        let month = m as u32 + 1;
        assert_eq!(period["startDate"], format!("2027-{month:02}-01"));
        let expected = w
            .listed()
            .filter(|d| d.status == DealStatus::Open)
            .filter(|d| {
                d.expected_close_date
                    .is_some_and(|e| e.month() == month && e.year() == 2027)
            })
            .count();
        assert!(expected > 0);
        assert_eq!(period["summary"]["count"], expected, "month {month}");
        assert_eq!(period["deals"]["totalCount"], expected, "month {month}");
    }
}
