//! Deal data written straight to the database, so read tests can compute what they expect
//! independently of the code under test.

use crate::helpers::{TestApp, TestOrg};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use dealgate::clock;
use entity::enums::{DealStatus, Priority};
use entity::{Scaled, company, contact, deal, deal_tag, pipeline, stage, user};
use sea_orm::prelude::Uuid;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel};

/// What was written for one organisation.
pub struct World {
    pub stages: Vec<stage::Model>,
    pub pipelines: Vec<pipeline::Model>,
    pub companies: Vec<company::Model>,
    pub contacts: Vec<contact::Model>,
    pub owners: Vec<Uuid>,
    /// Each owner's name.
    pub owner_names: std::collections::HashMap<Uuid, String>,
    pub deals: Vec<deal::Model>,
    pub tags: Vec<(Uuid, String)>,
}

async fn insert<A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send>(
    db: &DatabaseConnection,
    model: impl IntoActiveModel<A>,
) -> <A::Entity as sea_orm::EntityTrait>::Model
where
    <A::Entity as sea_orm::EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    model
        .into_active_model()
        .reset_all()
        .insert(db)
        .await
        .expect("insert fixture")
}

const TITLES: [&str; 5] = ["alpha", "bravo", "charlie", "delta", "echo"];
const CURRENCIES: [&str; 3] = ["EUR", "USD", "GBP"];
const TAGS: [&str; 3] = ["hot", "renewal", "vip"];

