//! The fixture's GraphQL API: deterministic users and posts computed on the fly.
//!
//! User n (1 <= n <= 100000): id "User:n", userId n, name "user n",
//! email "user<n>@example.com" (null when n % 7 == 0), country ["NZ","FR","BR"][n % 3],
//! friends(limit = 2): users n+1..n+limit, avatar(size = 64): "https://img.example/<n>?s=<size>",
//! posts: [Post 10n+1, Post 10n+2].
//! Post m (m >= 1): id "Post:m", postId m, title "post m", authorId m / 10.

use async_graphql::{
    EmptyMutation, EmptySubscription, InputObject, Interface, Json, Object, Schema, Union, ID,
};
use serde_json::Value as JsonValue;

pub type FixtureSchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub const MAX_USER: i32 = 100_000;
const COUNTRIES: [&str; 3] = ["NZ", "FR", "BR"];

pub fn build_schema() -> FixtureSchema {
    // Introspection is on by default; no depth or complexity limits (a test fixture).
    Schema::build(Query, EmptyMutation, EmptySubscription).finish()
}

fn user_exists(n: i32) -> bool {
    (1..=MAX_USER).contains(&n)
}

fn user(n: i32) -> Option<User> {
    user_exists(n).then_some(User(n))
}

fn country_of(n: i32) -> &'static str {
    COUNTRIES[n.rem_euclid(3) as usize]
}

fn email_of(n: i32) -> Option<String> {
    (n % 7 != 0).then(|| format!("user{n}@example.com"))
}

pub struct Query;

#[Object]
impl Query {
    /// Exists for 1 <= id <= 100000, else null.
    async fn user(&self, id: i32) -> Option<User> {
        user(id)
    }

    /// "user<id>@example.com"; null for unknown users and for users without an email.
    async fn user_by_email(&self, email: String) -> Option<User> {
        let n: i32 = email
            .strip_prefix("user")?
            .strip_suffix("@example.com")?
            .parse()
            .ok()?;
        // only the canonical spelling matches ("user007@..." does not)
        if email_of(n).as_deref() != Some(email.as_str()) {
            return None;
        }
        user(n)
    }

    /// `ids`: those users in the order given (unknown ids skipped); otherwise all users
    /// in id order. Then `where` filters and `limit` cuts. No arguments at all: the first 10.
    async fn users(
        &self,
        ids: Option<Vec<i32>>,
        #[graphql(name = "where")] filter: Option<UserWhere>,
        limit: Option<i32>,
    ) -> Vec<User> {
        let limit = match (&ids, &filter, limit) {
            (None, None, None) => 10,
            (_, _, Some(l)) => l.max(0) as usize,
            _ => usize::MAX,
        };
        let candidates: Box<dyn Iterator<Item = i32>> = match ids {
            Some(ids) => Box::new(ids.into_iter()),
            None => match filter.as_ref().and_then(UserWhere::id_candidates) {
                Some(mut narrowed) => {
                    narrowed.sort_unstable();
                    narrowed.dedup();
                    Box::new(narrowed.into_iter())
                }
                None => Box::new(1..=MAX_USER),
            },
        };
        candidates
            .filter(|&n| user_exists(n))
            .filter(|&n| filter.as_ref().is_none_or(|w| w.matches(n)))
            .take(limit)
            .map(User)
            .collect()
    }

    /// Users 1..30 whose country matches.
    async fn users_by_country(&self, country: String) -> Vec<User> {
        (1..=30)
            .filter(|&n| country_of(n) == country)
            .map(User)
            .collect()
    }

    /// "User:<n>" or "Post:<m>".
    async fn node(&self, id: ID) -> Option<Node> {
        let (kind, num) = id.as_str().split_once(':')?;
        let num: i32 = num.parse().ok()?;
        match kind {
            "User" => user(num).map(Node::User),
            "Post" => post(num).map(Node::Post),
            _ => None,
        }
    }

    /// [User 1, Post 1] for any text.
    async fn search(&self, text: String) -> Vec<SearchResult> {
        let _ = text;
        vec![SearchResult::User(User(1)), SearchResult::Post(Post(1))]
    }

    /// Returns {"value", "text", "number", "list"} exactly as received (null when absent).
    async fn echo(
        &self,
        value: Option<Json<JsonValue>>,
        text: Option<String>,
        number: Option<f64>,
        list: Option<Vec<Option<String>>>,
    ) -> Option<Json<JsonValue>> {
        let mut out = serde_json::Map::new();
        out.insert("value".into(), value.map_or(JsonValue::Null, |v| v.0));
        out.insert(
            "text".into(),
            text.map_or(JsonValue::Null, JsonValue::String),
        );
        out.insert(
            "number".into(),
            number.map_or(JsonValue::Null, JsonValue::from),
        );
        out.insert(
            "list".into(),
            list.map_or(JsonValue::Null, |l| {
                JsonValue::Array(
                    l.into_iter()
                        .map(|s| s.map_or(JsonValue::Null, JsonValue::String))
                        .collect(),
                )
            }),
        );
        Some(Json(JsonValue::Object(out)))
    }

