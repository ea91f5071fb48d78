//! Seeding the demo organisation in batches, in one transaction.

use super::data::*;
use super::rng::Rng;
use crate::clock;
use crate::deal::products::pricing::LineItem;
use chrono::{DateTime, Days, TimeDelta, Utc};
use entity::enums::*;
use entity::{
    Scaled, activity, company, contact, deal, deal_follower, deal_product, deal_tag, organization,
    pipeline, sale, sale_contact, sale_line_item, sale_status_event, stage, stage_change, task,
    user,
};
use sea_orm::prelude::*;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    Iterable, QueryFilter, QueryOrder,
};

/// The demo organisation's name; `ensure_demo` seeds only when no organisation has it.
pub const DEMO_ORG_NAME: &str = "Demo Sales Co";
/// Deals seeded when no size is given.
pub const DEFAULT_DEALS: usize = 5_000;

const USERS: usize = 20;
const COMPANIES: usize = 200;
const CONTACTS: usize = 1_000;
/// Deals generated and written per round, to bound memory on large seeds.
const DEALS_PER_ROUND: usize = 5_000;
/// Play2Sell's stages: name and probability.
const STAGES: [(&str, i32); 6] = [
    ("Prospecting", 10),
    ("Qualification", 25),
    ("Proposal", 50),
    ("Negotiation", 75),
    ("Closed Won", 100),
    ("Closed Lost", 0),
];
const WON_STAGE: usize = 4;
const LOST_STAGE: usize = 5;

/// The demo organisation, and whether this call created it.
pub struct Seeded {
    /// The demo organisation.
    pub organization_id: Uuid,
    /// Its first user, whom demo keys act for.
    pub user_id: Option<Uuid>,
    /// False when it already existed.
    pub created: bool,
}

/// Seeds the demo organisation with `deals` deals unless it exists already.
pub async fn ensure_demo(db: &DatabaseConnection, deals: usize) -> Result<Seeded, DbErr> {
    let existing = organization::Entity::find()
        .filter(organization::Column::Name.eq(DEMO_ORG_NAME))
        .one(db)
        .await?;
    if let Some(org) = existing {
        let first_user = user::Entity::find()
            .filter(user::Column::OrganizationId.eq(org.id))
            .order_by_asc(user::Column::Id)
            .one(db)
            .await?;
        return Ok(Seeded {
            organization_id: org.id,
            user_id: first_user.map(|u| u.id),
            created: false,
        });
    }
    let txn = crate::db::begin_write(db).await?;
    let seeded = Seeder::new(clock::now()).run(&txn, deals).await?;
    txn.commit().await?;
    Ok(seeded)
}

