//! The shape of a type definition: what it means, without descriptions, directives or
//! the order of its members. Two sources (the tables, remote schemas) may define the
//! same type name when the shapes are equal; then the schema keeps one definition, as
//! Hasura merges a `scalar DateTime` or an enum that two remotes share.

use apollo_compiler::schema::ExtendedType;
use apollo_compiler::Schema;
use std::collections::HashMap;

/// The shape of every type `sdl` defines (built-in types left out), by type name.
pub fn shapes(sdl: &str) -> HashMap<String, String> {
    let schema = match Schema::parse(sdl, "shapes.graphql") {
        Ok(schema) => schema,
        Err(with_errors) => with_errors.partial,
    };
    schema
        .types
        .iter()
        .filter(|(_, ty)| !ty.is_built_in())
        .map(|(name, ty)| (name.to_string(), shape(ty)))
        .collect()
}

fn input_value(v: &apollo_compiler::schema::InputValueDefinition) -> String {
    match &v.default_value {
        Some(default) => format!("{}: {} = {default}", v.name, v.ty),
        None => format!("{}: {}", v.name, v.ty),
    }
}

fn sorted(mut parts: Vec<String>) -> String {
    parts.sort();
    parts.join(", ")
}

fn shape(ty: &ExtendedType) -> String {
    let field_list = |fields: &mut dyn Iterator<Item = &apollo_compiler::schema::FieldDefinition>| {
        sorted(
            fields
                .map(|f| {
                    let args = sorted(f.arguments.iter().map(|a| input_value(a)).collect());
                    format!("{}({args}): {}", f.name, f.ty)
                })
                .collect(),
        )
    };
    match ty {
        ExtendedType::Scalar(_) => "scalar".into(),
        ExtendedType::Object(o) => format!(
            "type implements [{}] {{{}}}",
            sorted(o.implements_interfaces.iter().map(|i| i.to_string()).collect()),
            field_list(&mut o.fields.values().map(|f| &***f))
        ),
        ExtendedType::Interface(i) => format!(
            "interface implements [{}] {{{}}}",
            sorted(i.implements_interfaces.iter().map(|i| i.to_string()).collect()),
            field_list(&mut i.fields.values().map(|f| &***f))
        ),
        ExtendedType::Union(u) => format!("union [{}]", sorted(u.members.iter().map(|m| m.to_string()).collect())),
        ExtendedType::Enum(e) => format!("enum [{}]", sorted(e.values.keys().map(|v| v.to_string()).collect())),
        ExtendedType::InputObject(i) => {
            format!("input {{{}}}", sorted(i.fields.values().map(|f| input_value(f)).collect()))
        }
    }
}
