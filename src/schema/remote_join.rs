//! Remote relationships to a remote schema (`to_remote_schema`), from a table, a
//! remote object type or an action's output type: checking the definition against
//! the parent's lhs fields and the remote's introspection, and the model the planner
//! and the executor use.

use serde_json::{Map, Value};

use super::join_definition::Definition;
use super::join_lhs::Lhs;
use super::remote::{named_type, remote_type_text, RemoteModel};

/// One step of a `remote_field` path: a field and its argument template.
#[derive(Debug, Clone)]
pub struct PathStep {
    pub field: String,
    pub arguments: Map<String, Value>,
    /// Argument name -> its type, in the remote's names (for variable definitions).
    pub argument_types: Vec<(String, String)>,
    /// The role's preset arguments of this field (remote schema permissions).
    pub presets: Vec<super::remote_permission::Preset>,
}

/// A remote field that takes every key of a level at once (`batch` in the body):
/// `users(ids: [Int!])` answering objects that carry their key in `key_field`, or
/// Apollo Federation's `_entities(representations: [_Any!]!)`.
#[derive(Debug, Clone)]
pub struct BatchField {
    pub field: String,
    pub argument: String,
    /// The argument's type, in the remote's names (for the variable definition).
    pub argument_type: String,
    pub key_field: String,
    /// Which lhs field (index into `lhs`) holds the key.
    pub key_index: usize,
    pub answers: BatchAnswers,
}

/// How a batch field's answers are matched back to the keys.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchAnswers {
    /// Each answer carries its key in `key_field`, in any order; a key without an
    /// answer gets null (`users(ids:)`).
    ByKeyField,
    /// One answer per key, in the order of the keys, null for an unknown one: Apollo
    /// Federation's `_entities`, sent one representation `{"__typename": <type>,
    /// <key_field>: <key>}` per key and answering the abstract `_Entity`, whose
    /// selection is wrapped in `... on <type>`. `type_name` is in the remote's names.
    InOrder {
        type_name: String,
        /// The key is an `ID`: a number key is sent as a string, as an ID argument would
        /// have coerced it (`_Any` coerces nothing).
        id_key: bool,
    },
}

#[derive(Debug, Clone)]
pub struct RemoteRelationship {
    /// Set when the relationship declared a batch field (see `BatchField`).
    pub batch: Option<BatchField>,
    pub name: String,
    /// Index into the composed remotes.
    pub remote: usize,
    /// lhs fields: (name used in templates, SQL column).
    pub lhs: Vec<(String, String)>,
    pub path: Vec<PathStep>,
    /// SDL of the field on the table type: `name(args): Type`.
    pub field_sdl: String,
    /// Input types generated for arguments the template fixes in part: (name, SDL).
    pub input_types: Vec<(String, String)>,
}

fn literal_fits(value: &Value, type_name: &str, kind: &str, remote: &RemoteModel) -> bool {
    match (kind, type_name) {
        ("ENUM", _) => value.as_str().is_some_and(|s| {
            remote.remote_types.get(type_name).and_then(|t| t["enumValues"].as_array()).is_some_and(|vals| {
                vals.iter().any(|v| v["name"].as_str() == Some(s))
            })
        }),
        (_, "Int") => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        (_, "Float") => value.is_number(),
        (_, "Boolean") => value.is_boolean(),
        (_, "String") => value.is_string(),
        (_, "ID") => value.is_string() || value.as_i64().is_some(),
        ("INPUT_OBJECT", _) => value.is_object(),
        _ => true,
    }
}

/// Checks a template value against the type it fills. `lhs` maps template names to
/// the columns they read.
fn check_value(
    value: &Value,
    ty: &Value,
    remote: &RemoteModel,
    lhs: &[Lhs],
    at: &str,
) -> Result<(), String> {
    let is_list = {
        let mut t = ty;
        if t["kind"].as_str() == Some("NON_NULL") {
            t = &t["ofType"];
        }
        t["kind"].as_str() == Some("LIST")
    };
    let name = named_type(ty).unwrap_or_default();
    let kind = remote.remote_types.get(name).and_then(|t| t["kind"].as_str()).unwrap_or("SCALAR");
    match value {
        Value::String(s) if s.starts_with('$') => {
            let var = &s[1..];
            let field = lhs
                .iter()
                .find(|l| l.name == var)
                .ok_or_else(|| format!("{at}: \"${var}\" is not one of the lhs_fields"))?;
            if field.is_list() && !is_list {
                return Err(format!("{at}: {} is a list, the argument is not", field.describe()));
            }
            if !field.fits(name, kind) {
                return Err(format!(
                    "{at}: {} does not fit the argument type {}",
                    field.describe(),
                    remote_type_text(ty).unwrap_or_default()
                ));
            }
            Ok(())
        }
        Value::Array(items) => {
            let element = match ty["kind"].as_str() {
                Some("NON_NULL") => &ty["ofType"]["ofType"],
                _ => &ty["ofType"],
            };
            if !is_list {
                return Err(format!("{at}: a list where {} is expected", remote_type_text(ty).unwrap_or_default()));
            }
            items.iter().enumerate().try_for_each(|(i, v)| check_value(v, element, remote, lhs, &format!("{at}[{i}]")))
        }
        Value::Object(fields) if kind == "INPUT_OBJECT" => {
            let input = remote.remote_types.get(name).ok_or_else(|| format!("{at}: unknown type {name}"))?;
            for (key, v) in fields {
                let field = input["inputFields"]
                    .as_array()
                    .and_then(|fs| fs.iter().find(|f| f["name"].as_str() == Some(key)))
                    .ok_or_else(|| format!("{at}: input type {name} has no field \"{key}\""))?;
                check_value(v, &field["type"], remote, lhs, &format!("{at}.{key}"))?;
            }
            Ok(())
        }
        Value::Null => Ok(()),
        literal => {
            // A scalar may fill a list argument.
            if literal_fits(literal, name, kind, remote) {
                Ok(())
            } else {
                Err(format!("{at}: {literal} does not fit the type {}", remote_type_text(ty).unwrap_or_default()))
            }
        }
    }
}