/// `count` deals over two pipelines of three stages, with ties in every sort key, NULLs in
/// the nullable ones, three currencies, some archived, deleted, won and lost deals.
pub async fn build(app: &TestApp, org: &TestOrg, count: usize) -> World {
    let db = &app.db;
    let now = clock::now();
    let base: DateTime<Utc> = clock::truncate(now - Duration::days(100));
    let mut world = World {
        stages: Vec::new(),
        pipelines: Vec::new(),
        companies: Vec::new(),
        contacts: Vec::new(),
        owners: vec![org.user_id],
        owner_names: Default::default(),
        deals: Vec::new(),
        tags: Vec::new(),
    };
    let second_owner = insert::<user::ActiveModel>(
        db,
        user::Model {
            id: Uuid::now_v7(),
            organization_id: org.id,
            name: "Second Owner".into(),
            email: format!("second-{}@example.com", Uuid::now_v7().simple()),
            is_active: true,
            created_at: now,
            updated_at: now,
        },
    )
    .await;
    world.owners.push(second_owner.id);
    world
        .owner_names
        .insert(second_owner.id, second_owner.name.clone());
    let first_owner = user::Entity::find_by_id(org.user_id)
        .one(db)
        .await
        .expect("read the org's user")
        .expect("the org's user");
    world.owner_names.insert(first_owner.id, first_owner.name);
    for (p, name) in ["Sales", "Renewals"].into_iter().enumerate() {
        let pipeline = insert::<pipeline::ActiveModel>(
            db,
            pipeline::Model {
                id: Uuid::now_v7(),
                organization_id: org.id,
                name: name.into(),
                position: p as i32,
                created_at: now,
                updated_at: now,
                stalled_after_days: None,
            },
        )
        .await;
        for (position, probability) in [10, 50, 90].into_iter().enumerate() {
            world.stages.push(
                insert::<stage::ActiveModel>(
                    db,
                    stage::Model {
                        id: Uuid::now_v7(),
                        organization_id: org.id,
                        pipeline_id: pipeline.id,
                        name: format!("{name} {position}"),
                        position: position as i32,
                        probability,
                        created_at: now,
                        updated_at: now,
                        deleted_at: None,
                    },
                )
                .await,
            );
        }
        world.pipelines.push(pipeline);
    }
    for name in ["Globex Industries", "Initech"] {
        world.companies.push(
            insert::<company::ActiveModel>(
                db,
                company::Model {
                    id: Uuid::now_v7(),
                    organization_id: org.id,
                    name: name.into(),
                    domain: None,
                    created_at: now,
                    updated_at: now,
                    deleted_at: None,
                },
            )
            .await,
        );
    }
    for (i, (first, last)) in [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing")]
        .into_iter()
        .enumerate()
    {
        world.contacts.push(
            insert::<contact::ActiveModel>(
                db,
                contact::Model {
                    id: Uuid::now_v7(),
                    organization_id: org.id,
                    company_id: Some(world.companies[i % 2].id),
                    first_name: first.into(),
                    last_name: last.into(),
                    email: None,
                    phone: None,
                    created_at: now,
                    updated_at: now,
                    deleted_at: None,
                },
            )
            .await,
        );
    }
    let mut deals = Vec::with_capacity(count);
    let mut tags = Vec::new();
    for n in 0..count {
        let stage = &world.stages[n % world.stages.len()];
        let status = match n % 7 {
            5 => DealStatus::Won,
            6 => DealStatus::Lost,
            _ => DealStatus::Open,
        };
        let closed_at = (status != DealStatus::Open).then(|| base + Duration::days((n % 9) as i64));
        let model = deal::Model {
            id: Uuid::now_v7(),
            organization_id: org.id,
            title: format!("{} {}", TITLES[n % TITLES.len()], n % 3),
            value: Scaled(((n % 6) as i64 * 12_345 + 10_000) * 100 + (n % 4) as i64 * 25),
            currency: CURRENCIES[n % 3].into(),
            status,
            pipeline_id: stage.pipeline_id,
            stage_id: stage.id,
            contact_id: (n % 4 != 3).then(|| world.contacts[n % 3].id),
            company_id: (n % 5 != 4).then(|| world.companies[n % 2].id),
            owner_id: Some(world.owners[n % 2]),
            expected_close_date: (n % 3 != 0)
                .then(|| NaiveDate::from_ymd_opt(2027, 1 + (n % 4) as u32, 1).unwrap_or_default()),
            priority: [Priority::Low, Priority::Medium, Priority::High][n % 3],
            source: Some("Website".into()),
            custom_fields: serde_json::json!({ "n": n }),
            lost_reason: (status == DealStatus::Lost).then(|| "Price".into()),
            won_at: (status == DealStatus::Won).then_some(closed_at).flatten(),
            lost_at: (status == DealStatus::Lost).then_some(closed_at).flatten(),
            closed_at,
            stage_changed_at: base + Duration::days((n % 5) as i64 * 10),
            last_activity_at: (n % 4 != 0).then(|| base + Duration::days((n % 8) as i64 * 7)),
            archived_at: (n % 11 == 10).then_some(now),
            deleted_at: (n % 13 == 12).then_some(now),
            created_at: base + Duration::days((n / 3) as i64),
            updated_at: base + Duration::days((n % 10) as i64 * 3),
            version: 1,
            created_by_id: None,
            value_adjustment: None,
        };
        for tag in TAGS.iter().skip(n % 4).take(1 + n % 2) {
            tags.push(deal_tag::Model {
                deal_id: model.id,
                tag: (*tag).into(),
                organization_id: org.id,
            });
            world.tags.push((model.id, (*tag).into()));
        }
        deals.push(model);
    }
    for chunk in deals.chunks(500) {
        let rows = chunk
            .iter()
            .cloned()
            .map(|m| m.into_active_model().reset_all());
        deal::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await
            .expect("insert deals");
    }
    for chunk in tags.chunks(500) {
        let rows = chunk
            .iter()
            .cloned()
            .map(|m| m.into_active_model().reset_all());
        deal_tag::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await
            .expect("insert tags");
    }
    world.deals = deals;
    world
}

impl World {
    /// Deals that are in lists by default (not deleted, not archived).
    pub fn listed(&self) -> impl Iterator<Item = &deal::Model> {
        self.deals
            .iter()
            .filter(|d| d.deleted_at.is_none() && d.archived_at.is_none())
    }

    /// Whether `deal` has any of `tags`.
    pub fn has_tag(&self, deal: Uuid, tags: &[&str]) -> bool {
        self.tags
            .iter()
            .any(|(id, tag)| *id == deal && tags.contains(&tag.as_str()))
    }
}
