//! Introspection in Hasura's order: Hasura's schema parsers sort the members of every
//! type by name (code point order: `Foo < _and < id`): fields, their arguments, input
//! fields, enum values, interfaces and union members; `__schema.types` is sorted too.
//! Directives keep their order. apollo-compiler answers introspection in definition
//! order, so the composed schema is sorted once, before validation.

use apollo_compiler::schema::{ExtendedType, FieldDefinition};
use apollo_compiler::{Node, Schema};

fn sort_arguments(field: &mut Node<FieldDefinition>) {
    if field.arguments.windows(2).any(|w| w[0].name > w[1].name) {
        field.make_mut().arguments.sort_by(|a, b| a.name.cmp(&b.name));
    }
}

pub fn sort(schema: &mut Schema) {
    schema.types.sort_keys();
    for ty in schema.types.values_mut() {
        if ty.is_built_in() {
            continue;
        }
        match ty {
            ExtendedType::Object(object) => {
                let object = object.make_mut();
                object.fields.sort_keys();
                object.implements_interfaces.sort_by(|a, b| a.name.cmp(&b.name));
                object.fields.values_mut().for_each(|f| sort_arguments(f));
            }
            ExtendedType::Interface(interface) => {
                let interface = interface.make_mut();
                interface.fields.sort_keys();
                interface.implements_interfaces.sort_by(|a, b| a.name.cmp(&b.name));
                interface.fields.values_mut().for_each(|f| sort_arguments(f));
            }
            ExtendedType::Union(union) => union.make_mut().members.sort_by(|a, b| a.name.cmp(&b.name)),
            ExtendedType::Enum(e) => e.make_mut().values.sort_keys(),
            ExtendedType::InputObject(input) => input.make_mut().fields.sort_keys(),
            ExtendedType::Scalar(_) => {}
        }
    }
}