/// Resolves a stored remote relationship from parents whose lhs fields are `lhs`
/// (those `def.lhs_fields` names). `remote_index` is the composed index of the
/// remote it names.
/// `lhs_identifier` names the parent in generated input types, as Hasura does: a table's
/// name (`<schema>_<table>` outside `public`), or the remote schema's name.
pub fn resolve(
    name: &str,
    lhs_identifier: &str,
    lhs: &[Lhs],
    def: &Definition,
    remote: &RemoteModel,
    remote_index: usize,
) -> Result<RemoteRelationship, String> {
    let mut path = Vec::new();
    let mut current_type = remote.remote_query_type.clone();
    let mut step = def.remote_field;
    let leaf = loop {
        let obj = step.as_object().filter(|o| o.len() == 1).ok_or("each level of \"remote_field\" names exactly one field")?;
        let (field_name, spec) = obj.iter().next().ok_or("empty remote_field")?;
        let field = remote
            .field(&current_type, field_name)
            .ok_or_else(|| format!("field \"{field_name}\" does not exist on remote type \"{current_type}\""))?;
        let arguments = spec.get("arguments").and_then(Value::as_object).cloned().unwrap_or_default();
        let mut argument_types = Vec::new();
        for (arg_name, value) in &arguments {
            let arg = RemoteModel::argument(field, arg_name)
                .ok_or_else(|| format!("argument \"{arg_name}\" does not exist on field \"{current_type}.{field_name}\""))?;
            check_value(value, &arg["type"], remote, lhs, &format!("argument \"{field_name}.{arg_name}\""))?;
        }
        for arg in field.get("args").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(arg_name) = arg["name"].as_str() {
                argument_types.push((arg_name.to_string(), remote_type_text(&arg["type"])?));
            }
        }
        let presets = remote.presets.arguments.get(&(current_type.clone(), field_name.clone())).cloned().unwrap_or_default();
        path.push(PathStep { field: field_name.clone(), arguments, argument_types, presets });
        match spec.get("field") {
            Some(next) => {
                current_type = named_type(&field["type"]).ok_or("a field without a named type")?.to_string();
                step = next;
            }
            None => break field.clone(),
        }
    };
    let mut output = remote.our_type_text(&leaf["type"])?;
    // A remote join can fail or miss: the field is nullable whatever the remote says.
    if output.ends_with('!') {
        output.pop();
    }
    let template = path.last().map(|step| step.arguments.clone()).unwrap_or_default();
    let mut input_types = Vec::new();
    let leaf_args = leaf.get("args").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let free = remote.free_arguments(leaf_args, &template, &format!("{lhs_identifier}{name}"), &mut input_types)?;
    let arguments = if free.is_empty() { String::new() } else { format!("({})", free.join(", ")) };
    let field_sdl = format!("{name}{arguments}: {output}");
    let batch = match def.batch {
        // A role's view may lack the batch field: its joins use aliased fields then.
        Some(body) => match batch_field(body, &path, &leaf, lhs, remote) {
            Ok(batch) => batch,
            Err(_) if remote.restricted => None,
            Err(reason) => return Err(reason),
        },
        None => None,
    };
    Ok(RemoteRelationship {
        batch,
        name: name.to_string(),
        remote: remote_index,
        lhs: lhs.iter().map(|l| (l.name.clone(), l.source.clone())).collect(),
        path,
        field_sdl,
        input_types,
    })
}

