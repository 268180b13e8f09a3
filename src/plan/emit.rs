//! What writing one statement's SQL threads through: its bound values, its alias
//! numbering, and the session variables that permission filters read.

use std::cell::OnceCell;

use super::params::Params;
use super::Refusal;
use crate::schema::model::Table;
use crate::session::Variables;

pub struct Emit<'s> {
    pub params: Params,
    aliases: usize,
    session: &'s OnceCell<Variables>,
}

impl<'s> Emit<'s> {
    pub fn new(session: &'s OnceCell<Variables>) -> Self {
        Emit { params: Params::default(), aliases: 0, session }
    }

    /// A fresh table alias: `prefix` and a number unique in the statement.
    pub fn alias(&mut self, prefix: &str) -> String {
        self.aliases += 1;
        format!("{prefix}{}", self.aliases)
    }

    /// The call's session variables, read when a permission first needs them.
    pub fn session(&self) -> &'s Variables {
        self.session.get_or_init(crate::session::current)
    }

    /// The condition the role's select permission puts on `table`'s rows aliased
    /// `alias`, if it puts one.
    pub fn restriction(&mut self, table: &Table, alias: &str) -> Result<Option<String>, Refusal> {
        match table.restriction.as_ref().and_then(|r| r.filter.as_ref()) {
            Some(filter) => super::row_filter::condition(self, filter, alias).map(Some),
            None => Ok(None),
        }
    }
}
