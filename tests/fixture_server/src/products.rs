//! A second API with other types, served at `/products/graphql`, which tests add as a remote
//! schema WITHOUT customization next to the users API: its root type is also named `Query`,
//! and it shares the users API's input type `IntFilter` (the same definition), so a
//! composition that cannot merge root types or identical types fails on it.
//!
//! Product n (1 <= n <= 1000): upc "p<n>", name "product n", price 100n, reviews [Review 2n-1, Review 2n].
//! Review r (1 <= r <= 2000): id "Review:r", body "review r", authorId (r - 1) % 50 + 1 (a user of the
//! users API), productUpc "p<(r + 1) / 2>".
//! Mutation `addReview(productUpc, body, authorId)`: stores nothing, answers a ReviewReceipt
//! holding what it was given (accepted when the product exists).

use async_graphql::{EmptySubscription, InputObject, Object, Schema, SimpleObject, ID};

use crate::schema::IntFilter;

pub type ProductsSchema = Schema<Query, Mutation, EmptySubscription>;

const MAX_PRODUCT: i32 = 1000;

pub fn build_schema() -> ProductsSchema {
    Schema::build(Query, Mutation, EmptySubscription).finish()
}

pub struct Mutation;

#[Object]
impl Mutation {
    /// Stores nothing: answers what it was given, accepted when the product exists.
    async fn add_review(&self, product_upc: String, body: String, author_id: i32) -> ReviewReceipt {
        ReviewReceipt { accepted: product(&product_upc).is_some(), product_upc, body, author_id }
    }
}

#[derive(SimpleObject)]
pub struct ReviewReceipt {
    accepted: bool,
    product_upc: String,
    body: String,
    author_id: i32,
}

fn product(upc: &str) -> Option<Product> {
    let n: i32 = upc.strip_prefix('p')?.parse().ok()?;
    ((1..=MAX_PRODUCT).contains(&n) && upc == format!("p{n}")).then_some(Product(n))
}

pub struct Query;

#[Object]
impl Query {
    /// "p<n>" for 1 <= n <= 1000, else null.
    async fn product(&self, upc: String) -> Option<Product> {
        product(&upc)
    }

    /// The products of `upcs` in the order given (unknown ones skipped); the first 10 without it.
    async fn products(&self, upcs: Option<Vec<String>>) -> Vec<Product> {
        match upcs {
            Some(upcs) => upcs.iter().filter_map(|u| product(u)).collect(),
            None => (1..=10).map(Product).collect(),
        }
    }

    /// Reviews 1..=2000 matching `where`, in id order, cut at `limit` (default 10).
    async fn reviews(
        &self,
        #[graphql(name = "where")] filter: Option<ReviewWhere>,
        #[graphql(default = 10)] limit: i32,
    ) -> Vec<Review> {
        (1..=2 * MAX_PRODUCT)
            .map(Review)
            .filter(|r| filter.as_ref().is_none_or(|w| w.matches(r)))
            .take(limit.max(0) as usize)
            .collect()
    }
}

#[derive(InputObject, Default)]
pub struct ReviewWhere {
    #[graphql(name = "authorId")]
    author_id: Option<IntFilter>,
}

impl ReviewWhere {
    fn matches(&self, review: &Review) -> bool {
        self.author_id.as_ref().is_none_or(|f| f.matches(review.author_id()))
    }
}

#[derive(Clone, Copy)]
pub struct Product(pub i32);

#[Object]
impl Product {
    async fn upc(&self) -> String {
        format!("p{}", self.0)
    }
    async fn name(&self) -> String {
        format!("product {}", self.0)
    }
    async fn price(&self) -> i32 {
        self.0 * 100
    }
    async fn reviews(&self) -> Vec<Review> {
        vec![Review(2 * self.0 - 1), Review(2 * self.0)]
    }
}

#[derive(Clone, Copy)]
pub struct Review(pub i32);

impl Review {
    fn author_id(&self) -> i32 {
        (self.0 - 1) % 50 + 1
    }
}

#[Object]
impl Review {
    async fn id(&self) -> ID {
        ID(format!("Review:{}", self.0))
    }
    async fn body(&self) -> String {
        format!("review {}", self.0)
    }
    #[graphql(name = "authorId")]
    async fn author_id_field(&self) -> i32 {
        self.author_id()
    }
    #[graphql(name = "productUpc")]
    async fn product_upc(&self) -> String {
        format!("p{}", (self.0 + 1) / 2)
    }
}

/// A third API whose names clash with the users API for real: its root type is named
/// `query_root` (our own root's name, which must not matter) and its `User` differs from
/// the users API's `User`. Served at `/clash/graphql`.
pub mod clash {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

    pub type ClashSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

    pub fn build_schema() -> ClashSchema {
        Schema::build(QueryRoot, EmptyMutation, EmptySubscription).finish()
    }

    pub struct QueryRoot;

    #[Object(name = "query_root")]
    impl QueryRoot {
        async fn widget(&self, id: i32) -> User {
            User(id)
        }
    }

    pub struct User(i32);

    #[Object]
    impl User {
        async fn id(&self) -> i32 {
            self.0
        }
    }
}
