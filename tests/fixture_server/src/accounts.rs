//! An Apollo Federation subgraph (`/accounts/graphql`): accounts keyed by `userId`,
//! one at a time through `account(userId:)` and many at once through the federation's
//! `_entities(representations:)`, which answers in the order of the representations
//! (null for an unknown key). For the `_entities` batching mode of remote relationships.
//!
//! Account n (1 <= n <= 100000, as users): userId n, name "account n",
//! plan ["free","team","enterprise"][n % 3]. Account 4242 is locked: a GraphQL error at
//! its field (or at its place in `_entities`), for the error paths.

use async_graphql::{EmptyMutation, EmptySubscription, Error, Object, Result, Schema, SimpleObject};

use crate::schema::MAX_USER;

pub type AccountsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub fn build_schema() -> AccountsSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription).enable_federation().finish()
}

const PLANS: [&str; 3] = ["free", "team", "enterprise"];

#[derive(SimpleObject, Clone)]
pub struct Account {
    user_id: i32,
    name: String,
    plan: &'static str,
}

const LOCKED: i32 = 4242;

fn account(n: i32) -> Result<Option<Account>> {
    if n == LOCKED {
        return Err(Error::new(format!("account {n} is locked")));
    }
    Ok((1..=MAX_USER).contains(&n).then(|| Account { user_id: n, name: format!("account {n}"), plan: PLANS[n.rem_euclid(3) as usize] }))
}

pub struct Query;

#[Object]
impl Query {
    /// Exists for 1 <= userId <= 100000, else null (4242: an error).
    async fn account(&self, user_id: i32) -> Result<Option<Account>> {
        account(user_id)
    }

    /// The entity resolver behind `_entities`: `{"__typename": "Account", "userId": n}`.
    #[graphql(entity)]
    async fn find_account_by_user_id(&self, user_id: i32) -> Result<Option<Account>> {
        account(user_id)
    }
}