    /// A nested object whose fields take arguments.
    async fn namespaced(&self) -> Namespaced {
        Namespaced
    }
}

pub struct Namespaced;

#[Object]
impl Namespaced {
    async fn user(&self, id: i32) -> Option<User> {
        user(id)
    }

    /// "hello <name>"
    async fn greeting(&self, name: String) -> String {
        format!("hello {name}")
    }
}

#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    User(User),
    Post(Post),
}

#[derive(Union)]
pub enum SearchResult {
    User(User),
    Post(Post),
}

#[derive(Clone, Copy)]
pub struct User(pub i32);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(format!("User:{}", self.0))
    }

    async fn user_id(&self) -> i32 {
        self.0
    }

    async fn name(&self) -> String {
        format!("user {}", self.0)
    }

    /// null when the id is divisible by 7
    async fn email(&self) -> Option<String> {
        email_of(self.0)
    }

    async fn country(&self) -> &'static str {
        country_of(self.0)
    }

    /// users n+1 .. n+limit (those that exist)
    async fn friends(&self, #[graphql(default_with = "Some(2)")] limit: Option<i32>) -> Vec<User> {
        // bounded by the last user, so a huge limit costs nothing
        let last = self
            .0
            .saturating_add(limit.unwrap_or(2).max(0))
            .min(MAX_USER);
        (self.0 + 1..=last).map(User).collect()
    }

    async fn avatar(&self, #[graphql(default_with = "Some(64)")] size: Option<i32>) -> String {
        format!("https://img.example/{}?s={}", self.0, size.unwrap_or(64))
    }

    async fn posts(&self) -> Vec<Post> {
        vec![Post(10 * self.0 + 1), Post(10 * self.0 + 2)]
    }
}

fn post(m: i32) -> Option<Post> {
    (m >= 1).then_some(Post(m))
}

#[derive(Clone, Copy)]
pub struct Post(pub i32);

#[Object]
impl Post {
    async fn id(&self) -> ID {
        ID(format!("Post:{}", self.0))
    }

    async fn post_id(&self) -> i32 {
        self.0
    }

    async fn title(&self) -> String {
        format!("post {}", self.0)
    }

    async fn author_id(&self) -> i32 {
        self.0 / 10
    }
}

#[derive(InputObject, Default)]
pub struct UserWhere {
    id: Option<IntFilter>,
    name: Option<StringFilter>,
    country: Option<StringFilter>,
    #[graphql(name = "_and")]
    and: Option<Vec<UserWhere>>,
}

#[derive(InputObject, Default)]
pub struct IntFilter {
    #[graphql(name = "_eq")]
    pub eq: Option<i32>,
    #[graphql(name = "_in")]
    pub in_: Option<Vec<i32>>,
}

#[derive(InputObject, Default)]
pub struct StringFilter {
    #[graphql(name = "_eq")]
    eq: Option<String>,
    #[graphql(name = "_in")]
    in_: Option<Vec<String>>,
}

impl IntFilter {
    pub fn matches(&self, v: i32) -> bool {
        self.eq.is_none_or(|e| e == v) && self.in_.as_ref().is_none_or(|l| l.contains(&v))
    }
}

impl StringFilter {
    fn matches(&self, v: &str) -> bool {
        self.eq.as_ref().is_none_or(|e| e == v)
            && self.in_.as_ref().is_none_or(|l| l.iter().any(|s| s == v))
    }
}

impl UserWhere {
    fn matches(&self, n: i32) -> bool {
        self.id.as_ref().is_none_or(|f| f.matches(n))
            && self
                .name
                .as_ref()
                .is_none_or(|f| f.matches(&format!("user {n}")))
            && self
                .country
                .as_ref()
                .is_none_or(|f| f.matches(country_of(n)))
            && self
                .and
                .as_ref()
                .is_none_or(|all| all.iter().all(|w| w.matches(n)))
    }

    /// The ids a top-level `id: {_eq | _in}` allows, so `where: {id: {_in: [...]}}` does
    /// not scan all 100000 users. None: no such restriction.
    fn id_candidates(&self) -> Option<Vec<i32>> {
        let f = self.id.as_ref()?;
        match (f.eq, &f.in_) {
            (Some(e), _) => Some(vec![e]),
            (None, Some(l)) => Some(l.clone()),
            (None, None) => None,
        }
    }
}
