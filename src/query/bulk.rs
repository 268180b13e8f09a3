//! Insert lists read in place: a variable holding the rows of `insert_<t>(objects: $v)`
//! is checked where it lies in the jsonb the call received, and the `INSERT` reads the
//! same jsonb. Nothing else of the request changes: apollo-compiler coerces an empty
//! list in its place, and the insert's plan takes the list from here (`for_field`).
//!
//! Only what is sure to coerce unchanged is taken: every element an object, the same
//! keys in each, every key a column field whose value fits its type as GraphQL input
//! coercion wants it (`Int` an integer in range, `String` a string, a custom scalar
//! anything). Anything else (a relationship, an enum or list column, null where the
//! type says not, a stray key) goes the ordinary way, so its error is the one it was.

use apollo_compiler::ast::{Type, Value as AstValue};
use apollo_compiler::executable::{DirectiveList, Operation, Selection, SelectionSet};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{ExecutableDocument, Schema};
use pgrx::pg_sys;
use serde_json::{Map, Value};

use crate::jsonb::{as_str, Container, Item, JsonbArg};
use crate::query::normalize::Field;

/// A list of rows to insert, checked, as the jsonb datum the statement binds.
#[derive(Debug)]
pub struct BulkList {
    /// The variable that holds it.
    pub variable: String,
    /// The fields every row gives, in the jsonb's key order.
    pub fields: Vec<String>,
    /// The list itself: a jsonb datum of the call's memory.
    pub datum: pg_sys::Datum,
}

/// The list an insert root field takes its rows from, when it is one of `lists`.
pub fn for_field<'l>(lists: &'l [BulkList], field: &Field) -> Option<&'l BulkList> {
    let [ast] = field.ast.as_slice() else { return None };
    let argument = ast.arguments.iter().find(|a| a.name == "objects")?;
    let AstValue::Variable(name) = argument.value.as_ref() else { return None };
    lists.iter().find(|l| l.variable == name.as_str())
}

/// Variables that may hold an insert's rows: used once in the whole document, as the
/// `objects` argument of a root field `is_insert` names (an insert into a table with
/// columns to give), declared `[T!]` or `[T!]!`.
/// The variable names and their item type.
pub fn candidates(document: &ExecutableDocument, operation: &Operation, is_insert: impl Fn(&str) -> bool) -> Vec<(String, String)> {
    if !operation.operation_type.is_mutation() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for selection in &operation.selection_set.selections {
        let Selection::Field(field) = selection else { continue };
        if !is_insert(field.name.as_str()) {
            continue;
        }
        let Some(argument) = field.arguments.iter().find(|a| a.name == "objects") else { continue };
        let AstValue::Variable(name) = argument.value.as_ref() else { continue };
        let Some(definition) = operation.variables.iter().find(|v| v.name == *name) else { continue };
        let item = match definition.ty.as_ref() {
            Type::List(item) | Type::NonNullList(item) => item.as_ref(),
            _ => continue,
        };
        let Type::NonNullNamed(item_type) = item else { continue };
        if uses(document, operation, name.as_str()) == 1 {
            found.push((name.to_string(), item_type.to_string()));
        }
    }
    found
}

/// How many times `$variable` appears in the operation and in the document's fragments.
fn uses(document: &ExecutableDocument, operation: &Operation, variable: &str) -> usize {
    let mut count = in_directives(&operation.directives, variable) + in_selections(&operation.selection_set, variable);
    for fragment in document.fragments.values() {
        count += in_directives(&fragment.directives, variable) + in_selections(&fragment.selection_set, variable);
    }
    count
}

fn in_selections(set: &SelectionSet, variable: &str) -> usize {
    set.selections
        .iter()
        .map(|selection| match selection {
            Selection::Field(field) => {
                field.arguments.iter().map(|a| in_value(&a.value, variable)).sum::<usize>()
                    + in_directives(&field.directives, variable)
                    + in_selections(&field.selection_set, variable)
            }
            Selection::InlineFragment(inline) => {
                in_directives(&inline.directives, variable) + in_selections(&inline.selection_set, variable)
            }
            Selection::FragmentSpread(spread) => in_directives(&spread.directives, variable),
        })
        .sum()
}

fn in_directives(directives: &DirectiveList, variable: &str) -> usize {
    directives.iter().flat_map(|d| d.arguments.iter()).map(|a| in_value(&a.value, variable)).sum()
}

