//! Company mutations.

use super::{Company, service};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::ids::{NodeKind, expect_id};
use crate::graphql::patch::patch_optional;
use crate::idempotency;
use crate::validate;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

/// Input of `createCompany`.
#[derive(InputObject)]
pub struct CreateCompanyInput {
    /// The name (1–255 characters).
    pub name: String,
    /// The web domain.
    pub domain: Option<String>,
    /// Makes the create safe to retry (1–200 printable ASCII characters): a request with a
    /// key used in the last 24 hours gets what the first one created.
    pub idempotency_key: Option<String>,
}

/// Input of `updateCompany`: only the fields given change.
#[derive(InputObject)]
pub struct UpdateCompanyInput {
    /// The company.
    pub id: ID,
    /// A new name.
    pub name: Option<String>,
    /// A new domain, or null for none.
    pub domain: MaybeUndefined<String>,
}

/// Input of `deleteCompany`.
#[derive(InputObject)]
pub struct DeleteCompanyInput {
    /// The company.
    pub id: ID,
}

/// Result of a company mutation.
#[derive(SimpleObject)]
pub struct CompanyPayload {
    /// The company as it is now.
    pub company: Company,
}

/// Mutations on companies.
#[derive(Default)]
pub struct CompanyMutation;

#[Object]
impl CompanyMutation {
    /// Creates a company [org].
    async fn create_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company.")] input: CreateCompanyInput,
    ) -> AppResult<CompanyPayload> {
        let name = validate::text("input.name", &input.name, validate::MAX_TITLE)?;
        let domain =
            validate::optional_text("input.domain", input.domain.as_deref(), validate::MAX_TITLE)?;
        let company = idempotency::once(
            ctx,
            input.idempotency_key.as_deref(),
            "createCompany",
            move |txn, viewer| {
                Box::pin(async move { service::create(txn, &viewer, name, domain).await })
            },
            |id| async move { service::find(ctx.db()?, ctx.viewer()?.organization_id, id).await },
        )
        .await?;
        Ok(CompanyPayload {
            company: Company(company),
        })
    }

    /// Changes the fields given of a company.
    async fn update_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company and its changes.")] input: UpdateCompanyInput,
    ) -> AppResult<CompanyPayload> {
        let id = expect_id(&input.id, NodeKind::Company, "input.id")?;
        let name = input
            .name
            .as_deref()
            .map(|n| validate::text("input.name", n, validate::MAX_TITLE))
            .transpose()?;
        let domain = patch_optional(&input.domain, |d| {
            validate::optional_text("input.domain", Some(d), validate::MAX_TITLE)
        })?;
        let company = service::update(ctx.db()?, ctx.viewer()?, id, name, domain).await?;
        Ok(CompanyPayload {
            company: Company(company),
        })
    }

    /// Soft-deletes a company: what points at it keeps doing so; lists leave it out.
    async fn delete_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company.")] input: DeleteCompanyInput,
    ) -> AppResult<CompanyPayload> {
        let id = expect_id(&input.id, NodeKind::Company, "input.id")?;
        let company = service::delete(ctx.db()?, ctx.viewer()?, id).await?;
        Ok(CompanyPayload {
            company: Company(company),
        })
    }
}