/// Inserts `rows` in statements of at most ~30,000 bound values (under SQLite's and
/// PostgreSQL's limits).
async fn insert_all<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
{
    let columns = <<A::Entity as EntityTrait>::Column as Iterable>::iter().count();
    let per_statement = (30_000 / columns).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// A model ready to insert: every field set.
fn new_row<M, A>(model: M) -> A
where
    M: IntoActiveModel<A>,
    A: ActiveModelTrait,
{
    model.into_active_model().reset_all()
}

fn scaled_cents(cents: i64) -> Scaled {
    Scaled(cents * 100)
}

struct Seeder {
    rng: Rng,
    now: DateTime<Utc>,
    org: Uuid,
    users: Vec<Uuid>,
    companies: Vec<Uuid>,
    /// Contacts with their company.
    contacts: Vec<(Uuid, Option<Uuid>)>,
    /// Stages of each pipeline, in position order.
    pipelines: Vec<(Uuid, Vec<Uuid>)>,
}

/// Rows of one round of deals.
#[derive(Default)]
struct DealRows {
    deals: Vec<deal::ActiveModel>,
    tags: Vec<deal_tag::ActiveModel>,
    followers: Vec<deal_follower::ActiveModel>,
    products: Vec<deal_product::ActiveModel>,
    changes: Vec<stage_change::ActiveModel>,
    activities: Vec<activity::ActiveModel>,
    tasks: Vec<task::ActiveModel>,
    sales: Vec<sale::ActiveModel>,
    sale_contacts: Vec<sale_contact::ActiveModel>,
    sale_lines: Vec<sale_line_item::ActiveModel>,
    sale_events: Vec<sale_status_event::ActiveModel>,
}

impl DealRows {
    async fn insert(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        insert_all(db, self.deals).await?;
        insert_all(db, self.tags).await?;
        insert_all(db, self.followers).await?;
        insert_all(db, self.products).await?;
        insert_all(db, self.changes).await?;
        insert_all(db, self.activities).await?;
        insert_all(db, self.tasks).await?;
        insert_all(db, self.sales).await?;
        insert_all(db, self.sale_contacts).await?;
        insert_all(db, self.sale_lines).await?;
        insert_all(db, self.sale_events).await
    }
}

impl Seeder {
    fn new(now: DateTime<Utc>) -> Self {
        Self {
            rng: Rng::new(0x5EED_DEA1),
            now,
            org: Uuid::now_v7(),
            users: Vec::new(),
            companies: Vec::new(),
            contacts: Vec::new(),
            pipelines: Vec::new(),
        }
    }

    /// A past instant, `days` days (plus a random part of a day) ago.
    fn days_ago(&mut self, days: i64) -> DateTime<Utc> {
        let seconds = days * 86_400 + self.rng.between(0, 86_399);
        clock::truncate(self.now - TimeDelta::seconds(seconds))
    }

    async fn run(mut self, db: &impl ConnectionTrait, deals: usize) -> Result<Seeded, DbErr> {
        self.seed_people(db).await?;
        self.seed_pipelines(db).await?;
        let mut done = 0;
        while done < deals {
            let round = DEALS_PER_ROUND.min(deals - done);
            let mut rows = DealRows::default();
            for n in done..done + round {
                self.deal(n, &mut rows);
            }
            rows.insert(db).await?;
            done += round;
        }
        Ok(Seeded {
            organization_id: self.org,
            user_id: self.users.first().copied(),
            created: true,
        })
    }

    async fn seed_people(&mut self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let created = self.days_ago(720);
        organization::ActiveModel::from(organization::Model {
            id: self.org,
            name: DEMO_ORG_NAME.into(),
            default_currency: "USD".into(),
            created_at: created,
            updated_at: created,
        })
        .reset_all()
        .insert(db)
        .await?;

        let mut users = Vec::new();
        for n in 0..USERS {
            let first = FIRST_NAMES[n % FIRST_NAMES.len()];
            let last = LAST_NAMES[(n * 7) % LAST_NAMES.len()];
            let id = Uuid::now_v7();
            self.users.push(id);
            users.push(new_row(user::Model {
                id,
                organization_id: self.org,
                name: format!("{first} {last}"),
                email: format!(
                    "{}.{}@demo-sales.example",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
                is_active: n != USERS - 1,
                created_at: created,
                updated_at: created,
            }));
        }
        insert_all(db, users).await?;

        let mut companies = Vec::new();
        for n in 0..COMPANIES {
            let word = COMPANY_WORDS[n % COMPANY_WORDS.len()];
            let kind = COMPANY_KINDS[(n / COMPANY_WORDS.len() + n) % COMPANY_KINDS.len()];
            let id = Uuid::now_v7();
            let days = self.rng.between(200, 700);
            let at = self.days_ago(days);
            self.companies.push(id);
            companies.push(new_row(company::Model {
                id,
                organization_id: self.org,
                name: format!("{word} {kind} {}", n / (COMPANY_WORDS.len() * 2) + 1),
                domain: Some(format!(
                    "{}-{}-{n}.example",
                    word.to_lowercase(),
                    kind.to_lowercase()
                )),
                created_at: at,
                updated_at: at,
                deleted_at: None,
            }));
        }
        insert_all(db, companies).await?;

        let mut contacts = Vec::new();
        for n in 0..CONTACTS {
            let first = *self.rng.pick(FIRST_NAMES);
            let last = *self.rng.pick(LAST_NAMES);
            let company_id = (!self.rng.chance(10)).then(|| *self.rng.pick(&self.companies));
            let id = Uuid::now_v7();
            let days = self.rng.between(100, 650);
            let at = self.days_ago(days);
            self.contacts.push((id, company_id));
            contacts.push(new_row(contact::Model {
                id,
                organization_id: self.org,
                company_id,
                first_name: first.into(),
                last_name: last.into(),
                email: Some(format!(
                    "{}.{}{n}@customer.example",
                    first.to_lowercase(),
                    last.to_lowercase()
                )),
                phone: Some(format!("+1-555-{:04}", n)),
                created_at: at,
                updated_at: at,
                deleted_at: None,
            }));
        }
        insert_all(db, contacts).await
    }

    async fn seed_pipelines(&mut self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let at = self.days_ago(700);
        for (position, name) in ["Sales", "Renewals"].into_iter().enumerate() {
            let pipeline_id = Uuid::now_v7();
            new_row::<_, pipeline::ActiveModel>(pipeline::Model {
                id: pipeline_id,
                organization_id: self.org,
                name: name.into(),
                position: position as i32,
                created_at: at,
                updated_at: at,
                stalled_after_days: Some(30),
            })
            .insert(db)
            .await?;
            let mut stages = Vec::new();
            let mut ids = Vec::new();
            for (position, (name, probability)) in STAGES.into_iter().enumerate() {
                let id = Uuid::now_v7();
                ids.push(id);
                stages.push(new_row(stage::Model {
                    id,
                    organization_id: self.org,
                    pipeline_id,
                    name: name.into(),
                    position: position as i32,
                    probability,
                    created_at: at,
                    updated_at: at,
                    deleted_at: None,
                }));
            }
            insert_all(db, stages).await?;
            self.pipelines.push((pipeline_id, ids));
        }
        Ok(())
    }

    /// Generates deal number `n` with everything around it.
    fn deal(&mut self, n: usize, rows: &mut DealRows) {
        let org = self.org;
        let id = Uuid::now_v7();
        let (pipeline_id, stages) = self.pipelines[self.rng.below(self.pipelines.len())].clone();
        let stage_index = match self.rng.below(100) {
            0..=59 => self.rng.below(4),
            60..=79 => WON_STAGE,
            _ => LOST_STAGE,
        };
        let status = match stage_index {
            WON_STAGE => DealStatus::Won,
            LOST_STAGE => DealStatus::Lost,
            _ => DealStatus::Open,
        };
        let age_days = self.rng.between(1, 540);
        let created_at = self.days_ago(age_days);
        let (contact_id, contact_company) = *self.rng.pick(&self.contacts);
        let company_id = contact_company.or_else(|| Some(*self.rng.pick(&self.companies)));
        let owner_id = *self.rng.pick(&self.users);
        let currency = *self.rng.pick(&["USD", "USD", "USD", "EUR", "EUR", "GBP"]);

        // Stage path: the open stages up to the current one, then the closing stage.
        let path: Vec<usize> = match stage_index {
            WON_STAGE => (0..=3).chain([WON_STAGE]).collect(),
            LOST_STAGE => (0..=self.rng.below(4)).chain([LOST_STAGE]).collect(),
            current => (0..=current).collect(),
        };
        let span = (self.now - created_at).num_seconds().max(1);
        let step = span / (path.len() as i64 + 1);
        let mut from = None;
        let mut changed_at = created_at;
        for (i, &stage_at) in path.iter().enumerate() {
            if i > 0 {
                changed_at = clock::truncate(
                    changed_at + TimeDelta::seconds(self.rng.between(step / 2, step)),
                );
            }
            rows.changes.push(new_row(stage_change::Model {
                id: Uuid::now_v7(),
                organization_id: org,
                deal_id: id,
                from_stage_id: from,
                to_stage_id: stages[stage_at],
                changed_at,
                changed_by_id: Some(owner_id),
                note: (i > 0 && self.rng.chance(30)).then(|| "Moved after call".to_owned()),
            }));
            from = Some(stages[stage_at]);
        }
        let stage_changed_at = changed_at;
        let closed_at = (status != DealStatus::Open).then_some(stage_changed_at);

        // Products: a deal with products is worth their total with tax.
        let mut value = scaled_cents(self.rng.between(50_000, 25_000_000));
        let product_count = if self.rng.chance(60) {
            self.rng.between(1, 3)
        } else {
            0
        };
        let mut lines = Vec::new();
        let mut products_total = Decimal::ZERO;
        for position in 0..product_count {
            let (name, sku, price_cents) = *self.rng.pick(PRODUCTS);
            let item = LineItem {
                quantity: Decimal::from(self.rng.between(1, 20)),
                unit_price: Scaled(price_cents * 100).to_decimal(),
                discount_type: if self.rng.chance(70) {
                    DiscountType::Percentage
                } else {
                    DiscountType::Amount
                },
                discount: Decimal::from(*self.rng.pick(&[0, 0, 5, 10, 15])),
                tax_percentage: Decimal::from(*self.rng.pick(&[0, 7, 19, 20])),
                tax_method: *self.rng.pick(&[
                    TaxMethod::Exclusive,
                    TaxMethod::Exclusive,
                    TaxMethod::Inclusive,
                    TaxMethod::None,
                ]),
            };
            let totals = item.totals();
            products_total += totals.with_tax;
            lines.push((name, item, totals.with_tax));
            rows.products.push(new_row(deal_product::Model {
                id: Uuid::now_v7(),
                organization_id: org,
                deal_id: id,
                position: position as i32,
                name: name.into(),
                sku: Some(sku.into()),
                quantity: Scaled::from_decimal(item.quantity).unwrap_or_default(),
                unit_price: Scaled(price_cents * 100),
                discount_type: item.discount_type,
                discount: Scaled::from_decimal(item.discount).unwrap_or_default(),
                tax_percentage: Scaled::from_decimal(item.tax_percentage).unwrap_or_default(),
                tax_method: item.tax_method,
                created_at,
                updated_at: created_at,
                billing_frequency: BillingFrequency::OneTime,
                billing_frequency_cycles: None,
                billing_start_date: None,
                comments: None,
                is_enabled: true,
            }));
        }
        if product_count > 0 {
            value = Scaled::from_decimal(products_total).unwrap_or(value);
        }

        let mut last_activity_at = None;
        for _ in 0..self.rng.below(4) {
            let offset = self.rng.between(0, span.max(1));
            let occurred_at = clock::truncate(created_at + TimeDelta::seconds(offset));
            last_activity_at = last_activity_at.max(Some(occurred_at));
            rows.activities.push(new_row(activity::Model {
                id: Uuid::now_v7(),
                organization_id: org,
                deal_id: id,
                user_id: Some(owner_id),
                activity_type: *self.rng.pick(&[
                    ActivityType::Call,
                    ActivityType::Meeting,
                    ActivityType::Email,
                    ActivityType::Note,
                    ActivityType::Demo,
                ]),
                status: ActivityStatus::Completed,
                subject: (*self.rng.pick(ACTIVITY_SUBJECTS)).into(),
                note: None,
                occurred_at,
                created_at: occurred_at,
            }));
        }
        for _ in 0..self.rng.below(3) {
            let due_at = self
                .now
                .checked_add_days(Days::new(self.rng.between(0, 30) as u64));
            let done = self.rng.chance(40);
            rows.tasks.push(new_row(task::Model {
                id: Uuid::now_v7(),
                organization_id: org,
                deal_id: id,
                assignee_id: Some(owner_id),
                title: (*self.rng.pick(TASK_TITLES)).into(),
                priority: *self
                    .rng
                    .pick(&[Priority::Low, Priority::Medium, Priority::High]),
                status: if done {
                    TaskStatus::Completed
                } else {
                    TaskStatus::Open
                },
                due_at: due_at.map(clock::truncate),
                completed_at: done.then_some(stage_changed_at),
                created_at,
                updated_at: created_at,
            }));
        }
        let mut tags: Vec<&str> = (0..self.rng.below(3))
            .map(|_| *self.rng.pick(TAGS))
            .collect();
        tags.sort_unstable();
        tags.dedup();
        for tag in tags {
            rows.tags.push(new_row(deal_tag::Model {
                deal_id: id,
                tag: tag.into(),
                organization_id: org,
            }));
        }
        if self.rng.chance(30) {
            let follower = *self.rng.pick(&self.users);
            rows.followers.push(new_row(deal_follower::Model {
                deal_id: id,
                user_id: follower,
                organization_id: org,
                created_at,
            }));
        }

        let topic = *self.rng.pick(DEAL_TOPICS);
        let updated_at = last_activity_at
            .unwrap_or(stage_changed_at)
            .max(stage_changed_at);
        rows.deals.push(new_row(deal::Model {
            id,
            organization_id: org,
            title: format!("{topic} #{}", n + 1),
            value,
            currency: currency.into(),
            status,
            pipeline_id,
            stage_id: stages[stage_index],
            contact_id: Some(contact_id),
            company_id,
            owner_id: Some(owner_id),
            expected_close_date: created_at
                .date_naive()
                .checked_add_days(Days::new(self.rng.between(14, 180) as u64)),
            priority: *self.rng.pick(&[
                Priority::Low,
                Priority::Medium,
                Priority::Medium,
                Priority::High,
            ]),
            source: Some((*self.rng.pick(SOURCES)).into()),
            custom_fields: serde_json::json!({
                "industry": *self.rng.pick(INDUSTRIES),
                "seats": self.rng.between(1, 500),
            }),
            lost_reason: (status == DealStatus::Lost)
                .then(|| (*self.rng.pick(LOST_REASONS)).into()),
            won_at: (status == DealStatus::Won).then_some(stage_changed_at),
            lost_at: (status == DealStatus::Lost).then_some(stage_changed_at),
            closed_at,
            stage_changed_at,
            last_activity_at,
            archived_at: (status != DealStatus::Open && self.rng.chance(10)).then_some(updated_at),
            deleted_at: self.rng.chance(1).then_some(updated_at),
            created_at,
            updated_at,
            version: path.len() as i32,
            created_by_id: None,
            value_adjustment: None,
        }));

        if status == DealStatus::Won {
            self.sale_of_won_deal(
                id,
                owner_id,
                company_id,
                contact_id,
                currency,
                created_at,
                stage_changed_at,
                &lines,
                value,
                rows,
            );
        }
    }

    /// The sale a won deal became: quote from its products (or its value), two events.
    #[allow(clippy::too_many_arguments)]
    fn sale_of_won_deal(
        &mut self,
        deal_id: Uuid,
        owner_id: Uuid,
        company_id: Option<Uuid>,
        contact_id: Uuid,
        currency: &str,
        created_at: DateTime<Utc>,
        won_at: DateTime<Utc>,
        lines: &[(&str, LineItem, Decimal)],
        value: Scaled,
        rows: &mut DealRows,
    ) {
        let org = self.org;
        let sale_id = Uuid::now_v7();
        rows.sales.push(new_row(sale::Model {
            id: sale_id,
            organization_id: org,
            deal_id: Some(deal_id),
            owner_id: Some(owner_id),
            company_id,
            currency: currency.into(),
            notes: self
                .rng
                .chance(50)
                .then(|| "Signed after final negotiation.".to_owned()),
            conversation_ids: serde_json::json!([format!(
                "conv-{}",
                self.rng.between(10_000, 99_999)
            )]),
            created_at: won_at,
            updated_at: won_at,
            last_activity_at: won_at,
        }));
        rows.sale_contacts.push(new_row(sale_contact::Model {
            sale_id,
            contact_id,
            organization_id: org,
            is_primary: true,
        }));
        // (name, quantity, unit price, total, discount, tax)
        type Quoted = (String, Scaled, Scaled, Scaled, Scaled, Scaled);
        let quote: Vec<Quoted> = if lines.is_empty() {
            vec![(
                "Deal value".into(),
                Scaled(10_000),
                value,
                value,
                Scaled::ZERO,
                Scaled::ZERO,
            )]
        } else {
            lines
                .iter()
                .map(|(name, item, total)| {
                    let totals = item.totals();
                    (
                        (*name).to_owned(),
                        Scaled::from_decimal(item.quantity).unwrap_or_default(),
                        Scaled::from_decimal(item.unit_price).unwrap_or_default(),
                        Scaled::from_decimal(*total).unwrap_or_default(),
                        Scaled::from_decimal(totals.discount).unwrap_or_default(),
                        Scaled::from_decimal(totals.tax()).unwrap_or_default(),
                    )
                })
                .collect()
        };
        for (position, (product_name, quantity, unit_price, total, discount, tax)) in
            quote.into_iter().enumerate()
        {
            rows.sale_lines.push(new_row(sale_line_item::Model {
                id: Uuid::now_v7(),
                organization_id: org,
                sale_id,
                position: position as i32,
                product_name,
                quantity,
                unit_price,
                total,
                discount,
                tax,
                kind: QuoteLineKind::Product,
            }));
        }
        for (label, status, changed_at) in [
            ("Qualified", None, created_at),
            ("Accepted", Some("accepted"), won_at),
        ] {
            rows.sale_events.push(new_row(sale_status_event::Model {
                id: Uuid::now_v7(),
                organization_id: org,
                sale_id,
                label: label.into(),
                status: status.map(str::to_owned),
                changed_at,
            }));
        }
    }
}