fn in_value(value: &AstValue, variable: &str) -> usize {
    match value {
        AstValue::Variable(name) => usize::from(name == variable),
        AstValue::List(items) => items.iter().map(|v| in_value(v, variable)).sum(),
        AstValue::Object(fields) => fields.iter().map(|(_, v)| in_value(v, variable)).sum(),
        _ => 0,
    }
}

/// The call's variables: the candidates that check out as lists read in place (each
/// an empty list in the returned map, for coercion), the others as trees.
pub fn read(schema: &Schema, variables: &JsonbArg, candidates: &[(String, String)]) -> Result<(Value, Vec<BulkList>), String> {
    let root = variables.root();
    if candidates.is_empty() || !root.is_object() {
        return Ok((variables.to_value()?, Vec::new()));
    }
    let mut values = Map::new();
    let mut lists = Vec::new();
    for (key, item) in root.entries() {
        let key = as_str(key)?;
        let candidate = candidates.iter().find(|(name, _)| name == key);
        if let (Some((_, item_type)), Item::Array(list)) = (candidate, &item) {
            if let Some(fields) = checked_rows(schema, item_type, *list) {
                values.insert(key.to_string(), Value::Array(Vec::new()));
                lists.push(BulkList { variable: key.to_string(), fields, datum: list.to_datum() });
                continue;
            }
        }
        values.insert(key.to_string(), item.to_value()?);
    }
    Ok((Value::Object(values), lists))
}

/// What input coercion wants of a column field's value.
#[derive(Clone, Copy)]
enum Wanted {
    Int,
    Float,
    String,
    Boolean,
    Id,
    /// A custom scalar: any JSON value, as it is.
    Any,
}

/// The fields every row of `list` gives, when each row is an object of input type
/// `item_type` that coerces unchanged, all with the same keys; None otherwise.
fn checked_rows(schema: &Schema, item_type: &str, list: Container) -> Option<Vec<String>> {
    let input = schema.get_input_object(item_type)?;
    let mut fields: Option<Vec<(String, Wanted, bool)>> = None;
    for row in list.elements() {
        let Item::Object(row) = row else { return None };
        match &fields {
            None => {
                let mut first = Vec::with_capacity(row.len());
                for (key, value) in row.entries() {
                    let key = as_str(key).ok()?;
                    let definition = input.fields.get(key)?;
                    let wanted = wanted(schema, &definition.ty)?;
                    let nullable = !definition.ty.is_non_null();
                    fits(&value, wanted, nullable).then_some(())?;
                    first.push((key.to_string(), wanted, nullable));
                }
                // A required field no row gives: the ordinary way reports it.
                let given = |name: &str| first.iter().any(|(f, _, _)| f == name);
                if input.fields.iter().any(|(name, f)| f.ty.is_non_null() && f.default_value.is_none() && !given(name.as_str())) {
                    return None;
                }
                fields = Some(first);
            }
            Some(fields) => {
                // jsonb keeps an object's keys in one order (length, then bytes): the
                // same keys come in the same order.
                if row.len() != fields.len() {
                    return None;
                }
                for ((key, value), (field, wanted, nullable)) in row.entries().zip(fields) {
                    if key != field.as_bytes() || !fits(&value, *wanted, *nullable) {
                        return None;
                    }
                }
            }
        }
    }
    let fields = fields?;
    (!fields.is_empty()).then(|| fields.into_iter().map(|(name, _, _)| name).collect())
}

/// What a column field of type `ty` wants; None for a type taken the ordinary way
/// (a list, an enum, an input object).
fn wanted(schema: &Schema, ty: &Type) -> Option<Wanted> {
    let name = match ty {
        Type::Named(name) | Type::NonNullNamed(name) => name.as_str(),
        Type::List(_) | Type::NonNullList(_) => return None,
    };
    Some(match name {
        "Int" => Wanted::Int,
        "Float" => Wanted::Float,
        "String" => Wanted::String,
        "Boolean" => Wanted::Boolean,
        "ID" => Wanted::Id,
        _ => match schema.types.get(name)? {
            ExtendedType::Scalar(_) => Wanted::Any,
            _ => return None,
        },
    })
}

/// Whether `value` coerces unchanged to what is wanted.
fn fits(value: &Item, wanted: Wanted, nullable: bool) -> bool {
    match (value, wanted) {
        (Item::Null, _) => nullable,
        (_, Wanted::Any) => true,
        (Item::Bool(_), Wanted::Boolean) => true,
        (Item::String(s), Wanted::String | Wanted::Id) => std::str::from_utf8(s).is_ok(),
        (Item::Number(n), Wanted::Int) => Item::is_i32(*n),
        (Item::Number(_), Wanted::Float) => true,
        _ => false,
    }
}