/// Checks a `batch` body against the relationship and the remote: the join is on one
/// key through one root field whose only argument is that key (`user(id: $user_id)`),
/// and the batch field, beside it, either takes a list of the key's type and answers a
/// list of the same objects, which carry the key in `key_field`; or is Apollo
/// Federation's `_entities`: it takes a list of `_Any` (representations) and answers a
/// list of an abstract type the object type belongs to, whose `key_field` is the key.
/// `None` when the role's presets apply to the batch field (they fit the one-key field).
fn batch_field(body: &Value, path: &[PathStep], leaf: &Value, lhs: &[Lhs], remote: &RemoteModel) -> Result<Option<BatchField>, String> {
    let text = |key: &str| {
        body.get(key).and_then(Value::as_str).map(str::to_string).ok_or_else(|| format!("\"batch.{key}\" is required (a name)"))
    };
    if let Some(extra) = body.as_object().and_then(|o| o.keys().find(|k| !matches!(k.as_str(), "field" | "argument" | "key_field"))) {
        return Err(format!("\"batch\" has an unknown key \"{extra}\" (field, argument, key_field)"));
    }
    let (field, argument, key_field) = (text("field")?, text("argument")?, text("key_field")?);
    let [step] = path else { return Err("\"batch\" needs a remote_field of one level (a root field of the remote)".into()) };
    let (key_argument, key_index) = match step.arguments.iter().collect::<Vec<_>>().as_slice() {
        [(name, Value::String(template))] if template.starts_with('$') => {
            let index = lhs.iter().position(|l| l.name == template[1..]).ok_or("the key argument names no lhs field")?;
            (name.as_str(), index)
        }
        _ => return Err(format!("\"batch\": \"{}\" must take exactly one argument, the join key (\"$<lhs field>\")", step.field)),
    };
    let single = remote.field(&remote.remote_query_type, &step.field).ok_or("the remote field is gone")?;
    let key_type = RemoteModel::argument(single, key_argument)
        .and_then(|a| named_type(&a["type"]).map(str::to_string))
        .ok_or("the key argument has no type")?;
    let object_type = named_type(&leaf["type"]).ok_or("the remote field has no type")?.to_string();
    let batched = remote
        .field(&remote.remote_query_type, &field)
        .ok_or_else(|| format!("\"batch\": field \"{field}\" does not exist on remote type \"{}\"", remote.remote_query_type))?;
    let list_argument = RemoteModel::argument(batched, &argument)
        .ok_or_else(|| format!("\"batch\": argument \"{argument}\" does not exist on field \"{field}\""))?;
    let answers = if is_list(&list_argument["type"]) && named_type(&list_argument["type"]) == Some(key_type.as_str()) {
        BatchAnswers::ByKeyField
    } else if is_list(&list_argument["type"]) && named_type(&list_argument["type"]) == Some(ANY) {
        BatchAnswers::InOrder { type_name: object_type.clone(), id_key: key_type == "ID" }
    } else {
        return Err(format!(
            "\"batch\": argument \"{field}.{argument}\" must be a list of {key_type}, the key's type, \
             or of {ANY} (Apollo Federation's representations)"
        ));
    };
    let required = batched.get("args").and_then(Value::as_array).into_iter().flatten().find(|a| {
        a["name"].as_str() != Some(argument.as_str()) && a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null()
    });
    if let Some(other) = required {
        return Err(format!("\"batch\": field \"{field}\" requires argument \"{}\" too", other["name"].as_str().unwrap_or("?")));
    }
    let answered = named_type(&batched["type"]).unwrap_or_default();
    let fits = match answers {
        BatchAnswers::ByKeyField => answered == object_type,
        BatchAnswers::InOrder { .. } => remote.remote_types.get(answered).is_some_and(|t| {
            t["possibleTypes"].as_array().into_iter().flatten().any(|member| member["name"].as_str() == Some(&object_type))
        }),
    };
    if !is_list(&batched["type"]) || !fits {
        return Err(match answers {
            BatchAnswers::ByKeyField => {
                format!("\"batch\": field \"{field}\" must answer a list of {object_type}, as \"{}\" answers one", step.field)
            }
            BatchAnswers::InOrder { .. } => format!(
                "\"batch\": field \"{field}\" must answer a list of entities that {object_type} is one of, as \"{}\" answers {object_type}",
                step.field
            ),
        });
    }
    let key = remote
        .field(&object_type, &key_field)
        .ok_or_else(|| format!("\"batch\": type \"{object_type}\" has no field \"{key_field}\""))?;
    if named_type(&key["type"]) != Some(key_type.as_str()) {
        return Err(format!("\"batch\": \"{object_type}.{key_field}\" must be of the key's type, {key_type}"));
    }
    if remote.presets.arguments.get(&(remote.remote_query_type.clone(), field.clone())).is_some_and(|p| !p.is_empty()) {
        return Ok(None);
    }
    Ok(Some(BatchField { field, argument, argument_type: remote_type_text(&list_argument["type"])?, key_field, key_index, answers }))
}

/// Apollo Federation's scalar of entity representations.
const ANY: &str = "_Any";

/// Whether a type reference is a list (under any non-null).
fn is_list(t: &Value) -> bool {
    match t.get("kind").and_then(Value::as_str) {
        Some("NON_NULL") => is_list(&t["ofType"]),
        Some("LIST") => true,
        _ => false,
    }
}
