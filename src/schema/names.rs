//! GraphQL naming rules.

/// `[_A-Za-z][_0-9A-Za-z]*`, and not reserved (`__` prefix).
pub fn is_graphql_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    !name.starts_with("__") && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// The GraphQL name of a relation: `table` in `public`, `schema_table` elsewhere.
pub fn relation_type_name(schema: &str, table: &str) -> String {
    if schema == "public" {
        table.to_string()
    } else {
        format!("{schema}_{table}")
    }
}
